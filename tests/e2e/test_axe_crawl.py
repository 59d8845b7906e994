"""Every GET route of the URL map, opened in Chromium by a person who may open it, checked by axe-core (issue 14).

The routes come from the app's URL map and the people from the access matrix (tests/web/test_access_matrix.py:
its world fills every parameter, its EXPECTED table says who may open what), so a page added later is crawled
without anyone remembering to. Each HTML page is checked at three widths: 1280 px, 640 px (1280 px at 200 % zoom)
and 320 px (1280 px at 400 % zoom, WCAG 1.4.10 Reflow). A page fails on a WCAG 2.1 A/AA violation of impact
„serious“ or „critical“ at 1280 or 320 px, and when the document scrolls sideways at 640 or 320 px. Every finding (all impacts)
is written to test-artifacts/axe-crawl.json.

One browser, one context per person, one login each; each URL is loaded once and resized.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from flask.json.tag import TaggedJSONSerializer
from sqlalchemy.orm import Session

from lms import migrate
from lms import time as clock
from lms.auth.models import LoginSession, Role
from lms.auth.passwords import hash_password
from lms.auth.services import create_user
from lms.auth.sessions import key_hash, new_key
from lms.content.models import ModuleVersion
from lms.db import make_engine
from lms.quizzes.services import start_attempt, submit_attempt
from tests.e2e.conftest import keep_screenshot
from tests.factories import CORRECT_ANSWERS
from tests.web.test_access_matrix import EXPECTED, ROUTES, build_world

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
#: 1280 px; 1280 px at 200 % zoom; 1280 px at 400 % zoom (WCAG 1.4.10: no sideways scrolling at 320 CSS px).
WIDTHS = (1280, 640, 320)
#: axe runs at these; at 640 px only the sideways scrolling is checked (what scrolls in a box at 640 px does at 320).
AXE_WIDTHS = (1280, 320)
PASSWORD = "Barrierefrei-fuer-alle-2026"
#: Who opens a route: the first person in this order whom the access matrix lets in. Learners first (most people
#: are learners), the programme office last (it may open nearly everything).
PREFERENCE = (
    "anonymous",
    "learner_a",
    "coordinator_a",
    "facilitator_a",
    "advisory_a",
    "trainer",
    "admin",
)
#: Pages that exist for everyone but look different to the people who run the programme: crawled by these too.
ALSO_AS = {"progress.my_modules": ("trainer", "admin"), "progress.module_overview": ("trainer",)}
#: Not pages: they end the crawl's session, or only answer scripts.
SKIP_ENDPOINTS = {"static", "auth.logout"}
#: Paths that name a file or the JSON API, not a page.
FILES = re.compile(
    r"(\.(pdf|csv|xlsx|zip|md|json|png|jpg|jpeg|gif|webp|svg|vtt|mp4|webm|ics)|/datei)$|^/api/"
)
#: States that no route's URL reaches: an unknown certificate code and a mistyped one.
EXTRA = [("anonymous", "/verify/ZZZZ-ZZZZ-ZZZZ"), ("anonymous", "/verify/nicht-gueltig")]

_SCROLLS_SIDEWAYS = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth + 1) return null;
  // What sticks out on the right and is not clipped by a scroll box that contains it: that widens the page.
  const clipped = (el) => {
    const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX !== 'visible' && (!absolute || style.position !== 'static')) return true;
      if (absolute && style.position !== 'static') return false;
    }
    return false;
  };
  const culprits = [...document.querySelectorAll('body *')]
    // An element's right edge, or how far its content (a long word) reaches when it is not clipped.
    .map((el) => {
      const rect = el.getBoundingClientRect();
      const visible = getComputedStyle(el).overflowX === 'visible';
      return {el, right: Math.round(Math.max(rect.right, visible ? rect.left + el.scrollWidth : 0))};
    })
    .filter(({el, right}) => right > root.clientWidth + 1 && !clipped(el))
    .map(({el, right}, index) => ({right, index, html: el.outerHTML.slice(0, 160)}))
    // The farthest first; of those, the innermost (a descendant comes after its ancestors in document order).
    .sort((a, b) => b.right - a.right || b.index - a.index);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits: culprits.slice(0, 4)};
}"""


def _path(endpoint: str, rule: str, args: dict[str, Any]) -> list[str]:
    """The rule with the world's values; one path per choice of an ``any(…)`` part."""
    values = dict(args)
    values["slug"] = (
        args["municipality_slug"]
        if endpoint.split(".")[0]
        in {"reports", "orgs", "certificates", "programme", "jobs", "municipalities"}
        or rule.startswith("/kommunen/")
        else args["module_slug"]
    )
    variants = [rule]
    for part in re.findall(r"<[^>]+>", rule):
        spec = part[1:-1]
        choices = re.match(r"any\(([^)]*)\):(\w+)", spec)
        if choices:
            options = [o.strip().strip("'\"") for o in choices.group(1).split(",")]
            variants = [v.replace(part, o) for v in variants for o in options]
        else:
            variants = [v.replace(part, str(values[spec.split(":")[-1]])) for v in variants]
    return variants


def crawl_plan(args: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(person, endpoint, path) for every GET route someone may open."""
    plan = []
    for endpoint, rule, method in ROUTES:
        if method != "GET" or endpoint in SKIP_ENDPOINTS:
            continue
        allowed = [who for who in PREFERENCE if who in EXPECTED[endpoint]]
        if not allowed:
            continue
        for who in dict.fromkeys([allowed[0], *ALSO_AS.get(endpoint, ())]):
            plan.extend((who, endpoint, path) for path in _path(endpoint, rule, args))
    plan.extend((who, "extra", path) for who, path in EXTRA)
    return plan


def _submitted_attempts(db: Session, world: Any) -> None:
    """Six learners of municipality A have taken the quiz (half passed), so that its statistics show their tables."""
    version = db.get(ModuleVersion, world.args["version_id"])
    assert version is not None
    for n in range(6):
        person = create_user(
            db,
            email=f"quiz{n}@matrix.example",
            display_name=f"Teilnehmende {n}",
            password=None,
            roles={Role.LEARNER},
            municipality_id=world.people["learner_a"].municipality_id,
        )
        attempt = start_attempt(db, person, version.module, version)
        answers = CORRECT_ANSWERS if n % 2 else {key: ["a"] for key in CORRECT_ANSWERS}
        submit_attempt(db, person, attempt, answers)


@pytest.fixture(scope="module")
def matrix_server(
    tmp_path_factory: pytest.TempPathFactory, serve_database: Callable[..., str]
) -> Iterator[Any]:
    """The access matrix's world in a SQLite file of its own, served by gunicorn; every person has PASSWORD."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("axe-crawl") / "crawl.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        world = build_world(db)
        _submitted_attempts(db, world)
        password_hash = hash_password(PASSWORD)
        for person in world.people.values():
            person.password_hash = password_hash
        # A server-side session for each person, as the login form would leave it: the crawl opens its pages
        # without a password check each (the server would re-hash every weak test hash, a second or more each).
        keys = {}
        for who, person in world.people.items():
            keys[who] = new_key()
            db.add(
                LoginSession(
                    key_hash=key_hash(keys[who]),
                    user_id=person.id,
                    data=TaggedJSONSerializer().dumps({"_user_id": str(person.id), "_fresh": True}),
                    user_agent="axe crawl",
                    last_seen_at=clock.now(),
                )
            )
        db.commit()
        emails = {who: person.email for who, person in world.people.items()}
    engine.dispose()
    # The world signs its job download link with the test suite's key.
    base_url = serve_database(url, LMS_SECRET_KEY="test-secret-" + "k" * 32)
    yield base_url, world.args, emails, keys


def _log_in(page: Any, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/(module|programmbuero|inhalte|beirat|kommunen)"))


def _describe(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"    {v['id']} [{v['impact']}]: {v['help']} — {', '.join(targets)}{more}")
        lines.append(f"      html: {v['nodes'][0]['html'][:200]}")
    return lines


def _sideways(where: str, who: str, width: int, endpoint: str, wide: dict[str, Any]) -> str:
    lines = [
        f"{where} as {who} at {width} px ({endpoint}): scrolls sideways "
        f"({wide['scrollWidth']} px wide in {wide['clientWidth']} px)"
    ]
    lines.extend(f"    sticks out to {c['right']} px: {c['html']}" for c in wide["culprits"])
    return "\n".join(lines)


def test_every_page_passes_axe_at_1280_640_and_320_px(
    browser: Any, matrix_server: Any, artifacts_dir: Path
) -> None:
    base_url, args, _emails, keys = matrix_server
    plan = crawl_plan(args)
    # AXE_CRAWL_ONLY=regex: only the matching paths, while fixing a page (the full crawl still runs in CI).
    only = os.environ.get("AXE_CRAWL_ONLY")
    if only:
        plan = [step for step in plan if re.search(only, step[2])]
    # AXE_CRAWL_SHOTS=1: a full-page screenshot of every page at every width in test-artifacts/.
    shots = bool(os.environ.get("AXE_CRAWL_SHOTS"))
    started = time.monotonic()
    contexts: dict[str, Any] = {}
    problems: list[str] = []
    report: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    checked = 0
    spent = {"login": 0.0, "load": 0.0, "axe": 0.0}
    try:
        for who, endpoint, path in plan:
            if who not in contexts:
                context = browser.new_context(base_url=base_url, locale="de-DE", bypass_csp=True)
                context.set_default_timeout(30_000)
                page = context.new_page()
                if who != "anonymous":
                    tick = time.monotonic()
                    context.add_cookies([{"name": "lms_session", "value": keys[who], "url": base_url}])
                    page.goto("/module")  # logged in: not sent to the login form
                    assert page.url.endswith("/module"), f"{who} is not logged in: {page.url}"
                    spent["login"] += time.monotonic() - tick
                contexts[who] = page
            page = contexts[who]
            # Files are not pages: those named so are skipped unasked (a PDF takes a while to render); of the
            # others, ask first, with the same cookies, what the answer is.
            if FILES.search(path):
                continue
            tick = time.monotonic()
            answer = page.request.get(path, max_redirects=5)
            kind = answer.headers.get("content-type", "")
            if not kind.startswith("text/html") or "attachment" in answer.headers.get(
                "content-disposition", ""
            ):
                continue
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(path)
            spent["load"] += time.monotonic() - tick
            where = page.url.removeprefix(base_url)
            if (who, where) in seen:
                continue
            seen.add((who, where))
            checked += 1
            page.add_script_tag(path=str(AXE_FILE_PATH))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                wide = page.evaluate(_SCROLLS_SIDEWAYS) if width < 1280 else None
                if width not in AXE_WIDTHS:
                    if wide:
                        report.append(
                            {
                                "person": who,
                                "endpoint": endpoint,
                                "url": where,
                                "width": width,
                                "violations": [],
                                "scrolls_sideways": wide,
                            }
                        )
                        problems.append(_sideways(where, who, width, endpoint, wide))
                    continue
                tick = time.monotonic()
                result = page.evaluate(
                    "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                    "resultTypes: ['violations']})",
                    WCAG_TAGS,
                )
                spent["axe"] += time.monotonic() - tick
                violations = result["violations"]
                if shots:
                    name = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-") or "start"
                    keep_screenshot(page, artifacts_dir / f"crawl-{who}-{name}-{width}.png")
                if violations or wide:
                    report.append(
                        {
                            "person": who,
                            "endpoint": endpoint,
                            "url": where,
                            "width": width,
                            "violations": violations,
                            "scrolls_sideways": wide,
                        }
                    )
                blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
                if blocking:
                    problems.append(f"{where} as {who} at {width} px ({endpoint}):")
                    problems.extend(_describe(blocking))
                if wide:
                    problems.append(_sideways(where, who, width, endpoint, wide))
    finally:
        for page in contexts.values():
            page.context.close()
    seconds = time.monotonic() - started
    summary = (
        f"{checked} pages × {len(WIDTHS)} widths ({len(plan)} routes planned, {len(contexts)} people) "
        f"in {seconds:.0f} s (logins {spent['login']:.0f} s, loading {spent['load']:.0f} s, "
        f"axe {spent['axe']:.0f} s)"
    )
    print(summary)
    (artifacts_dir / "axe-crawl.json").write_text(
        json.dumps({"summary": summary, "findings": report}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    # The crawl reaches the pages behind logins: far more than the public ones.
    assert only or checked >= 80, summary
    assert not problems, summary + "\n" + "\n".join(problems)


def test_a_wide_table_is_reached_by_keyboard_shows_its_focus_and_scrolls(
    browser: Any, matrix_server: Any
) -> None:
    """At 320 px the completions table scrolls in its box: Tab reaches the box, its focus is visible, → scrolls."""
    base_url, _args, emails, _keys = matrix_server
    context = browser.new_context(base_url=base_url, locale="de-DE", viewport={"width": 320, "height": 800})
    try:
        page = context.new_page()
        _log_in(page, emails["learner_a"])
        page.goto("/nachweise")
        box = page.locator(".table-scroll").first
        assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), (
            "the table should need to scroll at 320 px"
        )
        for _ in range(60):
            page.keyboard.press("Tab")
            if box.evaluate("(el) => el === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the table's scroll box")
        assert box.get_attribute("role") == "region"
        caption = page.locator(f"#{box.get_attribute('aria-labelledby')}").inner_text()
        assert caption == "Abgeschlossene Module"
        outline = box.evaluate(
            "(el) => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
        )
        assert outline[0] != "none" and outline[1] >= 2, f"no visible focus: {outline}"
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    finally:
        context.close()
