"""One-time participation codes: a private proof of having taken part in an empowerment workshop.

The facilitators of a workshop print as many codes as there were participants (a sheet of slips, a QR code each).
A participant who wants a proof redeems one while logged in and gets a participation certificate with the neutral
title the certificate module knows; it appears only on their own „Meine Nachweise“. The code row keeps a digest and
whether it was used, never by whom; the certificate names neither the workshop nor its script. Codes expire
(``LMS_PARTICIPATION_CODE_DAYS``) and work once. Counts of redemptions are shown only through lms.disclosure.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.auth.services import hold_lock
from lms.certificates.codes import CodeTypo, generate_code, parse_code
from lms.certificates.models import Certificate
from lms.certificates.services import issue_participation
from lms.disclosure import Shown, network_count
from lms.errors import ServiceError
from lms.scope import OutOfScope, may_see_attendee_names
from lms.workshops.models import CodeRedemptionFailure, LiveSession, ParticipationCode

#: The default of ``LMS_PARTICIPATION_CODE_DAYS``.
DEFAULT_CODE_DAYS = 90
#: One answer for every code that does not work: unknown, used or expired look the same (no oracle).
INVALID = "participation_code.invalid"
#: Failed redemptions one person may make per ``FAILURE_WINDOW`` (codes have 12 random characters, but a person
#: must not be able to try them at request speed).
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(hours=1)


class CodeRefused(ServiceError, ValueError):
    """The code cannot be redeemed (always the same code, ``INVALID``); translated at the edge."""


class TooManyFailures(ServiceError):
    """Too many failed redemptions in the window; ``retry_after`` seconds until the next try is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("participation_code.too_many", n=max(1, (retry_after + 59) // 60))
        self.retry_after = retry_after


def _digest(formatted: str) -> str:
    return hashlib.sha256(formatted.encode()).hexdigest()


def issue_codes(session: Session, actor: User, live: LiveSession, days: int = DEFAULT_CODE_DAYS) -> list[str]:
    """New codes for a workshop, one per counted participant; unused earlier codes stop working (a reprint)."""
    if not may_see_attendee_names(actor, live) or live.withdrawn_at is not None:
        raise OutOfScope
    session.execute(
        delete(ParticipationCode).where(
            ParticipationCode.session_id == live.id, ParticipationCode.redeemed_at.is_(None)
        )
    )
    used = redeemed_count(session, live)
    expires_at = clock.now() + timedelta(days=days)
    codes = [generate_code() for _ in range(max(0, live.participant_count - used))]
    session.add_all(
        ParticipationCode(session_id=live.id, code_digest=_digest(code), expires_at=expires_at)
        for code in codes
    )
    session.flush()
    return codes


def redeemed_count(session: Session, live: LiveSession) -> int:
    """How many codes of the workshop were redeemed (exact: for the disclosure control, never shown as is)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ParticipationCode)
            .where(ParticipationCode.session_id == live.id, ParticipationCode.redeemed_at.is_not(None))
        )
        or 0
    )


def shown_redemptions(session: Session, live: LiveSession) -> Shown:
    """The number of redemptions as anyone may see it (rounded and suppressed like every network count)."""
    return network_count(redeemed_count(session, live))


def redeem_code(session: Session, holder: User, text: str, *, base_url: str) -> Certificate:
    """Redeem a code for a private participation certificate of the logged-in person.

    A code that was looked up and refused is counted (the caller must commit that although it answers with an
    error); after ``MAX_FAILURES`` within ``FAILURE_WINDOW`` every attempt raises ``TooManyFailures`` until the
    oldest failure has aged out. A mistyped code (its check character fails) costs no lookup and is not counted.
    """
    try:
        formatted = parse_code(text).formatted
    except CodeTypo:
        raise CodeRefused(INVALID) from None
    now = clock.now()
    _check_failures(session, holder, now)
    try:
        return _redeem(session, holder, formatted, now, base_url)
    except CodeRefused:
        session.add(CodeRedemptionFailure(user_id=holder.id, at=now))
        session.flush()
        raise


def _check_failures(session: Session, holder: User, now: datetime) -> None:
    """Raise ``TooManyFailures`` if the person has used up the window's failures (one decision at a time)."""
    since = now - FAILURE_WINDOW
    # Counting and the attempt it allows are one step per person: parallel tries cannot all see the same count.
    hold_lock(session, f"redeem:{holder.id}")
    # Only the own old rows, under the own lock: two people never wait for each other's rows.
    session.execute(
        delete(CodeRedemptionFailure).where(
            CodeRedemptionFailure.user_id == holder.id, CodeRedemptionFailure.at <= since
        )
    )
    count, oldest = session.execute(
        select(func.count(), func.min(CodeRedemptionFailure.at)).where(
            CodeRedemptionFailure.user_id == holder.id, CodeRedemptionFailure.at > since
        )
    ).one()
    if count >= MAX_FAILURES and oldest is not None:
        raise TooManyFailures(max(1, math.ceil((oldest + FAILURE_WINDOW - now).total_seconds())))


def _redeem(session: Session, holder: User, formatted: str, now: datetime, base_url: str) -> Certificate:
    row = session.scalar(select(ParticipationCode).where(ParticipationCode.code_digest == _digest(formatted)))
    live = session.get(LiveSession, row.session_id) if row is not None else None
    if row is None or live is None or live.withdrawn_at is not None:
        raise CodeRefused(INVALID)
    # Single use, atomically: of two parallel redemptions only one UPDATE finds the code unused.
    used = session.execute(
        update(ParticipationCode)
        .where(
            ParticipationCode.id == row.id,
            ParticipationCode.redeemed_at.is_(None),
            ParticipationCode.expires_at > now,
        )
        .values(redeemed_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise CodeRefused(INVALID)
    return issue_participation(
        session,
        holder,
        attended_on=live.held_on,
        duration_minutes=None,
        actor_id=holder.id,
        base_url=base_url,
    )
