"""A real SMTP server (aiosmtpd) on a free local port that can be told to fail: busy, or refusing an address."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FlakyInbox:
    """Keeps what arrives. ``busy`` answers the next that many mails with 451 (try later, as a full queue does);
    addresses in ``unknown`` are refused with 550 (no such mailbox)."""

    busy: int = 0
    #: Mails accepted before ``busy`` starts counting (a server that fails in the middle of a batch).
    accept_first: int = 0
    unknown: set[str] = field(default_factory=set)
    received: list[str] = field(default_factory=list)  # the To: addresses, in order
    bodies: list[bytes] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.unknown:
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.accept_first > 0:
            self.accept_first -= 1
        elif self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 Mail server busy, try again later"
        self.received.extend(envelope.rcpt_tos)
        self.bodies.append(envelope.content)
        return "250 Message accepted"


@contextmanager
def smtp_server(inbox: FlakyInbox, port: int | None = None) -> Iterator[int]:
    """Run the server for ``inbox`` (on ``port``, or a free one); yields its port."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
