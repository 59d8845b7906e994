"""Reading a tagged PDF back (pypdf): the structure tree in reading order, and what on each page is not tagged.

Used by the tests of every document the platform makes, so "tagged" means the same thing everywhere:
the catalog says it is marked, German, shows its title and claims PDF/UA-1; every MCID on every page belongs to
exactly one structure element (through the parent tree); and nothing is painted outside marked content.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

PAINTING = {b"Tj", b"TJ", b"'", b'"', b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"Do", b"sh"}


@dataclass
class Node:
    role: str
    alt: str | None = None
    attributes: dict[str, Any] | None = None
    actual_text: str | None = None
    text: str = ""
    kids: list[Node] = field(default_factory=list)

    def walk(self):  # type: ignore[no-untyped-def]
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def roles(self) -> list[str]:
        return [n.role for n in self.walk()]

    def find(self, role: str) -> list[Node]:
        return [n for n in self.walk() if n.role == role]


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def structure(data: bytes) -> Node:
    """The structure tree under /StructTreeRoot, with each element's text (from the page text of its MCIDs)."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    tree = _resolve(root["/StructTreeRoot"])
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    texts = page_texts_by_mcid(reader)

    def build(elem: DictionaryObject, page: int | None) -> Node:
        elem = _resolve(elem)
        if "/Pg" in elem:
            page = page_index[elem.raw_get("/Pg").idnum]
        attributes = _resolve(elem.get("/A"))
        node = Node(
            role=str(elem["/S"])[1:],
            alt=str(elem["/Alt"]) if "/Alt" in elem else None,
            attributes=dict(attributes) if attributes is not None else None,
            actual_text=str(elem["/ActualText"]) if "/ActualText" in elem else None,
        )
        kids = _resolve(elem.get("/K"))
        if kids is None:
            return node
        if not isinstance(kids, list):
            kids = [kids]
        for kid in kids:
            kid = _resolve(kid)
            if isinstance(kid, int):
                node.text = " ".join(filter(None, [node.text, texts.get((page, int(kid)), "")]))
            elif isinstance(kid, dict) and kid.get("/Type") == "/MCR":
                node.text = " ".join(
                    filter(
                        None,
                        [node.text, texts.get((page_index[kid.raw_get("/Pg").idnum], int(kid["/MCID"])), "")],
                    )
                )
            else:
                child = build(kid, page)
                node.kids.append(child)
                node.text = " ".join(filter(None, [node.text, child.text]))
        return node

    kids = _resolve(tree["/K"])
    document = build(kids[0] if isinstance(kids, list) else kids, None)
    return document


def page_texts_by_mcid(reader: PdfReader) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text shown inside that marked content (pypdf's extraction, split by MCID)."""
    result: dict[tuple[int, int], str] = {}
    for index, page in enumerate(reader.pages):
        stack: list[int | None] = []
        parts: dict[int, list[str]] = {}

        def before(
            operator: bytes, operands: Any, cm: Any, tm: Any, _stack: list[int | None] = stack
        ) -> None:
            if operator == b"BDC":
                props = operands[1]
                _stack.append(int(props["/MCID"]) if isinstance(props, dict) and "/MCID" in props else None)
            elif operator == b"BMC":
                _stack.append(None)
            elif operator == b"EMC":
                _stack.pop()

        def text(
            shown: str, cm: Any, tm: Any, font: Any, size: Any, _stack: list[int | None] = stack, _parts=parts
        ) -> None:
            mcid = next((m for m in reversed(_stack) if m is not None), None)
            if mcid is not None:
                _parts.setdefault(mcid, []).append(shown)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        for mcid, shown in parts.items():
            result[(index, mcid)] = re.sub(r"\s+", " ", "".join(shown)).strip()
    return result


def untagged_painting(data: bytes) -> list[tuple[int, str]]:
    """(page index, operator) of everything painted outside any marked content: must be empty for PDF/UA."""
    reader = PdfReader(io.BytesIO(data))
    found: list[tuple[int, str]] = []
    for index, page in enumerate(reader.pages):
        depth = 0
        for _operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"BDC", b"BMC"):
                depth += 1
            elif operator == b"EMC":
                depth -= 1
                assert depth >= 0, f"EMC without BDC on page {index + 1}"
            elif operator in PAINTING and depth == 0:
                found.append((index, operator.decode()))
        assert depth == 0, f"marked content left open on page {index + 1}"
    return found


def catalog(data: bytes) -> dict[str, Any]:
    """What the catalog says about accessibility, and the XMP packet."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    mark_info = _resolve(root.get("/MarkInfo")) or {}
    prefs = _resolve(root.get("/ViewerPreferences")) or {}
    metadata = _resolve(root.get("/Metadata"))
    return {
        "lang": str(root.get("/Lang", "")),
        "marked": bool(mark_info.get("/Marked")),
        "display_doc_title": bool(prefs.get("/DisplayDocTitle")),
        "xmp": metadata.get_data().decode() if metadata is not None else "",
        "title": str(reader.metadata.title if reader.metadata else ""),
    }


def parent_tree_is_consistent(data: bytes) -> bool:
    """Every page's MCIDs map through /StructParents and the parent tree to an element that lists that MCID."""
    reader = PdfReader(io.BytesIO(data))
    tree = _resolve(reader.trailer["/Root"]["/StructTreeRoot"])
    nums = _resolve(_resolve(tree["/ParentTree"])["/Nums"])
    parents = {int(nums[i]): _resolve(nums[i + 1]) for i in range(0, len(nums), 2)}
    for page in reader.pages:
        mcids = [
            int(operands[1]["/MCID"])
            for operands, operator in ContentStream(page.get_contents(), reader).operations
            if operator == b"BDC" and isinstance(operands[1], dict) and "/MCID" in operands[1]
        ]
        if not mcids:
            continue
        owners = parents[int(page["/StructParents"])]
        if sorted(mcids) != list(range(len(owners))):
            return False
        for mcid in mcids:
            owner = _resolve(owners[mcid])
            kids = _resolve(owner["/K"])
            kids = kids if isinstance(kids, list) else [kids]
            listed = [int(k) for k in map(_resolve, kids) if isinstance(k, int)] + [
                int(k["/MCID"]) for k in map(_resolve, kids) if isinstance(k, dict) and "/MCID" in k
            ]
            if mcid not in listed:
                return False
    return True


#: What the checker may say about a tagged PDF/A file and why that is not a fault:
#: UA-07-001 looks for /Info /Title, but fpdf2 writes no document information dictionary for PDF/A-2 (it is
#: optional there); the title is in the XMP dc:title, which is what PDF/UA-1 (7.1-9) requires and what we test.
ACCEPTED_FOR_PDF_A = {"UA-07-001"}


def pdfua_findings(data: bytes, tmp_path: Path, *, pdf_a: bool) -> list[str]:
    """What the ``pdfua`` checker (16 machine-checkable PDF/UA-1 rules, no JVM) finds: "rule: message" lines."""
    from pdfua import validate

    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    report = validate(str(path))
    accepted = ACCEPTED_FOR_PDF_A if pdf_a else set()
    return [f"{f.rule_id}: {f.message}" for f in report.findings if f.rule_id not in accepted]
