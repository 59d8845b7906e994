"""Drafts from the browser editor: start, save, check against what is published, publish, discard."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.authoring.check import front_matter_line
from lms.authoring.preview import Preview, declared_slug, declared_title, document_path, preview_source
from lms.authoring.publishing import (
    missing_media_problems,
    module_version_problem,
    publish_module,
    publish_quiz,
)
from lms.authoring.skeletons import module_skeleton, quiz_skeleton
from lms.content.models import ChangeKind, DocumentType, Draft, Module, ModuleKind, ModuleVersion
from lms.markdown.problems import Problem
from lms.quizzes.models import Quiz, QuizVersion
from lms.text import N_, lf_line_breaks

#: Longest change note (line breaks count one character each, as the browser counts them for ``maxlength``); it is
#: shown to learners on their dashboard, so it should be short anyway.
MAX_CHANGE_NOTE = 2000
CHANGE_NOTE_TOO_LONG = N_("Die Änderungsnotiz ist länger als %(max)d Zeichen.")


def normalise_change_note(note: str) -> str:
    """A change note as it is counted and stored: line breaks as ``\n`` (a browser sends CRLF), no outer blanks."""
    return lf_line_breaks(note).strip()


class DraftConflict(Exception):
    """Someone saved the draft since this editor loaded it; saving now would overwrite their work."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(f"draft {draft.id} is at revision {draft.revision}")
        self.draft = draft


class PublishRefused(Exception):
    """Publishing did not happen; ``problems`` says why, with lines, in German."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _new(session: Session, actor: User, document: DocumentType, module: Module | None, source: str) -> Draft:
    now = clock.now()
    draft = Draft(
        document=document.value,
        module=module,
        label="",
        source=source,
        revision=1,
        created_by_id=actor.id,
        updated_by_id=actor.id,
        updated_at=now,
    )
    _refresh_label(draft)
    session.add(draft)
    session.flush()
    return draft


def open_draft(session: Session, document: DocumentType, module: Module) -> Draft | None:
    """The open draft of this module's text or quiz, if someone started one."""
    return session.scalar(
        select(Draft).where(Draft.document == document.value, Draft.module_id == module.id).order_by(Draft.id)
    )


def draft_for_module(session: Session, actor: User, module: Module) -> Draft:
    """Continue the module's open draft, or start one from its newest version (retired ones included)."""
    existing = open_draft(session, DocumentType.MODULE, module)
    if existing is not None:
        return existing
    newest = module.versions[-1] if module.versions else None
    draft = _new(session, actor, DocumentType.MODULE, module, newest.source if newest else module_skeleton())
    draft.base_hash = newest.content_hash if newest else None
    return draft


def draft_for_quiz(session: Session, actor: User, module: Module) -> Draft:
    """Continue the open quiz draft of a training module, or start one from its current quiz (or a skeleton)."""
    existing = open_draft(session, DocumentType.QUIZ, module)
    if existing is not None:
        return existing
    quiz = session.scalar(select(Quiz).where(Quiz.module_id == module.id))
    current = quiz.current_version if quiz else None
    draft = _new(
        session, actor, DocumentType.QUIZ, module, current.source if current else quiz_skeleton(module.slug)
    )
    draft.base_hash = current.content_hash if current else None
    return draft


def new_module_draft(session: Session, actor: User, kind: ModuleKind) -> Draft:
    """A draft for a module or workshop script that does not exist yet, from a commented skeleton."""
    return _new(session, actor, DocumentType.MODULE, None, module_skeleton(kind))


def draft_from_upload(
    session: Session, actor: User, document: DocumentType, source: str, module: Module | None
) -> Draft:
    """A draft holding an uploaded file, for the module its front matter names (None if that is new)."""
    return _new(session, actor, document, module, source)


def save_draft(session: Session, actor: User, draft: Draft, source: str, revision: int) -> Draft:
    """Store the editor's text; refuses (DraftConflict) if the draft changed since the editor loaded ``revision``."""
    if revision != draft.revision:
        raise DraftConflict(draft)
    if source != draft.source:
        draft.source = source
        draft.revision += 1
        draft.updated_at = clock.now()
        draft.updated_by_id = actor.id
        _refresh_label(draft)
        session.flush()
    return draft


def discard_draft(session: Session, actor: User, draft: Draft) -> None:
    """Delete a draft; published versions are not affected."""
    record_event(
        session,
        actor_id=actor.id,
        action="content.draft_discard",
        object_type="draft",
        object_id=draft.id,
        label=draft.label,
        document=draft.document,
    )
    session.delete(draft)
    session.flush()


def _refresh_label(draft: Draft) -> None:
    slug = declared_slug(draft.document, draft.source)
    if draft.document == DocumentType.QUIZ:
        draft.label = f"Quiz zu „{slug or (draft.module.slug if draft.module else '?')}“"
    else:
        draft.label = declared_title(draft.source) or slug or "Neues Modul"


def draft_path(draft: Draft, source: str | None = None) -> str:
    """The file name the draft's text would have in ``modules/`` or ``quizzes/``."""
    text = draft.source if source is None else source
    return document_path(
        draft.document, declared_slug(draft.document, text) or (draft.module.slug if draft.module else None)
    )


def check_draft(session: Session, draft: Draft, source: str | None = None) -> tuple[Preview, str | None]:
    """The preview of a draft's text plus the checks that need the database.

    Returns the preview (its problems include the database checks) and, if the text equals a published
    version, that version's name (publishing it again would change nothing).
    """
    text = draft.source if source is None else source
    path = draft_path(draft, text)
    preview = preview_source(draft.document, text, path)
    problems = missing_media_problems(session, text, path)
    same_as = None
    if preview.module is not None:
        more, same_as = _module_checks(session, draft, preview, path)
        problems += more
    if preview.quiz is not None:
        more, same_as = _quiz_checks(session, draft, preview, path)
        problems += more
    preview.problems = sorted(preview.problems + problems, key=lambda p: p.line)
    return preview, same_as


def _module_checks(
    session: Session, draft: Draft, preview: Preview, path: str
) -> tuple[list[Problem], str | None]:
    doc = preview.module
    assert doc is not None
    slug_line = front_matter_line(doc.source, "slug")
    module = session.scalar(select(Module).where(Module.slug == doc.slug))
    if draft.module is not None and doc.slug != draft.module.slug:
        message = f"Dieser Entwurf gehört zu „{draft.module.slug}“; der slug kann nicht geändert werden."
        return [Problem(path, slug_line, message)], None
    if draft.module is None and module is not None:
        message = f"Ein Modul mit dem slug „{doc.slug}“ gibt es schon; wählen Sie einen anderen slug."
        return [Problem(path, slug_line, message)], None
    problem, same = module_version_problem(module, doc, path)
    return ([problem] if problem else []), (same.version_label if same else None)


def _quiz_checks(
    session: Session, draft: Draft, preview: Preview, path: str
) -> tuple[list[Problem], str | None]:
    doc = preview.quiz
    assert doc is not None
    module_line = front_matter_line(doc.source, "module")
    module = session.scalar(select(Module).where(Module.slug == doc.module_slug))
    if draft.module is not None and doc.module_slug != draft.module.slug:
        message = (
            f"Dieser Entwurf ist das Quiz zu „{draft.module.slug}“; „module“ kann nicht geändert werden."
        )
        return [Problem(path, module_line, message)], None
    if module is None:
        if companion_module_draft(session, doc.module_slug) is not None:
            return [], None  # the module is a new draft too: publishing the quiz publishes both
        return [Problem(path, module_line, f"Modul „{doc.module_slug}“ gibt es nicht.")], None
    if module.kind != ModuleKind.TRAINING:
        message = f"„{doc.module_slug}“ ist ein Drehbuch; Quizze gibt es nur zu Schulungsmodulen."
        return [Problem(path, module_line, message)], None
    quiz = session.scalar(select(Quiz).where(Quiz.module_id == module.id))
    same = next((v for v in (quiz.versions if quiz else []) if v.content_hash == doc.content_hash), None)
    return [], (f"Fassung {same.number}" if same else None)


def companion_module_draft(session: Session, slug: str) -> Draft | None:
    """The open draft of a module not yet published whose front matter names ``slug`` (e.g. from the same zip)."""
    candidates = session.scalars(
        select(Draft)
        .where(Draft.document == DocumentType.MODULE.value, Draft.module_id.is_(None))
        .order_by(Draft.id)
    )
    return next((d for d in candidates if declared_slug(d.document, d.source) == slug), None)


def waiting_quiz_drafts(session: Session, slug: str) -> list[Draft]:
    """Quiz drafts for a module that did not exist when they were made, naming ``slug``."""
    candidates = session.scalars(
        select(Draft).where(Draft.document == DocumentType.QUIZ.value, Draft.module_id.is_(None))
    )
    return [d for d in candidates if declared_slug(d.document, d.source) == slug]


def _publish_companion_first(
    session: Session, actor: User, draft: Draft, *, change_kind: ChangeKind, change_note: str
) -> ModuleVersion | None:
    """A quiz draft for a module that is itself still a draft: publish that module first (one transaction)."""
    if draft.document != DocumentType.QUIZ or draft.module is not None:
        return None
    slug = declared_slug(draft.document, draft.source)
    companion = companion_module_draft(session, slug) if slug else None
    if companion is None or session.scalar(select(Module).where(Module.slug == slug)) is not None:
        return None
    preview, _ = check_draft(session, companion)
    if preview.problems:
        message = (
            f"Das Modul „{slug}“ ist noch ein Entwurf mit Problemen; beheben Sie diese dort, "
            "dann werden Modul und Quiz zusammen veröffentlicht."
        )
        raise PublishRefused([Problem(draft_path(draft), 1, message)])
    published = publish_draft(session, actor, companion, change_kind=change_kind, change_note=change_note)
    assert isinstance(published, ModuleVersion)
    return published


def publish_draft(
    session: Session, actor: User, draft: Draft, *, change_kind: ChangeKind, change_note: str
) -> ModuleVersion | QuizVersion:
    """Publish a draft as a new immutable version and delete the draft; PublishRefused says why not."""
    note = normalise_change_note(change_note)
    path = draft_path(draft)
    if not note:
        raise PublishRefused(
            [Problem(path, 1, N_("Bitte beschreiben Sie in der Änderungsnotiz, was sich geändert hat."))]
        )
    if len(note) > MAX_CHANGE_NOTE:
        raise PublishRefused([Problem.of(path, 1, CHANGE_NOTE_TOO_LONG, max=MAX_CHANGE_NOTE)])
    preview, same_as = check_draft(session, draft)
    if preview.problems:
        raise PublishRefused(preview.problems)
    if _publish_companion_first(session, actor, draft, change_kind=change_kind, change_note=note) is not None:
        preview, same_as = check_draft(session, draft)  # now against the module just published
        if preview.problems:
            raise PublishRefused(preview.problems)
    if same_as is not None:
        message = f"Der Text ist identisch mit der veröffentlichten {same_as}; es gibt nichts Neues zu veröffentlichen."
        raise PublishRefused([Problem(path, 1, message)])
    published: ModuleVersion | QuizVersion | None
    if preview.module is not None:
        published, problem = publish_module(
            session, preview.module, path=path, actor_id=actor.id, change_note=note, change_kind=change_kind
        )
    else:
        assert preview.quiz is not None
        published, problem = publish_quiz(
            session, preview.quiz, path=path, actor_id=actor.id, change_note=note
        )
    if published is None:
        raise PublishRefused([problem or Problem(path, 1, N_("Der Text ist bereits veröffentlicht."))])
    if isinstance(published, ModuleVersion):
        for waiting in waiting_quiz_drafts(session, published.module.slug):
            waiting.module = published.module  # the quiz draft of a new module now belongs to it
    session.delete(draft)
    session.flush()
    return published
