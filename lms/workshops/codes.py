"""One-time participation codes: a private proof of having taken part in an empowerment workshop.

The facilitators of a workshop print as many codes as there were participants (a sheet of slips, a QR code each).
A participant who wants a proof redeems one while logged in and gets a participation certificate with the neutral
title the certificate module knows; it appears only on their own „Meine Nachweise“. The code row keeps a digest and
whether it was used, never by whom; the certificate names neither the workshop nor its script. Codes expire
(``LMS_PARTICIPATION_CODE_DAYS``) and work once. Counts of redemptions are shown only through lms.disclosure.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.certificates.codes import CodeTypo, generate_code, parse_code
from lms.certificates.models import Certificate
from lms.certificates.services import issue_participation
from lms.disclosure import Shown, network_count
from lms.errors import ServiceError
from lms.scope import OutOfScope, may_see_attendee_names
from lms.workshops.models import LiveSession, ParticipationCode

#: The default of ``LMS_PARTICIPATION_CODE_DAYS``.
DEFAULT_CODE_DAYS = 90
#: One answer for every code that does not work: unknown, used or expired look the same (no oracle).
INVALID = "participation_code.invalid"


class CodeRefused(ServiceError, ValueError):
    """The code cannot be redeemed (always the same code, ``INVALID``); translated at the edge."""


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
    """Redeem a code for a private participation certificate of the logged-in person."""
    try:
        formatted = parse_code(text).formatted
    except CodeTypo:
        raise CodeRefused(INVALID) from None
    now = clock.now()
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
