"""`lms documents check|import`: the consulted documents in ``documents/`` (the working definition, the recommendations).

Like ``lms content import``: every file is checked first, then every changed file becomes a new immutable version in
one unit of work, all or nothing. A file whose current version is still in consultation (or has unanswered
comments) is refused with the reason.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lms import bundled
from lms.markdown.problems import Problem
from lms.text import N_, plural

if TYPE_CHECKING:
    from lms.documents.parse import DocumentFile
    from lms.documents.services import DocumentImportReport

DEFAULT_FOLDER = "documents"


def _files(paths: tuple[str, ...] | list[str]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for given in paths or [str(bundled.folder(DEFAULT_FOLDER))]:
        path = Path(given)
        if path.is_dir():
            files += sorted(p for p in path.glob("*.md") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(given, 1, N_("Diese Datei oder dieses Verzeichnis gibt es nicht.")))
    return files, problems


def load_documents(
    paths: tuple[str, ...] | list[str],
) -> tuple[list[tuple[str, DocumentFile]], list[Problem]]:
    """Parse every document file under ``paths`` (default: the bundled ``documents/``); (path, document) pairs, problems."""
    from lms.authoring.check import read_text
    from lms.documents.parse import parse_document
    from lms.markdown.problems import ContentInvalid

    files, problems = _files(paths)
    docs: list[tuple[str, DocumentFile]] = []
    slugs: dict[str, str] = {}
    for path in files:
        text, unreadable = read_text(path)
        if text is None:
            problems += unreadable
            continue
        try:
            doc = parse_document(text, str(path))
        except ContentInvalid as invalid:
            problems += invalid.problems
            continue
        if doc.slug in slugs:
            problems.append(Problem(str(path), 1, f"„{doc.slug}“ steht schon in {slugs[doc.slug]}."))
            continue
        slugs[doc.slug] = str(path)
        docs.append((str(path), doc))
    return docs, sorted(problems, key=lambda p: (p.path, p.line))


class _ImportRefused(Exception):
    """Raised inside the unit of work so that nothing of a failed import is committed."""


def import_document_files(
    paths: tuple[str, ...] | list[str], *, change_note: str | None = None
) -> tuple[list[Problem], DocumentImportReport | None]:
    """Check and import; (problems, report). Nothing is committed when there is any problem."""
    from lms.commands import unit_of_work
    from lms.documents.services import import_documents

    docs, problems = load_documents(paths)
    if problems:
        return problems, None
    report = None
    try:
        with unit_of_work() as session:
            report = import_documents(session, docs, actor_id=None, change_note=change_note)
            if report.problems:
                raise _ImportRefused
    except _ImportRefused:
        return report.problems if report else [], None
    return [], report


@click.group("documents")
def documents_group() -> None:
    """Dokumente in Konsultation (documents/): prüfen und als neue Versionen veröffentlichen."""


@documents_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def documents_check(paths: tuple[str, ...]) -> None:
    """Dokumente prüfen (Standard: documents/). Jedes Problem als datei:zeile: meldung."""
    _docs, problems = load_documents(paths)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{plural(len(problems), 'Problem', 'Probleme')} gefunden.", err=True)
        sys.exit(1)
    click.echo("Keine Probleme gefunden.")


@documents_group.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--note", default=None, help="Änderungsnotiz: was sich geändert hat (steht bei der neuen Version)"
)
def documents_import(paths: tuple[str, ...], note: str | None) -> None:
    """Geänderte Dokumente als neue, unveränderliche Versionen veröffentlichen; alles oder nichts.

    Läuft zur aktuellen Version noch eine Konsultation oder ist ein Kommentar unbeantwortet, wird nichts
    veröffentlicht; sonst trägt die neue Version die Antworten auf die Konsultation.
    """
    problems, report = import_document_files(paths, change_note=note)
    for line in report.published + report.unchanged if report else []:
        click.echo(line)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(
            "Nichts veröffentlicht: bitte beheben Sie die Probleme und importieren Sie erneut.", err=True
        )
        sys.exit(1)
