"""Importing the curriculum: new versions, unchanged files, refused changes, and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.authoring.publishing import import_documents, publish_module
from lms.cli import main
from lms.content.models import ImmutableError, Module, ModuleVersion
from lms.content.modules import parse_module
from lms.quizzes.parse import parse_quiz
from tests import factories as f


def _import(db: Session, module_text: str, quiz_text: str | None = None):  # type: ignore[no-untyped-def]
    modules = [("modules/testmodul.md", parse_module(module_text, "modules/testmodul.md"))]
    quizzes = [("quizzes/testmodul.md", parse_quiz(quiz_text, "quizzes/testmodul.md"))] if quiz_text else []
    return import_documents(db, modules, quizzes, actor_id=None)


def test_first_import_publishes_module_and_quiz(db: Session) -> None:
    report = _import(db, f.module_source(), f.quiz_source())
    assert report.problems == []
    assert len(report.published) == 2
    version = db.scalar(select(ModuleVersion))
    assert version is not None
    assert [s.title for s in version.sections] == [
        "Erster Abschnitt",
        "Zweiter Abschnitt",
        "Dritter Abschnitt",
    ]
    assert version.content_hash.startswith("sha256:")
    assert version.renderer_version


def test_unchanged_file_changes_nothing(db: Session) -> None:
    _import(db, f.module_source(), f.quiz_source())
    report = _import(db, f.module_source(), f.quiz_source())
    assert report.published == [] and len(report.unchanged) == 2
    assert db.scalar(select(func.count()).select_from(ModuleVersion)) == 1


def test_changed_file_with_same_version_is_refused_with_line(db: Session) -> None:
    _import(db, f.module_source())
    report = _import(db, f.module_source(extra=" Geänderter Satz."))
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.line == 5  # the `version:` line of the front matter
    assert "bereits mit anderem Inhalt veröffentlicht" in problem.message


def test_changed_file_with_new_version_becomes_new_version(db: Session) -> None:
    _import(db, f.module_source())
    report = _import(db, f.module_source(version="1.1", extra=" Neuer Satz."))
    assert report.problems == []
    module = db.scalar(select(Module))
    assert module is not None
    assert [v.version_label for v in module.versions] == ["1.0", "1.1"]
    assert module.current_version is not None and module.current_version.version_label == "1.1"


def test_published_version_cannot_be_edited(db: Session) -> None:
    version = f.published_module(db)
    version.title = "Heimlich geändert"
    with pytest.raises(ImmutableError):
        db.flush()


def test_same_text_gives_same_hash_whatever_the_line_endings(db: Session) -> None:
    lf = parse_module(f.module_source(), "modules/testmodul.md")
    crlf = parse_module("\ufeff" + f.module_source().replace("\n", "\r\n"), "modules/testmodul.md")
    assert lf.content_hash == crlf.content_hash
    publish_module(db, lf, path="a", actor_id=None)
    version, problem = publish_module(db, crlf, path="b", actor_id=None)
    assert version is None and problem is None  # recognised as the same content


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def _cli(*args: str, database_url: str) -> CliResult:
    """`lms …` in this process (Click's runner): the commands are under test here, not the interpreter's start."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("LMS_")}
    env["LMS_DATABASE_URL"] = database_url
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def _lms_entry_point(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """The installed `lms` command in a process of its own, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_DATABASE_URL"] = database_url
    return subprocess.run(
        [str(Path(sys.executable).parent / "lms"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=f.REPO,
        timeout=120,
    )


def test_cli_check_reports_file_and_line_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "modules"
    broken.mkdir()
    (broken / "kaputt.md").write_text(
        "---\nslug: kaputt\ntitle: Kaputt\nkind: schulung\n---\n\n## A\n\nText\n", encoding="utf-8"
    )
    result = _lms_entry_point(
        "content", "check", str(broken), database_url="sqlite:///" + str(tmp_path / "x.sqlite3")
    )
    assert result.returncode == 1
    assert f"{broken / 'kaputt.md'}:4:" in result.stderr  # kind: schulung is on line 4
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_check_accepts_the_real_curriculum(tmp_path: Path) -> None:
    result = _cli("content", "check", database_url="sqlite:///" + str(tmp_path / "x.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "Keine Probleme" in result.stdout


def test_cli_import_twice_and_render(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    assert _cli("db", "upgrade", database_url=url).returncode == 0
    first = _cli("content", "import", database_url=url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("veröffentlicht") >= 10  # 6 modules and 4 quizzes at least
    second = _cli("content", "import", database_url=url)
    assert second.returncode == 0
    assert "veröffentlicht" not in second.stdout and "unverändert" in second.stdout
    rendered = _cli("content", "render", "modules/grundbegriffe.md", database_url=url)
    assert rendered.returncode == 0
    assert "<h2>" in rendered.stdout and "<script" not in rendered.stdout
    quiz = _cli("content", "render", "quizzes/grundbegriffe.md", database_url=url)
    assert quiz.returncode == 0 and quiz.stdout.count("<section") >= 6
    assert "correct" not in quiz.stdout and "[(X)]" not in quiz.stdout  # no solution in what learners get


def test_cli_creates_accounts_and_refuses_duplicates(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "users.sqlite3")
    assert _cli("db", "upgrade", database_url=url).returncode == 0
    created = _cli(
        "users",
        "create",
        "chefin@programm.example",
        "--name",
        "Chefin",
        "--role",
        "admin",
        "--password",
        "ein-sehr-langes-passwort",
        database_url=url,
    )
    assert created.returncode == 0, created.stderr
    duplicate = _cli(
        "users",
        "create",
        "chefin@programm.example",
        "--name",
        "X",
        "--password",
        "ein-sehr-langes-passwort",
        database_url=url,
    )
    assert duplicate.returncode == 1 and "bereits ein Konto" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr


def test_cli_import_with_a_broken_file_imports_nothing(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "atomic.sqlite3")
    assert _cli("db", "upgrade", database_url=url).returncode == 0
    content = tmp_path / "modules"
    content.mkdir()
    (content / "testmodul.md").write_text(f.module_source(), encoding="utf-8")
    (content / "kaputt.md").write_text("---\nslug: kaputt\n---\n", encoding="utf-8")
    result = _cli("content", "import", str(content), database_url=url)
    assert result.returncode == 1
    assert "Nichts veröffentlicht" in result.stderr
    listing = _cli("content", "import", str(content / "testmodul.md"), database_url=url)
    assert "testmodul 1.0 veröffentlicht" in listing.stdout  # it had not been imported by the failed run


def test_rerender_renews_only_the_derived_html(db: Session) -> None:
    from sqlalchemy import update

    from lms.authoring.publishing import rerender_versions
    from lms.content.models import ModuleSection
    from lms.markdown.render import RENDERER_VERSION

    version = f.published_module(db)
    quiz = f.published_quiz(db)
    # Simulate HTML made by an older pipeline (written past the ORM, as an old release would have stored it).
    db.execute(update(ModuleVersion).values(renderer_version="0"))
    db.execute(update(ModuleSection).values(html="<p>alt</p>"))
    db.expire_all()
    count, problems = rerender_versions(db)
    assert (count, problems) == (1, [])  # the quiz was current already
    db.expire_all()
    assert version.renderer_version == RENDERER_VERSION
    assert "Art. 3 Abs. 3 GG" in version.sections[0].html and version.content_hash.startswith("sha256:")
    assert rerender_versions(db, force=True)[0] == 2 and quiz.number == 1


def test_cli_import_records_the_kind_of_change_and_the_note(tmp_path: Path) -> None:
    import sqlite3

    url = "sqlite:///" + str(tmp_path / "kinds.sqlite3")
    assert _cli("db", "upgrade", database_url=url).returncode == 0
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "testmodul.md").write_text(f.module_source(), encoding="utf-8")
    assert _cli("content", "import", str(folder), database_url=url).returncode == 0
    (folder / "testmodul.md").write_text(f.module_source(version="1.1", extra=" Neu."), encoding="utf-8")
    result = _cli(
        "content", "import", str(folder), "--change", "editorial", "--note", "Satz ergänzt", database_url=url
    )
    assert result.returncode == 0, result.stderr
    wrong = _cli("content", "import", str(folder), "--change", "gross", database_url=url)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    with sqlite3.connect(tmp_path / "kinds.sqlite3") as connection:
        rows = connection.execute(
            "SELECT version_label, change_kind, change_note FROM module_versions ORDER BY id"
        ).fetchall()
    assert rows == [("1.0", "material", None), ("1.1", "editorial", "Satz ergänzt")]


@pytest.mark.parametrize("command", ["check", "import"])
def test_cli_refuses_control_characters_in_a_module_with_their_line(tmp_path: Path, command: str) -> None:
    """`content check` found no problem in a module with a NUL in its body, and `content import` gave a traceback on
    PostgreSQL; \\x01 and ESC were published."""
    url = "sqlite:///" + str(tmp_path / "control.sqlite3")
    assert _cli("db", "upgrade", database_url=url).returncode == 0
    content = tmp_path / "modules"
    content.mkdir()
    lines = f.module_source().split("\n")
    lines[-2] += " Nul\x00 und Escape\x1b"
    lines[2] += "\x01"  # in the front matter: PyYAML's own complaint would not help anyone
    (content / "testmodul.md").write_text("\n".join(lines), encoding="utf-8")
    args = ("content", command, *(["--change", "editorial"] if command == "import" else []), str(content))
    result = _cli(*args, database_url=url)
    assert result.returncode == 1
    path = content / "testmodul.md"
    assert f"{path}:3: Diese Zeile enthält unzulässige Steuerzeichen (U+0001)" in result.stderr
    assert (
        f"{path}:{len(lines) - 1}: Diese Zeile enthält unzulässige Steuerzeichen (U+0000, U+001B)"
        in result.stderr
    )
    assert "Traceback" not in result.stdout + result.stderr
