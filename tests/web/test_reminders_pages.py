"""The pages of issue 14: the reminder switches in the profile, the dashboard's expiry count, certificate search
and the list of revoked certificates (each only within what the person may see)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.orgs.models import Municipality
from lms.progress.models import Completion
from tests import factories as f
from tests.integration.test_reminders import module

TODAY = date(2026, 6, 10)
BASE = "https://lernen.example"


@pytest.fixture(autouse=True)
def _on_today(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 9), tick=False)


def test_a_person_switches_reminders_off_and_on_in_the_profile(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    lea = f.user(db, Role.LEARNER, name="Lea Schneider")
    f.login(client, lea.email)
    page = client.get("/profil")
    assert 'id="erinnerungen"' in page.text and 'name="reminders" value="y" checked' in page.text
    assert 'name="digest"' not in page.text  # the digest is for coordinators
    token = f.csrf_token(client)

    answer = client.post("/profil/erinnerungen", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profil#erinnerungen")
    db.refresh(lea)
    assert (lea.has_reminders, lea.has_weekly_digest) == (False, True)
    assert 'name="reminders" value="y" checked' not in client.get("/profil").text

    client.post("/profil/erinnerungen", data={"csrf_token": token, "reminders": "y"})
    db.refresh(lea)
    assert lea.has_reminders is True


def test_a_coordinator_has_a_switch_for_the_digest_and_the_form_needs_its_csrf_token(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    assert 'name="digest" value="y" checked' in client.get("/profil").text
    assert client.post("/profil/erinnerungen", data={"reminders": "y"}).status_code == 400  # no CSRF token
    db.refresh(coordinator)
    assert coordinator.has_weekly_digest is True
    client.post("/profil/erinnerungen", data={"csrf_token": f.csrf_token(client), "reminders": "y"})
    db.refresh(coordinator)
    assert (coordinator.has_reminders, coordinator.has_weekly_digest) == (True, False)


def test_the_dashboard_counts_completions_that_expire_in_the_next_90_days(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    yearly = module(db, "jaehrlich", months=12)
    # Valid until: 10 June (today) … 8 September 2026 count; 9 September and 9 June (yesterday) do not.
    for completed_on in (
        date(2025, 6, 10),
        date(2025, 7, 1),
        date(2025, 8, 1),
        date(2025, 9, 1),
        date(2025, 9, 8),
        date(2025, 9, 9),
        date(2025, 6, 9),
    ):
        person = f.staff_member(db, town.id)
        f.completion(db, person, yearly, at=clock.at_local(completed_on, 10))
    # Not counted although they expire in the window: someone of another municipality, someone who has left,
    # and someone whose renewal (a later completion of the module) is valid for another year.
    outsider = f.staff_member(db, f.municipality(db, "Andere Kommune").id)
    f.completion(db, outsider, yearly, at=clock.at_local(date(2025, 7, 1), 10))
    left = f.staff_member(db, town.id)
    f.completion(db, left, yearly, at=clock.at_local(date(2025, 7, 1), 10))
    left.is_active, left.deactivated_at = False, clock.now()
    renewed = f.staff_member(db, town.id)
    f.completion(db, renewed, yearly, at=clock.at_local(date(2025, 7, 1), 10))
    db.add(
        Completion(
            user_id=renewed.id,
            module_id=yearly.module_id,
            module_version_id=yearly.id,
            completed_at=clock.at_local(date(2026, 6, 1), 10),
            cycle=2,
        )
    )
    db.flush()
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{town.slug}").text
    assert "Abschlüsse, deren Gültigkeit in den nächsten 90 Tagen abläuft" in page
    assert re.search(r'id="expiring-count">5<', page)


def _certificate(db: Session, town: Municipality, name: str, slug: str = "grundlagen") -> Certificate:
    person = f.user(db, Role.LEARNER, municipality_id=town.id, name=name)
    version = module(db, slug, months=12) if slug != "grundlagen" else module(db, slug)
    completion = f.completion(db, person, version, at=clock.at_local(date(2026, 5, 4), 10))
    return certificates.issue_for_completion(db, completion, actor_id=None, base_url=BASE)


def test_coordinators_find_their_municipalitys_certificates_by_name_or_code(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other = f.municipality(db), f.municipality(db)
    mine = _certificate(db, town, "Jürgen Weiß-Öztürk", "jaehrlich")
    theirs = _certificate(db, other, "Jürgen Schmidt", "grundlagen")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)

    by_name = client.get("/zertifikate/suche", query_string={"q": "jürgen"})
    assert by_name.status_code == 200 and "1 Zertifikat gefunden" in by_name.text
    assert mine.code in by_name.text and theirs.code not in by_name.text
    assert "04.05.2027" in by_name.text  # gültig bis
    # A capital umlaut is folded like any letter, on SQLite as on PostgreSQL.
    by_umlaut = client.get("/zertifikate/suche", query_string={"q": "weiß-öztürk"})
    assert "1 Zertifikat gefunden" in by_umlaut.text and mine.code in by_umlaut.text
    verified = client.get(f"/verify/{mine.code}").text
    assert "Gültig bis" in verified and "04.05.2027" in verified
    part = mine.code.split("-")[2]
    by_code = client.get("/zertifikate/suche", query_string={"q": part.lower()})
    assert mine.code in by_code.text
    assert "0 Zertifikate gefunden" in client.get("/zertifikate/suche", query_string={"q": theirs.code}).text
    assert "0 Zertifikate gefunden" in client.get("/zertifikate/suche", query_string={"q": "%_"}).text

    too_long = client.get("/zertifikate/suche", query_string={"q": "x" * 101})
    assert too_long.status_code == 400 and "höchstens 100 Zeichen" in too_long.text
    # The field lets no more be typed than the server takes: its maxlength was 200, so 101 to 200 characters were
    # typed and then refused.
    allowed = re.search(r'<input[^>]*id="q"[^>]*maxlength="(\d+)"', too_long.text)
    assert allowed and allowed.group(1) == "100"
    assert client.get("/zertifikate/suche", query_string={"q": "x" * 100}).status_code == 200
    assert client.get("/zertifikate/suche", query_string={"q": "x"}).status_code == 400


def test_the_programme_office_finds_every_certificate_and_learners_none(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other = f.municipality(db), f.municipality(db)
    first = _certificate(db, town, "Lea Schneider")
    second = _certificate(db, other, "Lea Wagner")
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, learner.email)
    assert client.get("/zertifikate/suche", query_string={"q": "Lea"}).status_code in (403, 404)
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    page = client.get("/zertifikate/suche", query_string={"q": "lea"}).text
    assert "2 Zertifikate gefunden" in page
    assert (
        f"/verwaltung/zertifikate/{first.code}" in page and f"/verwaltung/zertifikate/{second.code}" in page
    )


def test_revoked_certificates_are_listed_with_date_and_reason_within_scope(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other = f.municipality(db), f.municipality(db)
    kept = _certificate(db, town, "Lea Schneider")
    revoked = _certificate(db, town, "Jonas Weber", "jaehrlich")
    elsewhere = _certificate(db, other, "Ayşe Yılmaz", "drittes")
    admin = f.user(db, Role.ADMIN)
    certificates.revoke_certificate(db, revoked, actor=admin, reason="Abschluss irrtümlich erfasst")
    certificates.revoke_certificate(db, elsewhere, actor=admin, reason="Doppelt ausgestellt")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)

    page = client.get("/zertifikate/widerrufen").text
    assert revoked.code in page and "Abschluss irrtümlich erfasst" in page and "10.06.2026" in page
    assert kept.code not in page and elsewhere.code not in page and "Doppelt ausgestellt" not in page
    search = client.get("/zertifikate/suche", query_string={"q": "Jonas"}).text
    assert "widerrufen am 10.06.2026" in search
    assert f"/zertifikate/{revoked.code}.pdf" not in search  # no download for a revoked one


def test_my_completions_show_until_when_each_is_valid(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    lea = f.user(db, Role.LEARNER, name="Lea Schneider")
    f.completion(db, lea, module(db, "jaehrlich", months=12), at=clock.at_local(date(2025, 5, 4), 10))
    f.completion(db, lea, module(db, "halbjaehrlich", months=6), at=clock.at_local(date(2026, 5, 4), 10))
    f.completion(db, lea, module(db, "grundlagen"), at=clock.at_local(date(2026, 5, 4), 10))
    f.login(client, lea.email)
    page = client.get("/nachweise").text
    assert (
        "04.05.2026 (abgelaufen)" in page and "04.11.2026" in page and "04.11.2026 (abgelaufen)" not in page
    )
    assert "unbefristet" in page
