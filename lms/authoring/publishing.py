"""Publishing content: parsed module and quiz documents become immutable versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from lms.audit.services import record_event
from lms.authoring.check import front_matter_line, unknown_media_problems
from lms.authoring.sync import DocumentStatus, Side, module_status, quiz_status
from lms.content.media import media_references
from lms.content.models import ChangeKind, MediaFile, Module, ModuleKind, ModuleSection, ModuleVersion
from lms.content.modules import ModuleDocument, parse_module
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import RENDERER_VERSION
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.parse import QuizDocument, parse_quiz
from lms.text import N_


@dataclass
class ImportReport:
    """What an import did, file by file, in words for the person who ran it."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def missing_media_problems(session: Session, source: str, path: str) -> list[Problem]:
    """Images referenced as ``/media/<sha256>.<ext>`` must have been uploaded, or learners see a broken image."""
    references = media_references(source)
    problems = unknown_media_problems(source, path)
    if not references:
        return problems
    known = set(
        session.scalars(select(MediaFile.sha256).where(MediaFile.sha256.in_({r.sha256 for r in references})))
    )
    problems += [
        Problem(path, r.line, f"Das Bild „{r.path}“ gibt es nicht; laden Sie es unter „Bilder“ hoch.")
        for r in references
        if r.sha256 not in known
    ]
    return sorted(problems, key=lambda p: p.line)


def module_version_problem(
    module: Module | None, doc: ModuleDocument, path: str
) -> tuple[Problem | None, ModuleVersion | None]:
    """The one rule for whether a module document may become a new version of ``module`` (None: a new module).

    Returns the problem, at the front-matter line to change, if it may not; or the published version with the
    same text, since publishing that again would change nothing. The file import and the editor both ask here.
    """
    if module is None:
        return None, None
    if module.kind != doc.kind:
        message = (
            f"„{doc.slug}“ ist bereits als „{module.kind}“ veröffentlicht, nicht „{doc.kind}“; "
            "„kind“ kann nicht geändert werden."
        )
        return Problem(path, front_matter_line(doc.source, "kind"), message), None
    for existing in module.versions:
        if existing.content_hash == doc.content_hash:
            return None, existing
    taken = next((v for v in module.versions if v.version_label == doc.version), None)
    if taken is not None:
        message = N_(
            "Version %(version)s ist bereits mit anderem Inhalt veröffentlicht. Erhöhen Sie „version“ "
            "(z. B. %(next)s), um die Änderung als neue Version zu veröffentlichen."
        )
        line = front_matter_line(doc.source, "version")
        return Problem.of(
            path, line, message, version=doc.version, next=suggest_next_label(taken.version_label)
        ), None
    return None, None


def suggest_next_label(label: str) -> str:
    """The next minor number after a version label: 1.0 -> 1.1, 2 -> 2.1, 1.2.3 -> 1.3."""
    parts = [int(p) for p in label.split(".") if p.isdigit()] or [1]
    major, minor = parts[0], parts[1] if len(parts) > 1 else 0
    return f"{major}.{minor + 1}"


def publish_module(
    session: Session,
    doc: ModuleDocument,
    *,
    path: str,
    actor_id: int | None,
    change_note: str | None = None,
    change_kind: ChangeKind = ChangeKind.MATERIAL,
) -> tuple[ModuleVersion | None, Problem | None]:
    """Publish a module document as a new version; None if identical to a published one, or a Problem if refused.

    ``change_kind`` tells the people who completed an earlier version whether they should look at this one.
    """
    missing = missing_media_problems(session, doc.source, path)
    if missing:
        return None, missing[0]
    module = session.scalar(select(Module).where(Module.slug == doc.slug))
    problem, same = module_version_problem(module, doc, path)
    if problem is not None or same is not None:
        return None, problem
    if module is None:
        module = Module(slug=doc.slug, kind=doc.kind)
        session.add(module)
        session.flush()
    version = ModuleVersion(
        module=module,
        version_label=doc.version,
        title=doc.title,
        summary=doc.summary,
        duration_minutes=doc.duration_minutes,
        valid_for_months=doc.valid_for_months,
        audience=list(doc.audience),
        objectives=list(doc.objectives),
        materials=list(doc.materials),
        language=doc.language,
        intro_html=doc.intro_html,
        source=doc.source,
        content_hash=doc.content_hash,
        renderer_version=RENDERER_VERSION,
        published_by_id=actor_id,
        change_note=change_note,
        # The first version of a module has nobody to notify; it is material by definition.
        change_kind=(change_kind if module.versions else ChangeKind.MATERIAL).value,
    )
    version.sections = [
        ModuleSection(
            position=s.position,
            anchor=s.anchor,
            title=s.title,
            html=s.html,
            duration_minutes=s.duration_minutes,
        )
        for s in doc.sections
    ]
    session.add(version)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="content.publish",
        object_type="module_version",
        object_id=version.id,
        slug=doc.slug,
        version=doc.version,
        content_hash=doc.content_hash,
        change_kind=version.change_kind,
        change_note=change_note,
    )
    return version, None


def publish_quiz(
    session: Session, doc: QuizDocument, *, path: str, actor_id: int | None, change_note: str | None = None
) -> tuple[QuizVersion | None, Problem | None]:
    """Publish a quiz document as the next version of its module's quiz; None if nothing changed.

    Attempts already started keep the version they started with; new attempts get this one.
    """
    missing = missing_media_problems(session, doc.source, path)
    if missing:
        return None, missing[0]
    module = session.scalar(select(Module).where(Module.slug == doc.module_slug))
    if module is None:
        return None, Problem(
            path, front_matter_line(doc.source, "module"), f"Modul „{doc.module_slug}“ gibt es nicht."
        )
    if module.kind != ModuleKind.TRAINING:
        return None, Problem(
            path,
            front_matter_line(doc.source, "module"),
            f"„{doc.module_slug}“ ist ein Drehbuch; Quizze gibt es nur zu Schulungsmodulen.",
        )
    quiz = session.scalar(select(Quiz).where(Quiz.module_id == module.id))
    if quiz is None:
        quiz = Quiz(module=module)
        session.add(quiz)
        session.flush()
    if any(v.content_hash == doc.content_hash for v in quiz.versions):
        return None, None
    version = QuizVersion(
        quiz=quiz,
        number=(quiz.versions[-1].number + 1) if quiz.versions else 1,
        source=doc.source,
        content_hash=doc.content_hash,
        renderer_version=RENDERER_VERSION,
        pass_mark=doc.pass_mark,
        is_shuffled=doc.shuffle,
        max_attempts=doc.max_attempts,
        draw=doc.draw,
        scoring=doc.scoring,
        require_reading=doc.require_reading,
        review_correctness=doc.review.correctness.value,
        review_right_answer=doc.review.right_answer.value,
        review_explanation=doc.review.explanation.value,
        questions=stored_questions(doc),
        published_by_id=actor_id,
        change_note=change_note,
    )
    session.add(version)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="quiz.publish",
        object_type="quiz_version",
        object_id=version.id,
        module=doc.module_slug,
        number=version.number,
        content_hash=doc.content_hash,
        change_note=change_note,
    )
    return version, None


def stored_questions(doc: QuizDocument) -> list[dict[str, Any]]:
    """The questions as frozen on a quiz version (answers included; never sent to a browser as is)."""
    return [
        {
            "key": q.key,
            "type": q.type,
            "title": q.title,
            "stem_html": q.stem_html,
            "explanation_html": q.explanation_html,
            "definition": q.definition,
        }
        for q in doc.questions
    ]


def import_documents(
    session: Session,
    modules: list[tuple[str, ModuleDocument]],
    quizzes: list[tuple[str, QuizDocument]],
    *,
    actor_id: int | None,
    change_kind: ChangeKind = ChangeKind.MATERIAL,
    change_note: str | None = None,
) -> ImportReport:
    """Publish every changed module, then every changed quiz; the caller commits only if there are no problems."""
    report = ImportReport()
    for path, doc in modules:
        version, problem = publish_module(
            session, doc, path=path, actor_id=actor_id, change_note=change_note, change_kind=change_kind
        )
        behind = ""
        if version is None and problem is None:
            module = session.scalar(select(Module).where(Module.slug == doc.slug))
            behind = _behind(module_status(module, doc, doc.slug))
        _note(report, path, f"{doc.slug} {doc.version}", version, problem, behind)
    for path, quiz_doc in quizzes:
        quiz_version, problem = publish_quiz(
            session, quiz_doc, path=path, actor_id=actor_id, change_note=change_note
        )
        label = f"Quiz {quiz_doc.module_slug}" + (f" (Fassung {quiz_version.number})" if quiz_version else "")
        behind = ""
        if quiz_version is None and problem is None:
            quiz = session.scalar(select(Quiz).join(Module).where(Module.slug == quiz_doc.module_slug))
            behind = _behind(quiz_status(quiz, quiz_doc, quiz_doc.module_slug))
        _note(report, path, label, quiz_version, problem, behind)
    return report


def _behind(status: DocumentStatus) -> str:
    """Said after „unverändert“ when the browser has published something newer than the file."""
    if status.side != Side.DATABASE_AHEAD:
        return ""
    return f" (aber die Datenbank ist weiter: {status.detail}; übernehmen mit „lms content export“)"


def _note(
    report: ImportReport, path: str, label: str, published: object, problem: Problem | None, behind: str = ""
) -> None:
    if problem is not None:
        report.problems.append(problem)
    elif published is not None:
        report.published.append(f"{path}: {label} veröffentlicht")
    else:
        report.unchanged.append(f"{path}: {label} unverändert{behind}")


def _renew_module_version(version: ModuleVersion) -> None:
    doc = parse_module(version.source, f"modules/{version.module.slug}.md")
    version._rerendering = True  # (see the immutability guard in models)
    version.intro_html = doc.intro_html
    for section, fresh in zip(version.sections, doc.sections, strict=True):
        section._rerendering = True
        section.html = fresh.html
    version.renderer_version = RENDERER_VERSION


def _renew_quiz_version(version: QuizVersion) -> None:
    doc = parse_quiz(version.source, f"quizzes/{version.quiz.module.slug}.md")
    version._rerendering = True
    version.questions = stored_questions(doc)
    version.renderer_version = RENDERER_VERSION


def rerender_versions(session: Session, *, force: bool = False) -> tuple[int, list[Problem]]:
    """Render stored sources again with today's pipeline (after a sanitiser or renderer change).

    Only the derived HTML and the renderer version change; source, hash and everything learners did stay as they are.
    Returns how many versions were re-rendered and the sources today's pipeline rejects (left untouched).
    """
    count, problems = 0, []
    renewers: list[tuple[type[ModuleVersion] | type[QuizVersion], Callable[[Any], None]]] = [
        (ModuleVersion, _renew_module_version),
        (QuizVersion, _renew_quiz_version),
    ]
    for model, renew in renewers:
        outdated = [] if force else [model.renderer_version != RENDERER_VERSION]
        # The sources are deferred on the models (pages never read them); here every one is needed.
        for version in session.scalars(select(model).where(*outdated).options(undefer(model.source))):
            try:
                renew(version)
            except ContentInvalid as invalid:
                problems.extend(invalid.problems)
                continue
            count += 1
    session.flush()
    return count, problems
