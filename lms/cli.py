"""The `lms` command: Flask's own commands (run, routes, shell) plus database, content and demo commands.

The commands below work without the web app: they open one database session, commit once at the end on
success and roll back on any error (the CLI's unit of work), and report problems as `file:line: message`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import FlaskGroup, NoAppException
from markupsafe import escape

import lms.models  # noqa: F401  (every mapper known before the first query)
from lms import bundled, create_app
from lms.auth.models import Role
from lms.commands import refusals_explained, settings, unit_of_work
from lms.config import ConfigError
from lms.errors import translate
from lms.text import plural

if TYPE_CHECKING:
    from flask import Flask

    from lms.authoring.publishing import ImportReport
    from lms.content.modules import ModuleDocument
    from lms.markdown.problems import Problem
    from lms.quizzes.parse import QuizDocument

DEFAULT_CONTENT_PATHS = ("modules", "quizzes")


def _create_app_for_cli() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        # Flask's NoAppException (a ClickException): `lms --help` then prints the message alone; any other error
        # while listing the commands is printed with its traceback.
        raise NoAppException(str(error)) from None


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
    with refusals_explained():
        migrate.upgrade(url, revision)
    click.echo(f"Datenbank ist auf Stand {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrationen bis REVISION zurücknehmen (z. B. „base“)."""
    from lms import migrate

    with refusals_explained():
        migrate.downgrade(settings().database_url, revision)
    click.echo(f"Datenbank ist auf Stand {revision}.")


# --- content --------------------------------------------------------------------------------------------------


def _paths(paths: tuple[str, ...]) -> list[str]:
    return list(paths) if paths else [str(bundled.folder(p)) for p in DEFAULT_CONTENT_PATHS]


@click.group("content")
def content_group() -> None:
    """Inhalte: Markdown-Dateien prüfen, veröffentlichen, als HTML ansehen."""


@content_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def content_check(paths: tuple[str, ...]) -> None:
    """Dateien prüfen (Standard: modules/ und quizzes/). Jedes Problem als datei:zeile: meldung."""
    from lms.authoring.check import load_paths

    _modules, quizzes, problems = load_paths(_paths(paths))
    # Hints (forms LiaScript would show with their answer) do not fail the check.
    warnings = [warning for _path, quiz in quizzes for warning in quiz.warnings]
    for warning in warnings:
        click.echo(str(warning), err=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{plural(len(problems), 'Problem', 'Probleme')} gefunden.", err=True)
        sys.exit(1)
    hints = f" ({plural(len(warnings), 'Hinweis', 'Hinweise')})" if warnings else ""
    click.echo(f"Keine Probleme gefunden{hints}.")


@content_group.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--change",
    "change_kind",
    type=click.Choice(["material", "editorial"]),
    default="material",
    show_default=True,
    help="inhaltlich: Wer eine ältere Version abgeschlossen hat, wird informiert; "
    "redaktionell: bisherige Abschlüsse gelten unverändert weiter",
)
@click.option("--note", default=None, help="Änderungsnotiz für die Versionsgeschichte (und für Lernende)")
def content_import(paths: tuple[str, ...], change_kind: str, note: str | None) -> None:
    """Geänderte Dateien als neue, unveränderliche Versionen veröffentlichen; alles oder nichts."""
    problems, report = import_content(_paths(paths), change_kind=change_kind, change_note=note)
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


def import_content(
    paths: list[str], *, change_kind: str = "material", change_note: str | None = None
) -> tuple[list[Problem], ImportReport | None]:
    """Check and import; returns (problems, report). Nothing is committed when there is any problem."""
    from lms.authoring.check import load_paths
    from lms.authoring.publishing import import_documents
    from lms.content.models import ChangeKind

    modules, quizzes, problems = load_paths(paths)
    if problems:
        return problems, None
    report = None
    try:
        with unit_of_work() as session:
            report = import_documents(
                session,
                modules,
                quizzes,
                actor_id=None,
                change_kind=ChangeKind(change_kind),
                change_note=change_note,
            )
            if report.problems:
                raise _ImportRefused
    except _ImportRefused:
        return report.problems if report else [], None
    return [], report


@content_group.command("status")
@click.argument("paths", nargs=-1, type=click.Path())
def content_status(paths: tuple[str, ...]) -> None:
    """Für jedes Modul und Quiz sagen, ob Datenbank oder Dateien neuer sind (Standard: modules/ und quizzes/).

    Exit-Code 0 wenn alles gleich ist, 3 wenn eine Seite voraus ist, 1 bei Problemen in den Dateien.
    """
    from lms.authoring.check import load_paths
    from lms.authoring.sync import Side, content_status

    modules, quizzes, problems = load_paths(_paths(paths))
    for problem in problems:
        click.echo(str(problem), err=True)
    with unit_of_work() as session:
        statuses = content_status(session, modules, quizzes)
    for status in statuses:
        click.echo(str(status))
    if problems:
        click.echo("Dateien mit Problemen sind oben nicht berücksichtigt.", err=True)
        sys.exit(1)
    ahead = [s for s in statuses if s.side != Side.EQUAL]
    if any(s.side == Side.DATABASE_AHEAD for s in ahead):
        click.echo("Im Browser Veröffentlichtes holen Sie mit: lms content export")
    if any(s.side == Side.FILES_AHEAD for s in ahead):
        click.echo("Geänderte Dateien veröffentlichen Sie mit: lms content import")
    if ahead:
        sys.exit(3)


@content_group.command("export")
@click.option(
    "--output",
    type=click.Path(),
    default=None,
    help="Zielverzeichnis; darin entstehen modules/ und quizzes/ (Standard: das Verzeichnis des Curriculums). "
    "Mit --liascript: die Zieldatei (Standard: Ausgabe auf dem Terminal)",
)
@click.option(
    "--liascript",
    "liascript_slug",
    metavar="SLUG",
    default=None,
    help="Modul SLUG mit seinem Quiz als eine LiaScript-Kursdatei schreiben (siehe docs/content-format.md)",
)
def content_export(output: str | None, liascript_slug: str | None) -> None:
    """Die aktuellen veröffentlichten Versionen als Dateien schreiben (z. B. um Browser-Änderungen in git zu übernehmen)."""
    from lms.authoring.sync import current_texts, liascript_export, write_texts

    if liascript_slug is not None:
        with unit_of_work() as session:
            course = liascript_export(session, liascript_slug)
        if course is None:
            raise click.ClickException(f"Kein veröffentlichtes Modul „{liascript_slug}“.")
        if output is None:
            click.echo(course, nl=False)
            return
        try:
            Path(output).write_text(course, encoding="utf-8")
        except OSError as error:
            raise click.ClickException(
                f"Schreiben in „{output}“ nicht möglich: {error.strerror or error}"
            ) from None
        click.echo(f"{output}: LiaScript-Kurs geschrieben")
        return

    with unit_of_work() as session:
        files = current_texts(session)
    target = Path(output) if output else bundled.folder(DEFAULT_CONTENT_PATHS[0]).parent
    try:
        written, equal = write_texts(files, target)
    except OSError as error:
        raise click.ClickException(
            f"Schreiben in „{target}“ nicht möglich: {error.strerror or error}"
        ) from None
    for relative in written:
        click.echo(f"{target / relative}: geschrieben")
    click.echo(
        f"{plural(len(written), 'Datei', 'Dateien')} geschrieben, {len(equal)} schon aktuell ({target})."
    )


@content_group.command("rerender")
@click.option(
    "--all", "force", is_flag=True, help="auch Versionen, die schon mit dem aktuellen Renderer erzeugt wurden"
)
def content_rerender(force: bool) -> None:
    """Gespeichertes HTML aller Versionen mit der aktuellen Markdown- und Bereinigungsregel neu erzeugen."""
    from lms.authoring.publishing import rerender_versions

    with unit_of_work() as session:
        count, problems = rerender_versions(session, force=force)
    for problem in problems:
        click.echo(f"{problem} (Version unverändert gelassen)", err=True)
    click.echo(f"{plural(count, 'Version', 'Versionen')} neu gerendert.")


@content_group.command("render")
@click.argument("path", type=click.Path())
def content_render(path: str) -> None:
    """Das bereinigte HTML ausgeben, das Lernende für DATEI (Modul oder Quiz) sehen."""
    from lms.authoring.check import is_quiz_file, read_text
    from lms.content.modules import parse_module
    from lms.markdown.problems import ContentInvalid
    from lms.quizzes.parse import parse_quiz

    text, problems = read_text(Path(path))
    try:
        if text is None:
            raise ContentInvalid(problems)
        if is_quiz_file(Path(path), text):
            click.echo(_quiz_html(parse_quiz(text, path)))
        else:
            click.echo(_module_html(parse_module(text, path)))
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)


def _module_html(doc: ModuleDocument) -> str:
    parts = [doc.intro_html] if doc.intro_html else []
    parts += [
        f'<section id="{s.anchor}">\n<h2>{escape(s.title)}</h2>\n{s.html}</section>' for s in doc.sections
    ]
    return "\n".join(parts)


def _quiz_html(doc: QuizDocument) -> str:
    """Questions as learners see them (without the solution); the explanation they see after submitting."""
    from lms.quizzes.question_types import get_type

    parts = []
    for q in doc.questions:
        public = get_type(q.type).public(q.definition)
        # Choice questions list their options, ordering questions their steps, a matrix its statements (and the
        # columns); a sentence with gaps shows them as „[Lücke 1: a / b]“; text input has none of these.
        items = public.get("options") or public.get("steps") or public.get("rows") or []
        if "columns" in public:
            items = [{"html": " | ".join(c["html"] for c in public["columns"])}, *items]
        if "parts" in public:
            sentence = "".join(
                part["html"]
                if "gap" not in part
                else f"[Lücke {part['gap'][1:]}"
                + (": " + " / ".join(o["html"] for o in part["options"]) if part["kind"] == "select" else "")
                + "]"
                for part in public["parts"]
            )
            items = [{"html": sentence}]
        options = "".join(f"<li>{item['html']}</li>" for item in items)
        parts.append(
            f'<section id="{q.key}">\n<h2>{escape(q.title)}</h2>\n{q.stem_html}<ul>{options}</ul>\n'
            f'<aside class="explanation" aria-label="Erklärung (nach dem Abgeben)">{q.explanation_html}</aside>\n</section>'
        )
    return "\n".join(parts)


# --- demo -----------------------------------------------------------------------------------------------------


@click.command("demo")
def demo() -> None:
    """Demo-Kommunen und -Konten anlegen und das Curriculum importieren (mehrfach ausführbar)."""
    from lms.demo import DEMO_PASSWORD, create_demo_data
    from lms.documents.cli import import_document_files

    problems, report = import_content(_paths(()))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)
    assert report is not None  # import_content returns a report whenever there are no problems
    documents_problems, documents = import_document_files([])
    for problem in documents_problems:
        click.echo(str(problem), err=True)
    if documents_problems:
        sys.exit(1)
    assert documents is not None
    config = settings()
    with unit_of_work() as session:
        accounts = create_demo_data(session, config)
    click.echo(f"Curriculum: {len(report.published)} veröffentlicht, {len(report.unchanged)} unverändert.")
    click.echo(
        f"Dokumente: {len(documents.published)} veröffentlicht, {len(documents.unchanged)} unverändert."
    )
    click.echo("\nDemo-Konten (Passwort für alle: " + DEMO_PASSWORD + "):")
    for email, role, municipality in accounts:
        click.echo(f"  {email:<42} {role:<28} {municipality}")
    if not config.smtp_host:
        click.echo(
            f"\nE-Mails (z. B. Einladungen) liegen ohne LMS_SMTP_HOST als .eml-Dateien in: {config.outbox_dir}"
        )


# --- users --------------------------------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Konten anlegen und Rollen ändern (wie auf den Seiten des Programmbüros)."""


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Anzeigename")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    default=[Role.LEARNER.value],
    show_default=True,
    help="Rolle (mehrfach möglich)",
)
@click.option("--municipality", help="slug der Kommune (leer = programmweit)")
@click.password_option(help="Passwort (wird sonst abgefragt)")
def users_create(
    email: str, name: str, roles: tuple[str, ...], municipality: str | None, password: str
) -> None:
    """Ein Konto mit E-Mail-Adresse EMAIL anlegen."""
    from sqlalchemy import select

    from lms.auth.services import AccountError, create_user
    from lms.orgs.models import Municipality

    with unit_of_work() as session:
        municipality_id = None
        if municipality:
            municipality_id = session.scalar(select(Municipality.id).where(Municipality.slug == municipality))
            if municipality_id is None:
                raise click.ClickException(f"Kommune „{municipality}“ gibt es nicht.")
        try:
            user = create_user(
                session,
                email=email,
                display_name=name,
                password=password,
                roles={Role(r) for r in roles},
                municipality_id=municipality_id,
                smtputf8=settings().smtp_utf8,
            )
        except AccountError as error:
            raise click.ClickException(translate(error)) from None
        click.echo(f"Konto {user.email} angelegt.")


#: Roles `lms users grant` and `revoke` change (lms.orgs.role_changes.CHANGEABLE; learning is never removed).
_CHANGEABLE = ["coordinator", "unit_manager", "facilitator", "trainer", "advisory_board", "admin"]


def _change_role(
    email: str, role: str, reason: str, *, grant: bool, units: tuple[str, ...], board: str | None
) -> None:
    """Grant or remove a role as the command line (the programme office's rights), by the rules of the pages."""
    from sqlalchemy import func, select

    from lms.auth.models import User
    from lms.orgs.models import Municipality, OrgUnit
    from lms.orgs.role_changes import RoleChangeError, grant_role, revoke_role
    from lms.scope import COMMAND_LINE

    with unit_of_work() as session:
        person = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if person is None:
            raise click.ClickException(f"Es gibt kein Konto {email}.")
        try:
            if grant:
                chosen = list(
                    session.scalars(
                        select(OrgUnit).where(
                            OrgUnit.municipality_id == person.municipality_id, OrgUnit.name.in_(units)
                        )
                    )
                )
                if len(chosen) != len(set(units)):
                    known = sorted(set(units) - {unit.name for unit in chosen})
                    raise click.ClickException(
                        f"Organisationseinheit gibt es in der Kommune nicht: {', '.join(known)}"
                    )
                town = (
                    session.scalar(select(Municipality).where(Municipality.slug == board)) if board else None
                )
                if board and town is None:
                    raise click.ClickException(f"Kommune „{board}“ gibt es nicht.")
                grant_role(session, COMMAND_LINE, person, Role(role), reason, units=chosen, board=town)
            else:
                revoke_role(session, COMMAND_LINE, person, Role(role), reason)
        except RoleChangeError as error:
            raise click.ClickException(translate(error)) from None
        click.echo(f"{person.email}: {', '.join(sorted(r.value for r in person.roles))}")


@users_group.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice(_CHANGEABLE))
@click.option("--reason", required=True, help="Grund (steht im Protokoll)")
@click.option(
    "--unit", "units", multiple=True, help="Organisationseinheit (für unit_manager; mehrfach möglich)"
)
@click.option("--board", help="slug der Kommune des Beirats (für advisory_board)")
def users_grant(email: str, role: str, reason: str, units: tuple[str, ...], board: str | None) -> None:
    """Dem Konto EMAIL die Rolle ROLE geben (mit Grund, protokolliert)."""
    _change_role(email, role, reason, grant=True, units=units, board=board)


@users_group.command("revoke")
@click.argument("email")
@click.argument("role", type=click.Choice(_CHANGEABLE))
@click.option("--reason", required=True, help="Grund (steht im Protokoll)")
def users_revoke(email: str, role: str, reason: str) -> None:
    """Dem Konto EMAIL die Rolle ROLE entziehen (mit Grund, protokolliert)."""
    _change_role(email, role, reason, grant=False, units=(), board=None)


# Plain click commands (not Flask's AppGroup): they need no app and no secret key, only the database settings.
from lms.certificates.cli import certificates_group  # noqa: E402  (its commands import this module lazily)

for _command in (db_group, content_group, users_group, certificates_group, demo):
    main.add_command(_command)

from lms.documents.cli import documents_group  # noqa: E402  (feature commands; they import this module lazily)
from lms.evaluation.cli import surveys_group  # noqa: E402
from lms.jobs.cli import worker_command  # noqa: E402
from lms.orgs.cli import staff_group  # noqa: E402
from lms.orgs.municipality_cli import municipalities_group  # noqa: E402
from lms.reminders.cli import reminders_group  # noqa: E402
from lms.reports.cli import report_group  # noqa: E402
from lms.workshops.cli import sessions_group, workshops_group  # noqa: E402

main.add_command(documents_group)
main.add_command(staff_group)
main.add_command(surveys_group)
main.add_command(municipalities_group)
main.add_command(report_group)
main.add_command(reminders_group)
main.add_command(workshops_group)
main.add_command(sessions_group)
main.add_command(worker_command)


if __name__ == "__main__":
    main()
