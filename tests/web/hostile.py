"""Hostile names for every user-entered field, and the checks that no page, export or PDF turns them into markup.

Every hostile value carries a field code ``HX-<code>-`` right after its (spreadsheet) formula prefix, so a crawl can
tell which fields it has seen on which page, and a report can say which fields were covered.

Used by tests/web/test_hostile_crawl.py (Flask test client) and tests/e2e/test_hostile_names.py (Chromium).
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
    return f"HX-{name}-"


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
MARKER = re.compile(r"HX-([a-z0-9]+)-", re.IGNORECASE)
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
    findings.saw(where, squeeze(text).replace("HX-", " HX-"))
    # Where a field is printed, its payload is printed literally, as text: right after the marker comes the first
    # markup payload (or nothing, where the field was cut to its length).
    flat = squeeze(text)
    for name in MARKER.findall(flat):
        after = flat.split(f"HX-{name}-", 1)[1]
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


# --- the world: one municipality where every field someone types carries a payload -----------------------------

PASSWORD = "richtig-langes-passwort-für-tests"
#: Fields that no page shows as typed, by design (the reason is in the description).
UNSEEN_BY_DESIGN = {
    "ua": "the devices list shows only browser and system recognised in the User-Agent, never the header itself",
    "zipname": "an uploaded archive's own name is kept only as the audit event's object id, which no page lists",
}


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def module_source(
    slug: str, *, kind: str = "training", version: str = "1.0", n: int = 0, bad_links: bool = False
) -> str:
    """A module whose every field carries payloads; ``bad_links`` adds javascript:/data: links (refused at publish)."""
    title = hostile("mtitle", "module title (front matter)", n)
    summary = hostile("msummary", "module summary (front matter)", n + 1, long=True, limit=400)
    audience = hostile("maudience", "module audience (front matter)", n + 2)
    objective = hostile("mobjective", "module objective (front matter)", n + 3)
    materials = (
        f"materials:\n  - {_yaml(hostile('mmaterial', 'workshop materials (front matter)', n))}\n"
        if kind == "workshop"
        else ""
    )
    phase = " (20 Min.)" if kind == "workshop" else ""
    sections = [
        hostile("msection", "section title (## heading)", n, limit=150) + phase,
        f"Zweiter Abschnitt {code('mheading', 'section title (## heading)')} {SCRIPT}{phase}",
        f"Dritter Abschnitt {JINJA}{phase}",
    ]
    body = (
        f"{code('mbody', 'module text (Markdown body)')} Roher Text: {IMG} {SCRIPT} {META} {JINJA} {JINJA_CONFIG}\n\n"
        f'<a href="{JS_LINK}">roher Link</a> und <script>alert(1)</script>\n\n'
        + (
            f"[Markdown-Link]({JS_LINK}) und <{JS_LINK}> und [daten](data:text/html,<script>alert(1)</script>)\n\n"
            if bad_links
            else ""
        )
        + f"::: hinweis\n{IMG} im Hinweis\n:::\n"
    )
    moderation = (
        f"\n::: moderation\n{code('mmoderation', 'moderation notes')} {IMG}\n:::\n"
        if kind == "workshop"
        else ""
    )
    return (
        "---\n"
        f"slug: {slug}\n"
        f"title: {_yaml(title)}\n"
        f"kind: {kind}\n"
        f'version: "{version}"\n'
        f"summary: {_yaml(summary)}\n"
        f"duration_minutes: {60 if kind == 'workshop' else 30}\n"
        f"audience: {_yaml(audience)}\n"
        f"objectives:\n  - {_yaml(objective)}\n"
        f"{materials}"
        "language: de\n"
        "---\n\n"
        f"{body}\n"
        f"## {sections[0]}\n\n{IMG} Text im ersten Abschnitt.{moderation}\n\n"
        f"## {sections[1]}\n\n`{SCRIPT}` als Code und {META}\n\n"
        f"## {sections[2]}\n\n| Spalte {IMG} |\n|---|\n| {SCRIPT} |\n"
    )


def draft_source(slug: str, version: str, n: int) -> str:
    """An unpublishable draft: its title (the draft's label in lists) and javascript:/data: links."""
    source = module_source(slug, version=version, n=n, bad_links=True)
    marker = code("draft", "draft label (title of an open draft)")
    return source.replace(code("mtitle", "module title (front matter)"), marker) + f"\n{IMG}\n"


def quiz_source(module: str) -> str:
    """Six single-choice questions, a text input and an ordering question, each with payloads everywhere."""
    questions = []
    for n in range(1, 7):
        title = hostile("qtitle", "quiz question (## heading)", n, limit=150)
        option = hostile("qoption", "quiz answer option", n, limit=150)
        explanation = f"{code('qexplain', 'quiz explanation')} {IMG} {SCRIPT} {JINJA}"
        questions.append(
            f"## {title} Frage {n}\n\n{code('qstem', 'quiz question text')} {IMG}\n\n"
            f"[( )] falsch {n} {SCRIPT}\n[(X)] {option}\n[( )] {JINJA} auch falsch {n}\n"
            f"***\n{explanation}\n***\n"
        )
    accepted = f"{code('qaccepted', 'accepted text answer')} {SCRIPT}"
    questions.append(f"## Texteingabe {IMG}\n\n[[{accepted} | {JINJA}]]\n***\nErklärung {META}\n***\n")
    steps = "\n".join(
        f"[[{p}]] {code('qstep', 'ordering step')} Schritt {p} {IMG if p == 1 else SCRIPT}" for p in (1, 2, 3)
    )
    questions.append(f"## Reihenfolge {SCRIPT}\n\n{steps}\n***\nErklärung {IMG}\n***\n")
    return (
        f"---\nmodule: {module}\npass_mark: 50\nshuffle: false\nmax_attempts: 0\n"
        "review: {correctness: always, right_answer: always, explanation: always}\n---\n\n"
        + "\n".join(questions)
    )


def png_bytes(red: int = 200) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (red, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class World:
    """The hostile municipality's people and objects, and what the URLs need."""

    people: dict[str, Any]
    args: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)


#: The people of the hostile municipality (and the programme-wide roles), with their roles.
PEOPLE = {
    "learner": ("LEARNER",),
    "coordinator": ("COORDINATOR", "LEARNER"),
    "facilitator": ("FACILITATOR", "LEARNER"),
    "trainer": ("TRAINER",),
    "admin": ("ADMIN",),
}
#: Local parts of e-mail addresses, as far as the staff list's address check lets them through.
MAIL_LOCAL_PARTS = {
    "learner": "=hyperlink(1)+hx-mail-{{7*7}}",
    "coordinator": "+sum(1)'onmouseover=alert(1)'",
    "facilitator": "-1+1javascript:alert(1)",
    "trainer": "@cmd",  # becomes "@cmd@…": two @, refused by the import, accepted by the account service
    "admin": "=1+1{{config}}",
}


def build_world(db: Any, *, base_url: str = "http://lms.example", with_passwords: bool = False) -> World:
    """Everything that services store; what people type into forms is added by the tests through the forms."""
    from datetime import timedelta

    from sqlalchemy import select

    from lms import time as clock
    from lms.auth.models import Role
    from lms.auth.services import create_api_token, create_user
    from lms.authoring.drafts import draft_for_module, publish_draft, save_draft
    from lms.authoring.publishing import publish_module, publish_quiz
    from lms.authoring.uploads import store_image
    from lms.certificates.services import issue_for_completion, revoke_certificate
    from lms.content.models import ChangeKind
    from lms.content.modules import parse_module
    from lms.content.services.lifecycle import retire_version
    from lms.orgs.facilitators import grant_facilitator
    from lms.orgs.models import Municipality, OrgUnit, ProgrammePeriod
    from lms.orgs.periods import current_period
    from lms.orgs.plans import add_to_plan
    from lms.progress.models import Completion
    from lms.quizzes.parse import parse_quiz
    from lms.quizzes.services import start_attempt, submit_attempt
    from lms.workshops.codes import issue_codes, redeem_code
    from lms.workshops.models import SessionKind
    from lms.workshops.services import SessionInput, record_training, record_workshop, withdraw_session

    town = Municipality(slug="feindliche-kommune", name=hostile("municipality", "municipality name", 0))
    db.add(town)
    db.flush()
    unit = OrgUnit(municipality_id=town.id, name=hostile("orgunit", "org unit name", 1))
    db.add(unit)
    db.flush()
    people = {}
    for n, (key, roles) in enumerate(PEOPLE.items()):
        local = MAIL_LOCAL_PARTS[key]
        person = create_user(
            db,
            email=f"{local}@{key}.hostile.example",
            display_name=hostile(key, f"display name ({key})", n, long=key == "learner"),
            password=PASSWORD if with_passwords else None,
            roles={Role[r] for r in roles if r != "FACILITATOR"},
            municipality_id=town.id if key in {"learner", "coordinator", "facilitator"} else None,
        )
        person.personnel_number = hostile("pnr", "personnel number", n, limit=50)[:50]
        person.org_unit_id = unit.id if key in {"learner", "coordinator", "facilitator"} else None
        people[key] = person
    code("mail", "e-mail address (local part)")
    db.flush()
    # The programme office names the facilitator, with a reason (audited, shown in the roles log).
    grant_facilitator(
        db, people["admin"], people["facilitator"], hostile("grant", "facilitator grant reason", 2)
    )

    # Content: a training module, its quiz, a workshop script, all full of payloads; a second version with a note.
    slug, script_slug = "feindliches-modul", "feindliches-drehbuch"
    doc = parse_module(module_source(slug), f"modules/{slug}.md")
    module, problem = publish_module(db, doc, path=f"modules/{slug}.md", actor_id=people["trainer"].id)
    assert problem is None and module is not None, problem
    quiz, problem = publish_quiz(
        db,
        parse_quiz(quiz_source(slug), f"quizzes/{slug}.md"),
        path=f"quizzes/{slug}.md",
        actor_id=people["trainer"].id,
        change_note=hostile("qnote", "quiz change note", 3, limit=2000),
    )
    assert problem is None and quiz is not None, problem
    draft = draft_for_module(db, people["trainer"], module.module)
    save_draft(db, people["trainer"], draft, module_source(slug, version="1.1", n=1), draft.revision)
    module = publish_draft(
        db,
        people["trainer"],
        draft,
        change_kind=ChangeKind.MATERIAL,
        change_note=hostile("mnote", "module change note", 4, limit=2000),
    )
    old_version = module.module.versions[0]
    retire_version(db, people["trainer"], old_version, hostile("retire", "reason for retiring a version", 5))
    script_doc = parse_module(module_source(script_slug, kind="workshop"), f"modules/{script_slug}.md")
    script, problem = publish_module(
        db, script_doc, path=f"modules/{script_slug}.md", actor_id=people["trainer"].id
    )
    assert problem is None and script is not None, problem
    # An open draft whose label comes from its (hostile) title.
    open_draft = draft_for_module(db, people["trainer"], module.module)
    save_draft(db, people["trainer"], open_draft, draft_source(slug, "1.2", 2), open_draft.revision)
    media = store_image(
        db, people["trainer"], hostile_filename("image", "uploaded image file name", "png"), png_bytes()
    )

    # The learner passes the quiz with a hostile text answer; an in-person completion for the coordinator.
    attempt = start_attempt(db, people["learner"], module.module, module)
    answers: dict[str, Any] = {}
    for question in attempt.quiz_version.questions:
        key = question["key"]
        if question["type"] == "text_input":
            answers[key] = hostile("qanswer", "learner's text answer", 0, limit=200)
        elif question["type"] == "ordering":
            answers[key] = [f"{s['id']}:{s['position']}" for s in question["definition"]["steps"]]
        else:
            answers[key] = [o["id"] for o in question["definition"]["options"] if o["correct"]]
    completion = submit_attempt(db, people["learner"], attempt, answers)
    assert completion is not None
    db.flush()
    certificate = issue_for_completion(db, completion, actor_id=people["learner"].id, base_url=base_url)
    # The facilitator (also a learner) has an attempt open: the form with every option.
    open_attempt = start_attempt(db, people["facilitator"], module.module, module)
    token, secret = create_api_token(db, people["learner"], hostile("token", "API token name", 3, limit=100))
    # A second learner's certificate, revoked by the programme office with a hostile reason.
    other = create_user(
        db,
        email="zweite.person@hostile.example",
        display_name=hostile("holder", "certificate holder (revoked)", 5),
        password=None,
        roles={Role.LEARNER},
        municipality_id=town.id,
    )
    other_completion = Completion(
        user_id=other.id,
        module_id=module.module_id,
        module_version_id=module.id,
        mode="online",
        completed_at=clock.now(),
    )
    db.add(other_completion)
    db.flush()
    revoked = issue_for_completion(db, other_completion, actor_id=other.id, base_url=base_url)
    revoke_certificate(
        db, revoked, actor=people["admin"], reason=hostile("revoke", "revocation reason", 2, limit=1000)
    )
    # A very long name in letters of two bytes each (within the certificate font's Latin range).
    long_name = (code("longname", "a 200-character name in Polish letters") + " Żółć-Łęcka Ślązakówna" * 12)[
        :200
    ]
    long_person = create_user(
        db,
        email="lange.name@hostile.example",
        display_name=long_name,
        password=None,
        roles={Role.LEARNER},
        municipality_id=town.id,
    )
    long_completion = Completion(
        user_id=long_person.id,
        module_id=module.module_id,
        module_version_id=module.id,
        mode="online",
        completed_at=clock.now(),
    )
    db.add(long_completion)
    db.flush()
    issue_for_completion(db, long_completion, actor_id=long_person.id, base_url=base_url)

    # The current period, its plan and the sessions held in it.
    period = current_period(db) or db.scalars(select(ProgrammePeriod)).first()
    assert period is not None
    held_on = max(period.starts_on, min(clock.today(), period.ends_on) - timedelta(days=1))
    [line] = add_to_plan(db, people["coordinator"], town, period, module.module_id, [unit.id], period.ends_on)
    workshop = record_workshop(
        db,
        people["facilitator"],
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place=hostile("place", "workshop place", 0),
            facilitator_ids=frozenset({people["facilitator"].id}),
            external_facilitators=hostile("external", "external facilitators", 1, limit=300),
            participant_count=7,
            attendee_names="\n".join(
                hostile("attendee", "participant names (workshop)", n, limit=200) for n in range(3)
            ),
        ),
    ).session
    withdrawn = record_workshop(
        db,
        people["facilitator"],
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place=hostile("place2", "workshop place (withdrawn one)", 2),
            facilitator_ids=frozenset({people["facilitator"].id}),
            participant_count=5,
        ),
    ).session
    withdraw_session(
        db, people["facilitator"], withdrawn, hostile("withdraw", "withdraw reason", 3, limit=300)
    )
    training = record_training(
        db,
        people["coordinator"],
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=held_on,
            place=hostile("trainingplace", "training place", 4),
            external_facilitators=hostile("trainer2", "external trainer (training)", 5, limit=300),
            attendees=[people["coordinator"].email],
        ),
    ).session
    codes = issue_codes(db, people["facilitator"], workshop)
    participation = redeem_code(db, people["learner"], codes[0], base_url=base_url)
    db.flush()
    args = {
        "draft_id": open_draft.id,
        "version_id": module.id,
        "number": quiz.number,
        "sha256": media.sha256,
        "extension": media.extension,
        "completion_id": completion.id,
        "code": certificate.code,
        "year": completion.completed_at.astimezone(clock.BERLIN).year,
        "attempt_id": attempt.id,
        "token_id": token.id,
        "user_id": people["learner"].id,
        "assignment_id": line.id,
        "session_id": workshop.id,
        "period_id": period.id,
        "position": 1,
        "fmt": "csv",
        "action": "deaktivieren",
        "kind": "workshop",
        "filename": "css/app.css",
        "municipality_slug": town.slug,
        "module_slug": module.module.slug,
    }
    facts = {
        "town": town,
        "period": period,
        "module": module,
        "script": script,
        "secret": secret,
        "revoked_code": revoked.code,
        "participation_code": participation.code,
        "withdrawn_id": withdrawn.id,
        "open_attempt_id": open_attempt.id,
        "draft_revision": open_draft.revision,
        "training_id": training.id,
        "unit": unit,
    }
    return World(people, args, facts)
