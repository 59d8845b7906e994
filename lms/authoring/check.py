"""``lms content check``: parse module and quiz files from disk and cross-check them against each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from lms.content.media import unknown_media_paths
from lms.content.modules import ModuleDocument, parse_module
from lms.markdown.frontmatter import split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.structure import normalise_source
from lms.quizzes.parse import QuizDocument, parse_quiz
from lms.text import N_

DEFAULT_PATHS = ("modules", "quizzes")
QUIZ_DIRECTORY = "quizzes"
MODULE_DIRECTORY = "modules"


@dataclass
class _Loaded:
    """Everything read so far; documents are kept with the path they came from."""

    modules: list[tuple[str, ModuleDocument]] = field(default_factory=list)
    quizzes: list[tuple[str, QuizDocument]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken_modules: set[str] = field(default_factory=set)  # file stems of module files that did not parse


def _files(paths: Sequence[str]) -> tuple[list[Path], list[Problem]]:
    """Expand directories to their ``*.md`` files (not recursive); each file once, in the given order."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = sorted(p for p in path.glob("*.md") if p.is_file())
        elif path.is_file():
            candidates = [path]
        else:
            problems.append(Problem(given, 1, N_("Diese Datei oder dieses Verzeichnis gibt es nicht.")))
            continue
        for candidate in candidates:
            if candidate.resolve() not in seen:
                seen.add(candidate.resolve())
                files.append(candidate)
    return files, problems


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8; unreadable or wrongly encoded files become a Problem, never a traceback."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(str(path), 1, f"Die Datei kann nicht gelesen werden: {error.strerror or error}.")
        ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = N_("Die Datei ist nicht in UTF-8 gespeichert (ungültiges Zeichen in dieser Zeile).")
        return None, [Problem(str(path), line, message)]


def is_quiz_file(path: PurePath, text: str) -> bool:
    """Quizzes live in ``quizzes/``; elsewhere a ``module:`` field in the front matter marks one."""
    if path.parent.name == QUIZ_DIRECTORY:
        return True
    if path.parent.name == MODULE_DIRECTORY:
        return False
    node, _, _, _ = split_front_matter(normalise_source(text), str(path))
    return node is not None and any(getattr(key, "value", None) == "module" for key, _ in node.value)


def _load_file(path: Path, loaded: _Loaded) -> None:
    """Parse one file into the right list, or record its problems."""
    text, problems = read_text(path)
    if text is None:
        loaded.problems += problems
        if path.parent.name != QUIZ_DIRECTORY:
            loaded.broken_modules.add(path.stem)
        return
    quiz = is_quiz_file(path, text)
    unknown = unknown_media_problems(text, str(path))
    try:
        if quiz:
            loaded.quizzes.append((str(path), parse_quiz(text, str(path))))
        else:
            loaded.modules.append((str(path), parse_module(text, str(path))))
    except ContentInvalid as error:
        loaded.problems += error.problems + unknown
        if not quiz:
            loaded.broken_modules.add(path.stem)
        return
    if unknown:  # parsed, but learners would see a broken image: reported, and the file is not imported
        loaded.problems += unknown
        (loaded.quizzes if quiz else loaded.modules).pop()
        if not quiz:
            loaded.broken_modules.add(path.stem)


def unknown_media_problems(source: str, path: str) -> list[Problem]:
    """Image paths under ``/media/`` that no upload can have (uploads are named by their hash)."""
    return [
        Problem(path, line, f"Das Bild „{media_path}“ gibt es nicht; laden Sie es unter „Bilder“ hoch.")
        for line, media_path in unknown_media_paths(source)
    ]


def front_matter_line(source: str, key: str) -> int:
    """The line of a top-level front-matter key, so cross-file problems point where to change something."""
    for number, line in enumerate(source.split("\n")[1:], start=2):
        if line.rstrip() == "---":
            break
        if line.startswith(f"{key}:"):
            return number
    return 1


#: Two files of one set (a content folder, an uploaded archive) for the same module: the later one is refused.
SLUG_TAKEN = N_("Der slug „%(slug)s“ wird schon in „%(first)s“ verwendet.")


def _duplicate_slugs(loaded: _Loaded) -> set[str]:
    """Two module files with one slug; returns the paths of the later ones."""
    first: dict[str, str] = {}
    rejected: set[str] = set()
    for path, doc in loaded.modules:
        if doc.slug in first:
            line = front_matter_line(doc.source, "slug")
            loaded.problems.append(Problem.of(path, line, SLUG_TAKEN, slug=doc.slug, first=first[doc.slug]))
            rejected.add(path)
        else:
            first[doc.slug] = path
    return rejected


def _sibling_module(quiz_path: str, slug: str) -> tuple[bool, ModuleDocument | None]:
    """The module a quiz refers to in ``../modules/``: (file exists, document if it parses)."""
    candidate = Path(quiz_path).parent.parent / MODULE_DIRECTORY / f"{slug}.md"
    if not candidate.is_file():
        return False, None
    text, _ = read_text(candidate)
    if text is None:
        return True, None
    try:
        return True, parse_module(text, str(candidate))
    except ContentInvalid:
        return True, None


def _quiz_problems(loaded: _Loaded) -> set[str]:
    """Each quiz needs an existing training module, and each module at most one quiz."""
    modules = {doc.slug: doc for _, doc in loaded.modules}
    quiz_for: dict[str, str] = {}
    rejected: set[str] = set()
    for path, quiz in loaded.quizzes:
        slug, line = quiz.module_slug, front_matter_line(quiz.source, "module")
        module = modules.get(slug)
        # A module file that failed to parse has its own problems; "missing" would mislead.
        exists = module is not None or slug in loaded.broken_modules
        if not exists:
            exists, module = _sibling_module(path, slug)
        message = None
        if not exists:
            message = f"Modul „{slug}“ gibt es nicht (erwartet wird „{MODULE_DIRECTORY}/{slug}.md“)."
        elif module is not None and module.kind != "training":
            message = (
                f"„{slug}“ ist ein Drehbuch (kind: {module.kind}); Quizze gibt es nur zu Schulungsmodulen."
            )
        elif slug in quiz_for:
            message = (
                f"Zu „{slug}“ gibt es schon ein Quiz: „{quiz_for[slug]}“. Je Modul ist ein Quiz erlaubt."
            )
        quiz_for.setdefault(slug, path)
        if message:
            loaded.problems.append(Problem(path, line, message))
            rejected.add(path)
    return rejected


def load_paths(
    paths: Sequence[str],
) -> tuple[list[tuple[str, ModuleDocument]], list[tuple[str, QuizDocument]], list[Problem]]:
    """Parse every file under ``paths``: (path, module) pairs, (path, quiz) pairs, all problems.

    Documents with a problem of their own (including cross-file ones) are left out of the lists.
    """
    files, problems = _files(paths or DEFAULT_PATHS)
    loaded = _Loaded(problems=problems)
    for path in files:
        _load_file(path, loaded)
    rejected = _duplicate_slugs(loaded) | _quiz_problems(loaded)
    modules = [(path, doc) for path, doc in loaded.modules if path not in rejected]
    quizzes = [(path, doc) for path, doc in loaded.quizzes if path not in rejected]
    return modules, quizzes, sorted(loaded.problems, key=lambda p: (p.path, p.line))


def check_paths(paths: Sequence[str]) -> list[Problem]:
    """All problems in the given files and directories (``modules`` and ``quizzes`` when none are given)."""
    return load_paths(paths)[2]
