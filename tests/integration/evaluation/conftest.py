"""A training module with a published self-assessment (two Likert items in a matrix, one free text)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms.evaluation.parse import parse_survey
from lms.evaluation.services import publish_survey
from tests import factories as f

SURVEY = """---
module: testmodul
---

Kurze Selbsteinschätzung.

## Wie sicher fühlen Sie sich?

[(1)(2)(3)(4)(5)]
[   ] Ich kann mittelbare Diskriminierung erklären.
[   ] Ich kenne den Beschwerdeweg nach § 13 AGG.

## Was möchten Sie anmerken?

[[___]]
"""

SECRET = b"k" * 32


@pytest.fixture
def surveyed(db: Session):  # type: ignore[no-untyped-def]
    """(module version, survey version) of the test module with its survey."""
    version = f.published_module(db)
    result = publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    assert result.version is not None
    return version, result.version
