"""Renewing an expired completion in the browser: the quiz start page, „Meine Module“ and „Meine Nachweise“."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from tests import factories as f


def _completed_a_yearly_module(client, db: Session, time_machine: TimeMachineFixture, today: date):  # type: ignore[no-untyped-def]
    """A learner who completed the 12-month test module on 2 February 2026 (valid until 2 February 2027)."""
    time_machine.move_to(clock.at_local(today, 10), tick=False)
    source = f.module_source().replace("language: de\n", "language: de\nvalid_for_months: 12\n")
    version = f.published_module(db, source)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.completion(db, person, version, at=clock.at_local(date(2026, 2, 2), 10))
    f.login(client, person.email)
    return person


def test_an_expired_completion_invites_renewal_everywhere(
    client, db: Session, time_machine: TimeMachineFixture
) -> None:  # type: ignore[no-untyped-def]
    _completed_a_yearly_module(client, db, time_machine, date(2027, 2, 10))
    start = client.get("/module/testmodul/quiz")
    assert start.status_code == 200
    assert "Ihr Abschluss ist abgelaufen (gültig bis 02.02.2027)." in start.text
    assert "Quiz zur Erneuerung starten" in start.text
    assert "bereits abgeschlossen" not in start.text
    assert "Versuche: 0 von 3 genutzt" in start.text

    proofs = client.get("/nachweise")
    assert "02.02.2027" in proofs.text and "abgelaufen – erneut absolvieren" in proofs.text
    assert 'href="/module/testmodul"' in proofs.text

    modules = client.get("/module")
    assert "Abschluss abgelaufen am 02.02.2027" in modules.text
    assert "abgelaufen – erneut absolvieren" in modules.text
    assert "Abschluss erneuern" in client.get("/module/testmodul").text


def test_a_valid_completion_shows_until_when_and_when_renewal_opens(
    client, db: Session, time_machine: TimeMachineFixture
) -> None:  # type: ignore[no-untyped-def]
    person = _completed_a_yearly_module(client, db, time_machine, date(2026, 6, 1))
    start = client.get("/module/testmodul/quiz")
    assert "Sie haben dieses Modul bereits abgeschlossen." in start.text
    assert "Gültig bis 02.02.2027. Ab 03.01.2027 können Sie den Abschluss hier erneuern." in start.text
    assert "Quiz starten</span>" not in start.text  # no start button
    refused = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    assert refused.status_code == 302 and "/versuche/" not in refused.headers["Location"]

    proofs = client.get("/nachweise")
    assert "02.02.2027" in proofs.text
    assert "erneut absolvieren" not in proofs.text and "jetzt erneuern" not in proofs.text
    modules = client.get("/module")
    assert "Gültig bis 02.02.2027" in modules.text and "Abschluss erneuern" not in modules.text

    # Within 30 days of the last valid day, renewal opens.
    time_machine.move_to(clock.at_local(date(2027, 1, 5), 10), tick=False)
    f.login(client, person.email)  # the session of June has long ended
    assert "Ihr Abschluss ist noch bis 02.02.2027 gültig." in client.get("/module/testmodul/quiz").text
    assert "jetzt erneuern" in client.get("/nachweise").text
