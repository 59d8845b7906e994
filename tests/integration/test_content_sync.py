"""`lms content check|status|export|import` as a trainer team runs them: files and browser edits kept in step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms.cli import main
from tests import factories as f


def _cli(*args: str, url: str) -> Result:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("LMS_")}
    env["LMS_DATABASE_URL"] = url
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository layout with one module and its quiz, and a migrated empty database."""
    (tmp_path / "modules").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "modules" / "testmodul.md").write_text(f.module_source(), encoding="utf-8")
    (tmp_path / "quizzes" / "testmodul.md").write_text(f.quiz_source(), encoding="utf-8")
    url = "sqlite:///" + str(tmp_path / "db.sqlite3")
    assert _cli("db", "upgrade", url=url).exit_code == 0
    return tmp_path, url


def _paths(root: Path) -> list[str]:
    return [str(root / "modules"), str(root / "quizzes")]


def test_yaml_error_is_reported_on_its_line_in_german(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    source = f.module_source().replace('title: "Testmodul"', 'title: "Testmodul')  # line 3, quote not closed
    (tmp_path / "modules" / "kaputt.md").write_text(source, encoding="utf-8")
    result = _cli("content", "check", str(tmp_path / "modules"), url="sqlite://")
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'modules' / 'kaputt.md'}:3: Das Front-Matter ist kein gültiges YAML: " in result.stderr
    )
    assert "Anführungszeichen" in result.stderr and "expected" not in result.stderr


def test_an_image_that_does_not_exist_is_reported_and_blocks_the_import(repo: tuple[Path, str]) -> None:
    root, url = repo
    module = root / "modules" / "testmodul.md"
    module.write_text(f.module_source(extra="\n\n![Ablauf](/media/nichtda.png)"), encoding="utf-8")
    line = module.read_text(encoding="utf-8").split("\n").index("![Ablauf](/media/nichtda.png)") + 1

    check = _cli("content", "check", *_paths(root), url=url)
    assert check.exit_code == 1
    assert f"testmodul.md:{line}: Das Bild „/media/nichtda.png“ gibt es nicht" in check.stderr

    imported = _cli("content", "import", *_paths(root), url=url)
    assert imported.exit_code == 1
    assert "Nichts veröffentlicht" in imported.stderr
    assert "gibt es nicht" in imported.stderr
    status = _cli("content", "status", url=url)  # the bundled curriculum is not in this database either
    assert "testmodul" not in status.stdout


def test_status_says_which_side_is_ahead_and_export_brings_browser_edits_into_the_files(
    repo: tuple[Path, str],
) -> None:
    root, url = repo
    first = _cli("content", "import", *_paths(root), url=url)
    assert first.exit_code == 0, first.stderr
    status = _cli("content", "status", *_paths(root), url=url)
    assert status.exit_code == 0, status.stdout + status.stderr
    assert "modules/testmodul.md: gleich – Version 1.0" in status.stdout
    assert "quizzes/testmodul.md: gleich – Fassung 1" in status.stdout

    # Someone publishes 1.1 in the browser (here: from another folder, as the editor would store it).
    browser = root / "browser"
    (browser / "modules").mkdir(parents=True)
    (browser / "modules" / "testmodul.md").write_text(
        f.module_source(version="1.1", extra=" Im Browser ergänzt."), encoding="utf-8"
    )
    assert _cli("content", "import", str(browser / "modules"), url=url).exit_code == 0

    status = _cli("content", "status", *_paths(root), url=url)
    assert status.exit_code == 3
    assert (
        "modules/testmodul.md: Datenbank voraus – die Datei hat Version 1.0, veröffentlicht ist 1.1"
        in status.stdout
    )
    assert "lms content export" in status.stdout
    again = _cli("content", "import", *_paths(root), url=url)
    assert "unverändert (aber die Datenbank ist weiter" in again.stdout

    exported = _cli("content", "export", "--output", str(root), url=url)
    assert exported.exit_code == 0, exported.stderr
    assert "1 Datei geschrieben, 1 schon aktuell" in exported.stdout
    assert "Im Browser ergänzt." in (root / "modules" / "testmodul.md").read_text(encoding="utf-8")
    status = _cli("content", "status", *_paths(root), url=url)
    assert status.exit_code == 0
    assert "modules/testmodul.md: gleich – Version 1.1" in status.stdout

    # A file edited ahead of the database.
    (root / "modules" / "testmodul.md").write_text(
        f.module_source(version="1.2", extra=" In git geändert."), encoding="utf-8"
    )
    status = _cli("content", "status", *_paths(root), url=url)
    assert status.exit_code == 3
    assert "modules/testmodul.md: Datei voraus – die Datei hat Version 1.2 (geändert)" in status.stdout


def test_export_into_a_new_folder_writes_files_that_import_unchanged(repo: tuple[Path, str]) -> None:
    root, url = repo
    assert _cli("content", "import", *_paths(root), url=url).exit_code == 0
    target = root / "export"
    exported = _cli("content", "export", "--output", str(target), url=url)
    assert exported.exit_code == 0
    assert (target / "modules" / "testmodul.md").is_file() and (target / "quizzes" / "testmodul.md").is_file()
    again = _cli("content", "import", *_paths(target), url=url)
    assert again.exit_code == 0
    assert again.stdout.count("unverändert") == 2


def test_draft_numbers_are_never_reused(db) -> None:  # type: ignore[no-untyped-def]
    from lms.auth.models import Role
    from lms.authoring.drafts import discard_draft, new_module_draft
    from lms.content.models import ModuleKind

    trainer = f.user(db, Role.TRAINER)
    first = new_module_draft(db, trainer, ModuleKind.TRAINING)
    number = first.id
    discard_draft(db, trainer, first)
    db.commit()
    second = new_module_draft(db, trainer, ModuleKind.TRAINING)
    db.commit()
    assert second.id > number


def test_a_zip_with_a_new_module_and_its_quiz_becomes_two_drafts_published_together(db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from lms.auth.models import Role
    from lms.authoring.archive import build_archive
    from lms.authoring.drafts import PublishRefused, publish_draft
    from lms.authoring.uploads import upload_documents
    from lms.content.models import ChangeKind, Draft, Module
    from lms.quizzes.models import Quiz

    trainer = f.user(db, Role.TRAINER)
    module_text = f.module_source(slug="neu", title="Neues Modul")
    archive = build_archive(
        [
            ("modules/neu.md", module_text),
            ("quizzes/neu.md", f.quiz_source("neu")),
        ]
    )
    report = upload_documents(db, trainer, "neu.zip", archive)
    module_upload, quiz_upload = report.files
    assert module_upload.draft is not None and quiz_upload.draft is not None
    assert quiz_upload.problems == []  # not „Modul „neu“ gibt es nicht“
    assert quiz_upload.draft.id != module_upload.draft.id

    # The module draft gets a problem: publishing the quiz says so and publishes nothing.
    module_upload.draft.source = module_text.replace("kind: training", "kind: schulung")
    with pytest.raises(PublishRefused) as refused:
        publish_draft(db, trainer, quiz_upload.draft, change_kind=ChangeKind.MATERIAL, change_note="Neu")
    assert "noch ein Entwurf mit Problemen" in refused.value.problems[0].message
    assert db.scalar(select(Module).where(Module.slug == "neu")) is None

    module_upload.draft.source = module_text
    quiz_version = publish_draft(
        db, trainer, quiz_upload.draft, change_kind=ChangeKind.MATERIAL, change_note="Neu"
    )
    module = db.scalar(select(Module).where(Module.slug == "neu"))
    assert module is not None and module.current_version is not None
    assert db.scalar(select(Quiz).where(Quiz.module_id == module.id)).current_version is quiz_version
    assert db.scalars(select(Draft)).all() == []


def test_publishing_the_new_module_first_keeps_its_quiz_draft_ready(db) -> None:  # type: ignore[no-untyped-def]
    from lms.auth.models import Role
    from lms.authoring.archive import build_archive
    from lms.authoring.drafts import check_draft, publish_draft
    from lms.authoring.uploads import upload_documents
    from lms.content.models import ChangeKind

    trainer = f.user(db, Role.TRAINER)
    archive = build_archive(
        [("modules/neu.md", f.module_source(slug="neu")), ("quizzes/neu.md", f.quiz_source("neu"))]
    )
    module_upload, quiz_upload = upload_documents(db, trainer, "neu.zip", archive).files
    version = publish_draft(
        db, trainer, module_upload.draft, change_kind=ChangeKind.MATERIAL, change_note="a"
    )
    assert quiz_upload.draft.module is version.module
    assert check_draft(db, quiz_upload.draft)[0].problems == []
    publish_draft(db, trainer, quiz_upload.draft, change_kind=ChangeKind.MATERIAL, change_note="b")


@pytest.mark.parametrize(
    ("folder", "replace", "by", "message"),
    [
        (
            "modules",
            "duration_minutes: 30",
            "duration_minutes: 99999999999999999999999",
            "„duration_minutes“ muss eine ganze Zahl von 1 bis 10080 sein (Minuten, höchstens eine Woche).",
        ),
        (
            "modules",
            "## Zweiter Abschnitt",
            "## Zweiter Abschnitt (3000000000 Min.)",
            "„Zweiter Abschnitt“: Die Dauer in der Überschrift darf höchstens 10080 Minuten (eine Woche) betragen.",
        ),
        (
            "quizzes",
            "max_attempts: 3",
            "max_attempts: 99999999999999999999",
            "„max_attempts“ muss eine ganze Zahl von 0 bis 100 sein (0 = unbegrenzt).",
        ),
    ],
)
def test_numbers_beyond_plausibility_are_reported_by_check_and_import_without_a_traceback(
    repo: tuple[Path, str], folder: str, replace: str, by: str, message: str
) -> None:
    """The check found no problem and the import died with „OverflowError: Python int too large to convert to SQLite
    INTEGER“."""
    root, url = repo
    path = root / folder / "testmodul.md"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(replace, by), encoding="utf-8")
    line = source.split("\n").index(replace) + 1

    check = _cli("content", "check", *_paths(root), url=url)
    assert check.exit_code == 1
    assert f"{path}:{line}: {message}" in check.stderr

    imported = _cli("content", "import", *_paths(root), url=url)
    assert imported.exit_code == 1
    assert "Nichts veröffentlicht" in imported.stderr and message in imported.stderr
    assert "testmodul" not in _cli("content", "status", url=url).stdout
