"""Invitation mails: through a real SMTP server when configured, else into the outbox; only after the commit."""

from __future__ import annotations

import dataclasses
import socket
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from lms.config import Settings
from lms.mail import deliver, invitation_link, invitation_message, send_after_commit


class Inbox(MessageHandler):
    """Keeps what the SMTP server receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []  # type: ignore[type-arg]

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def letter(settings: Settings):  # type: ignore[no-untyped-def]
    return invitation_message(
        settings,
        to="a.yilmaz@kreis.example",
        name="Ayşe Yılmaz",
        link=invitation_link(settings, "geheimes-token"),
        municipality="Landkreis Darmstadt-Dieburg",
        expires_on=date(2026, 12, 5),
    )


def test_invitations_go_through_smtp_when_a_host_is_set(smtp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        outbox_dir=str(tmp_path),
        base_url="https://lms.example/",
    )
    written = deliver(settings, [letter(settings)])
    assert written == [] and list(tmp_path.iterdir()) == []
    [received] = inbox.messages
    assert received["To"] == "a.yilmaz@kreis.example"
    assert (
        str(make_header(decode_header(received["Subject"])))
        == "Einladung zur Lernplattform „Kommunen für alle?“"
    )
    body = received.get_payload(decode=True).decode("utf-8")
    assert "https://lms.example/einladung/geheimes-token" in body and "bis einschließlich 05.12.2026" in body


def test_without_smtp_mails_are_written_to_the_outbox(tmp_path: Path) -> None:
    settings = Settings(outbox_dir=str(tmp_path / "outbox"))
    [path] = deliver(settings, [letter(settings)])
    assert path.suffix == ".eml" and b"Guten Tag Ay" in path.read_bytes()


def test_mails_leave_only_when_the_unit_of_work_commits(connection: Connection, tmp_path: Path) -> None:
    settings = Settings(outbox_dir=str(tmp_path))
    rolled_back = Session(bind=connection, join_transaction_mode="create_savepoint")
    send_after_commit(rolled_back, settings, [letter(settings)])
    rolled_back.rollback()
    rolled_back.close()
    assert list(tmp_path.iterdir()) == []
    committed = Session(bind=connection, join_transaction_mode="create_savepoint")
    send_after_commit(committed, settings, [letter(settings)])
    send_after_commit(committed, settings, [letter(dataclasses.replace(settings))])
    committed.commit()
    committed.close()
    assert len(list(tmp_path.iterdir())) == 2
