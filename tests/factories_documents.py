"""Small factories for documents in consultation, built through the same services the product uses."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from lms import time as clock
from lms.documents.models import Consultation, DocumentVersion
from lms.documents.parse import parse_document
from lms.documents.services import open_consultation, publish_document
from lms.scope import COMMAND_LINE

SLUG = "arbeitsdefinition-test"
PATH = f"documents/{SLUG}.md"


def document_source(version: str = "0.1", *, slug: str = SLUG, extra: str = "") -> str:
    return f"""---
slug: {slug}
title: "Arbeitsdefinition (Test)"
version: "{version}"
status: draft
summary: "Ein Dokument für Tests."
language: de
icerd_section: "Bezug zu ICERD Art. 1"
---

Einleitung.

## Zweck

Wozu die Definition dient.{extra}

## Bezug zu ICERD Art. 1

Unterscheidung, Ausschließung, Beschränkung oder Bevorzugung.

## Bezug zum AGG

Unmittelbare und mittelbare Benachteiligung, Belästigung.
"""


def published_document(
    db: Session, source: str | None = None, *, slug: str = SLUG, note: str | None = None
) -> DocumentVersion:
    doc = parse_document(source or document_source(slug=slug), f"documents/{slug}.md")
    version, problem = publish_document(db, doc, path=f"documents/{slug}.md", actor_id=None, change_note=note)
    assert problem is None and version is not None
    return version


def open_window(
    db: Session, version: DocumentVersion, days: int = 14, start: date | None = None
) -> Consultation:
    today = clock.today()
    begins = start or today
    return open_consultation(db, COMMAND_LINE, version, begins, begins + timedelta(days=days - 1))
