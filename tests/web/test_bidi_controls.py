"""A name with a right-to-left override cannot reverse what pages and exports show after it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.auth.services import AccountError
from lms.spreadsheet import neutralise
from tests import factories as f

OVERRIDE = "\u202e"


def test_pages_and_spreadsheets_drop_bidirectional_controls(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    person = f.staff_member(db, town.id, name="Aylin Kaya")
    # Names are refused with such a character since certificates print only letters (lms.text); one stored
    # before that, or written past the application, is still shown safely.
    person.display_name = f"Aylin {OVERRIDE}fdp.exe Kaya"
    db.flush()
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte").text
    assert "Aylin fdp.exe Kaya" in page and OVERRIDE not in page and "\u2066" not in page
    assert neutralise(f"{OVERRIDE}=1+1") == "'=1+1"  # the override cannot hide a formula either
    assert neutralise("عائشة") == "عائشة"  # right-to-left letters stay


def test_a_name_with_a_bidirectional_control_is_refused_where_it_is_entered(db: Session) -> None:
    town = f.municipality(db)
    with pytest.raises(AccountError) as refused:
        f.staff_member(db, town.id, name=f"Aylin {OVERRIDE}fdp.exe Kaya")
    assert refused.value.code == "auth.name_unprintable" and "U+202E RIGHT-TO-LEFT OVERRIDE" in str(
        refused.value
    )
