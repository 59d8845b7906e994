"""Reading uploaded Markdown files and zip archives, and writing the download archive (pure code).

Uploads are only ever read into memory as text: nothing is extracted to disk, executed or served as it came.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from lms.authoring.check import MODULE_DIRECTORY, QUIZ_DIRECTORY, is_quiz_file
from lms.content.models import DocumentType
from lms.markdown.bounds import control_character_problems
from lms.markdown.problems import Problem
from lms.markdown.structure import normalise_source
from lms.text import CONTROL_CHARACTERS, N_

#: One Markdown file; the longest module of the curriculum is about 20 KB.
MAX_MARKDOWN_BYTES = 1024 * 1024
#: A zip as uploaded (compressed); the request limit (LMS_MAX_REQUEST_BYTES) must be larger.
MAX_ARCHIVE_BYTES = 5 * 1024 * 1024
#: Unpacked size of all Markdown files together, checked while reading (a "zip bomb" lies in its headers).
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ARCHIVE_FILES = 200


@dataclass(frozen=True)
class UploadedFile:
    """A Markdown file from an upload, with the path it had (``modules/x.md``) and what kind of document it is."""

    path: str
    document: str
    text: str


def read_upload(filename: str, data: bytes) -> tuple[list[UploadedFile], list[Problem]]:
    """The Markdown files in an upload (a ``.md`` file or a ``.zip`` of them), or the problems with it."""
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    if name.lower().endswith(".md"):
        if len(data) > MAX_MARKDOWN_BYTES:
            return [], [Problem(name, 1, N_("Die Datei ist größer als 1 MB."))]
        uploaded, problems = _markdown_file(name, data)
        return ([uploaded] if uploaded else []), problems
    if name.lower().endswith(".zip"):
        if len(data) > MAX_ARCHIVE_BYTES:
            return [], [Problem(name, 1, N_("Das Archiv ist größer als 5 MB."))]
        return _archive(name, data)
    return [], [
        Problem(name, 1, N_("Erlaubt sind Markdown-Dateien (.md) und Zip-Archive (.zip) solcher Dateien."))
    ]


def _markdown_file(path: str, data: bytes) -> tuple[UploadedFile | None, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [
            Problem(
                path,
                line,
                N_("Die Datei ist nicht in UTF-8 gespeichert (ungültiges Zeichen in dieser Zeile)."),
            )
        ]
    # Not even a draft: the database cannot hold every control character (PostgreSQL refuses NUL).
    if control := control_character_problems(normalise_source(text), path):
        return None, control
    document = DocumentType.QUIZ if is_quiz_file(PurePosixPath(path), text) else DocumentType.MODULE
    return UploadedFile(path=path, document=document.value, text=text), []


def _archive(name: str, data: bytes) -> tuple[list[UploadedFile], list[Problem]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return [], [Problem(name, 1, N_("Die Datei ist kein lesbares Zip-Archiv."))]
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir() and _is_markdown(info.filename)]
        if not entries:
            return [], [Problem(name, 1, N_("Das Archiv enthält keine Markdown-Dateien (.md)."))]
        if len(entries) > MAX_ARCHIVE_FILES:
            return [], [
                Problem(name, 1, f"Das Archiv enthält mehr als {MAX_ARCHIVE_FILES} Markdown-Dateien.")
            ]
        files: list[UploadedFile] = []
        problems: list[Problem] = []
        budget = MAX_UNPACKED_BYTES
        for info in entries:
            path = _display_path(info.filename)
            try:
                with archive.open(info) as member:
                    # Read one byte more than allowed, so a lying header cannot make us read without limit.
                    content = member.read(min(MAX_MARKDOWN_BYTES, budget) + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                problems.append(
                    Problem(path, 1, N_("Die Datei im Archiv ist beschädigt oder verschlüsselt."))
                )
                continue
            if len(content) > MAX_MARKDOWN_BYTES:
                problems.append(Problem(path, 1, N_("Die Datei ist größer als 1 MB.")))
                continue
            if len(content) > budget:
                return [], [Problem(name, 1, N_("Das Archiv ist entpackt größer als 20 MB."))]
            budget -= len(content)
            uploaded, file_problems = _markdown_file(path, content)
            files += [uploaded] if uploaded else []
            problems += file_problems
        return files, problems


def _is_markdown(filename: str) -> bool:
    path = PurePosixPath(filename.replace("\\", "/"))
    # macOS adds "__MACOSX/._x.md" resource forks to zips; they are not Markdown.
    return path.suffix.lower() == ".md" and not any(part.startswith(("__MACOSX", ".")) for part in path.parts)


def _display_path(filename: str) -> str:
    """Keep the ``modules/`` or ``quizzes/`` folder (it decides the document type), drop anything above it.

    Control characters a zip tool left in a name are dropped: the path is shown and kept in the audit log.
    """
    clean = CONTROL_CHARACTERS.sub("", filename.replace("\\", "/"))
    parts = [p for p in PurePosixPath(clean).parts if p not in ("", ".", "..", "/")]
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in (MODULE_DIRECTORY, QUIZ_DIRECTORY) and index == len(parts) - 2:
            return "/".join(parts[index:])
    return parts[-1] if parts else "upload.md"


def build_archive(files: list[tuple[str, str]]) -> bytes:
    """A zip of (path, text) pairs in the repository layout, so ``lms content import`` and the upload read it back."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, text in files:
            # A fixed timestamp: the same content gives the same archive.
            info = zipfile.ZipInfo(path, date_time=(2025, 11, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
