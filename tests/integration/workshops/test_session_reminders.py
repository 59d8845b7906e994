"""The reminder the day before a planned session: through the job queue to a real SMTP server, once per registration."""

from __future__ import annotations

from datetime import time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from lms import migrate
from lms import time as clock
from lms.auth.models import Role
from lms.cli import main
from lms.db import make_engine
from lms.orgs.models import Municipality
from lms.workshops import network
from lms.workshops.models import SessionKind
from lms.workshops.planning import PlanInput, register, schedule_session
from tests import factories as f
from tests.mailserver import FlakyInbox, smtp_server

#: Both commands send them: ``lms sessions remind`` alone, and the daily ``lms reminders send`` with the others.
COMMANDS = [
    (
        ["sessions", "remind"],
        "Probelauf: 2 Erinnerung(en)",
        "2 Erinnerung(en) zum Versand",
        "0 Erinnerung(en)",
    ),
    (
        ["reminders", "send"],
        "Würden versendet: Erinnerungen zu Modulen: 0, zu Terminen: 2.",
        "An die Warteschlange übergeben: Erinnerungen zu Modulen: 0, zu Terminen: 2.",
        "zu Terminen: 0.",
    ),
]


@pytest.mark.parametrize(
    ("command", "dry_text", "sent_text", "again_text"), COMMANDS, ids=["sessions", "daily"]
)
def test_reminders_go_out_once_per_registration_through_the_queue(
    tmp_path: Path, command: list[str], dry_text: str, sent_text: str, again_text: str
) -> None:
    url = "sqlite:///" + str(tmp_path / "remind.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    tomorrow = clock.today() + timedelta(days=1)
    with Session(engine) as session:
        town = Municipality(slug="kreis", name="Kreis")
        session.add(town)
        session.flush()
        facilitator = f.user(session, Role.FACILITATOR, municipality_id=town.id)
        script = f.workshop_script(session)
        planned = schedule_session(
            session,
            facilitator,
            PlanInput(
                kind=SessionKind.WORKSHOP,
                municipality_id=town.id,
                module_version_id=script.id,
                held_on=tomorrow,
                starts_at=time(10),
                ends_at=time(12),
                place="Stadthaus",
                capacity=2,
                facilitator_ids=frozenset({facilitator.id}),
            ),
        )
        people = [f.staff_member(session, town.id, email=f"person{n}@kreis.example") for n in range(3)]
        for person in people:
            network.add_member(session, facilitator, town.id, person.email)
            network.answer(session, person, agrees=True)  # the person agrees under „Termine“
            register(session, person, planned)  # two places, the third person waits: no reminder for them
        session.commit()
    inbox = FlakyInbox()
    with smtp_server(inbox) as port:
        env = {
            "LMS_DATABASE_URL": url,
            "LMS_TEST_DATABASE_URL": "",
            "LMS_REDIS_URL": "",
            "LMS_SMTP_HOST": "127.0.0.1",
            "LMS_SMTP_PORT": str(port),
            "LMS_SMTP_SECURITY": "none",
            "LMS_BASE_URL": "https://lms.example",
        }
        runner = CliRunner()
        dry = runner.invoke(main, [*command, "--dry-run"], env=env, catch_exceptions=False)
        assert dry.exit_code == 0 and dry_text in dry.output
        assert inbox.received == []
        sent = runner.invoke(main, command, env=env, catch_exceptions=False)
        assert sent.exit_code == 0 and sent_text in sent.output
        assert sorted(inbox.received) == ["person0@kreis.example", "person1@kreis.example"]
        again = runner.invoke(main, command, env=env, catch_exceptions=False)
        assert again_text in again.output and len(inbox.received) == 2
    mail = message_from_bytes(inbox.bodies[0], policy=policy.default)
    assert isinstance(mail, EmailMessage)
    subject = mail["Subject"]
    assert subject == f"Erinnerung: Ihr Termin am {clock.fixed_date(tomorrow)}"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "Stadthaus" in body and "von 10:00 bis 12:00 Uhr" in body and "https://lms.example/termine/" in body
    )
    # The calendar entry goes with it, for the day and place of the reminder.
    (attachment,) = mail.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    entry = attachment.get_content()
    assert f"DTSTART:{tomorrow:%Y%m%d}T" in entry and "LOCATION:Stadthaus" in entry
    # A workshop mail names neither the script nor the network (a deputy may read the mailbox), nor does its file.
    for text in (body, subject, entry):
        assert "Empowerment" not in text and "Netzwerk" not in text
    engine.dispose()
