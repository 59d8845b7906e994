"""The `lms` command: Flask's own commands (run, routes, shell) plus database, content and demo commands.

The commands below work without the web app: they open one database session, commit once at the end on
success and roll back on any error (the CLI's unit of work), and report problems as `file:line: message`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session

import lms.models  # noqa: F401  (every mapper known before the first query)
from lms import INSTANCE_PATH, PROJECT_ROOT, create_app
from lms.config import ConfigError, Settings, load_settings
from lms.db import make_engine

DEFAULT_CONTENT_PATHS = ("modules", "quizzes")


def settings() -> Settings:
    """Settings for commands that need the database but not a secret key."""
    try:
        return load_settings(instance_path=str(INSTANCE_PATH), require_secret=False)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One session for the whole command: commit on success, roll back on error."""
    url = settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


def _create_app_for_cli():  # type: ignore[no-untyped-def]
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


main = FlaskGroup(  # `lms run`, `lms routes`, `lms shell` come from Flask and load the app
    create_app=_create_app_for_cli,
    help="Lernplattform „Kommunen für alle?“ – Verwaltung über die Kommandozeile.",
)


# --- database -------------------------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Datenbank: Migrationen anwenden oder zurücknehmen."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrationen bis REVISION anwenden (Standard: neueste)."""
    from lms import migrate

    url = settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url, revision)
    click.echo(f"Datenbank ist auf Stand {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrationen bis REVISION zurücknehmen (z. B. „base“)."""
    from lms import migrate

    migrate.downgrade(settings().database_url, revision)
    click.echo(f"Datenbank ist auf Stand {revision}.")


# --- content --------------------------------------------------------------------------------------------------


def _paths(paths: tuple[str, ...]) -> list[str]:
    return list(paths) if paths else [str(PROJECT_ROOT / p) for p in DEFAULT_CONTENT_PATHS]


@click.group("content")
def content_group() -> None:
    """Inhalte: Markdown-Dateien prüfen, veröffentlichen, als HTML ansehen."""


@content_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def content_check(paths: tuple[str, ...]) -> None:
    """Dateien prüfen (Standard: modules/ und quizzes/). Jedes Problem als datei:zeile: meldung."""
    from lms.content.check import check_paths

    problems = check_paths(_paths(paths))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} Problem(e) gefunden.", err=True)
        sys.exit(1)
    click.echo("Keine Probleme gefunden.")


@content_group.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
def content_import(paths: tuple[str, ...]) -> None:
    """Geänderte Dateien als neue, unveränderliche Versionen veröffentlichen; alles oder nichts."""
    problems, report = import_content(_paths(paths))
    for line in report.published + report.unchanged if report else []:
        click.echo(line)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(
            "Nichts veröffentlicht: bitte beheben Sie die Probleme und importieren Sie erneut.", err=True
        )
        sys.exit(1)


class _ImportRefused(Exception):
    """Raised inside the unit of work so that nothing of a failed import is committed."""


def import_content(paths: list[str]):  # type: ignore[no-untyped-def]
    """Check and import; returns (problems, report). Nothing is committed when there is any problem."""
    from lms.content.check import load_paths
    from lms.content.services import import_documents

    modules, quizzes, problems = load_paths(paths)
    if problems:
        return problems, None
    report = None
    try:
        with unit_of_work() as session:
            report = import_documents(session, modules, quizzes, actor_id=None)
            if report.problems:
                raise _ImportRefused
    except _ImportRefused:
        return report.problems if report else [], None
    return [], report


@content_group.command("render")
@click.argument("path", type=click.Path())
def content_render(path: str) -> None:
    """Das bereinigte HTML ausgeben, das Lernende für DATEI sehen."""
    from lms.content.modules import parse_module
    from lms.content.problems import ContentInvalid, Problem

    try:
        source = Path(path).read_text(encoding="utf-8")
        doc = parse_module(source, path)
    except (OSError, UnicodeDecodeError) as error:
        click.echo(str(Problem(path, 1, f"Datei kann nicht gelesen werden: {error}")), err=True)
        sys.exit(1)
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    if doc.intro_html:
        click.echo(doc.intro_html)
    for section in doc.sections:
        click.echo(f'<section id="{section.anchor}">\n<h2>{section.title}</h2>\n{section.html}</section>')


# --- demo -----------------------------------------------------------------------------------------------------


@click.command("demo")
def demo() -> None:
    """Demo-Kommunen und -Konten anlegen und das Curriculum importieren (mehrfach ausführbar)."""
    from lms.demo import DEMO_PASSWORD, create_demo_data

    problems, report = import_content(_paths(()))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)
    with unit_of_work() as session:
        accounts = create_demo_data(session)
    click.echo(f"Curriculum: {len(report.published)} veröffentlicht, {len(report.unchanged)} unverändert.")
    click.echo("\nDemo-Konten (Passwort für alle: " + DEMO_PASSWORD + "):")
    for email, role, municipality in accounts:
        click.echo(f"  {email:<42} {role:<28} {municipality}")


# Plain click commands (not Flask's AppGroup): they need no app and no secret key, only the database settings.
for _command in (db_group, content_group, demo):
    main.add_command(_command)


if __name__ == "__main__":
    main()
