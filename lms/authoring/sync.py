"""Files and database in step: which side is ahead for each module and quiz, and writing the database's texts out.

A team that keeps ``modules/`` and ``quizzes/`` in git publishes from files (``lms content import``) and from the
browser editor. ``lms content status`` says per document which side is newer; ``lms content export`` writes the
current published texts as files so browser edits can be committed to the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.authoring.check import MODULE_DIRECTORY, QUIZ_DIRECTORY
from lms.content.models import Module, ModuleVersion
from lms.content.modules import ModuleDocument
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.parse import QuizDocument


class Side(StrEnum):
    """Which side has the newer text."""

    EQUAL = "gleich"
    DATABASE_AHEAD = "Datenbank voraus"
    FILES_AHEAD = "Datei voraus"


@dataclass(frozen=True)
class DocumentStatus:
    """One module text or quiz: its name, which side is ahead, and a sentence saying what that means."""

    name: str
    side: Side
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.side.value} – {self.detail}"


def _live_module_version(module: Module) -> ModuleVersion | None:
    return module.current_version or (module.versions[-1] if module.versions else None)


def module_status(module: Module | None, doc: ModuleDocument | None, slug: str) -> DocumentStatus:
    """Compare a module file (None: no file) with the module in the database (None: never published)."""
    name = f"{MODULE_DIRECTORY}/{slug}.md"
    current = _live_module_version(module) if module is not None else None
    if doc is None:
        label = current.version_label if current else "?"
        return DocumentStatus(name, Side.DATABASE_AHEAD, f"keine Datei; veröffentlicht ist Version {label}")
    if current is None:
        return DocumentStatus(name, Side.FILES_AHEAD, f"Version {doc.version} ist noch nicht veröffentlicht")
    if current.content_hash == doc.content_hash:
        return DocumentStatus(name, Side.EQUAL, f"Version {current.version_label}")
    older = next((v for v in module.versions if v.content_hash == doc.content_hash), None) if module else None
    if older is not None:
        return DocumentStatus(
            name,
            Side.DATABASE_AHEAD,
            f"die Datei hat Version {older.version_label}, veröffentlicht ist {current.version_label}",
        )
    return DocumentStatus(
        name,
        Side.FILES_AHEAD,
        f"die Datei hat Version {doc.version} (geändert), veröffentlicht ist {current.version_label}",
    )


def quiz_status(quiz: Quiz | None, doc: QuizDocument | None, slug: str) -> DocumentStatus:
    """Compare a quiz file (None: no file) with the module's quiz in the database."""
    name = f"{QUIZ_DIRECTORY}/{slug}.md"
    current = quiz.current_version if quiz is not None else None
    if doc is None:
        number = current.number if current else "?"
        return DocumentStatus(name, Side.DATABASE_AHEAD, f"keine Datei; veröffentlicht ist Fassung {number}")
    if current is None:
        return DocumentStatus(name, Side.FILES_AHEAD, "das Quiz ist noch nicht veröffentlicht")
    if current.content_hash == doc.content_hash:
        return DocumentStatus(name, Side.EQUAL, f"Fassung {current.number}")
    older = next((v for v in quiz.versions if v.content_hash == doc.content_hash), None) if quiz else None
    if older is not None:
        return DocumentStatus(
            name,
            Side.DATABASE_AHEAD,
            f"die Datei hat Fassung {older.number}, veröffentlicht ist Fassung {current.number}",
        )
    return DocumentStatus(
        name, Side.FILES_AHEAD, f"die Datei ist geändert, veröffentlicht ist Fassung {current.number}"
    )


def content_status(
    session: Session,
    modules: list[tuple[str, ModuleDocument]],
    quizzes: list[tuple[str, QuizDocument]],
) -> list[DocumentStatus]:
    """Every module and quiz found in the files or the database, sorted by name."""
    by_slug = {m.slug: m for m in session.scalars(select(Module))}
    quizzes_by_slug = {q.module.slug: q for q in session.scalars(select(Quiz))}
    module_docs = {doc.slug: doc for _, doc in modules}
    quiz_docs = {doc.module_slug: doc for _, doc in quizzes}
    result = [
        module_status(by_slug.get(slug), module_docs.get(slug), slug) for slug in {*by_slug, *module_docs}
    ]
    result += [
        quiz_status(quizzes_by_slug.get(slug), quiz_docs.get(slug), slug)
        for slug in {*quizzes_by_slug, *quiz_docs}
    ]
    return sorted(result, key=lambda s: s.name)


def current_texts(session: Session) -> list[tuple[str, str]]:
    """(relative path, source) of the current version of every module and quiz, in the repository layout."""
    files: list[tuple[str, str]] = []
    for module in session.scalars(select(Module).order_by(Module.slug)):
        version = _live_module_version(module)
        if version is not None:
            files.append((f"{MODULE_DIRECTORY}/{module.slug}.md", version.source))
    for quiz in session.scalars(select(Quiz)):
        current: QuizVersion | None = quiz.current_version
        if current is not None:
            files.append((f"{QUIZ_DIRECTORY}/{quiz.module.slug}.md", current.source))
    return sorted(files)


def write_texts(files: list[tuple[str, str]], output: Path) -> tuple[list[str], list[str]]:
    """Write (path, source) pairs below ``output``; returns (written, already equal) relative paths."""
    written, equal = [], []
    for relative, source in files:
        target = output / relative
        if target.is_file() and target.read_bytes() == source.encode("utf-8"):
            equal.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.encode("utf-8"))  # byte for byte, so the file has the version's hash
        written.append(relative)
    return written, equal


def liascript_export(session: Session, slug: str) -> str | None:
    """The module ``slug`` (its current version) with its current quiz as one LiaScript course file; None if unknown."""
    from lms.authoring.liascript import liascript_course
    from lms.quizzes.parse import parse_quiz

    module = session.scalar(select(Module).where(Module.slug == slug))
    version = _live_module_version(module) if module is not None else None
    if module is None or version is None:
        return None
    quiz = session.scalar(select(Quiz).where(Quiz.module_id == module.id))
    quiz_version: QuizVersion | None = quiz.current_version if quiz is not None else None
    quiz_source = quiz_version.source if quiz_version is not None else None
    types = (
        [q.type for q in parse_quiz(quiz_source, f"{QUIZ_DIRECTORY}/{slug}.md").questions]
        if quiz_source
        else []
    )
    return liascript_course(
        title=version.title,
        summary=version.summary,
        version=version.version_label,
        module_source=version.source,
        quiz_source=quiz_source,
        question_types=types,
    )
