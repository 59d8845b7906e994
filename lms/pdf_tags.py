"""Tagged PDF (PDF/UA-1) for the platform's documents made with fpdf2 (pure: no database, no flask).

fpdf2 2.8.9 (the newest release in the index) builds only a flat structure tree for image alternative texts and
links; headings, paragraphs and tables stay untagged. This module adds what a screen reader needs, on top of
fpdf2's own object writer:

- ``TaggedPDF`` is an ``FPDF`` that, when created with ``tagged=True``, wraps every line of text in marked content
  (``/P <</MCID n>> BDC … EMC``) belonging to the structure element opened with ``pdf.tag("H1")``, and everything
  else it paints (decorative bars, rules, table fills and borders, page headers and footers) in ``/Artifact``.
  A page break inside a marked sequence closes it on the old page and reopens it on the new one.
- ``pdf.table()`` makes ``Table`` > ``TR`` > ``TH``/``TD`` (header cells scoped to their column); heading rows that
  are repeated at the top of later pages are artifacts, so a screen reader reads them once.
- ``pdf.image(…)`` inside ``pdf.tag("Figure", alt=…)`` is a figure with its alternative text.
- The catalog gets ``/StructTreeRoot`` with ``/ParentTree``, ``/MarkInfo << /Marked true >>`` (fpdf2 adds it with a
  tree), ``/Lang`` and ``/ViewerPreferences << /DisplayDocTitle true >>``; ``xmp()`` writes the XMP packet with the
  PDF/UA identification (and the PDF/A one where the document is PDF/A), including the extension schema that PDF/A
  requires for the ``pdfuaid`` namespace.

With ``tagged=False`` nothing is emitted differently from plain fpdf2, so documents that must rebuild bit-identically
(certificates of layouts 1 and 2) stay as they are.

``hyphenate()`` puts soft hyphens at German syllables (pyphen's de_DE patterns) into table headers, so a narrow
column breaks „Beschäf-|tigte“; the header cell's ``/ActualText`` keeps the whole word for assistive technology.

The layer hooks a few fpdf2 internals (``_render_styled_text_line``, ``Table._render_table_row``/``_cell``, the
``struct_builder`` that the writer serialises); tests/unit/test_pdf_tags.py and the documents' tests read the result
back, so an fpdf2 upgrade that changes them fails there, not in a reader's hands.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from html import escape
from typing import Any

import pyphen
from fpdf import FPDF, ViewerPreferences
from fpdf.structure_tree import NumberTree, StructTreeRoot
from fpdf.syntax import PDFObject, PDFString
from fpdf.table import Table

LANG = "de-DE"
SOFT_HYPHEN = "\u00ad"


class StructElem(PDFObject):
    """One structure element; its kids are child elements and marked-content ids (on this or another page)."""

    def __init__(
        self,
        role: str,
        parent: PDFObject,
        *,
        alt: str | None = None,
        attributes: str | None = None,
        actual_text: str | None = None,
    ):
        super().__init__()
        self.role = role
        self.parent = parent
        self.alt = alt
        self.attributes = attributes
        self.actual_text = actual_text
        self.kids: list[StructElem | tuple[int, int]] = []  # elements, or (page number, MCID)
        self.pages: dict[int, PDFObject] = {}  # filled by the builder at output time

    @property
    def first_page(self) -> int | None:
        for kid in self.kids:
            if isinstance(kid, tuple):
                return kid[0]
        return None

    def serialize(self, obj_dict: dict[str, object] | None = None, _security_handler: Any = None) -> str:
        page = self.first_page
        kids: list[str] = []
        for kid in self.kids:
            if isinstance(kid, StructElem):
                kids.append(kid.ref)
            elif kid[0] == page:
                kids.append(str(kid[1]))
            else:
                kids.append(f"<</Type /MCR /Pg {self.pages[kid[0]].ref} /MCID {kid[1]}>>")
        entries: dict[str, object] = {"/Type": "/StructElem", "/S": f"/{self.role}", "/P": self.parent.ref}
        if page is not None:
            entries["/Pg"] = self.pages[page].ref
        entries["/K"] = f"[{' '.join(kids)}]"
        if self.alt is not None:
            entries["/Alt"] = PDFString(self.alt).serialize()
        if self.actual_text is not None:
            entries["/ActualText"] = PDFString(self.actual_text).serialize()
        if self.attributes is not None:
            entries["/A"] = self.attributes
        return super().serialize(entries)


class _PageSlot:
    """What fpdf2's writer sees as ``struct_builder.doc_struct_elem.k``: it assigns each page object to ``pg``."""

    def __init__(self, builder: StructureTree, page_number: int) -> None:
        self._builder = builder
        self._page_number = page_number

    def page_number(self) -> int:
        return self._page_number

    @property
    def pg(self) -> PDFObject | None:
        return self._builder.page_objects.get(self._page_number)

    @pg.setter
    def pg(self, page_object: PDFObject) -> None:
        self._builder.page_objects[self._page_number] = page_object


class _PageSlots:
    def __init__(self, builder: StructureTree) -> None:
        self.k = [_PageSlot(builder, n) for n in sorted(builder.mcids)]


class StructureTree:
    """Stands in for fpdf2's ``StructureTreeBuilder``: a nested tree under one ``Document`` element."""

    def __init__(self) -> None:
        self.struct_tree_root = StructTreeRoot()
        self.document = StructElem("Document", self.struct_tree_root)
        self.struct_tree_root.k.append(self.document)
        self.mcids: dict[int, list[StructElem]] = {}  # page number -> the owner of each MCID, in order
        self.page_objects: dict[int, PDFObject] = {}

    @property
    def doc_struct_elem(self) -> _PageSlots:
        return _PageSlots(self)

    def add(self, role: str, parent: StructElem, **kwargs: Any) -> StructElem:
        elem = StructElem(role, parent, **kwargs)
        parent.kids.append(elem)
        return elem

    def mark(self, elem: StructElem, page_number: int) -> int:
        """A new MCID on this page, owned by ``elem``."""
        owners = self.mcids.setdefault(page_number, [])
        owners.append(elem)
        elem.kids.append((page_number, len(owners) - 1))
        return len(owners) - 1

    def empty(self) -> bool:
        return not self.document.kids

    def elements(self) -> Iterator[StructElem]:
        stack = [self.document]
        while stack:
            elem = stack.pop(0)
            yield elem
            stack[0:0] = [k for k in elem.kids if isinstance(k, StructElem)]

    def __iter__(self) -> Iterator[PDFObject]:
        """Every object of the tree, the root first (fpdf2's writer takes the first as /StructTreeRoot)."""
        parent_tree = NumberTree()
        for page_number, owners in sorted(self.mcids.items()):
            parent_tree.nums[page_number - 1] = list(owners)
        self.struct_tree_root.parent_tree = parent_tree
        elements = list(self.elements())
        for elem in elements:
            elem.pages = self.page_objects
        yield self.struct_tree_root
        yield parent_tree
        yield from elements


class _Artifact:
    """The marker on the tag stack for content that is not part of the document's text (decoration, pagination)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind


class TaggedTable(Table):
    """fpdf2's table with ``Table`` > ``TR`` > ``TH``/``TD``; repeated heading rows are pagination artifacts."""

    def __init__(self, pdf: TaggedPDF, *args: Any, row_headers: bool = False, **kwargs: Any) -> None:
        super().__init__(pdf, *args, **kwargs)
        self._tagged_pdf = pdf
        self._row_headers = row_headers  # the first column names its row („Kennzahl“ → „Wert“)
        self._rows_done: set[int] = set()

    def render(self) -> None:
        with self._tagged_pdf.tag("Table"):
            super().render()

    def _render_table_row(self, i: int, *args: Any, **kwargs: Any) -> None:
        pdf = self._tagged_pdf
        if i < self._num_heading_rows and i in self._rows_done:
            with pdf.artifact("Pagination"):
                super()._render_table_row(i, *args, **kwargs)
            return
        self._rows_done.add(i)
        with pdf.tag("TR"):
            super()._render_table_row(i, *args, **kwargs)

    def _render_table_cell(self, i: int, j: int, cell: Any, *args: Any, **kwargs: Any) -> Any:
        rendering = kwargs.get("cell_height_info") is not None or (len(args) > 1 and args[1] is not None)
        if not rendering:
            return super()._render_table_cell(i, j, cell, *args, **kwargs)
        pdf = self._tagged_pdf
        if i < self._num_heading_rows:
            role, attributes = "TH", "<</O /Table /Scope /Column>>"
        elif j == 0 and self._row_headers:
            role, attributes = "TH", "<</O /Table /Scope /Row>>"
        else:
            role, attributes = "TD", None
        text = getattr(cell, "text", None)
        # A header hyphenated to fit („Beschäf-|tigte“) is read as the whole word.
        actual_text = text.replace(SOFT_HYPHEN, "") if isinstance(text, str) and SOFT_HYPHEN in text else None
        with pdf.tag(role, attributes=attributes, actual_text=actual_text), pdf.raw_artifacts():
            return super()._render_table_cell(i, j, cell, *args, **kwargs)


def line_count(pdf: FPDF, width: float, text: str, *, line_height: float = 5, align: str = "L") -> int:
    """How many lines ``text`` takes in ``width`` mm in the document's current font, broken as ``multi_cell``
    breaks it, without drawing anything (a dry run)."""
    lines: list[str] = pdf.multi_cell(width, line_height, text, align=align, dry_run=True, output="LINES")  # type: ignore[assignment]
    return len(lines)


class TaggedPDF(FPDF):
    """An FPDF that can write a tagged PDF (see the module's docstring); untagged it is plain FPDF."""

    def fitted(self, text: str, width: float) -> str:
        """``text`` in the current font, shortened with „…“ at its end where it is wider than ``width`` (mm): a
        footer's name or title of up to 200 characters stays on its one line."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def __init__(self, *args: Any, tagged: bool = False, **kwargs: Any) -> None:
        self.tagged = tagged
        self._tags: list[StructElem | _Artifact] = []
        self._open: StructElem | _Artifact | None = None  # the marked content open in the page's stream
        self._raw_artifacts = 0
        super().__init__(*args, **kwargs)
        if tagged:
            self.struct_tree = StructureTree()
            self.struct_builder = self.struct_tree  # type: ignore[assignment]
            self.viewer_preferences = ViewerPreferences(display_doc_title=True)
            self.set_lang(LANG)

    # -- the structure -------------------------------------------------------------------------------------------

    @contextmanager
    def tag(
        self,
        role: str,
        *,
        alt: str | None = None,
        attributes: str | None = None,
        actual_text: str | None = None,
    ) -> Generator[StructElem | None, None, None]:
        """A structure element (``H1``, ``P``, ``Figure``, ``Sect`` …) for what is drawn inside the block.

        ``actual_text`` is what assistive technology reads instead of the drawn text (a header without its hyphens).
        """
        if not self.tagged or (self._tags and isinstance(self._tags[-1], _Artifact)):
            yield None  # inside an artifact (a repeated table heading) nothing is structure
            return
        parent = next(
            (t for t in reversed(self._tags) if isinstance(t, StructElem)), self.struct_tree.document
        )
        elem = self.struct_tree.add(role, parent, alt=alt, attributes=attributes, actual_text=actual_text)
        self._tags.append(elem)
        try:
            yield elem
        finally:
            self._close_marked_content()
            self._tags.pop()

    @contextmanager
    def artifact(self, kind: str | None = None) -> Generator[None, None, None]:
        """What is drawn inside the block is no part of the text (``kind``: ``Pagination``, ``Layout`` or none)."""
        if not self.tagged:
            yield
            return
        self._close_marked_content()
        self._tags.append(_Artifact(kind))
        try:
            yield
        finally:
            self._close_marked_content()
            self._tags.pop()

    @contextmanager
    def raw_artifacts(self) -> Generator[None, None, None]:
        """Content that fpdf2 writes straight into the stream (table fills and borders) becomes an artifact."""
        self._raw_artifacts += 1
        try:
            yield
        finally:
            self._raw_artifacts -= 1

    # -- marked content ------------------------------------------------------------------------------------------

    def _current(self, graphic: bool) -> StructElem | _Artifact | None:
        if self.in_footer:
            return _Artifact("Pagination")
        top = self._tags[-1] if self._tags else None
        if isinstance(top, _Artifact):
            return top
        if graphic and (top is None or top.role != "Figure"):
            return _Artifact(None)
        return top

    def _open_marked_content(self, target: StructElem | _Artifact | None) -> None:
        if target is None:
            # Text drawn outside any tag: a paragraph of its own, never lost to assistive technology.
            target = self.struct_tree.add("P", self.struct_tree.document)
        if isinstance(target, _Artifact):
            kind = f" <</Type /{target.kind}>> BDC" if target.kind else " BMC"
            FPDF._out(self, f"/Artifact{kind}")
        else:
            mcid = self.struct_tree.mark(target, self.page)
            self.pages[self.page].struct_parents = self.page - 1
            FPDF._out(self, f"/{target.role} <</MCID {mcid}>> BDC")
        self._open = target

    def _close_marked_content(self) -> None:
        if self._open is not None:
            FPDF._out(self, "EMC")
            self._open = None

    @contextmanager
    def _content(self, graphic: bool = False) -> Generator[None, None, None]:
        if not self.tagged or self._open is not None or self.page == 0:
            yield
            return
        self._open_marked_content(self._current(graphic))
        try:
            yield
        finally:
            self._close_marked_content()

    def _out(self, s: str | bytes) -> None:
        if self.tagged and self._raw_artifacts and self._open is None and self.page > 0:
            FPDF._out(self, "/Artifact BMC")
            FPDF._out(self, s)
            FPDF._out(self, "EMC")
            return
        super()._out(s)

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        """A page break inside marked content ends it on this page and continues it on the next.

        What fpdf2 draws while it turns the page (the old page's footer, the new page's header) is pagination.
        """
        if not self.tagged:
            super().add_page(*args, **kwargs)
            return
        interrupted = self._open
        self._close_marked_content()
        self._tags.append(_Artifact("Pagination"))
        try:
            super().add_page(*args, **kwargs)
        finally:
            self._close_marked_content()
            self._tags.pop()
        if interrupted is not None:
            self._open_marked_content(interrupted)

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
        with self._content():
            return bool(super()._render_styled_text_line(*args, **kwargs))

    def rect(self, *args: Any, **kwargs: Any) -> None:
        with self._content(graphic=True):
            super().rect(*args, **kwargs)

    def line(self, *args: Any, **kwargs: Any) -> None:
        with self._content(graphic=True):
            super().line(*args, **kwargs)

    def image(self, *args: Any, **kwargs: Any) -> Any:
        with self._content(graphic=True):
            return super().image(*args, **kwargs)

    @contextmanager
    def table(self, *args: Any, row_headers: bool = False, **kwargs: Any) -> Generator[Table, None, None]:
        """fpdf2's table; tagged, with ``row_headers`` the first column's cells are the headers of their rows."""
        if not self.tagged:
            with super().table(*args, **kwargs) as table:
                yield table
            return
        tagged_table = TaggedTable(self, *args, row_headers=row_headers, **kwargs)
        yield tagged_table
        tagged_table.render()


PDFUA_EXTENSION = """      <pdfaExtension:schemas>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
            <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
            <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
            <pdfaSchema:property>
              <rdf:Seq>
                <rdf:li rdf:parseType="Resource">
                  <pdfaProperty:name>part</pdfaProperty:name>
                  <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
                  <pdfaProperty:category>internal</pdfaProperty:category>
                  <pdfaProperty:description>Part of ISO 14289 to which the file conforms</pdfaProperty:description>
                </rdf:li>
              </rdf:Seq>
            </pdfaSchema:property>
          </rdf:li>
        </rdf:Bag>
      </pdfaExtension:schemas>"""


def xmp(
    *,
    title: str,
    author: str,
    creator: str,
    created: datetime,
    pdfa: bool,
    pdfua: bool,
    producer: str | None = None,
) -> str:
    """XMP metadata agreeing with the document information: title, author, dates; PDF/A-2b and PDF/UA-1 ids."""
    stamp = escape(created.astimezone(UTC).isoformat(timespec="seconds"))
    namespaces = [
        '        xmlns:dc="http://purl.org/dc/elements/1.1/"',
        '        xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        '        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
    ]
    if pdfa:
        namespaces.append('        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"')
    if pdfua:
        namespaces.append('        xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"')
    if pdfa and pdfua:
        namespaces += [
            '        xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"',
            '        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"',
            '        xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"',
        ]
    lines = [
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '    <rdf:Description rdf:about=""',
        *namespaces,
        f'        xmp:CreatorTool="{escape(creator)}"',
        f'        xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"',
        f'        pdf:Producer="{escape(producer or creator)}">',
    ]
    if pdfa:
        lines += ["      <pdfaid:part>2</pdfaid:part>", "      <pdfaid:conformance>B</pdfaid:conformance>"]
    if pdfua:
        lines.append("      <pdfuaid:part>1</pdfuaid:part>")
    if pdfa and pdfua:
        lines.append(PDFUA_EXTENSION)
    lines += [
        "      <dc:format>application/pdf</dc:format>",
        f'      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>',
        f"      <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>",
        "    </rdf:Description>",
        "  </rdf:RDF>",
        "</x:xmpmeta>",
    ]
    return "\n".join(lines)


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="de_DE", left=3, right=3)


def hyphenate(text: str) -> str:
    """``text`` with soft hyphens at German syllable boundaries, for narrow table headers.

    fpdf2 breaks a line at a soft hyphen and prints a hyphen there; unbroken, the soft hyphen is invisible. Without
    them a word wider than its column is cut anywhere („Beschäftig|te"); with them it breaks as „Beschäf-|tigte".
    """
    return re.sub(r"\w{6,}", lambda word: _dictionary().inserted(word.group(), hyphen=SOFT_HYPHEN), text)
