"""The programme office's page for the facilitator role; the coordinator's staff list no longer offers it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f


def test_coordinators_staff_list_does_not_offer_the_role(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    f.staff_member(db, town.id, name="Aylin Kaya")
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte").text
    assert "Aylin Kaya" in page
    assert "Als Moderation eintragen" not in page and "Moderation beenden" not in page
    assert "Rolle Moderation verwalten" not in page
    assert client.get("/programmbuero/rollen").status_code == 403


def test_programme_office_grants_with_a_reason_and_sees_the_audit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Kommune Nord")
    admin = f.user(db, Role.ADMIN)
    person = f.staff_member(db, town.id, name="Aylin Kaya")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id, name="Jonas Weber")
    f.login(client, admin.email)
    staff = client.get(f"/kommunen/{town.slug}/beschaeftigte").text
    assert "Rolle Moderation verwalten" in staff
    url = "/programmbuero/rollen"
    page = client.get(url, query_string={"email": person.email})
    assert page.status_code == 200 and person.email in page.text

    def post(**fields: str):  # type: ignore[no-untyped-def]
        return client.post(url, data={"csrf_token": f.csrf_token(client, url), **fields})

    missing = post(email=person.email, change="grant", reason="")
    assert missing.status_code == 400 and "Bitte geben Sie einen Grund an." in missing.text
    assert not person.has_role(Role.FACILITATOR)
    refused = post(email=coordinator.email, change="grant", reason="Wunsch")
    assert refused.status_code == 400 and "Funktionstrennung" in refused.text
    assert post(email=admin.email, change="grant", reason="x").status_code == 400
    done = post(email=person.email, change="grant", reason="Vom Netzwerk benannt")
    assert done.status_code == 303
    db.refresh(person)
    assert person.has_role(Role.FACILITATOR)
    log = client.get(url).text
    assert "Vom Netzwerk benannt" in log and "Kommune Nord" in log and "vergeben" in log
    assert "Vom Netzwerk benannt" not in client.get(url, query_string={"art": "role.facilitator_revoke"}).text
    assert client.get(url, query_string={"kommune": "²"}).status_code == 400
    # The date range filters the audit and stays in the form, so the next filter starts from it.
    later = client.get(url, query_string={"von": "2099-01-01", "bis": "2099-12-31"}).text
    assert "Vom Netzwerk benannt" not in later
    assert (
        'id="von" name="von" value="2099-01-01"' in later
        and 'id="bis" name="bis" value="2099-12-31"' in later
    )


def test_the_page_speaks_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = f.user(db, Role.ADMIN)
    admin.locale = "en"
    db.flush()
    f.login(client, admin.email)
    page = client.get("/programmbuero/rollen")
    assert page.status_code == 200 and "Facilitator role in the network" in page.text
