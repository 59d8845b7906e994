"""Document files: the shipped working definition and recommendations parse; broken files report file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.documents.parse import parse_document
from lms.markdown.problems import ContentInvalid
from tests import factories_documents as fd

REPO = Path(__file__).resolve().parents[3]


def _problems(source: str, path: str = fd.PATH) -> list[str]:
    with pytest.raises(ContentInvalid) as invalid:
        parse_document(source, path)
    return [f"{p.line}: {p.message}" for p in invalid.value.problems]


def test_the_working_definition_is_a_sourced_draft_for_consultation() -> None:
    path = "documents/arbeitsdefinition-rassismus.md"
    doc = parse_document((REPO / path).read_text(encoding="utf-8"), path)
    assert doc.status == "draft" and "Entwurf zur Konsultation" in doc.intro_html
    titles = [s.title for s in doc.sections]
    assert doc.icerd_section == "Bezug zu ICERD Art. 1" and doc.icerd_section in titles
    text = doc.source
    for source in (
        "ICERD",
        "Art. 1 Abs. 1",
        "Art. 3 Abs. 3",
        "§ 1 AGG",
        "§ 3 Abs. 1 AGG",
        "§ 3 Abs. 2 AGG",
        "§ 3 Abs. 3 AGG",
        "BGBl. 1969 II S. 961",
        "BT-Drs. 16/1780",
        "2000/43/EG",
    ):
        assert source in text, source
    for term in (
        "Unmittelbare Benachteiligung",
        "Mittelbare Benachteiligung",
        "Belästigung",
        "Debatte um den Begriff",
    ):
        assert term in text, term
    icerd = next(s for s in doc.sections if s.title == doc.icerd_section)
    assert "<table>" in icerd.html and "zum Ziel oder zur Folge" in icerd.source


def test_the_recommendations_parse() -> None:
    path = "documents/handlungsempfehlungen.md"
    doc = parse_document((REPO / path).read_text(encoding="utf-8"), path)
    assert doc.icerd_section is None and len(doc.sections) >= 8 and doc.status == "draft"


def test_sections_are_rendered_once_sanitised_with_their_markdown() -> None:
    doc = parse_document(fd.document_source(extra=" <script>alert(1)</script>"), fd.PATH)
    purpose = doc.sections[0]
    assert "<script>" not in purpose.html and "&lt;script&gt;" in purpose.html
    assert purpose.source.startswith("Wozu die Definition dient.") and purpose.anchor == "zweck"
    assert any("javascript" in p for p in _problems(fd.document_source(extra=" [x](javascript:alert(1))")))


def test_problems_name_their_line() -> None:
    source = fd.document_source().replace('icerd_section: "Bezug zu ICERD Art. 1"', 'icerd_section: "ICERD"')
    assert _problems(source) == [
        "8: „icerd_section“ nennt „ICERD“, aber keine Abschnittsüberschrift lautet so."
    ]
    assert any(
        "status" in p for p in _problems(fd.document_source().replace("status: draft", "status: final"))
    )
    assert any("Dateinamen" in p for p in _problems(fd.document_source(), "documents/anders.md"))
    one_section = (
        fd.document_source()
        .split("## Bezug zu ICERD")[0]
        .replace('icerd_section: "Bezug zu ICERD Art. 1"\n', "")
    )
    assert any("mindestens 2 Abschnitte" in p for p in _problems(one_section))
    facilitator_note = fd.document_source(extra="\n\n::: moderation\nNur für die Moderation.\n:::")
    assert any("::: moderation" in p for p in _problems(facilitator_note))
    heading = fd.document_source(extra="\n\n# Zweiter Titel")
    assert any("Ebene 1" in p for p in _problems(heading))
