"""`lms staff import`: the web import for administrators and scheduled jobs, with the same checks and messages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lms.errors import translate
from lms.text import plural


@click.group("staff")
def staff_group() -> None:
    """Beschäftigte einer Kommune verwalten."""


@staff_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", "slug", required=True, help="slug der Kommune, z. B. darmstadt-dieburg")
@click.option("--dry-run", is_flag=True, help="nur prüfen und zeigen, was sich ändern würde")
@click.option(
    "--skip-invalid", is_flag=True, help="fehlerhafte Zeilen überspringen statt nichts zu übernehmen"
)
@click.option("--deactivate-missing", is_flag=True, help="aktive Beschäftigte, die fehlen, deaktivieren")
@click.option("--no-invitations", is_flag=True, help="neuen Beschäftigten keine Einladung senden")
def staff_import(
    file: Path, slug: str, dry_run: bool, skip_invalid: bool, deactivate_missing: bool, no_invitations: bool
) -> None:
    """Beschäftigtenliste FILE (CSV) für eine Kommune importieren; Fehler als datei:zeile: meldung."""
    from sqlalchemy import select

    from lms.commands import settings, unit_of_work
    from lms.jobs.models import Job, JobState
    from lms.jobs.queue import queue_for
    from lms.jobs.tasks import queue_invitations
    from lms.orgs.models import Municipality
    from lms.orgs.staff_csv import StaffFileError
    from lms.orgs.staff_import import ImportRefused, apply_import, preview_import, stage_import
    from lms.scope import COMMAND_LINE
    from lms.workshops.network import withdraw_deactivated

    config = settings()
    try:
        with file.open(
            "rb"
        ) as source:  # at most one byte past the limit: a device or a huge file is not read whole
            raw = source.read(config.staff_import_max_bytes + 1)
    except OSError as error:
        raise click.ClickException(f"{file}: {error.strerror}") from None
    if len(raw) > config.staff_import_max_bytes:
        raise click.ClickException(f"{file}: die Datei ist größer als {config.staff_import_max_bytes} Bytes.")
    with unit_of_work() as session:
        municipality = session.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            raise click.ClickException(f"Kommune „{slug}“ gibt es nicht.")
        try:
            preview = preview_import(
                session,
                municipality,
                raw,
                deactivate_missing=deactivate_missing,
                actor_id=None,
                smtputf8=config.smtp_utf8,
            )
        except StaffFileError as error:
            click.echo(f"{file}: {translate(error)}", err=True)
            sys.exit(1)
        for problem in preview.problems:
            click.echo(f"{file}:{problem.line}: {translate(problem.message)}", err=True)
        click.echo(
            f"{municipality.name}: {len(preview.new)} neu, {len(preview.changed)} geändert, "
            f"{len(preview.reactivated)} reaktiviert, {preview.unchanged} unverändert, "
            f"{len(preview.deactivate)} zu deaktivieren, {plural(len(preview.problems), 'fehlerhafte Zeile', 'fehlerhafte Zeilen')}."
        )
        if preview.deactivation_blocked:
            click.echo("Wegen fehlerhafter Zeilen wird niemand deaktiviert.", err=True)
        if dry_run:
            click.echo("Probelauf: nichts übernommen.")
            sys.exit(1 if preview.problems else 0)
        actor = COMMAND_LINE
        staged = stage_import(
            session,
            actor,
            municipality,
            file.name,
            raw,
            deactivate_missing=deactivate_missing,
            send_invitations=not no_invitations,
        )
        try:
            outcome = apply_import(
                session, actor, staged, skip_invalid=skip_invalid, smtputf8=config.smtp_utf8
            )
        except ImportRefused as refused:
            click.echo(f"{file}: {translate(refused)} Nichts übernommen (Option --skip-invalid).", err=True)
            sys.exit(1)
        # Deactivated people leave the network and lose open registrations; the output does not say so.
        queue = queue_for(config, session)
        withdraw_deactivated(session, outcome.deactivated_user_ids, queue)
        job = queue_invitations(
            session,
            queue,
            config,
            municipality_id=municipality.id,
            user_ids=outcome.invite_user_ids,
            actor_id=None,
            subject=("staff_import", staged.id),
        )
        job_id = job.id if job is not None else None
    count = len(outcome.invite_user_ids)
    if job_id is None or config.redis_url:
        later = f"; Aufgabe Nr. {job_id}, `lms worker` versendet sie" if job_id is not None else ""
        click.echo(f"Übernommen. Einladungen: {count}{later}.")
        return
    with unit_of_work() as session:  # without Redis the mails went out right after the commit
        done = session.get(Job, job_id)
        state, last_error = (done.state, done.last_error) if done is not None else ("", None)
    where = (
        f"per SMTP über {config.smtp_host}"
        if config.smtp_host
        else f"als .eml-Dateien in {config.outbox_dir}"
    )
    if state == JobState.DONE.value:
        click.echo(f"Übernommen. Einladungen: {count} ({where}).")
    else:
        click.echo(
            f"Übernommen. Die Einladungen sind noch nicht alle versendet ({last_error}); Aufgabe Nr. {job_id} wird "
            "erneut versucht, sobald `lms worker` läuft, oder im Programmbüro unter „Hintergrundaufgaben“.",
            err=True,
        )
        sys.exit(2)
