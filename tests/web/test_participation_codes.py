"""The sheet of participation codes (the workshop's facilitators) and redeeming one (any logged-in person)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.certificates.codes import generate_code, parse_code
from lms.certificates.models import Certificate
from lms.workshops.codes import MAX_FAILURES
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


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

    participant = f.user(db, Role.LEARNER, municipality_id=town.id, name="Kemal Demir")
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
    # The field itself says so (for screen readers), not only the summary above the form.
    assert 'aria-invalid="true"' in again.text and 'aria-describedby="code-hint code-error"' in again.text
    assert re.search(r'id="code-error">.*ungültig, abgelaufen oder bereits eingelöst', again.text)

    # The year's transcript (made to be handed on, to the HR file) leaves it out unless the holder chooses it.
    year = clock.today().year
    assert f"/nachweise/uebersicht-{year}.pdf?teilnahme=1" in client.get("/nachweise").text
    plain = client.get(f"/nachweise/uebersicht-{year}.pdf")
    chosen = client.get(f"/nachweise/uebersicht-{year}.pdf", query_string={"teilnahme": "1"})
    assert plain.status_code == chosen.status_code == 200
    mine_now = db.scalar(select(Certificate).where(Certificate.holder_id == participant.id))
    assert mine_now is not None
    assert mine_now.code not in _pdf_text(plain.data) and mine_now.code in _pdf_text(chosen.data)
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    # The programme office cannot find, open or read in the log who holds a participation certificate (a data
    # protection review found the holder's name in its certificate search and protocol beside the workshop's day).
    certificate = db.scalar(select(Certificate).where(Certificate.holder_id == participant.id))
    assert certificate is not None and certificate.kind == "participation"
    f.login(client, f.user(db, Role.ADMIN).email)
    for query in (participant.display_name, certificate.code, "KFA"):
        found = client.get("/zertifikate/suche", query_string={"q": query})
        results = found.text.replace(f'value="{query}"', "")  # the search field shows what was searched for
        assert found.status_code == 200 and certificate.code not in results
    assert client.get(f"/zertifikate/{certificate.code}.pdf").status_code == 404
    log = client.get("/inhalte/protokoll").text
    assert participant.display_name not in log and certificate.code not in log


def test_the_example_in_the_hint_looks_like_a_real_code(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A person compares their slip with the example: it has the shape (and check character) of a real code."""
    f.login(client, f.user(db, Role.LEARNER).email)
    page = client.get("/nachweise/einloesen").text
    example = re.search(r"z\. B\. „(KFA-[^“]+)“", page)
    assert example is not None
    assert parse_code(example.group(1)).formatted == example.group(1)
    assert re.fullmatch(r"KFA(-[0-9A-Z]{4}){3}-[0-9A-Z]", example.group(1))
    assert len(example.group(1)) == len(generate_code())


def test_failed_redemptions_are_limited_per_person(
    client, db: Session, time_machine: TimeMachineFixture
) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(clock.now(), tick=False)
    learner = f.user(db, Role.LEARNER)
    f.login(client, learner.email)

    def redeem(code: str, **headers: str):  # type: ignore[no-untyped-def]
        token = f.csrf_token(client, "/nachweise/einloesen")
        return client.post("/nachweise/einloesen", data={"csrf_token": token, "code": code}, headers=headers)

    # A mistyped code (its check character fails) is not a guess: it costs no lookup and is not counted.
    typo = generate_code()
    typo = typo[:-1] + ("A" if typo[-1] != "A" else "B")
    for _ in range(MAX_FAILURES + 1):
        assert redeem(typo).status_code == 400
    for _ in range(MAX_FAILURES):
        assert redeem(generate_code()).status_code == 400  # well-formed, unknown: counted
    limited = redeem(generate_code())
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3600"
    assert "Zu viele ungültige Codes. Bitte versuchen Sie es in 60 Minuten wieder." in limited.text
    assert 'aria-invalid="true"' in limited.text
    client.post("/profil/sprache", data={"csrf_token": f.csrf_token(client), "locale": "en"})
    english = redeem(generate_code())
    assert (
        english.status_code == 429
        and "Too many invalid codes. Please try again in 60 minutes." in english.text
    )

    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, f.user(db, Role.LEARNER).email)
    assert redeem(generate_code()).status_code == 400  # another person is not affected
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, learner.email)

    # The limit lifts as the oldest failures age out of the hour.
    time_machine.shift(timedelta(minutes=59, seconds=30))
    f.login(client, learner.email)  # the idle login session has ended meanwhile
    assert redeem(generate_code()).headers["Retry-After"] == "30"
    time_machine.shift(timedelta(seconds=30))
    f.login(client, learner.email)
    assert redeem(generate_code()).status_code == 400
