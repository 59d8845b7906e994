"""Authoring through the services: drafts, both change kinds, retiring, uploads and their audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.authoring.archive import build_archive
from lms.authoring.check import load_paths
from lms.authoring.drafts import (
    DraftConflict,
    PublishRefused,
    draft_for_module,
    draft_for_quiz,
    publish_draft,
    save_draft,
)
from lms.authoring.publishing import import_documents
from lms.authoring.uploads import upload_documents
from lms.content.models import ChangeKind, Draft, Module, ModuleVersion
from lms.content.queries import catalogue
from lms.content.services.lifecycle import LifecycleError, retire_module, retire_version
from lms.progress.models import Completion
from lms.progress.queries import my_completions, my_modules
from lms.quizzes.models import QuizVersion
from lms.quizzes.services import start_attempt, submit_attempt
from tests import factories as f


def _module(db: Session) -> Module:
    module = db.scalar(select(Module).where(Module.slug == "testmodul"))
    assert module is not None
    return module


def _start(db: Session, learner):  # type: ignore[no-untyped-def]
    module = _module(db)
    return start_attempt(db, learner, module, module.current_version)


def _complete(db: Session, learner) -> Completion:  # type: ignore[no-untyped-def]
    attempt = _start(db, learner)
    completion = submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    assert completion is not None
    return completion


def _publish_new_version(
    db: Session, trainer, kind: ChangeKind, note: str, text: str = "Neu."
) -> ModuleVersion:  # type: ignore[no-untyped-def]
    draft = draft_for_module(db, trainer, _module(db))
    label = f"1.{len(draft.module.versions)}"
    source = draft.source.replace(
        f'version: "{draft.module.versions[-1].version_label}"', f'version: "{label}"'
    )
    save_draft(
        db,
        trainer,
        draft,
        source.replace("Das AGG schützt Beschäftigte.", f"Das AGG schützt Beschäftigte. {text}"),
        draft.revision,
    )
    published = publish_draft(db, trainer, draft, change_kind=kind, change_note=note)
    assert isinstance(published, ModuleVersion)
    return published


@pytest.fixture
def people(db: Session):  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    town = f.municipality(db)
    return f.user(db, Role.TRAINER), f.user(db, Role.LEARNER, municipality_id=town.id)


def test_editorial_change_keeps_completions_valid_and_tells_nobody(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, learner = people
    _complete(db, learner)
    version = _publish_new_version(db, trainer, ChangeKind.EDITORIAL, "Tippfehler korrigiert")
    (row,) = my_modules(db, learner)
    assert row.version.id == version.id and row.version.change_kind == "editorial"
    assert row.is_complete_current and row.percent == 100 and row.changes_since_completion == ()


def test_material_change_offers_the_new_version_and_keeps_the_old_completion(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, learner = people
    old = _complete(db, learner)
    _publish_new_version(db, trainer, ChangeKind.EDITORIAL, "Tippfehler")
    material = _publish_new_version(
        db, trainer, ChangeKind.MATERIAL, "Neuer Abschnitt zur Beschwerdestelle", "Mehr."
    )
    (row,) = my_modules(db, learner)
    assert not row.is_complete_current
    assert [v.change_note for v in row.changes_since_completion] == ["Neuer Abschnitt zur Beschwerdestelle"]
    assert my_completions(db, learner) == [old], "the old completion stays on record"
    # Taking the new version completes it as a new row; the notice is gone.
    new = _complete(db, learner)
    assert new.module_version_id == material.id
    (row,) = my_modules(db, learner)
    assert row.is_complete_current and set(my_completions(db, learner)) == {old, new}


def test_publishing_needs_a_new_version_number_and_refuses_identical_text(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, _learner = people
    draft = draft_for_module(db, trainer, _module(db))
    with pytest.raises(PublishRefused, match=r"identisch mit der veröffentlichten 1\.0"):
        publish_draft(db, trainer, draft, change_kind=ChangeKind.EDITORIAL, change_note="nichts")
    save_draft(db, trainer, draft, draft.source + "\nNoch ein Satz.\n", draft.revision)
    with pytest.raises(PublishRefused) as refused:
        publish_draft(db, trainer, draft, change_kind=ChangeKind.EDITORIAL, change_note="Satz ergänzt")
    (problem,) = refused.value.problems
    assert (
        problem.line == 5
        # The editor and the file import share one rule (authoring/publishing.py) and so one message.
        and "Version 1.0 ist bereits mit anderem Inhalt veröffentlicht" in problem.message
        and "(z. B. 1.1)" in problem.message
        and "1.1" in problem.message
    )
    with pytest.raises(PublishRefused, match="Änderungsnotiz"):
        publish_draft(db, trainer, draft, change_kind=ChangeKind.EDITORIAL, change_note="  ")
    assert db.get(Draft, draft.id) is not None, "a refused publish keeps the draft"


def test_a_save_from_a_stale_editor_is_refused(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, _learner = people
    other = f.user(db, Role.TRAINER)
    draft = draft_for_module(db, trainer, _module(db))
    loaded = draft.revision
    save_draft(db, other, draft, draft.source + "\nvon nebenan\n", loaded)
    with pytest.raises(DraftConflict):
        save_draft(db, trainer, draft, draft.source + "\nmeins\n", loaded)
    assert draft.source.endswith("von nebenan\n")


def test_browser_publish_and_cli_import_give_the_same_content_hash(db: Session, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    trainer, _learner = people
    version = _publish_new_version(db, trainer, ChangeKind.MATERIAL, "Ergänzt")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "testmodul.md").write_text(version.source, encoding="utf-8")
    modules, quizzes, problems = load_paths([str(tmp_path / "modules")])
    assert problems == [] and modules[0][1].content_hash == version.content_hash
    report = import_documents(db, modules, quizzes, actor_id=None)
    assert report.published == [] and len(report.unchanged) == 1


def test_quiz_draft_publishes_a_new_quiz_version_and_open_attempts_keep_theirs(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, learner = people
    attempt = _start(db, learner)
    draft = draft_for_quiz(db, trainer, _module(db))
    save_draft(
        db, trainer, draft, draft.source.replace("Erklärung 1.", "Erklärung 1, genauer."), draft.revision
    )
    new = publish_draft(
        db, trainer, draft, change_kind=ChangeKind.EDITORIAL, change_note="Erklärung präzisiert"
    )
    assert new.number == 2 and new.change_note == "Erklärung präzisiert"
    assert attempt.quiz_version.number == 1
    assert submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS) is not None


def test_retiring_removes_from_the_catalogue_but_keeps_records(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, learner = people
    completion = _complete(db, learner)
    second = _publish_new_version(db, trainer, ChangeKind.MATERIAL, "Neu")
    retire_version(db, trainer, second, "Fehler im neuen Abschnitt")
    ((_module, current),) = catalogue(db, learner)
    assert current.version_label == "1.0", "the previous version is current again"
    with pytest.raises(LifecycleError):
        retire_version(db, trainer, second, "noch einmal")
    retire_module(db, trainer, second.module, "ersetzt durch ein neues Modul")
    assert catalogue(db, learner) == []
    assert my_completions(db, learner) == [completion]
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["content.retire_version", "content.retire_module"]


def test_upload_round_trip_and_audit(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    trainer, _learner = people
    module_version = _module(db).versions[0]
    quiz = db.scalars(select(QuizVersion)).one()
    archive = build_archive(
        [("modules/testmodul.md", module_version.source), ("quizzes/testmodul.md", quiz.source)]
    )
    report = upload_documents(db, trainer, "export.zip", archive)
    assert [(u.path, u.same_as) for u in report.files] == [
        ("modules/testmodul.md", "1.0"),
        ("quizzes/testmodul.md", "Fassung 1"),
    ]
    changed = module_version.source.replace('version: "1.0"', 'version: "1.1"')
    report = upload_documents(db, trainer, "testmodul.md", changed.encode())
    (uploaded,) = report.files
    assert (
        uploaded.draft is not None
        and uploaded.problems == []
        and uploaded.draft.module_id == module_version.module_id
    )
    # A second upload does not overwrite the open draft unless asked to.
    report = upload_documents(db, trainer, "testmodul.md", changed.replace("Einleitung.", "Intro.").encode())
    assert report.files[0].kept_draft is not None and report.files[0].draft is None
    uploads = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "content.upload")
    )
    assert uploads == 3


def test_a_change_note_counts_a_line_break_once_and_is_stored_with_lf(db: Session, people) -> None:  # type: ignore[no-untyped-def]
    """A note of 2000 characters with a CRLF (as a browser sends it) was refused as 2001 characters long."""
    trainer, _learner = people
    version = _publish_new_version(db, trainer, ChangeKind.EDITORIAL, "a" * 999 + "\r\n" + "b" * 1000 + "\r")
    assert version.change_note == "a" * 999 + "\n" + "b" * 1000
    draft = draft_for_module(db, trainer, _module(db))
    save_draft(db, trainer, draft, draft.source.replace('version: "1.1"', 'version: "1.2"'), draft.revision)
    with pytest.raises(PublishRefused) as refused:
        publish_draft(db, trainer, draft, change_kind=ChangeKind.EDITORIAL, change_note="a\r\n" * 1001)
    (problem,) = refused.value.problems
    assert problem.message == "Die Änderungsnotiz ist länger als 2000 Zeichen."
    assert problem.msgid == "Die Änderungsnotiz ist länger als %(max)d Zeichen."
