"""A name with a right-to-left override cannot reverse what pages and exports show after it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.spreadsheet import neutralise
from tests import factories as f

OVERRIDE = "\u202e"


def test_pages_and_spreadsheets_drop_bidirectional_controls(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.staff_member(db, town.id, name=f"Aylin {OVERRIDE}fdp.exe Kaya")
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte").text
    assert "Aylin fdp.exe Kaya" in page and OVERRIDE not in page and "\u2066" not in page
    assert neutralise(f"{OVERRIDE}=1+1") == "'=1+1"  # the override cannot hide a formula either
    assert neutralise("عائشة") == "عائشة"  # right-to-left letters stay
