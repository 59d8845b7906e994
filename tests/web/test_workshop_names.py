"""Workshop pages: names and exact counts only for the workshop's own facilitators; deletion with confirmation;
names past their retention period are gone when a facilitator opens the list."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f


def _log_out(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def test_names_and_exact_count_only_for_the_workshops_facilitators(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    ran = f.user(db, Role.FACILITATOR, municipality_id=town.id, name="Aylin Kaya")
    other = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    live = record_workshop(
        db,
        ran,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=clock.today() - timedelta(days=2),
            place="Stadthaus",
            facilitator_ids=frozenset({ran.id}),
            participant_count=3,
            attendee_names="Deniz Arslan\nMinh Nguyen",
        ),
    ).session
    url = f"/veranstaltungen/{live.id}"
    f.login(client, ran.email)
    page = client.get(url).text
    assert "Deniz Arslan" in page and ">3<" in page
    assert (
        '<td class="kern-table__cell kern-table__cell--numeric">3</td>' in client.get("/veranstaltungen").text
    )
    _log_out(client)

    f.login(client, other.email)
    assert client.get(url).status_code == 404  # another facilitator of the network: not even the workshop
    assert client.post(url + "/namen-loeschen", data={"csrf_token": f.csrf_token(client)}).status_code == 404
    _log_out(client)

    f.login(client, coordinator.email)
    page = client.get(url).text
    assert "Deniz Arslan" not in page and "&lt; 5" in page and ">3<" not in page
    listing = client.get("/veranstaltungen").text
    assert (
        "&lt; 5" in listing and '<td class="kern-table__cell kern-table__cell--numeric">3</td>' not in listing
    )
    assert client.post(url + "/namen-loeschen", data={"csrf_token": f.csrf_token(client)}).status_code == 404
    _log_out(client)

    f.login(client, ran.email)
    unconfirmed = client.post(url + "/namen-loeschen", data={"csrf_token": f.csrf_token(client, url)})
    assert unconfirmed.status_code == 303
    assert "Deniz Arslan" in client.get(url).text
    confirmed = client.post(
        url + "/namen-loeschen", data={"csrf_token": f.csrf_token(client, url), "confirm": "y"}
    )
    assert confirmed.status_code == 303
    page = client.get(url).text
    assert "Deniz Arslan" not in page and "Die Namen der Teilnehmenden wurden am" in page


def test_opening_the_list_purges_names_past_the_retention_period(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    ran = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    live = record_workshop(
        db,
        ran,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=clock.today() - timedelta(days=120),
            place="Stadthaus",
            facilitator_ids=frozenset({ran.id}),
            participant_count=6,
            attendee_names="Deniz Arslan",
        ),
    ).session
    f.login(client, ran.email)
    assert client.get("/veranstaltungen").status_code == 200
    db.refresh(live)
    assert live.attendee_names is None and live.names_deleted_at is not None
