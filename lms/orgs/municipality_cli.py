"""`lms municipalities create|list`: the programme office's municipality page for scripts."""

from __future__ import annotations

import click

from lms.errors import translate


@click.group("municipalities")
def municipalities_group() -> None:
    """Modellkommunen anlegen und auflisten."""


@municipalities_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Name der Kommune, z. B. „Landkreis Darmstadt-Dieburg“")
@click.option("--state", required=True, help="Bundesland, z. B. Hessen")
def create(slug: str, name: str, state: str) -> None:
    """Kommune SLUG anlegen (das Kürzel steht in Adressen und bleibt danach unverändert)."""
    from lms.commands import unit_of_work
    from lms.orgs.municipalities import MunicipalityError, create_municipality
    from lms.scope import COMMAND_LINE

    try:
        with unit_of_work() as session:
            town = create_municipality(session, COMMAND_LINE, name=name, slug=slug, state=state)
            summary = f"Kommune „{town.name}“ ({town.slug}, {town.federal_state}) angelegt."
    except MunicipalityError as error:
        raise click.ClickException(translate(error)) from None
    click.echo(summary)


@municipalities_group.command("list")
def list_municipalities() -> None:
    """Alle Kommunen: Kürzel, Bundesland, Name (tabulatorgetrennt)."""
    from sqlalchemy import select

    from lms.commands import unit_of_work
    from lms.orgs.models import Municipality

    with unit_of_work() as session:
        for town in session.scalars(select(Municipality).order_by(Municipality.slug)):
            click.echo(f"{town.slug}\t{town.federal_state or '-'}\t{town.name}")
