"""The sheet of participation codes (the workshop's facilitators) and redeeming one (any logged-in person)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f


def test_facilitator_prints_codes_and_a_participant_redeems_one_privately(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    live = record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=f.workshop_script(db).id,
            held_on=clock.today() - timedelta(days=1),
            place="Stadthaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=3,
        ),
    ).session
    url = f"/veranstaltungen/{live.id}"
    f.login(client, facilitator.email)
    assert "Bogen mit Teilnahmecodes drucken" in client.get(url).text
    sheet = client.post(url + "/teilnahmecodes", data={"csrf_token": f.csrf_token(client, url)})
    assert sheet.status_code == 200 and sheet.text.count("<svg") == 3
    codes = re.findall(r"<strong>([A-Z0-9-]+)</strong>", sheet.text)
    assert len(codes) == 3
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    assert "Teilnahmecodes" not in client.get(url).text
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    participant = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, participant.email)
    page = client.get("/nachweise/einloesen", query_string={"code": codes[0]})
    assert page.status_code == 200 and codes[0] in page.text
    assert "Teilnahmecode einlösen" in client.get("/nachweise").text
    done = client.post(
        "/nachweise/einloesen",
        data={"csrf_token": f.csrf_token(client, "/nachweise/einloesen"), "code": codes[0]},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/nachweise")
    mine = client.get("/nachweise").text
    assert "Teilnahmebescheinigung" in mine and "Stadthaus" not in mine
    again = client.post(
        "/nachweise/einloesen",
        data={"csrf_token": f.csrf_token(client, "/nachweise/einloesen"), "code": codes[0]},
    )
    assert again.status_code == 400 and "ungültig, abgelaufen oder bereits eingelöst" in again.text
