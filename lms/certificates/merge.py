"""One PDF for printing, joined from the stored certificate PDFs as a stream (pure: bytes in, chunks out).

The print PDF used to be drawn again as one fpdf2 document that held every page in memory until the end. Now the
stored PDFs are copied as they are read: each certificate's page and what it uses (content, QR code, fonts) are
renumbered and written at once, so the download starts with the first certificate and memory holds one PDF at a
time plus the cross-reference offsets (a few bytes per object). Objects that are byte for byte the same after
renumbering are written once: certificates of layout 2 share one embedded font program per style, so 1,800 pages
carry their fonts once, not 1,800 times.

This reads only PDFs this platform wrote (fpdf2: a classic cross-reference table, every object in its own
``N 0 obj``, direct stream lengths); anything else is refused with :class:`UnexpectedPdf`, never guessed at.
The result has the catalog of a PDF/A-2b file (XMP metadata, the sRGB output intent of the certificates, /Lang).
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_SECTION = re.compile(rb"(\d+) (\d+)\r?\n")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+0\s+R")
_REF = re.compile(rb"(?<![\w.])(\d+) 0 R(?![\w])")
_OTHER_GENERATION = re.compile(rb"(?<![\w.])\d+ [1-9]\d* R(?![\w])")
_PARENT = re.compile(rb"/Parent\s+\d+\s+0\s+R")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_SUBSET_NAME = re.compile(rb"/[A-Z]{6}\+")
_FONT_FILE = re.compile(rb"/FontFile[23]?\s+(\d+)\s+0\s+R")
_FONT_LINKS = (
    re.compile(rb"/FontDescriptor\s+(\d+)\s+0\s+R"),
    re.compile(rb"/DescendantFonts\s*\[\s*(\d+)\s+0\s+R"),
)
_ROOT_NUMBER, _CATALOG_NUMBER, _METADATA_NUMBER = 1, 2, 3


class UnexpectedPdf(ValueError):
    """A stored PDF is not shaped like the PDFs this platform writes."""


def _string_end(data: bytes, i: int) -> int:
    """Index after the literal string ``( … )`` that starts at ``i`` (nested parentheses, backslash escapes)."""
    depth = 0
    while i < len(data):
        char = data[i]
        if char == 0x5C:  # backslash
            i += 2
            continue
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise UnexpectedPdf("unterminated string")


def _value_end(data: bytes, i: int) -> int:
    """Index after the dictionary or array that starts at ``i``."""
    depth = 0
    while i < len(data):
        char = data[i]
        if char == 0x28:
            i = _string_end(data, i)
            continue
        if data.startswith(b"<<", i):
            depth += 1
            i += 2
            continue
        if data.startswith(b">>", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
            continue
        if char == 0x3C:  # a hex string
            i = data.index(b">", i) + 1
            continue
        if char == 0x5B:
            depth += 1
        elif char == 0x5D:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise UnexpectedPdf("unterminated dictionary or array")


class _Source:
    """One stored PDF, read just enough to copy its pages: its objects by number."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        found = _STARTXREF.search(data, max(0, len(data) - 64))
        if found is None or not data.startswith(b"xref", int(found.group(1))):
            raise UnexpectedPdf("no classic cross-reference table")
        position = int(found.group(1)) + 4
        while data[position] in b" \r\n":
            position += 1
        self.offsets: dict[int, int] = {}
        while (section := _XREF_SECTION.match(data, position)) is not None:
            first, count = int(section.group(1)), int(section.group(2))
            position = section.end()
            for number in range(first, first + count):
                entry = data[position : position + 20]
                if entry[17:18] == b"n":
                    self.offsets[number] = int(entry[:10])
                position += 20
        root = _ROOT.search(data, position)
        if root is None:
            raise UnexpectedPdf("no /Root in the trailer")
        self.root = int(root.group(1))

    def object(self, number: int) -> tuple[bytes, bytes | None]:
        """The object's dictionary (or other value) and its stream data, if it has one."""
        offset = self.offsets.get(number)
        header = b"%d 0 obj" % number
        if offset is None or not self.data.startswith(header, offset):
            raise UnexpectedPdf(f"object {number} is not where the cross-reference table says")
        start = offset + len(header)
        while self.data[start] in b" \r\n":
            start += 1
        if not self.data.startswith(b"<<", start):
            return self.data[start : self.data.index(b"endobj", start)].strip(), None
        end = _value_end(self.data, start)
        value = self.data[start:end]
        after = end
        while self.data[after] in b" \r\n":
            after += 1
        if not self.data.startswith(b"stream", after):
            return value, None
        length = _LENGTH.search(value)
        if length is None:
            raise UnexpectedPdf(f"object {number} has no direct /Length")
        begin = after + 6
        begin += 2 if self.data.startswith(b"\r\n", begin) else 1
        stream = self.data[begin : begin + int(length.group(1))]
        if not self.data[begin + len(stream) : begin + len(stream) + 12].lstrip().startswith(b"endstream"):
            raise UnexpectedPdf(f"object {number}: the stream is not as long as /Length says")
        return value, stream

    def refs(self, value: bytes) -> list[int]:
        return [int(number) for number in _REF.findall(value)]


class _Writer:
    """The output file: object numbers, offsets and the objects already written (by content)."""

    def __init__(self) -> None:
        self.offset = 0
        self.offsets = array("Q", [0, 0, 0, 0])  # 0 is the free entry; 1–3 are written at known places
        self.written: dict[bytes, int] = {}
        self.pending: list[bytes] = []

    def emit(self, data: bytes) -> None:
        self.pending.append(data)
        self.offset += len(data)

    def take(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        return data

    def put(self, body: bytes, *, number: int | None = None, shared: bool = True) -> int:
        """Write an object (the bytes between ``obj`` and ``endobj``); the same bytes again give the same number."""
        key = hashlib.blake2b(body, digest_size=16).digest() if shared else b""
        if shared and key in self.written:
            return self.written[key]
        if number is None:
            number = len(self.offsets)
            self.offsets.append(0)
        self.offsets[number] = self.offset
        self.emit(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        if shared:
            self.written[key] = number
        return number


def _stream_body(value: bytes, stream: bytes | None) -> bytes:
    return value if stream is None else value + b"\nstream\n" + stream + b"\nendstream"


def _tag(stream: bytes) -> bytes:
    """A subset tag (six capital letters) from the font program: different programs get different names."""
    return bytes(65 + b % 26 for b in hashlib.blake2b(stream, digest_size=6).digest())


class _Copy:
    """Copies the pages of one source PDF into the writer, renumbering everything they use."""

    def __init__(self, source: _Source, writer: _Writer) -> None:
        self.source = source
        self.writer = writer
        self.numbers: dict[int, int] = {}
        self.tags: dict[int, bytes | None] = {}
        self.busy: set[int] = set()

    def font_tag(self, number: int) -> bytes | None:
        """The subset tag for a font or font descriptor, from the font program it leads to."""
        if number not in self.tags:
            self.tags[number] = None  # also guards against a loop
            value, _ = self.source.object(number)
            program = _FONT_FILE.search(value)
            if program is not None:
                _, stream = self.source.object(int(program.group(1)))
                self.tags[number] = None if stream is None else _tag(stream)
            else:
                for link in _FONT_LINKS:
                    found = link.search(value)
                    if found is not None:
                        self.tags[number] = self.font_tag(int(found.group(1)))
                        break
        return self.tags[number]

    def renumber(self, value: bytes) -> bytes:
        if _OTHER_GENERATION.search(value):
            raise UnexpectedPdf("references to generations other than 0")
        return _REF.sub(lambda m: b"%d 0 R" % self.copy(int(m.group(1))), value)

    def copy(self, number: int) -> int:
        if number in self.numbers:
            return self.numbers[number]
        if number in self.busy:
            raise UnexpectedPdf(f"object {number} refers back to itself")
        self.busy.add(number)
        value, stream = self.source.object(number)
        value = self.renumber(value)
        if _SUBSET_NAME.search(value):
            tag = self.font_tag(number)
            if tag is not None:
                value = _SUBSET_NAME.sub(b"/" + tag + b"+", value)
        self.numbers[number] = self.writer.put(_stream_body(value, stream))
        self.busy.discard(number)
        return self.numbers[number]

    def pages(self) -> list[int]:
        """Copy every page (in order); returns their new numbers."""
        catalog, _ = self.source.object(self.source.root)
        pages_ref = re.search(rb"/Pages\s+(\d+)\s+0\s+R", catalog)
        if pages_ref is None:
            raise UnexpectedPdf("the catalog has no /Pages")
        tree, _ = self.source.object(int(pages_ref.group(1)))
        media_box = re.search(rb"/MediaBox\s*\[[^\]]*\]", tree)
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", tree)
        if kids is None:
            raise UnexpectedPdf("the page tree has no /Kids")
        copied = []
        for page in self.source.refs(kids.group(1)):
            value, _ = self.source.object(page)
            if not re.search(rb"/Type\s*/Page(?![s\w])", value):
                raise UnexpectedPdf("only a flat page tree is expected")
            value = self.renumber(_PARENT.sub(b"", value))
            extra = b"/Parent %d 0 R\n" % _ROOT_NUMBER
            if media_box is not None and b"/MediaBox" not in value:
                extra += media_box.group(0) + b"\n"
            copied.append(self.writer.put(value[:-2].rstrip() + b"\n" + extra + b">>", shared=False))
        return copied

    def output_intents(self) -> bytes | None:
        """The catalog's /OutputIntents array, with the ICC profile it names copied."""
        catalog, _ = self.source.object(self.source.root)
        at = catalog.find(b"/OutputIntents")
        if at < 0:
            return None
        start = catalog.index(b"[", at)
        return self.renumber(catalog[start : _value_end(catalog, start)])


def _metadata(title: str, created: datetime) -> bytes:
    # With fpdf2 (about 35 MiB): loaded by the first print PDF, not by every web worker at start-up.
    from lms.certificates.pdf import document_xmp

    xmp = document_xmp(title=title, created=created).encode("utf-8")
    return b"<< /Length %d /Subtype /XML /Type /Metadata >>\nstream\n" % len(xmp) + xmp + b"\nendstream"


def concatenate(documents: Iterable[bytes], *, title: str, created: datetime) -> Iterator[bytes]:
    """Yield one PDF with the pages of all ``documents`` in order, a chunk per document.

    ``documents`` must not be empty (the caller prints a page saying there is nothing to print instead).
    """
    writer = _Writer()
    writer.emit(b"%PDF-1.7\n%\xe9\xeb\xf1\xbf\n")
    writer.put(_metadata(title, created), number=_METADATA_NUMBER, shared=False)
    kids: list[int] = []
    intents: bytes | None = None
    for data in documents:
        try:
            copy = _Copy(_Source(data), writer)
            kids.extend(copy.pages())
            if intents is None:
                intents = copy.output_intents()
        except IndexError as error:
            raise UnexpectedPdf("a stored PDF ends too early") from error
        yield writer.take()
    if not kids:
        raise ValueError("nothing to concatenate")
    writer.put(
        b"<< /Count %d /Kids [%s] /Type /Pages >>" % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)),
        number=_ROOT_NUMBER,
        shared=False,
    )
    catalog = b"<< /Lang (de-DE) /Metadata %d 0 R " % _METADATA_NUMBER
    if intents is not None:
        catalog += b"/OutputIntents " + intents + b" "
    catalog += b"/PageLayout /OneColumn /Pages %d 0 R /Type /Catalog >>" % _ROOT_NUMBER
    writer.put(catalog, number=_CATALOG_NUMBER, shared=False)
    identity = hashlib.sha256(f"print:{title}:{created.astimezone(UTC).isoformat()}".encode()).hexdigest()
    file_id = identity[:32].upper().encode()
    start = writer.offset
    size = len(writer.offsets)
    writer.emit(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    writer.emit(b"".join(b"%010d 00000 n \n" % offset for offset in writer.offsets[1:]))
    writer.emit(
        b"trailer\n<< /Size %d /Root %d 0 R /ID [<%s><%s>] >>\nstartxref\n%d\n%%%%EOF\n"
        % (size, _CATALOG_NUMBER, file_id, file_id, start)
    )
    yield writer.take()
