"""Recording held sessions: workshops with a count (names only for the network's facilitators), in-person trainings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.progress.models import Completion
from tests import factories as f


def form_data(client, url: str, **fields):  # type: ignore[no-untyped-def]
    return {"csrf_token": f.csrf_token(client, url), **fields}


def test_facilitator_records_a_workshop_and_only_facilitators_see_the_names(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id, name="Aylin Kaya")
    f.login(client, facilitator.email)
    url = "/veranstaltungen/neu/workshop"
    page = client.get(url)
    assert page.status_code == 200 and "Namen der Teilnehmenden (optional)" in page.text
    # A workshop is run from a script: the list says so (it said „Modul und Version“, found by a QA sweep).
    assert ">Drehbuch und Version</label>" in page.text and "Modul und Version" not in page.text
    day = (clock.today() - timedelta(days=3)).isoformat()
    fields = {
        "municipality_id": town.id,
        "module_version_id": script.id,
        "held_on": day,
        "place": "Stadthaus, Raum 1",
        "facilitator_ids": facilitator.id,
        "participant_count": "7",
        "attendee_names": "Deniz A.\nMinh N.",
    }
    future = client.post(
        url,
        data=form_data(client, url, **{**fields, "held_on": (clock.today() + timedelta(days=2)).isoformat()}),
    )
    assert future.status_code == 400 and "Das Datum liegt in der Zukunft" in future.text
    saved = client.post(url, data=form_data(client, url, **fields))
    assert saved.status_code == 303
    detail_url = saved.headers["Location"]
    detail = client.get(detail_url).text
    assert "Deniz A." in detail and "Stadthaus, Raum 1" in detail
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    seen = client.get(detail_url)
    assert seen.status_code == 200 and "Stadthaus, Raum 1" in seen.text and "Deniz A." not in seen.text
    assert "Stadthaus, Raum 1" in client.get("/veranstaltungen").text
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    assert "Deniz A." not in client.get(detail_url).text
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    elsewhere = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    f.login(client, elsewhere.email)
    assert client.get(detail_url).status_code == 404
    assert "Stadthaus, Raum 1" not in client.get("/veranstaltungen").text


def test_coordinator_records_an_in_person_training_from_the_sign_in_sheet(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    module = f.training_module(db, "kommunikation-test", "Kommunikation im Bürgerkontakt")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    staff = [f.staff_member(db, town.id, name=f"Person {n}") for n in range(3)]
    staff[2].personnel_number = "P-77"
    stranger = f.staff_member(db, f.municipality(db).id)
    f.login(client, coordinator.email)
    url = "/veranstaltungen/neu/schulung"
    form = client.get(url).text
    assert "Namen der Teilnehmenden" not in form and ">Modul und Version</label>" in form
    fields = {
        "municipality_id": town.id,
        "module_version_id": module.id,
        "held_on": (clock.today() - timedelta(days=1)).isoformat(),
        "place": "Kreishaus",
        "facilitator_ids": coordinator.id,
        "attendees": f"{staff[0].email}\n{staff[1].email.upper()}\nP-77\n{stranger.email}",
    }
    refused = client.post(url, data=form_data(client, url, **fields))
    assert refused.status_code == 400
    assert f"Zeile 4: „{stranger.email}“ ist keine E-Mail-Adresse und keine Personalnummer" in refused.text
    assert db.scalar(select(Completion.id).where(Completion.module_version_id == module.id)) is None

    fields["attendees"] = "\n".join(fields["attendees"].splitlines()[:3])
    saved = client.post(url, data=form_data(client, url, **fields))
    assert saved.status_code == 303
    assert "3 Abschlüsse in Präsenz eingetragen" in client.get(saved.headers["Location"]).text
    modes = set(db.scalars(select(Completion.mode).where(Completion.module_version_id == module.id)))
    assert modes == {"in_person"}
    # A training that created completions cannot be withdrawn: completions are evidence.
    withdraw_url = saved.headers["Location"] + "/zurueckziehen"
    response = client.post(withdraw_url, data=form_data(client, saved.headers["Location"], reason="Versehen"))
    assert "hat bereits Abschlüsse" in client.get(response.headers["Location"]).text


def test_a_mistaken_workshop_is_withdrawn_and_stops_counting(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    url = "/veranstaltungen/neu/workshop"
    saved = client.post(
        url,
        data=form_data(
            client,
            url,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=clock.today().isoformat(),
            place="Rathaus",
            external_facilitators="Aylin K. (Netzwerk)",
            participant_count="9",
        ),
    )
    assert saved.status_code == 303
    dashboard = client.get(f"/kommunen/{town.slug}").text
    assert "Empowerment-Workshops: 1 von 2" in dashboard
    detail = saved.headers["Location"]
    client.post(detail + "/zurueckziehen", data=form_data(client, detail, reason="Doppelt erfasst"))
    assert "Zurückgezogen am" in client.get(detail).text
    assert "Empowerment-Workshops: 0 von 2" in client.get(f"/kommunen/{town.slug}").text


def test_learners_cannot_record_sessions(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    learner = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, learner.email)
    assert client.get("/veranstaltungen").status_code == 403
    assert client.get("/veranstaltungen/neu/workshop").status_code == 403
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=learner.municipality_id)
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, facilitator.email)
    assert (
        client.get("/veranstaltungen/neu/schulung").status_code == 403
    )  # trainings: trainers and coordinators
