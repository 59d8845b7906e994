"""Fixtures shared by the web tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f


@pytest.fixture
def trainer(client, db: Session):  # type: ignore[no-untyped-def]
    """A trainer logged in, with the test module and its quiz published (the authoring tests' starting point)."""
    f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.TRAINER, name="Tina Trainerin")
    f.login(client, person.email)
    return person
