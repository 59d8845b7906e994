"""`lms certificates …`: the coordinator's export and the public verification, from the command line."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from lms import time as clock
from lms.db import get_by_id
from lms.text import plural


@click.group("certificates")
def certificates_group() -> None:
    """Zertifikate: exportieren, prüfen und PDFs ablegen."""


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"„{value}“ ist kein Datum im Format JJJJ-MM-TT.", param=param) from None
    if not clock.is_plausible_day(day):
        raise click.BadParameter(
            f"Bitte ein Datum zwischen {clock.fixed_date(clock.EARLIEST_DAY)} und "
            f"{clock.fixed_date(clock.LATEST_DAY)} angeben, nicht {clock.fixed_date(day)}.",
            param=param,
        )
    return day


@certificates_group.command("export")
@click.option("--municipality", "slug", required=True, help="slug der Kommune")
@click.option(
    "--from", "starts_on", callback=_date, help="erster Tag (JJJJ-MM-TT, Standard: 1. Januar dieses Jahres)"
)
@click.option(
    "--to", "ends_on", callback=_date, help="letzter Tag (JJJJ-MM-TT, Standard: 31. Dezember dieses Jahres)"
)
@click.option(
    "--period", "period_id", type=int, help="Programmzeitraum (ID, siehe „Zeiträume“) statt --from/--to"
)
@click.option("--module", "module_slug", help="nur dieses Modul (slug)")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei (.zip)"
)
def export(
    slug: str,
    starts_on: date | None,
    ends_on: date | None,
    period_id: int | None,
    module_slug: str | None,
    output: Path,
) -> None:
    """Dasselbe ZIP-Archiv wie der Download der Koordination: ein PDF je Zertifikat und manifest.csv."""
    from lms.certificates import queries, services
    from lms.certificates.export import zip_stream
    from lms.certificates.rendering import Renderer
    from lms.commands import settings, unit_of_work

    if period_id is not None and (starts_on or ends_on):
        raise click.ClickException("Bitte entweder --period oder --from/--to angeben, nicht beides.")
    if period_id is not None:
        from lms.orgs.models import ProgrammePeriod

        with unit_of_work() as session:
            period = get_by_id(session, ProgrammePeriod, period_id)
            if period is None:
                raise click.ClickException(f"Einen Zeitraum mit der ID {period_id} gibt es nicht.")
            starts_on, ends_on = period.starts_on, period.ends_on
    today = clock.today()
    starts_on = starts_on or date(today.year, 1, 1)
    ends_on = ends_on or date(today.year, 12, 31)
    if ends_on < starts_on:
        raise click.ClickException("Das Enddatum (--to) liegt vor dem Anfangsdatum (--from).")
    base_url = settings().base_url
    processes = settings().certificate_render_processes
    partial = output.with_name(output.name + ".partial")
    with unit_of_work() as session:
        municipality = queries.municipality_by_slug(session, slug)
        if municipality is None:
            raise click.ClickException(f"Kommune „{slug}“ gibt es nicht.")
        if module_slug and module_slug not in {s for s, _t in queries.module_choices(session)}:
            raise click.ClickException(f"Modul „{module_slug}“ gibt es nicht.")
        selection = queries.export_selection(municipality.id, starts_on, ends_on, module_slug)
        with Renderer(processes) as renderer:
            issued = services.issue_missing(
                session,
                services.CompletionFilter(
                    starts_on=starts_on,
                    ends_on=ends_on,
                    municipality_id=municipality.id,
                    module_slug=module_slug,
                ),
                actor_id=None,
                base_url=base_url,
                renderer=renderer,
            )
            services.store_missing_documents(session, selection, renderer=renderer)
        valid = queries.only_valid(selection)
        try:
            with open(partial, "wb") as target:
                for chunk in zip_stream(
                    lambda: queries.stream_rows(session, selection),
                    lambda: services.STORE.stream(session, valid),
                    created=clock.now(),
                ):
                    target.write(chunk)
        except OSError as error:
            raise click.ClickException(f"{output}: {error.strerror}") from None
        partial.replace(output)  # a half-written archive never carries the final name
    click.echo(f"{output}: Zertifikate von {municipality.name}, {starts_on:%d.%m.%Y} bis {ends_on:%d.%m.%Y}.")
    click.echo(f"{plural(issued, 'Zertifikat', 'Zertifikate')} neu ausgestellt.")


@certificates_group.command("store-missing")
@click.option(
    "--batch", type=click.IntRange(min=1), default=1000, show_default=True, help="Zertifikate je Transaktion"
)
def store_missing(batch: int) -> None:
    """PDFs der Zertifikate ablegen, die vor der Ablage ausgestellt wurden (sonst beim ersten Abruf)."""
    from lms.certificates import services
    from lms.certificates.rendering import Renderer
    from lms.commands import settings, unit_of_work

    total = 0
    with unit_of_work() as session, Renderer(settings().certificate_render_processes) as renderer:
        while stored := services.store_missing_documents(session, renderer=renderer, limit=batch):
            # One transaction per batch, not one for all: a long run keeps what it has done if it is stopped,
            # and the database never holds gigabytes of uncommitted PDFs.
            session.commit()
            total += stored
            click.echo(f"{plural(total, 'PDF', 'PDFs')} abgelegt …")
    click.echo(f"Fertig: {plural(total, 'PDF', 'PDFs')} neu abgelegt.")


#: Exit status of `verify`: 0 valid, otherwise what went wrong.
EXIT_REVOKED, EXIT_UNKNOWN, EXIT_TYPO = 1, 2, 3


@certificates_group.command("verify")
@click.argument("code")
def verify(code: str) -> None:
    """Was die Prüfseite zu CODE sagt (Exit-Status 0 gültig, 1 widerrufen, 2 unbekannt, 3 Tippfehler)."""
    from lms.certificates.codes import CodeTypo, parse_code
    from lms.certificates.services import find_by_code
    from lms.certificates.snapshot import FIELD_LABELS, describe
    from lms.commands import unit_of_work

    try:
        parsed = parse_code(code)
    except CodeTypo:
        click.echo(
            "Der Code enthält einen Tippfehler. Bitte vergleichen Sie ihn Zeichen für Zeichen.", err=True
        )
        sys.exit(EXIT_TYPO)
    with unit_of_work() as session:
        certificate = find_by_code(session, parsed.formatted)
        if certificate is None:
            click.echo(f"Unbekannt: Zu {parsed.formatted} gibt es kein Zertifikat.", err=True)
            sys.exit(EXIT_UNKNOWN)
        if certificate.revoked_at is not None:
            since = clock.fixed_date(certificate.revoked_at)
            click.echo(f"Widerrufen: {parsed.formatted} ist seit dem {since} nicht mehr gültig.", err=True)
            sys.exit(EXIT_REVOKED)
        click.echo(f"Gültig: {parsed.formatted}")
        for field, value in describe(certificate.snapshot):
            click.echo(f"  {FIELD_LABELS[field] + ':':<18} {value}")
