"""The disclosure control under attack: a coordinator, the programme office and the head of an org unit compare
every view they can read before and after each small workshop, and must not learn any workshop's exact size.

Two worlds are played: workshops of 1, 2, 3 and 4 people recorded one at a time, and the same workshops (same days,
same places) with 2, 1, 4 and 3 people. Every workshop's size differs between the worlds. If every view — pages,
CSV and XLSX exports, the Jahresnachweis and programme PDFs (as text), the API — reads the same in both worlds after
every step, then nothing the attacker can read, compared in any pair (before/after, unit/whole, one period and
another), tells the worlds apart, and so no workshop's exact size can be recovered.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask_login.utils import _create_identifier
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.orgs.models import OrgUnit
from lms.orgs.role_changes import grant_role
from lms.workshops.corrections import Correction, correct_session
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_workshop, withdraw_session
from tests import factories as f

TODAY = date(2026, 11, 21)
WORLDS = ([1, 2, 3, 4], [2, 1, 4, 3])


@pytest.fixture(autouse=True)
def _during_the_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


def _log_in(app, client, person: User) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": str(person.id), "_fresh": True, "_id": identifier})


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What a person reads in a response: page text, CSV, every XLSX cell, PDF text; ids and tokens masked."""
    assert response.status_code == 200, (response.status_code, response.request.path)
    data = response.data
    if response.mimetype == "application/pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    elif "spreadsheetml" in response.mimetype:
        book = load_workbook(io.BytesIO(data))
        text = "\n".join(
            f"{sheet.title}!{cell.coordinate}={cell.value!r}"
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    else:
        text = data.decode("utf-8-sig")
    text = re.sub(r"/veranstaltungen/\d+", "/veranstaltungen/ID", text)
    text = re.sub(r'(csrf_token"[^>]*value=")[^"]*', r"\1TOKEN", text)
    return re.sub(r'nonce="[^"]*"', 'nonce="N"', text)


def _views(app, people: dict[str, User], slugs: dict[str, str], periods: list[int]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Everything the coordinator of A, the programme office and a head of an org unit of A can read that could
    carry workshop counts (the head's pages carry none: a further view would be one more to subtract)."""
    seen: dict[str, str] = {}
    for who, paths in {
        "coordinator": [
            "/veranstaltungen",
            *[f"/kommunen/{slugs['a']}?zeitraum={p}" for p in periods],
            f"/kommunen/{slugs['a']}/jahresnachweis.pdf",
            f"/kommunen/{slugs['a']}/abschluesse.csv",
            f"/kommunen/{slugs['a']}/abschluesse.xlsx",
            "/api/v1/me/completions",
            "/api/v1/modules",
        ],
        "admin": [
            "/veranstaltungen",
            *[f"/programmbuero?zeitraum={p}" for p in periods],
            *[
                f"/programmbuero/uebersicht.{fmt}?zeitraum={p}"
                for fmt in ("csv", "xlsx", "pdf")
                for p in periods
            ],
            *[f"/kommunen/{slugs[t]}?zeitraum={p}" for t in ("a", "b") for p in periods],
            f"/kommunen/{slugs['a']}/jahresnachweis.pdf",
            f"/kommunen/{slugs['b']}/jahresnachweis.pdf",
        ],
        "unit_manager": [
            *[f"/kommunen/{slugs['a']}/einheiten?zeitraum={p}" for p in periods],
            f"/kommunen/{slugs['a']}/offen",
            f"/kommunen/{slugs['a']}/offen.csv",
            f"/kommunen/{slugs['a']}/offen.xlsx",
            f"/kommunen/{slugs['a']}/abschluesse.csv",
            f"/kommunen/{slugs['a']}/abschluesse.xlsx",
            "/api/v1/me/completions",
        ],
    }.items():
        client = app.test_client()
        _log_in(app, client, people[who])
        for path in paths:
            seen[f"{who} {path}"] = _text(client.get(path))
        if who == "unit_manager":
            assert client.get("/veranstaltungen").status_code in (403, 404)
            continue
        # Every workshop page the list links to.
        listing = client.get("/veranstaltungen").data.decode()
        # Numerically: PostgreSQL does not reuse ids after a rollback, so the second world may cross a digit.
        for n, session_id in enumerate(
            sorted(set(re.findall(r"/veranstaltungen/(\d+)\"", listing)), key=int)
        ):
            seen[f"{who} workshop #{n}"] = _text(client.get(f"/veranstaltungen/{session_id}"))
    return seen


def _play(app, db: Session, sizes: list[int], world) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Record the workshops one at a time; what the attacker reads before and after each."""
    people, slugs, periods, facilitator, town, script = world
    snapshots = [_views(app, people, slugs, periods)]
    for step, size in enumerate(sizes):
        record_workshop(
            db,
            facilitator,
            SessionInput(
                kind=SessionKind.WORKSHOP,
                municipality_id=town.id,
                module_version_id=script.id,
                held_on=TODAY - timedelta(days=10 - step),
                place=f"Stadthaus, Raum {step + 1}",
                facilitator_ids=frozenset({facilitator.id}),
                participant_count=size,
            ),
        )
        db.flush()
        snapshots.append(_views(app, people, slugs, periods))
    return snapshots


def test_no_view_reveals_the_size_of_a_small_workshop(app, db: Session, connection: Connection) -> None:  # type: ignore[no-untyped-def]
    town_a, town_b = f.municipality(db, "Stadt A"), f.municipality(db, "Stadt B")
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town_a.id)
    other = f.user(db, Role.FACILITATOR, municipality_id=town_b.id)
    people = {
        "coordinator": f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town_a.id),
        "admin": f.user(db, Role.ADMIN),
    }
    unit = OrgUnit(municipality_id=town_a.id, name="Sozialamt")
    db.add(unit)
    db.flush()
    for n in range(6):
        f.staff_member(db, town_a.id, name=f"Person {n}").org_unit_id = unit.id if n % 2 else None
    people["unit_manager"] = f.user(db, Role.LEARNER, municipality_id=town_a.id)
    grant_role(
        db, people["admin"], people["unit_manager"], Role.UNIT_MANAGER, "Leitung Sozialamt", units=[unit]
    )
    # Another municipality's network already counted 10: the programme's whole is more than the unit.
    record_workshop(
        db,
        other,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town_b.id,
            module_version_id=script.id,
            held_on=TODAY - timedelta(days=30),
            place="Rathaus B",
            facilitator_ids=frozenset({other.id}),
            participant_count=10,
        ),
    )
    periods = [f.period(db, "Programmjahr 2026").id, f.period(db, "Programmjahr 2027").id]
    world = (people, {"a": town_a.slug, "b": town_b.slug}, periods, facilitator, town_a, script)
    db.flush()

    played = []
    for sizes in WORLDS:
        attempt = connection.begin_nested()
        played.append(_play(app, db, sizes, world))
        attempt.rollback()
        db.expire_all()

    first, second = played
    assert len(first) == len(second) == 5
    for step, (one, other_world) in enumerate(zip(first, second, strict=True)):
        assert one.keys() == other_world.keys()
        differing = [view for view in one if one[view] != other_world[view]]
        assert not differing, f"after workshop {step}: {differing} tell the worlds apart"
    # The views do carry the workshops: four more held, their rows there; their participants count in no total.
    before, after = first[0], first[-1]
    assert before != after
    programme = after[f"admin /programmbuero/uebersicht.csv?zeitraum={periods[0]}"]
    row_a = next(line for line in programme.splitlines() if line.startswith("Stadt A"))
    assert row_a.split(";")[6:8] == ["4", "0"]  # 1 + 2 + 3 + 4 people: no workshop of five or more to count
    assert "Stadthaus, Raum 4" in after["coordinator /veranstaltungen"]
    # The head of the unit reads its progress, and nothing of the network moved for them.
    head = [view for view in after if view.startswith("unit_manager ")]
    assert head and all(before[view] == after[view] for view in head)
    assert "Sozialamt" in after[f"unit_manager /kommunen/{town_a.slug}/einheiten?zeitraum={periods[0]}"]


def test_recording_withdrawing_and_moving_workshops_does_not_reveal_a_small_one(  # type: ignore[no-untyped-def]
    app, db: Session, connection: Connection
) -> None:
    """The probe a QA sweep ran on 2026-11-27 against totals that were only rounded: the coordinator records
    workshops of known sizes (1 to 5) and withdraws each again, reading the rounded total in between, then moves the
    facilitator's small workshop into the previous year and back. From where the total stepped it learnt the exact
    total with and without that workshop, so its exact size (3). Played in two worlds (that workshop of 3 people, of
    4): every state the coordinator and the programme office can read must be the same in both."""
    town = f.municipality(db, "Stadt A")
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    admin = f.user(db, Role.ADMIN)
    periods = [f.period(db, "Programmjahr 2026").id, f.period(db, "Programmjahr 2027").id]
    for step, size in enumerate(
        (11, 6)
    ):  # the network's bigger workshops of the year, known to nobody exactly
        record_workshop(db, facilitator, _workshop(town.id, script.id, facilitator, step, size))
    db.flush()

    def read() -> str:
        seen = []
        for person, paths in (
            (coordinator, [f"/kommunen/{town.slug}?zeitraum={p}" for p in periods] + ["/veranstaltungen"]),
            (admin, [f"/programmbuero/uebersicht.csv?zeitraum={p}" for p in periods]),
        ):
            client = app.test_client()
            _log_in(app, client, person)
            seen += [_text(client.get(path)) for path in paths]
        return "\n".join(seen)

    def probe(small: int) -> list[str]:
        target = record_workshop(
            db, facilitator, _workshop(town.id, script.id, facilitator, 2, small)
        ).session
        db.flush()
        states = [read()]
        for known in range(1, 6):
            data = replace(_workshop(town.id, script.id, coordinator, 3, known), facilitator_ids=frozenset())
            probe_session = record_workshop(
                db, coordinator, replace(data, external_facilitators="Verein")
            ).session
            db.flush()
            states.append(read())
            withdraw_session(db, coordinator, probe_session, "versehentlich")
            db.flush()
        for day in (date(2025, 10, 15), target.held_on):
            correct_session(
                db,
                coordinator,
                target,
                Correction(
                    held_on=day,
                    place=target.place,
                    facilitator_ids=target.facilitator_ids,
                    external_facilitators="",
                    reason="Datum korrigiert",
                ),
            )
            db.flush()
            states.append(read())
        return states

    played = []
    for small in (3, 4):
        attempt = connection.begin_nested()
        played.append(probe(small))
        attempt.rollback()
        db.expire_all()
    first, second = played
    assert len(first) == len(second) == 8
    for step, (one, other) in enumerate(zip(first, second, strict=True)):
        assert one == other, f"state {step} tells a workshop of 3 from one of 4"
    # The coordinator's own probe of 5 is the one that moves the total: 11 + 6 + 5 = 22, shown as 20.
    assert first[0] != first[5]


def _workshop(town_id: int, script_id: int, facilitator: User, step: int, size: int) -> SessionInput:
    return SessionInput(
        kind=SessionKind.WORKSHOP,
        municipality_id=town_id,
        module_version_id=script_id,
        held_on=TODAY - timedelta(days=20 - step),
        place=f"Bürgerhaus, Raum {step + 1}",
        facilitator_ids=frozenset({facilitator.id}),
        participant_count=size,
        confirm_duplicate=True,
    )
