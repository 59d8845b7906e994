"""Participation codes: one per counted participant, single-use, expiring; a private certificate for whoever
redeems one, seen by nobody else; counts of redemptions only through the disclosure control."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.certificates.models import Certificate
from lms.certificates.snapshot import CertificateKind
from lms.disclosure import SUPPRESSED
from lms.scope import OutOfScope, certificates_filter
from lms.workshops.codes import CodeRefused, issue_codes, redeem_code, redeemed_count, shown_redemptions
from lms.workshops.models import LiveSession, ParticipationCode, SessionKind
from lms.workshops.services import SessionInput, record_workshop, withdraw_session
from tests import factories as f

BASE = "http://lms.example"


def _workshop(db: Session, facilitator: User, count: int = 3) -> LiveSession:
    return record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=facilitator.municipality_id,  # type: ignore[arg-type]
            module_version_id=f.workshop_script(db).id,
            held_on=clock.today() - timedelta(days=1),
            place="Stadthaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=count,
        ),
    ).session


def test_codes_are_single_use_and_the_certificate_is_private(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    live = _workshop(db, facilitator)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    with pytest.raises(OutOfScope):
        issue_codes(db, coordinator, live)
    codes = issue_codes(db, facilitator, live)
    assert len(codes) == 3 and len(set(codes)) == 3
    # Only digests are stored, and nothing about who redeems.
    stored = db.scalars(select(ParticipationCode).where(ParticipationCode.session_id == live.id)).all()
    assert {c.code_digest for c in stored}.isdisjoint(codes)
    assert not hasattr(ParticipationCode, "redeemed_by_id")

    participant = f.staff_member(db, town.id, name="Deniz Arslan")
    certificate = redeem_code(db, participant, codes[0].lower().replace("-", " "), base_url=BASE)
    assert certificate.kind == CertificateKind.PARTICIPATION.value and certificate.holder_id == participant.id
    assert certificate.snapshot["title"].startswith("Teilnahme an einer Fortbildung des Modellprogramms")
    assert live.module_version.title not in str(certificate.snapshot) and "Stadthaus" not in str(
        certificate.snapshot
    )
    with pytest.raises(CodeRefused) as used:
        redeem_code(db, f.staff_member(db, town.id), codes[0], base_url=BASE)
    with pytest.raises(CodeRefused) as unknown:
        redeem_code(db, participant, "KFA-0000-0000-0", base_url=BASE)
    assert str(used.value) == str(unknown.value)  # no oracle: used, unknown and expired read the same
    # Nobody else sees the certificate: not the coordinator, and (by the scope rule) only its holder.
    visible = db.scalars(select(Certificate.id).where(certificates_filter(coordinator))).all()
    assert certificate.id not in visible
    assert redeemed_count(db, live) == 1 and shown_redemptions(db, live) == SUPPRESSED


def test_codes_expire_and_a_withdrawn_workshop_or_a_reprint_stops_unused_codes(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(clock.today(), 12), tick=False)
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    live = _workshop(db, facilitator, count=2)
    first = issue_codes(db, facilitator, live, days=10)
    participant = f.staff_member(db, town.id)
    redeem_code(db, participant, first[0], base_url=BASE)
    reprint = issue_codes(db, facilitator, live, days=10)
    assert len(reprint) == 1  # one of two already redeemed
    with pytest.raises(CodeRefused):
        redeem_code(db, participant, first[1], base_url=BASE)
    time_machine.shift(timedelta(days=11))
    with pytest.raises(CodeRefused):
        redeem_code(db, participant, reprint[0], base_url=BASE)
    fresh = issue_codes(db, facilitator, live, days=10)
    withdraw_session(db, facilitator, live, "Doppelt erfasst")
    with pytest.raises(CodeRefused):
        redeem_code(db, participant, fresh[0], base_url=BASE)
