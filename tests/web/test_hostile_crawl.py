"""A crawl through a municipality whose every user-entered field holds a hostile name (issue 10 §5).

Payloads (tests/web/hostile.py): ``<img src=x onerror=…>``, ``<meta http-equiv="refresh" …>``, ``"><script>…``,
Jinja probes (``ZZ{{7*7}}ZZ``, ``{{config}}``), formula starts (``=HYPERLINK(…)``, ``+SUM(1)``, ``@cmd``, ``-1+1``),
``javascript:`` links, a right-to-left override and over-long text. The services store what they store; what people
type into forms (staff list, period, token, uploads, reasons) goes through the forms. Then every person — learner,
coordinator, facilitator, trainer, programme office, and a visitor — opens every GET route of the URL map with the
hostile objects' ids, follows the links on each page, and each answer is checked by its type: HTML (no markup from
data, Jinja probes stay text), CSV (formula starts neutralised), XLSX (no formulas or links), PDF (the names printed
literally), JSON (plain strings), ZIP (its files), and the mails in the outbox.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.invitations import create_invitations
from tests import factories as f
from tests.web import hostile, hostile_world
from tests.web.test_access_matrix import ROUTES, log_in_directly

ROLES = ("anonymous", "learner", "coordinator", "facilitator", "trainer", "admin")
#: The programme office sees the most pages: it crawls a second time in English (other catalogue, same escaping).
ENGLISH = "admin"
#: A User-Agent header is Latin-1 on the wire: the payloads without the right-to-left override.
HOSTILE_AGENT = (
    f"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 {hostile.code('ua', 'User-Agent of a login (devices list)')} "
    f"{hostile.IMG} {hostile.SCRIPT} {hostile.JINJA} {hostile.META}"
)
#: Pages per person at most (the links of the staff list, history and the like multiply).
MAX_PAGES = 400
#: Query-string variants of one path the crawl follows (sorting, paging and filters of one list).
MAX_VARIANTS = 6
#: Every query parameter a view reads (request.args and query_int in lms/), for the reflected-input pass.
QUERY_PARAMETERS = (
    "art",
    "code",
    "email",
    "fassung",
    "neu",
    "next",
    "person",
    "status",
    "suche",
    "versuche",
    "einheit",
    "version",
    "zeitraum",
    "seite",
    "a",
    "b",
)
REFLECTED = f"{hostile.IMG}{hostile.SCRIPT}{hostile.META}{hostile.JINJA}{hostile.JINJA_CONFIG}"
#: A visit to these would end the crawl's own session or are not pages.
SKIP_PREFIXES = ("/static/", "/abmelden")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "form" and (values.get("method") or "get").lower() == "get" and values.get("action"):
            self.links.append(values["action"] or "")


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def start_paths(args: dict[str, Any]) -> list[str]:
    """Every GET route of the URL map with the hostile objects' ids (each choice of an ``any(…)`` part)."""
    paths = []
    for endpoint, rule, method in ROUTES:
        if method != "GET" or endpoint == "static":
            continue
        values = dict(args)
        values["slug"] = (
            args["municipality_slug"]
            if endpoint.split(".")[0] in {"reports", "orgs", "certificates", "programme", "jobs"}
            else args["module_slug"]
        )
        variants = [rule]
        for part in re.findall(r"<[^>]+>", rule):
            spec = part[1:-1]
            choices = re.match(r"any\(([^)]*)\):(\w+)", spec)
            if choices:
                options = [o.strip() for o in choices.group(1).split(",")]
                variants = [v.replace(part, o) for v in variants for o in options]
            else:
                name = spec.split(":")[-1]
                variants = [v.replace(part, str(values[name])) for v in variants]
        paths.extend(variants)
    return paths


def _post(client, path: str, data: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    token = f.csrf_token(client, "/anmelden")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def enter_through_forms(
    app, world: hostile_world.World, clients: dict[str, Any], findings: hostile.Findings
) -> None:  # type: ignore[no-untyped-def]
    """What people type into the forms: each answer is checked like a crawled page."""
    import io

    town = world.facts["town"]
    slug = town.slug
    period = world.facts["period"]

    def check(role: str, what: str, response) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code < 500, f"{role} {what}: {response.status_code}"
        hostile.check_download(f"{role} POST {what}", response.content_type, response.get_data(), findings)

    def _printable(name: str) -> str:
        """Names lose the right-to-left override: a row with it is refused (tests/web/test_staff_import.py)."""
        return name.replace(hostile.RLO, "")

    # The coordinator uploads the staff list (names, first and last names, org units, personnel numbers, a bad row).
    rows = [
        ["E-Mail", "Vorname", "Nachname", "Organisationseinheit", "Personalnummer"],
        [
            "=hyperlink-2+{{7*7}}@hostile.example",  # as far as email-validator lets a formula through
            _printable(hostile.hostile("first", "first name (staff list)", 1, limit=90)),
            _printable(hostile.hostile("last", "last name (staff list)", 2, limit=90)),
            hostile.hostile("importunit", "org unit (staff list)", 3),
            hostile.hostile("importpnr", "personnel number (staff list)", 4, limit=50),
        ],
        [
            "-1+1javascript-alert-1@hostile.example",
            _printable(hostile.hostile("staffname", "name of a new person (staff list)", 5)),
            "",
            hostile.hostile("importunit", "org unit (staff list)", 0),
            "",
        ],
        [
            # Refused: the problem names the address as it was typed.
            f"{hostile.code('badrow', 'a refused address of the staff list (problem text)')}{hostile.IMG}@bad",
            _printable(hostile.hostile("staffname", "name of a new person (staff list)", 1)),
            "",
            "Amt",
            "",
        ],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    content = buffer.getvalue().encode("utf-8")
    filename = hostile.hostile_filename("listname", "file name of the staff list", "csv")
    coordinator = clients["coordinator"]
    response = _post(
        coordinator,
        f"/kommunen/{slug}/beschaeftigte/import",
        {"file": (io.BytesIO(content), filename), "send_invitations": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    preview = response.headers["Location"]
    check("coordinator", "staff list preview", coordinator.get(preview))
    response = _post(coordinator, preview + "/anwenden", {"skip_invalid": "y"})
    assert response.status_code == 303
    world.args["import_id"] = int(preview.rstrip("/").rsplit("/", 1)[1])

    # The programme office renames the current period (the sheet name of the exports starts with it).
    admin = clients["admin"]
    # Its first 20 characters end in an apostrophe, as does the sheet name „Abschlüsse <label>“ cut to 31 characters.
    label = "=cmd|' /C calc'!A01' " + hostile.hostile("period", "programme period label", 1, limit=79)
    response = _post(
        admin,
        f"/programmbuero/zeitraeume/{period.id}",
        {
            "label": label,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "min_training_modules": "1",
            "min_staff_per_module": "1",
            "min_workshops": "1",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]

    # The learner names a new API token.
    learner = clients["learner"]
    response = _post(
        learner,
        "/profil",
        {"name": hostile.hostile("token2", "API token name (form)", 4, limit=100), "days": "30"},
    )
    assert response.status_code == 200
    check("learner", "new token", response)

    # The trainer uploads a Markdown file and an image under hostile names, and previews the draft.
    trainer = clients["trainer"]
    upload_name = hostile.hostile_filename("upload", "uploaded Markdown file name", "md")
    source = hostile_world.module_source("hochgeladenes-modul", n=3)
    response = _post(
        trainer,
        "/inhalte/hochladen",
        {"file": (io.BytesIO(source.encode()), upload_name)},
        content_type="multipart/form-data",
    )
    check("trainer", "upload", response)
    image_name = hostile.hostile_filename("image2", "uploaded image file name (form)", "png")
    response = _post(
        trainer,
        "/inhalte/bilder",
        {"file": (io.BytesIO(hostile_world.png_bytes(100)), image_name)},
        content_type="multipart/form-data",
    )
    check("trainer", "image upload", response)
    draft_id = world.args["draft_id"]
    draft_text = hostile_world.draft_source(world.args["module_slug"], "1.3", 4)
    response = _post(trainer, f"/inhalte/entwuerfe/{draft_id}/vorschau", {"source": draft_text})
    check("trainer", "draft preview", response)
    token = f.csrf_token(trainer, "/anmelden")
    for revision in (
        99,
        world.facts["draft_revision"],
    ):  # a conflict first (its message names a person), then saved
        response = trainer.post(
            f"/inhalte/entwuerfe/{draft_id}/automatisch",
            json={"source": draft_text + hostile.IMG, "revision": revision},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == (409 if revision == 99 else 200), response.get_data(as_text=True)[:500]
        check("trainer", f"autosave (revision {revision})", response)
    response = _post(trainer, f"/inhalte/{world.args['module_slug']}/vorschau/quiz", {})
    check("trainer", "quiz preview", response)

    # A ZIP with hostile member names becomes drafts, or problems naming them (a member in "../" is skipped).
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"../{hostile.IMG}.md", source)
        member = f"quizzes/{hostile.code('zipmember', 'file name inside an uploaded ZIP')}{hostile.IMG}.md"
        bundle.writestr(member, source)
        bundle.writestr(f"modules/{hostile.JINJA}{hostile.SCRIPT}.md", "kein Front-Matter " + hostile.IMG)
    response = _post(
        trainer,
        "/inhalte/hochladen",
        {
            "file": (
                io.BytesIO(archive.getvalue()),
                hostile.hostile_filename("zipname", "uploaded ZIP file name", "zip"),
            )
        },
        content_type="multipart/form-data",
    )
    check("trainer", "zip upload", response)

    # What people type into search and code fields comes back on the page.
    anonymous = clients["anonymous"]
    for what, path, data in [
        (
            "verify",
            "/verify",
            {"code": hostile.code("verifycode", "certificate code typed into /verify") + hostile.IMG},
        ),
        (
            "login",
            "/anmelden",
            {
                "email": hostile.code("loginmail", "address typed into the login form")
                + hostile.IMG
                + "@x.example",
                "password": "falsch",
            },
        ),
        (
            "forgot",
            "/passwort-vergessen",
            {
                "email": hostile.code("forgotmail", "address typed into „Passwort vergessen“")
                + "{{7*7}}@x.example"
            },
        ),
    ]:
        check("anonymous", what, _post(anonymous, path, data))
    redeem = {"code": hostile.code("redeem", "participation code typed in")[:40]}
    check("learner", "redeem", _post(learner, "/nachweise/einloesen", redeem))
    search = hostile.code("search", "search text of the staff list") + hostile.IMG
    check(
        "coordinator",
        "staff search",
        coordinator.get(f"/kommunen/{slug}/beschaeftigte", query_string={"suche": search}),
    )

    # The facilitator records a workshop through the form; the coordinator's training names unknown people.
    held_on = max(period.starts_on, min(clock.today(), period.ends_on) - timedelta(days=2)).isoformat()
    facilitator = clients["facilitator"]
    response = _post(
        facilitator,
        "/veranstaltungen/neu/workshop",
        {
            "municipality_id": str(town.id),
            "module_version_id": str(world.facts["script"].id),
            "held_on": held_on,
            "place": hostile.hostile("formplace", "workshop place (form)", 2),
            "facilitator_ids": str(world.people["facilitator"].id),
            "external_facilitators": hostile.hostile(
                "formexternal", "external facilitators (form)", 3, limit=300
            ),
            "participant_count": "9",
            "attendee_names": hostile.hostile("formattendee", "participant names (form)", 4)
            + "\n"
            + hostile.META,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    check("facilitator", "recorded workshop", facilitator.get(response.headers["Location"]))
    response = _post(
        coordinator,
        "/veranstaltungen/neu/schulung",
        {
            "municipality_id": str(town.id),
            "module_version_id": str(world.args["version_id"]),
            "held_on": held_on,
            "place": "Rathaus",
            "external_facilitators": "Extern",
            "attendees": f"{hostile.code('unknownattendee', 'an unknown attendee line (problem text)')}{hostile.IMG}",
        },
    )
    assert response.status_code == 400, response.status_code
    check("coordinator", "training with an unknown attendee", response)

    # The programme office sends a password link (mail); a visitor asks for one.
    response = admin.get(
        "/programmbuero/passwort-links", query_string={"email": world.people["learner"].email}
    )
    check("admin", "reset link search", response)
    response = _post(admin, "/programmbuero/passwort-links", {"user_id": str(world.people["learner"].id)})
    assert response.status_code == 303
    response = _post(
        clients["anonymous"], "/passwort-vergessen", {"email": world.people["coordinator"].email}
    )
    check("anonymous", "forgot password", response)

    # The facilitator prints a sheet of participation codes; the coordinator downloads the certificates.
    response = _post(clients["facilitator"], f"/veranstaltungen/{world.args['session_id']}/teilnahmecodes")
    check("facilitator", "codes sheet", response)
    today = clock.today()
    for fmt in ("zip", "pdf"):
        response = _post(
            coordinator,
            f"/kommunen/{slug}/zertifikate",
            {
                "starts_on": (today - timedelta(days=400)).isoformat(),
                "ends_on": (today + timedelta(days=1)).isoformat(),
                "format": fmt,
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        check("coordinator", f"certificate export ({fmt})", response)


def crawl(client, role: str, paths: list[str], findings: hostile.Findings, *, follow: bool = True) -> int:  # type: ignore[no-untyped-def]
    """Open the paths and every same-site link found on the way; returns how many pages were checked."""
    queue = deque(paths)
    visited: set[str] = set()
    variants: dict[str, int] = {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        if path in visited:
            continue
        base = path.split("?", 1)[0]
        if "?" in path:
            if variants.get(base, 0) >= MAX_VARIANTS:
                continue
            variants[base] = variants.get(base, 0) + 1
        visited.add(path)
        response = client.get(path)
        where = f"{role} GET {path}"
        if response.status_code >= 500:
            findings.add(where, f"status {response.status_code}")
            continue
        body = response.get_data()
        findings.count(f"pages:{role}")
        hostile.check_download(where, response.content_type, body, findings)
        disposition = response.headers.get("Content-Disposition", "")
        findings.saw(where, disposition)
        location = response.headers.get("Location")
        if location and (
            urlsplit(location).scheme not in ("", "http")
            or urlsplit(location).netloc not in ("", "localhost")
        ):
            findings.add(where, f"redirects away: {location[:80]!r}")
        if not follow:
            continue
        found = [location] if location else []
        if response.content_type.startswith("text/html"):
            found += links_of(body.decode("utf-8"))
        for link in found:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not target.startswith(SKIP_PREFIXES) and target not in visited:
                queue.append(target)
    return len(visited)


def test_no_hostile_name_becomes_markup_formula_or_crash(  # type: ignore[no-untyped-def]
    app, db: Session, outbox: Path
) -> None:
    world = hostile_world.build_world(db)
    [(_user, invitation, _row)] = create_invitations(db, [world.people["learner"]], actor_id=None, days=14)
    world.args["token"] = invitation
    db.commit()
    findings = hostile.Findings()
    clients = {}
    for role in ROLES:
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = HOSTILE_AGENT
        if role != "anonymous":
            log_in_directly(app, client, world.people[role])
        clients[role] = client
    enter_through_forms(app, world, clients, findings)

    paths = start_paths(world.args)
    extra = [
        f"/verify/{world.facts['revoked_code']}",
        f"/verwaltung/zertifikate/{world.facts['revoked_code']}",
        f"/zertifikate/{world.facts['participation_code']}.pdf",
        f"/veranstaltungen/{world.facts['withdrawn_id']}",
        f"/veranstaltungen/{world.facts['training_id']}",
        f"/versuche/{world.facts['open_attempt_id']}",
        "/programmbuero/rollen",
        f"/kommunen/{world.args['municipality_slug']}/beschaeftigte?status=all",
    ]
    pages = {role: crawl(clients[role], role, paths + extra, findings) for role in ROLES}
    english = app.test_client()
    english.environ_base.update(HTTP_USER_AGENT=HOSTILE_AGENT, HTTP_ACCEPT_LANGUAGE="en")
    log_in_directly(app, english, world.people[ENGLISH])
    pages[f"{ENGLISH} (en)"] = crawl(english, f"{ENGLISH}-en", paths + extra, findings)

    # Reflected input: every GET route once more with every query parameter the views read set to payloads.
    probe = {name: REFLECTED for name in QUERY_PARAMETERS}
    # Files (PDF, spreadsheets) read no text from the query; the pass is about pages.
    pages_only = [
        p for p in paths if not p.endswith((".pdf", ".csv", ".xlsx", ".zip", ".json", ".md", ".png"))
    ]
    probed = [f"{path}{'&' if '?' in path else '?'}{urlencode(probe)}" for path in pages_only]
    for role in ROLES:
        pages[f"{role} (query)"] = crawl(clients[role], f"{role}-query", probed, findings, follow=False)

    for mail in sorted(outbox.glob("*.eml")):
        hostile.check_mail(f"mail {mail.name}", mail.read_bytes(), findings)

    missing = hostile.missing_fields(findings, hostile_world.UNSEEN_BY_DESIGN)
    summary = (
        f"pages per person: {pages}; checked: {findings.checked}; "
        f"fields: {len(hostile.FIELDS)} ({len(findings.seen)} seen)"
    )
    print(summary)
    for name in sorted(hostile.FIELDS):
        kinds = ", ".join(sorted(findings.kinds.get(name, ())))
        print(f"  {name:14} {hostile.FIELDS[name]:52} {len(findings.seen.get(name, ())):4} × {kinds}")
    assert not findings.problems, "\n".join([summary, *sorted(set(findings.problems))[:80]])
    assert not missing, f"fields no page, export or PDF showed: {missing}\n{summary}"
    assert findings.checked.get("mail", 0) >= 2, summary
    for kind in ("csv", "xlsx", "pdf", "json", "zip"):
        assert findings.checked.get(kind, 0) >= 1, f"no {kind} checked: {summary}"


@pytest.mark.parametrize("payload", [hostile.IMG, hostile.META, hostile.SCRIPT])
def test_the_checks_find_raw_markup(payload: str) -> None:
    """The HTML check is able to fail: a payload written into a page unescaped is reported."""
    findings = hostile.Findings()
    hostile.check_html("page", f"<html><body><p>{payload}</p></body></html>", findings)
    assert findings.problems


def test_the_checks_find_formulas_and_rendered_templates() -> None:
    findings = hostile.Findings()
    hostile.check_csv("export", b'Name;Wert\r\n=HYPERLINK("x");ZZ49ZZ\r\n\'=1+1;-3\r\n', findings)
    assert len(findings.problems) == 2, findings.problems
