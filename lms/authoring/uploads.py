"""Uploads in the browser: Markdown files and zips become drafts; images become media files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.models import User
from lms.authoring.archive import UploadedFile, read_upload
from lms.authoring.check import SLUG_TAKEN
from lms.authoring.drafts import check_draft, draft_from_upload, open_draft
from lms.authoring.preview import declared_slug
from lms.content.media import ImageRejected, clean_image
from lms.content.models import DocumentType, Draft, MediaFile, Module, ModuleVersion
from lms.markdown.problems import Problem
from lms.quizzes.models import Quiz, QuizVersion


@dataclass
class UploadedDraft:
    """One file of an upload and what became of it."""

    path: str
    draft: Draft | None = None
    #: Problems the draft still has (it is saved anyway, to be fixed in the editor).
    problems: list[Problem] = field(default_factory=list)
    #: Set when the file equals a published version: no draft was made.
    same_as: str | None = None
    #: Set when an open draft of the same document exists and was left alone.
    kept_draft: Draft | None = None


@dataclass
class UploadReport:
    """What an upload did, for the result page."""

    files: list[UploadedDraft] = field(default_factory=list)
    #: Problems with the upload itself (not a zip, too large, not UTF-8): nothing was saved.
    refused: list[Problem] = field(default_factory=list)


def upload_documents(
    session: Session, actor: User, filename: str, data: bytes, *, replace_drafts: bool = False
) -> UploadReport:
    """Turn an uploaded ``.md`` or ``.zip`` into drafts, checked like any other text; nothing is published yet.

    An open draft of the same module is only replaced when the person asked for it, so nobody's unsaved
    work disappears because a colleague uploaded a file.
    """
    files, problems = read_upload(filename, data)
    report = UploadReport(refused=problems or _slugs_twice(files))
    if report.refused:
        return report
    for uploaded in files:
        outcome = UploadedDraft(path=uploaded.path)
        document = DocumentType(uploaded.document)
        slug = declared_slug(document, uploaded.text)
        module = session.scalar(select(Module).where(Module.slug == slug)) if slug else None
        existing = open_draft(session, document, module) if module is not None else None
        if existing is not None and not replace_drafts:
            outcome.kept_draft = existing
            report.files.append(outcome)
            continue
        if existing is not None:
            session.delete(existing)
            session.flush()
        draft = draft_from_upload(session, actor, document, uploaded.text, module)
        preview, same_as = check_draft(session, draft)
        if same_as is not None:
            session.delete(draft)
            session.flush()
            outcome.same_as = same_as
        else:
            outcome.draft, outcome.problems = draft, preview.problems
        report.files.append(outcome)
    record_event(
        session,
        actor_id=actor.id,
        action="content.upload",
        object_type="upload",
        object_id=filename[:80],
        sha256=hashlib.sha256(data).hexdigest(),
        files=[f.path for f in report.files],
        drafts=[f.draft.id for f in report.files if f.draft is not None],
    )
    session.flush()
    return report


def _slugs_twice(files: list[UploadedFile]) -> list[Problem]:
    """Two files of the archive for the same module (or quiz): both would become drafts, and publishing one would
    refuse the other later, far from its cause. ``lms content check`` refuses the same, with the same words."""
    first: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for uploaded in files:
        slug = declared_slug(uploaded.document, uploaded.text)
        if not slug:
            continue
        key = (uploaded.document, slug)
        if key in first:
            problems.append(Problem.of(uploaded.path, 1, SLUG_TAKEN, slug=slug, first=first[key]))
        else:
            first[key] = uploaded.path
    return problems


def store_image(session: Session, actor: User, filename: str, data: bytes) -> MediaFile:
    """Check, clean and store an image by the hash of its cleaned bytes (the same image is stored once).

    Raises ``ImageRejected`` with a German message for anything that is not a usable PNG, JPEG or WebP.
    """
    clean = clean_image(data)
    existing = session.scalar(select(MediaFile).where(MediaFile.sha256 == clean.sha256))
    if existing is not None:
        return existing
    media = MediaFile(
        sha256=clean.sha256,
        media_type=clean.media_type,
        extension=clean.extension,
        data=clean.data,
        size_bytes=len(clean.data),
        width=clean.width,
        height=clean.height,
        original_name=(filename or "bild").replace("\\", "/").rsplit("/", 1)[-1][:255],
        uploaded_by_id=actor.id,
    )
    session.add(media)
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="media.upload",
        object_type="media_file",
        object_id=media.id,
        sha256=media.sha256,
        media_type=media.media_type,
        name=media.original_name,
    )
    return media


def image_uses(session: Session, media: MediaFile) -> list[str]:
    """Where an image is referenced: module versions, quiz versions and open drafts (any of them keeps it)."""
    pattern = f"%/media/{media.sha256}.%"
    uses = [
        f"{slug} {label}"
        for slug, label in session.execute(
            select(Module.slug, ModuleVersion.version_label)
            .join(ModuleVersion.module)
            .where(ModuleVersion.source.like(pattern))
        )
    ]
    uses += [
        f"Quiz {slug} ({number})"
        for slug, number in session.execute(
            select(Module.slug, QuizVersion.number)
            .join(QuizVersion.quiz)
            .join(Quiz.module)
            .where(QuizVersion.source.like(pattern))
        )
    ]
    uses += [
        f"{label} (Entwurf)"
        for label in session.scalars(select(Draft.label).where(Draft.source.like(pattern)))
    ]
    return uses


def images_in_use(session: Session) -> set[str]:
    """The hashes of every image some version or draft references (for the „Bilder“ list)."""
    from lms.content.media import media_references

    used: set[str] = set()
    for model in (ModuleVersion, QuizVersion, Draft):
        for source in session.scalars(select(model.source).where(model.source.like("%/media/%"))):
            used |= {reference.sha256 for reference in media_references(source)}
    return used


def delete_image(session: Session, actor: User, media: MediaFile) -> None:
    """Delete an image no version and no draft uses; ``ImageRejected`` (image.in_use) says where it is used."""
    uses = image_uses(session, media)
    if uses:
        raise ImageRejected("image.in_use", where=", ".join(uses[:5]) + (" …" if len(uses) > 5 else ""))
    record_event(
        session,
        actor_id=actor.id,
        action="media.delete",
        object_type="media_file",
        object_id=media.id,
        sha256=media.sha256,
        name=media.original_name,
    )
    session.delete(media)
    session.flush()
