"""`lms surveys check|import`: the self-assessment files (surveys/) as immutable versions, like quizzes."""

from __future__ import annotations

import sys

import click

from lms import bundled


def _paths(paths: tuple[str, ...]) -> list[str]:
    return list(paths) if paths else [str(bundled.folder("surveys"))]


@click.group("surveys")
def surveys_group() -> None:
    """Selbsteinschätzungen (Umfragen vor und nach einem Modul): prüfen und veröffentlichen."""


@surveys_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def surveys_check(paths: tuple[str, ...]) -> None:
    """Umfragedateien prüfen (Standard: surveys/). Jedes Problem als datei:zeile: meldung."""
    from lms.evaluation.parse import load_surveys

    _documents, problems = load_surveys(_paths(paths))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)
    click.echo("Keine Probleme gefunden.")


@surveys_group.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
def surveys_import(paths: tuple[str, ...]) -> None:
    """Geänderte Umfragedateien als neue, unveränderliche Versionen veröffentlichen; alles oder nichts."""
    from lms.commands import unit_of_work
    from lms.errors import translate
    from lms.evaluation.parse import load_surveys
    from lms.evaluation.services import EvaluationError, publish_survey

    documents, problems = load_surveys(_paths(paths))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(
            "Nichts veröffentlicht: bitte beheben Sie die Probleme und importieren Sie erneut.", err=True
        )
        sys.exit(1)
    lines = []
    path = ""
    try:
        with unit_of_work() as session:
            for path, doc in documents:
                result = publish_survey(session, doc, actor_id=None)
                number = result.version.number if result.version else 0
                state = "veröffentlicht" if result.published else "unverändert"
                lines.append(f"{path}: Version {number} {state}")
    except EvaluationError as error:
        click.echo(f"{path}: {translate(error)}", err=True)
        click.echo("Nichts veröffentlicht.", err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)
