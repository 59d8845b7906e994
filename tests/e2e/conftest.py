"""End-to-end fixtures: the real app (``lms`` CLI + gunicorn) on a fresh SQLite file, and Debian's Chromium.

The e2e tests own their database: it is always a new temporary SQLite file, whatever LMS_TEST_DATABASE_URL says.
Helpers that several test modules need are offered as fixtures (no imports between test files).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

#: How long a page action or navigation may take: generous, since CI machines are shared and busy (the apps
#: answer in milliseconds; a slow machine must not fail a test that checks behaviour).
PAGE_TIMEOUT_MS = 30_000
# expect(...) assertions wait as long (Playwright's default is 5 s: an autosave and its check took longer than
# that on a busy CI machine).
expect.set_options(timeout=PAGE_TIMEOUT_MS)
REPO_ROOT = Path(__file__).resolve().parents[2]
# The virtualenv running pytest has the `lms` and `gunicorn` commands; fall back to the project's .venv.
VENV_BIN = (
    Path(sys.executable).parent if (Path(sys.executable).parent / "lms").exists() else REPO_ROOT / ".venv/bin"
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"

DEMO_PASSWORD = "Vielfalt-im-Rathaus-2026"
#: Facts about the running live server that other fixtures need (its outbox folder).
LIVE: dict[str, Path] = {}
#: gunicorn preloads and warms the app before it listens: seconds on a quiet machine, much more on a busy shared one.
START_TIMEOUT_S = 90.0


# --- the app under test ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(**lms: str) -> dict[str, str]:
    """The inherited environment without any LMS_* variable, plus exactly the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(lms)
    return env


def _lms_command(env: dict[str, str], *args: str) -> None:
    lms = str(VENV_BIN / "lms")
    done = subprocess.run(
        [lms, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`lms {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )


def _serves_pages(port: int) -> bool:
    """Does a worker answer a page? A connection alone is not enough: gunicorn's master listens before it forks, and
    before that it rehearses (lms/web/rehearsal.py) in a transaction that holds SQLite's write lock, so a command
    run against the database in that time waited for the lock and failed („database is locked“)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/anmelden", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and fill a fresh SQLite file with the CLI, serve it with gunicorn, yield the base URL."""
    workdir = tmp_path_factory.mktemp("e2e")
    database_url = "sqlite:///" + str(workdir / "e2e.sqlite3")
    # Mails (invitations) go to this run's own outbox, not to the repository's instance folder.
    LIVE["outbox"] = workdir / "outbox"
    LIVE["database"] = workdir / "e2e.sqlite3"
    cli_env = _clean_env(LMS_DATABASE_URL=database_url, LMS_OUTBOX_DIR=str(LIVE["outbox"]))
    _lms_command(cli_env, "db", "upgrade")
    _lms_command(cli_env, "demo")

    LIVE["workdir"] = workdir
    server_env = _clean_env(
        LMS_DATABASE_URL=database_url,
        LMS_SECRET_KEY=secrets.token_hex(32),
        LMS_OUTBOX_DIR=str(LIVE["outbox"]),
        # The demo's trainers and coordinators log in with their password alone here (tests/web/test_mfa.py).
        LMS_MFA_REQUIRED_ROLES="",
    )
    with _serve(server_env, workdir / "gunicorn.log") as url:
        yield url


@pytest.fixture(scope="session")
def live_server_mfa_required(live_server: str) -> Iterator[str]:
    """A second server on the same database, with the default LMS_MFA_REQUIRED_ROLES: privileged people must set
    up a second factor. Use accounts of your own on it (the demo's would be sent to the set-up)."""
    env = _clean_env(
        LMS_DATABASE_URL="sqlite:///" + str(LIVE["database"]),
        LMS_SECRET_KEY=secrets.token_hex(32),
        LMS_OUTBOX_DIR=str(LIVE["outbox"]),
    )
    with _serve(env, LIVE["workdir"] / "gunicorn-mfa.log") as url:
        yield url


@contextlib.contextmanager
def _serve(server_env: dict[str, str], log_path: Path) -> Iterator[str]:
    """gunicorn with one worker on a free port of 127.0.0.1 until the block ends; yields the base URL."""
    port = _free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            # No control socket: its default path in $HOME would be shared with any other gunicorn on the machine.
            [
                str(VENV_BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
                "wsgi:app",
            ],
            cwd=REPO_ROOT,
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            # Ours is listening only once gunicorn says so (another process could have taken the free port).
            listening = f"Listening at: http://127.0.0.1:{port} "
            while listening not in log_path.read_text(errors="replace") or not _serves_pages(port):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not answer on port {port} within {START_TIMEOUT_S:.0f} s:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start another instance of the app on a fresh demo database of its own, with the given LMS_* settings.

    For tests that need a setting the shared ``live_server`` cannot have (e.g. the production default of
    LMS_MFA_REQUIRED_ROLES). ``start_app(LMS_X="…")`` returns the base URL; the servers stop with the session.
    """
    with ExitStack() as servers:

        def start(**settings: str) -> str:
            workdir = tmp_path_factory.mktemp("e2e-app")
            database_url = "sqlite:///" + str(workdir / "e2e.sqlite3")
            env = _clean_env(LMS_DATABASE_URL=database_url, LMS_OUTBOX_DIR=str(workdir / "outbox"))
            _lms_command(env, "db", "upgrade")
            _lms_command(env, "demo")
            server_env = {**env, "LMS_SECRET_KEY": secrets.token_hex(32), **settings}
            return servers.enter_context(_serve(server_env, workdir / "gunicorn.log"))

        yield start


@pytest.fixture(scope="session")
def serve_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Serve a database the test has filled itself (migrated and committed) with gunicorn; returns the base URL.

    ``serve_database(url, LMS_SECRET_KEY="…")``: the demo's people log in with their password alone (no second
    factor required), as on ``live_server``; the servers stop with the session.
    """
    with ExitStack() as servers:

        def serve(database_url: str, **settings: str) -> str:
            workdir = tmp_path_factory.mktemp("e2e-served")
            env = _clean_env(
                LMS_DATABASE_URL=database_url,
                LMS_OUTBOX_DIR=str(workdir / "outbox"),
                LMS_SECRET_KEY=secrets.token_hex(32),
                LMS_MFA_REQUIRED_ROLES="",
            )
            env.update(settings)
            return servers.enter_context(_serve(env, workdir / "gunicorn.log"))

        yield serve


def keep_screenshot(page: Any, path: Path | str) -> None:
    """A full-page picture for whoever inspects a run (test-artifacts/): not part of what the test checks.

    Chromium sometimes refuses a capture of a long page under load („Unable to capture screenshot“); that says
    nothing about the page, so it is noted in the file's place instead of failing the test.
    """
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as error:
        Path(path).with_suffix(".txt").write_text(f"no screenshot: {error.message}\n", encoding="utf-8")


# --- the browser ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser: Any, live_server: str, *, bypass_csp: bool) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="de-DE", bypass_csp=bypass_csp)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A page in a fresh context, with the app's Content-Security-Policy in force."""
    yield from _new_page(browser, live_server, bypass_csp=False)


@pytest.fixture
def axe_page(browser: Any, live_server: str) -> Iterator[Any]:
    """A page whose context bypasses the CSP, so that the axe-core script can be injected."""
    yield from _new_page(browser, live_server, bypass_csp=True)


# --- helpers offered as fixtures ---------------------------------------------------------------------------------


def login(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form and wait for „Meine Module“."""
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/module$"))


@pytest.fixture
def log_in() -> Callable[..., None]:
    return login


@pytest.fixture
def live_cli(live_server: str) -> Callable[..., None]:
    """Run an ``lms`` command against the live server's database (e.g. an account only one test uses)."""

    def run(*args: str) -> None:
        env = _clean_env(
            LMS_DATABASE_URL="sqlite:///" + str(LIVE["database"]), LMS_OUTBOX_DIR=str(LIVE["outbox"])
        )
        _lms_command(env, *args)

    return run


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return normalise(html.unescape(" ".join(parser.parts)))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class QuizKey:
    """What the repository's quiz file says is right; the browser never gets this."""

    def __init__(self, slug: str) -> None:
        from lms.quizzes.parse import parse_quiz

        path = f"quizzes/{slug}.md"
        self.document = parse_quiz((REPO_ROOT / path).read_text(encoding="utf-8"), path)
        self.questions = self.document.questions

    def question(self, key: str) -> Any:
        return next(q for q in self.questions if q.key == key)

    def correct(self, key: str) -> list[str]:
        """Choice questions: the right option ids; text input: the first accepted answer; ordering: step:position."""
        question = self.question(key)
        if question.type == "text_input":
            return [question.definition["accepted"][0]]
        if question.type == "ordering":
            return [f"{step['id']}:{step['position']}" for step in question.definition["steps"]]
        return [o["id"] for o in question.definition["options"] if o["correct"]]

    def wrong(self, key: str) -> list[str]:
        question = self.question(key)
        if question.type == "text_input":
            return ["bestimmt falsch"]
        if question.type == "ordering":
            count = len(question.definition["steps"])
            return [f"{step['id']}:{count + 1 - step['position']}" for step in question.definition["steps"]]
        return [o["id"] for o in question.definition["options"] if not o["correct"]]

    def is_multiple(self, key: str) -> bool:
        question = next(q for q in self.questions if q.key == key)
        return question.type == "multiple_choice"

    def explanations(self) -> dict[str, str]:
        return {q.key: plain_text(q.explanation_html) for q in self.questions}


@pytest.fixture(scope="session")
def quiz_key() -> Callable[[str], QuizKey]:
    return QuizKey


def fill_attempt(page: Any, key: QuizKey, *, correctly: bool = True) -> None:
    """Tick the inputs of every question on the attempt page (found by name and value)."""
    for question in key.questions:
        if question.type == "text_input":
            answer = key.correct(question.key) if correctly else key.wrong(question.key)
            page.locator(f'input[name="{question.key}"]').fill(answer[0])
            continue
        if question.type == "ordering":
            # Each step's select offers "step:position"; choose the right (or reversed) position for every step.
            for value in key.correct(question.key) if correctly else key.wrong(question.key):
                step_id = value.split(":")[0]
                page.locator(f"select#{question.key}-{step_id}").select_option(value)
            continue
        # When failing on purpose, one wrong option: wrong for single and multiple choice alike.
        chosen = key.correct(question.key) if correctly else key.wrong(question.key)[:1]
        for option_id in chosen:
            page.locator(f'input[name="{question.key}"][value="{option_id}"]').check()


@pytest.fixture
def answer_quiz() -> Callable[..., None]:
    return fill_attempt


def start_or_resume_quiz(page: Any, slug: str) -> None:
    """From the quiz start page to the attempt form."""
    page.goto(f"/module/{slug}/quiz")
    page.get_by_role("button", name=re.compile(r"^(Quiz starten|Begonnenen Versuch fortsetzen)$")).click()
    page.wait_for_url(re.compile(r"/versuche/\d+$"))


@pytest.fixture
def start_quiz() -> Callable[[Any, str], None]:
    return start_or_resume_quiz


@pytest.fixture(scope="session")
def live_outbox(live_server: str) -> Path:
    """The folder where the live server writes its mails (.eml)."""
    return LIVE["outbox"]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
