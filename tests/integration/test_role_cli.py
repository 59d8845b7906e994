"""`lms users grant` / `lms users revoke` for scripts: the same rules and audit as the pages (the command line acts
with the programme office's rights), including the one only it could break: the last programme office stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import migrate
from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.auth.services import create_user
from lms.cli import main
from lms.db import make_engine
from lms.orgs.models import Municipality, OrgUnit


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        town = Municipality(slug="darmstadt-dieburg", name="Landkreis Darmstadt-Dieburg")
        session.add(town)
        session.flush()
        session.add(OrgUnit(municipality_id=town.id, name="Fachbereich Soziales"))
        for email, roles, town_id in [
            ("buero@eccar.example", {Role.ADMIN}, None),
            ("leitung@kreis.example", {Role.LEARNER}, town.id),
        ]:
            create_user(
                session, email=email, display_name=email, password=None, roles=roles, municipality_id=town_id
            )
        session.commit()
    env = {"LMS_DATABASE_URL": url, "LMS_TEST_DATABASE_URL": ""}

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield run, engine
    engine.dispose()


def test_roles_change_from_the_command_line_by_the_same_rules(cli) -> None:  # type: ignore[no-untyped-def]
    run, engine = cli
    unknown_unit = run(
        "users", "grant", "leitung@kreis.example", "unit_manager", "--reason", "x", "--unit", "Bauamt"
    )
    assert unknown_unit.exit_code != 0 and "Bauamt" in unknown_unit.output
    no_units = run("users", "grant", "leitung@kreis.example", "unit_manager", "--reason", "Leitung")
    assert no_units.exit_code != 0 and "mindestens eine Organisationseinheit" in no_units.output
    done = run(
        "users",
        "grant",
        "LEITUNG@kreis.example",
        "unit_manager",
        "--reason",
        "Leitung",
        "--unit",
        "Fachbereich Soziales",
    )
    assert done.exit_code == 0, done.output
    assert "leitung@kreis.example: learner, unit_manager" in done.output
    last = run("users", "revoke", "buero@eccar.example", "admin", "--reason", "Aufräumen")
    assert last.exit_code != 0 and "letzte aktive Konto des Programmbüros" in last.output
    assert run("users", "revoke", "leitung@kreis.example", "unit_manager", "--reason", "Ende").exit_code == 0
    with Session(engine) as session:
        person = session.scalar(select(User).where(User.email == "leitung@kreis.example"))
        assert person is not None and person.roles == {Role.LEARNER}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(person.id), AuditEvent.action.like("role.%"))
        ).all()
        assert [(e.action, e.actor_id, e.detail["reason"]) for e in events] == [
            ("role.unit_manager_grant", None, "Leitung"),
            ("role.unit_manager_revoke", None, "Ende"),
        ]
