"""The print PDF joined from stored certificate PDFs: every page in order, fonts shared, nothing foreign accepted."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from lms.certificates.merge import UnexpectedPdf, concatenate
from lms.certificates.pdf import certificate_pdf
from lms.certificates.snapshot import completion_snapshot

CREATED = datetime(2026, 3, 3, 12, tzinfo=UTC)


def _certificate(n: int, layout: int = 2, name: str | None = None) -> bytes:
    snapshot = completion_snapshot(
        code=f"KFA-7K3M-Q9XD-{n:04d}-5",
        base_url="https://lernen.example",
        holder_name=name or f"Beschäftigte Nr. {n}",
        municipality_name="Landkreis Darmstadt-Dieburg",
        module_title="Grundbegriffe und Arbeitsdefinitionen",
        module_slug="grundbegriffe",
        version_label="1.2",
        completed_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
        duration_minutes=45,
        mode="online",
        issued_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
    )
    snapshot["layout"] = layout
    return certificate_pdf(snapshot)


def _joined(documents: list[bytes]) -> tuple[list[bytes], PdfReader]:
    chunks = list(concatenate(iter(documents), title="Zertifikate Landkreis", created=CREATED))
    return chunks, PdfReader(io.BytesIO(b"".join(chunks)), strict=True)


def _font_programs(reader: PdfReader) -> dict[str, set[int]]:
    """Font name -> the object numbers of the embedded programs that carry it."""
    found: dict[str, set[int]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            cid_font = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"].get_object()
            program = descriptor.raw_get("/FontFile2").idnum
            assert font.get_object()["/BaseFont"] == cid_font["/BaseFont"] == descriptor["/FontName"]
            found.setdefault(str(descriptor["/FontName"]), set()).add(program)
    return found


def test_every_page_in_order_written_page_by_page() -> None:
    documents = [_certificate(n, layout=(1, 2, 3)[n % 3]) for n in range(7)]  # layout 3: tagged
    chunks, reader = _joined(documents)
    assert len(chunks) == 8  # one per certificate, then the page tree, catalog and cross-references
    texts = [page.extract_text() for page in reader.pages]
    assert [f"Beschäftigte Nr. {n}" in text for n, text in enumerate(texts)] == [True] * 7
    assert all(page.mediabox.width == pytest.approx(595.28) for page in reader.pages)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de-DE" and root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert len(reader.trailer["/ID"][0]) == 16


def test_a_shared_font_program_is_embedded_once_with_one_name_per_program() -> None:
    documents = [_certificate(n) for n in range(5)] + [
        _certificate(90, layout=1, name="Xaver Quast"),
        _certificate(91, layout=1, name="Yvonne Zier"),
    ]
    _chunks, reader = _joined(documents)
    programs = _font_programs(reader)
    # every name stands for one program, and no program has two names
    assert all(len(numbers) == 1 for numbers in programs.values())
    assert len({n for numbers in programs.values() for n in numbers}) == len(programs)
    # layout 2: one program per style for all five pages; layout 1: a subset per certificate and style, shared
    # only where the glyphs are the same (Regular: same text but for the code's digits; SemiBold: the names)
    assert len(programs) == 2 + 1 + 2
    joined = b"".join(concatenate(iter(documents), title="x", created=CREATED))
    assert len(joined) < sum(map(len, documents)) * 0.6


def test_a_pdf_not_written_by_the_platform_is_refused() -> None:
    with pytest.raises(UnexpectedPdf):
        list(concatenate(iter([b"%PDF-1.7\nnothing here\n%%EOF\n"]), title="x", created=CREATED))
    shifted = _certificate(1).replace(b"%PDF-1.7\n", b"%PDF-1.7\n\n", 1)  # every offset one byte off
    with pytest.raises(UnexpectedPdf):
        list(concatenate(iter([shifted]), title="x", created=CREATED))
    whole = _certificate(2)
    cut = whole[:20_000] + whole[whole.rindex(b"xref") :]  # objects missing, the table still there
    with pytest.raises(UnexpectedPdf):
        list(concatenate(iter([cut]), title="x", created=CREATED))
