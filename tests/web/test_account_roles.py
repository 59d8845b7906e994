"""Roles of existing accounts in the browser: the programme office changes any role, the coordination appoints
heads of its org units; every change with a reason, on the account's log, and the person's sessions end at once."""

from __future__ import annotations

import dataclasses
import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.config import Settings
from lms.orgs.models import OrgUnit
from lms.orgs.periods import current_period
from lms.orgs.plans import add_to_plan
from lms.orgs.role_changes import grant_role
from tests import factories as f


def _world(db: Session):  # type: ignore[no-untyped-def]
    town, other = f.municipality(db, "Stadt West"), f.municipality(db, "Stadt Ost")
    building, social = (
        OrgUnit(municipality_id=town.id, name="Bauamt"),
        OrgUnit(municipality_id=town.id, name="Sozialamt"),
    )
    db.add_all([building, social])
    db.flush()
    admin = f.user(db, Role.ADMIN, name="Programmbüro")
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    head = f.user(
        db, Role.LEARNER, municipality_id=town.id, name="Hanna Leitung", email="hanna@stadt-west.example"
    )
    head.org_unit_id = building.id
    for name, unit in [("Bau Person", building), ("Sozial Person", social)]:
        person = f.staff_member(db, town.id, name=name)
        person.org_unit_id = unit.id
    period = current_period(db)
    assert period is not None
    basics = f.training_module(db, "grundlagen", "Grundlagen")
    add_to_plan(db, coordinator, town, period, basics.module_id, [], period.ends_on)
    db.flush()
    return town, other, admin, coordinator, head, (building, social)


def _post(client, path: str, **data):  # type: ignore[no-untyped-def]
    token = f._csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_the_programme_office_makes_an_account_head_of_a_unit_which_then_sees_its_progress(  # type: ignore[no-untyped-def]
    app, client, db: Session
) -> None:
    town, _other, admin, _coordinator, head, (building, _social) = _world(db)
    f.login(client, admin.email)
    found = client.get("/programmbuero/rollen", query_string={"konto": "HANNA@stadt-west.example"})
    path = f"/programmbuero/konten/{head.id}/rollen"
    assert found.status_code == 303 and found.headers["Location"].endswith(path)
    page = client.get(path).get_data(as_text=True)
    assert "Rollen von Hanna Leitung" in page and "Bauamt" in page and "Sozialamt" in page
    missing = _post(client, path, role="unit_manager", change="grant", reason="Leitung Bauamt")
    assert missing.status_code == 400 and "mindestens eine Organisationseinheit" in missing.get_data(
        as_text=True
    )
    done = _post(
        client,
        path,
        role="unit_manager",
        change="grant",
        org_unit_ids=str(building.id),
        reason="Leitung Bauamt",
    )
    assert done.status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert "Hanna Leitung hat jetzt die Rolle „Leitung Organisationseinheit“." in page
    assert "Leitung Organisationseinheit: Bauamt" in page
    assert (
        "Rolle Leitung Organisationseinheit vergeben." in page and "Leitung Bauamt" in page
    )  # the account's log

    person = app.test_client()
    f.login(person, head.email)
    assert "Meine Einheiten" in person.get("/profil").get_data(as_text=True)
    units = person.get("/einheiten", follow_redirects=True).get_data(as_text=True)
    assert "Fortschritt nach Organisationseinheit" in units and "Bauamt" in units and "Sozialamt" not in units
    assert "Workshop" not in units and "Teilnehmende" not in units  # nothing of the empowerment network
    open_list = person.get(f"/kommunen/{town.slug}/offen").get_data(as_text=True)
    assert "Bau Person" in open_list and "Sozial Person" not in open_list
    csv = person.get(f"/kommunen/{town.slug}/offen.csv").data.decode("utf-8-sig")
    assert "Bau Person" in csv and "Sozial Person" not in csv
    sheet = load_workbook(io.BytesIO(person.get(f"/kommunen/{town.slug}/offen.xlsx").data)).active
    assert sheet is not None
    names = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert "Bau Person" in names and "Sozial Person" not in names
    # The coordination's pages stay closed: dashboard, staff list, workshops.
    for closed in (f"/kommunen/{town.slug}", f"/kommunen/{town.slug}/beschaeftigte", "/veranstaltungen"):
        assert person.get(closed).status_code in (403, 404), closed

    # Removing the role ends the person's sessions: their next request goes to the login page.
    _post(client, path, role="unit_manager", change="revoke", reason="Leitung abgegeben")
    gone = person.get(f"/kommunen/{town.slug}/einheiten")
    assert gone.status_code == 302 and "/anmelden" in gone.headers["Location"]


def test_the_coordination_appoints_heads_of_its_units_only(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other, _admin, coordinator, head, (_building, social) = _world(db)
    f.login(client, coordinator.email)
    path = f"/kommunen/{town.slug}/beschaeftigte/{head.id}/rollen"
    staff = client.get(f"/kommunen/{town.slug}/beschaeftigte").get_data(as_text=True)
    assert f'href="{path}"' in staff
    page = client.get(path).get_data(as_text=True)
    assert 'value="unit_manager"' in page
    assert (
        'value="coordinator"' not in page
        and 'value="admin"' not in page
        and 'value="facilitator"' not in page
    )
    refused = _post(client, path, role="admin", change="grant", reason="Bitte")
    assert refused.status_code == 400  # not a choice offered to the coordination
    done = _post(
        client, path, role="unit_manager", change="grant", org_unit_ids=str(social.id), reason="Vertretung"
    )
    assert done.status_code == 303
    db.refresh(head)
    assert head.managed_unit_ids == {social.id}
    # Staff of another municipality: not found.
    stranger = f.staff_member(db, other.id)
    assert client.get(f"/kommunen/{town.slug}/beschaeftigte/{stranger.id}/rollen").status_code == 404
    assert client.get(f"/kommunen/{other.slug}/beschaeftigte/{stranger.id}/rollen").status_code == 404
    # The coordinator's own roles are not theirs to change.
    own = _post(
        client,
        f"/kommunen/{town.slug}/beschaeftigte/{coordinator.id}/rollen",
        role="unit_manager",
        change="grant",
        org_unit_ids=str(social.id),
        reason="Ich leite auch",
    )
    assert own.status_code == 400 and "sich selbst" in own.get_data(as_text=True)


def test_the_programme_office_does_not_demote_itself(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _town, _other, admin, _coordinator, _head, _units = _world(db)
    f.login(client, admin.email)
    path = f"/programmbuero/konten/{admin.id}/rollen"
    refused = _post(client, path, role="admin", change="revoke", reason="Ich gehe")
    assert refused.status_code == 400 and "sich selbst" in refused.get_data(as_text=True)
    db.refresh(admin)
    assert admin.has_role(Role.ADMIN)
    unknown = client.get(
        "/programmbuero/rollen", query_string={"konto": "niemand@example.org"}, follow_redirects=True
    )
    assert "Es gibt kein Konto mit dieser E-Mail-Adresse." in unknown.get_data(as_text=True)


def test_a_new_privileged_role_leads_to_the_second_factor_at_the_next_login(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """With the default LMS_MFA_REQUIRED_ROLES: a head of org units sees names, so must set up a second factor;
    an advisory board reads aggregates only, so need not (the test app turns the duty off elsewhere)."""
    app.extensions["lms.settings"] = dataclasses.replace(
        app.extensions["lms.settings"], mfa_required_roles=Settings().mfa_required_roles
    )
    town, _other, admin, _coordinator, head, (building, _social) = _world(db)
    member = f.user(db, Role.LEARNER, name="Beirätin")
    f.login(client, head.email)
    assert client.get("/profil").status_code == 200  # a learner: the second factor is optional
    grant_role(db, admin, head, Role.UNIT_MANAGER, "Leitung Bauamt", units=[building])
    grant_role(db, admin, member, Role.ADVISORY_BOARD, "Vom Beirat benannt", board=town)
    db.flush()
    # The change of roles ended the session; at the next login the set-up comes first, before the unit's pages.
    assert client.get("/profil").status_code == 302
    f.login(client, head.email)
    answer = client.get(f"/kommunen/{town.slug}/einheiten")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profil/zwei-faktor")
    board = app.test_client()
    f.login(board, member.email)
    assert board.get("/profil").status_code == 200


def test_the_coordination_reads_only_the_log_of_the_roles_it_changes(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, _other, admin, coordinator, head, (building, _social) = _world(db)
    grant_role(db, admin, head, Role.TRAINER, "Schult auch andere Kommunen, Vertrag 17/2026")
    grant_role(db, coordinator, head, Role.UNIT_MANAGER, "Leitung Bauamt ab Juni", units=[building])
    db.flush()
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte/{head.id}/rollen").get_data(as_text=True)
    assert "Leitung Bauamt ab Juni" in page and "Vertrag 17/2026" not in page
    office = client.application.test_client()
    f.login(office, admin.email)
    page = office.get(f"/programmbuero/konten/{head.id}/rollen").get_data(as_text=True)
    assert "Leitung Bauamt ab Juni" in page and "Vertrag 17/2026" in page


def test_an_org_unit_that_is_not_offered_is_refused_in_the_readers_language(  # type: ignore[no-untyped-def]
    client, db: Session
) -> None:
    """Only a hand-made request sends a unit the form does not offer; WTForms' German catalogue has no usable
    text for that message, so it came in English on a German page (lms.web.forms fills the gap)."""
    _town, _other, admin, _coordinator, head, (building, _social) = _world(db)
    f.login(client, admin.email)
    path = f"/programmbuero/konten/{head.id}/rollen"
    fields = {"role": "unit_manager", "change": "grant", "reason": "Leitung"}
    german = _post(client, path, org_unit_ids=["999999", str(building.id)], **fields)
    assert german.status_code == 400
    assert "„999999“ ist keine gültige Auswahl für dieses Feld." in german.text
    assert "not a valid choice" not in german.text
    admin.locale = "en"
    db.flush()
    english = _post(client, path, org_unit_ids=["999999", "888888"], **fields)
    assert english.status_code == 400
    assert "&#39;888888&#39;, &#39;999999&#39; are not valid choices for this field." in english.text
