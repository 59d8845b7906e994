"""Hostile names for every user-entered field, and the checks that no page, export or PDF turns them into markup.

Every hostile value carries a field code ``UX-<code>-`` right after its (spreadsheet) formula prefix, so a crawl can
tell which fields it has seen on which page, and a report can say which fields were covered. The prefix holds a U,
which the alphabet of certificate and participation codes leaves out, so a random code never looks like a marker.

The world with these values is built by tests/web/hostile_world.py; used by tests/web/test_hostile_crawl.py (Flask
test client) and tests/e2e/test_hostile_names.py (Chromium).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# --- the payloads ---------------------------------------------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(1)</script>'
META = '<meta http-equiv="refresh" content="0;url=https://example.org">'
#: Rendered by a template engine, this would show ZZ49ZZ.
JINJA = "ZZ{{7*7}}ZZ"
#: Rendered by Jinja, this would print the app's configuration (its secret key among it).
JINJA_CONFIG = "{{config}}{%raw%}"
JS_LINK = "javascript:alert(1)"
RLO = "\u202e"
#: What starts a cell that Excel or LibreOffice would run as a formula.
FORMULAS = (
    '=HYPERLINK("https://example.org","x")',
    "+SUM(1)",
    "@cmd",
    "-1+1",
    "=1+1",
    "=cmd|' /C calc'!A0",
)

#: Field code → what it is (model column or form field). The crawl must see each of these somewhere.
FIELDS: dict[str, str] = {}


def code(name: str, description: str) -> str:
    """Register a field and return its marker."""
    assert re.fullmatch(r"[a-z0-9]+", name), name
    assert name not in FIELDS or FIELDS[name] == description, name
    FIELDS[name] = description
    return f"UX-{name}-"


def hostile(name: str, description: str, n: int = 0, *, limit: int = 200, long: bool = False) -> str:
    """A value for one field: a formula first, then the field code, then every markup payload that fits."""
    marker = code(name, description)
    formula = FORMULAS[n % len(FORMULAS)]
    payloads = [IMG, SCRIPT, JINJA, RLO + "ltr", JINJA_CONFIG, META, JS_LINK]
    value = f"{formula} {marker}"
    for payload in payloads[n % 2 :] + payloads[: n % 2]:
        if len(value) + 1 + len(payload) <= limit:
            value += " " + payload
    if long:
        value = (value + " " + "Überlänge-ÄÖÜß " * 60)[:limit].rstrip()  # 2 bytes a letter in UTF-8
    return value


def hostile_filename(name: str, description: str, extension: str) -> str:
    """A file name as a browser sends it: no quotes or slashes (those would end the name), the rest hostile."""
    return f"+SUM(1) {code(name, description)} {IMG} {JINJA} {JINJA_CONFIG} {RLO}ltr.{extension}"


#: Fields whose value has no markup payload after the marker (a long name in letters only).
WITHOUT_MARKUP = {"longname"}
MARKER = re.compile(r"UX-([a-z0-9]+)-", re.IGNORECASE)
#: The values the app's configuration would reveal if a Jinja probe were rendered (tests use this secret key).
SECRETS = ("test-secret", "SECRET_KEY", "<Config ")


# --- findings -------------------------------------------------------------------------------------------------


@dataclass
class Findings:
    """What the checks found, and which fields were seen where."""

    problems: list[str] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)
    checked: dict[str, int] = field(default_factory=dict)

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    #: Field code → the kinds of output it was seen in (html, csv, xlsx, pdf, json, mail, …).
    kinds: dict[str, set[str]] = field(default_factory=dict)
    _kind: str = ""

    def saw(self, where: str, text: str) -> None:
        for name in MARKER.findall(text):
            name = name.lower()
            self.seen.setdefault(name, set()).add(where)
            self.kinds.setdefault(name, set()).add(self._kind)

    def count(self, kind: str) -> None:
        """One more output of this kind checked; fields seen from now on are seen in this kind."""
        self.checked[kind] = self.checked.get(kind, 0) + 1
        self._kind = kind


# --- HTML -----------------------------------------------------------------------------------------------------


class _Markup(HTMLParser):
    """Elements and attributes that only a payload could have brought in (the app's templates have none)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.text: list[str] = []
        self.attribute_values: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}=…> (event handler attribute)")
            if value is not None:
                self.attribute_values.append(value)
                if name in {"href", "src", "action", "formaction", "data"} and re.match(
                    r"\s*javascript:", value, re.IGNORECASE
                ):
                    self.bad.append(f"<{tag} {name}={value!r}> (javascript: link)")
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            self.bad.append("<meta http-equiv=refresh> (navigation)")
        if tag == "script":
            self._in_script = True
        if tag in {"iframe", "object", "embed", "base"}:
            self.bad.append(f"<{tag}> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(1)" in data:
            self.bad.append("<script> with alert(1) (inline script from data)")
        if not self._in_script:
            self.text.append(data)


def check_html(where: str, body: str, findings: Findings) -> None:
    """No payload became markup; Jinja probes stay text; fields seen on the page are noted."""
    findings.count("html")
    check_markup(where, body, findings)


def check_markup(where: str, body: str, findings: Findings) -> None:
    """An HTML page or fragment: no markup from data, no rendered template."""
    parser = _Markup()
    parser.feed(body)
    parser.close()
    for bad in parser.bad:
        findings.add(where, bad)
    for raw in (IMG, "<script>alert(1)", "<meta http-equiv"):
        if raw in body:
            findings.add(where, f"unescaped {raw!r}")
    text = "".join(parser.text)
    _check_text(where, text + " ".join(parser.attribute_values), findings)
    findings.saw(where, text + " " + " ".join(parser.attribute_values))


def _check_text(where: str, text: str, findings: Findings) -> None:
    if "ZZ49ZZ" in text:
        findings.add(where, "{{7*7}} was rendered as 49 (template injection)")
    for secret in SECRETS:
        if secret in text:
            findings.add(where, f"{secret!r} in the output (a Jinja probe was rendered)")


# --- spreadsheets, PDFs, JSON, mail ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?( ?%)?$")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _check_cell(where: str, value: str, findings: Findings) -> None:
    if value.startswith(_TRIGGERS) and not _NUMBER.match(value):
        findings.add(where, f"cell {value[:60]!r} would run as a formula")


def check_csv(where: str, data: bytes, findings: Findings) -> None:
    findings.count("csv")
    text = data.decode("utf-8-sig")
    _check_text(where, text, findings)
    findings.saw(where, text)
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for cell in row:
            _check_cell(where, cell, findings)


def check_xlsx(where: str, data: bytes, findings: Findings) -> None:
    from openpyxl import load_workbook

    findings.count("xlsx")
    book = load_workbook(io.BytesIO(data))  # formulas as written, not cached values
    for sheet in book.worksheets:
        findings.saw(where, sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    findings.add(where, f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                if cell.hyperlink is not None:
                    findings.add(where, f"{sheet.title}!{cell.coordinate} is a link")
                if isinstance(cell.value, str):
                    findings.saw(where, cell.value)
                    _check_text(where, cell.value, findings)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squeeze(text: str) -> str:
    """Text without any whitespace or bidi controls (a PDF wraps long names and may drop the controls)."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def check_pdf(where: str, data: bytes, findings: Findings) -> str:
    findings.count("pdf")
    if not data.startswith(b"%PDF"):
        findings.add(where, "not a PDF")
        return ""
    text = pdf_text(data)
    _check_text(where, text, findings)
    findings.saw(where, squeeze(text).replace("UX-", " UX-"))
    # Where a field is printed, its payload is printed literally, as text: right after the marker comes the first
    # markup payload (or nothing, where the field was cut to its length).
    flat = squeeze(text)
    for name in MARKER.findall(flat):
        after = flat.split(f"UX-{name}-", 1)[1]
        if (
            after
            and name not in WITHOUT_MARKUP
            and not after.startswith((squeeze(IMG)[:9], squeeze(SCRIPT)[:9]))
        ):
            findings.add(where, f"field {name}: not printed literally: {after[:60]!r}")
    return text


def check_json(where: str, data: bytes, findings: Findings) -> None:
    findings.count("json")
    document = json.loads(data)

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, str):
            findings.saw(where, value)
            _check_text(where, value, findings)
            # Fields named *html carry HTML sanitised at publish, and so does an ordering question's "expected"
            # (the OpenAPI document says so); all others are plain text.
            if key.endswith("html") or key == "expected":
                check_markup(
                    f"{where} ({key})", value, findings
                )  # the editor puts *_html into the page as is
            elif re.search(r"&(lt|gt|quot|amp|#\d+);", value):
                findings.add(
                    where, f"{key}: HTML-escaped text in JSON (should be the plain string): {value[:60]!r}"
                )
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, str(name))
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk(document)


def check_zip(where: str, data: bytes, findings: Findings) -> None:
    findings.count("zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if ".." in info.filename or info.filename.startswith("/"):
                findings.add(where, f"unsafe path in the archive: {info.filename!r}")
            if any(len(part.encode()) > 255 for part in info.filename.split("/")):
                # Longer names cannot be unpacked on ext4 or NTFS („File name too long“).
                findings.add(where, f"a file name in the archive is over 255 bytes: {info.filename[:60]!r}…")
            content = archive.read(info)
            inner = f"{where}!{info.filename}"
            check_download(inner, _guess_type(info.filename), content, findings)


def _guess_type(name: str) -> str:
    return {
        ".csv": "text/csv",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".json": "application/json",
        ".md": "text/markdown",
        ".html": "text/html",
    }.get(name[name.rfind(".") :].lower(), "application/octet-stream")


def check_download(where: str, content_type: str, data: bytes, findings: Findings) -> None:
    """Check a response body by its type."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/html":
        check_html(where, data.decode("utf-8"), findings)
    elif kind == "text/csv":
        check_csv(where, data, findings)
    elif kind.endswith("spreadsheetml.sheet"):
        check_xlsx(where, data, findings)
    elif kind == "application/pdf":
        check_pdf(where, data, findings)
    elif kind == "application/json":
        check_json(where, data, findings)
    elif kind == "application/zip":
        check_zip(where, data, findings)
    elif kind.startswith("text/"):
        findings.count("text")
        text = data.decode("utf-8", errors="replace")
        _check_text(where, text, findings)
        findings.saw(where, text)


def check_mail(where: str, raw: bytes, findings: Findings) -> None:
    """A mail from the outbox: plain text (no HTML part), or HTML with the names escaped."""
    from email import policy
    from email.parser import BytesParser

    findings.count("mail")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    for header in ("Subject", "To", "From"):
        value = str(message.get(header, ""))
        if "\n" in value or "\r" in value:
            findings.add(where, f"line break in the {header} header")
    for part in message.walk():
        if part.is_multipart():
            continue
        body = part.get_content()
        if part.get_content_type() == "text/html":
            check_html(where, body, findings)
        else:
            _check_text(where, body, findings)
            findings.saw(where, body)


def missing_fields(findings: Findings, unseen_by_design: Iterable[str] = ()) -> list[str]:
    expected = set(FIELDS) - set(unseen_by_design)
    return sorted(expected - set(findings.seen))
