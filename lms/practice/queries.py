"""Practice examples for the list page: newest first, optionally about one module, without attachment bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from lms.auth.models import User
from lms.orgs.models import Municipality
from lms.practice.models import PracticeExample


@dataclass(frozen=True)
class ExampleLine:
    """An example with the names the list shows."""

    example: PracticeExample
    municipality: str | None
    author: str | None


def _lines_query() -> Any:  # a Select of (example, municipality name, author name)
    return (
        select(PracticeExample, Municipality.name, User.display_name)
        .outerjoin(Municipality, Municipality.id == PracticeExample.municipality_id)
        .outerjoin(User, User.id == PracticeExample.created_by_id)
        .order_by(PracticeExample.created_at.desc(), PracticeExample.id.desc())
        .options(defer(PracticeExample.body))
    )


def example_lines(session: Session, module_id: int | None = None, limit: int = 200) -> list[ExampleLine]:
    """The newest examples (at most ``limit``), with municipality and author names, in one query."""
    query = _lines_query().limit(limit)
    if module_id is not None:
        query = query.where(PracticeExample.module_id == module_id)
    return [ExampleLine(row[0], row[1], row[2]) for row in session.execute(query)]


def example_line(session: Session, example_id: int) -> ExampleLine | None:
    """One example with its names, or None."""
    row = session.execute(_lines_query().where(PracticeExample.id == example_id)).first()
    return ExampleLine(row[0], row[1], row[2]) if row else None
