"""Load benchmark (issue 11): the platform's pages against a bare Flask "Hello, World!" under the same gunicorn.

    .venv/bin/python bench/load.py                                  # PostgreSQL database bench_load, 3 rounds of 10 s
    .venv/bin/python bench/load.py --rounds 5 --duration 20s
    .venv/bin/python bench/load.py --only programme --reuse-database   # one page again, without rebuilding the data
    .venv/bin/python bench/load.py --db sqlite:////tmp/bench_load.sqlite3

Builds a fresh database (migrations, `lms demo`), starts the platform (wsgi:app) and bench/hello.py, each with
`gunicorn -c gunicorn.conf.py --workers 2`, logs in as the demo learner, coordinator and programme office (second
factor switched off: LMS_MFA_REQUIRED_ROLES is empty), and then, per page, alternates wrk runs against hello world and
the page with the same settings and headers (`wrk -t2 -c16 --latency`). The ratio is the page's requests per second
divided by hello world's in the same round; on a shared machine the absolute numbers vary by 2x or more, the ratio
less (but under heavy load it too: the table shows each round's).

Last, the quiz through the JSON API (bench/quiz_flow.lua, 16 threads with one connection each, against hello world
with the same threads and connections), then the memory (PSS) of the platform's gunicorn master and workers.
A page that answers with a redirect (the session cookie broke: the login form) stops the benchmark.

Never part of the test run: it measures, it does not assert.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from lms.auth.models import Role, User
from lms.auth.services import create_api_token, create_user
from lms.db import make_engine
from lms.demo import DEMO_PASSWORD
from lms.orgs.models import Municipality
from lms.quizzes.models import Quiz
from lms.quizzes.question_types import get_type

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
#: The virtual environment's scripts (lms, gunicorn) beside the interpreter running this file.
BIN = Path(sys.executable).parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"
LEARNER = "lernende@darmstadt-dieburg.example"
COORDINATOR = "koordination@darmstadt-dieburg.example"
ADMIN = "programmbuero@eccar.example"
#: Passed quizzes per second the warm-up's population of bench learners is sized for (each passes every quiz once).
QUIZ_FLOWS_PER_SECOND = 500
#: Bench learners live in a municipality of their own, created just before the quiz flow, so the pages measured
#: before it (the programme office's table) see the demo data only.
BENCH_MUNICIPALITY = ("last-benchmark", "Lastkommune (Benchmark)")


# --- wrk ----------------------------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    """What one wrk run reports."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int = 0
    #: Responses with status >= 400, as wrk counts them ("Non-2xx or 3xx responses", despite the name).
    errors: int = 0
    socket_errors: int = 0
    #: Responses per status class, from bench/status.lua ({} when the run used another script).
    statuses: dict[str, int] = field(default_factory=dict)
    #: Counters printed by bench/quiz_flow.lua.
    quiz: dict[str, int] = field(default_factory=dict)

    @property
    def non_2xx(self) -> int:
        """Every response that was not a success, redirects included, and every socket error."""
        if self.statuses:
            counted = sum(n for status, n in self.statuses.items() if status != "2xx")
        else:
            counted = self.errors
        return counted + self.socket_errors


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_ms(text: str) -> float:
    """wrk's durations ("635.00us", "1.06ms", "2.00s", "1.50m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    """Requests per second, p50/p99, errors and the Lua scripts' counters from wrk's output (with --latency)."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if rate is None or p50 is None or p99 is None:
        raise ValueError("wrk printed no rate or latency distribution (was --latency given?):\n" + output)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    statuses = re.search(r"^statuses: (.*)$", output, re.MULTILINE)
    quiz = re.search(r"^quiz flow: (.*)$", output, re.MULTILINE)
    return WrkResult(
        requests_per_second=float(rate[1]),
        p50_ms=duration_ms(p50[1]),
        p99_ms=duration_ms(p99[1]),
        requests=int(total[1]) if total else 0,
        errors=int(errors[1]) if errors else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        statuses=_counters(statuses[1]) if statuses else {},
        quiz=_counters(quiz[1]) if quiz else {},
    )


def _counters(text: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"(\w+)=(\d+)", text)}


def ensure_wrk() -> str:
    """The wrk binary; as root, Debian's package is installed if it is missing."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0:
        print("wrk fehlt; installiere Debians Paket wrk …", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, stdout=subprocess.DEVNULL
        )
        found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is missing: apt-get install wrk")
    return found


@dataclass(frozen=True)
class Client:
    """How wrk drives a server: threads, connections (each thread has its own), headers and Lua script."""

    threads: int
    connections: int
    headers: dict[str, str]
    script: Path
    script_args: tuple[str, ...] = ()


#: A run counts only if each of the server's workers holds at least this share of wrk's connections. wrk opens
#: all of them at once and keeps them; now and then one gthread worker accepts every one while the other idles, and
#: the run measures one process: hello world fell from about 8,500 to 2,100 req/s that way (2026-11-27, 8 runs of
#: hello world, 1 lopsided), which made single rounds of the table swing by a factor of 3-4.
MIN_CONNECTION_SHARE = 1 / 8
#: How often a lopsided start is tried again before the run is taken as it is (and said so).
BALANCE_ATTEMPTS = 6
#: When the connections are counted after wrk starts (it opens them all at once).
BALANCE_CHECK_AFTER_S = 0.5


def connection_owners(port: int) -> Counter[int]:
    """Established connections on the server's port, counted per process that holds them (`ss -tnp`)."""
    listing = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return Counter(int(pid) for pid in re.findall(r"pid=(\d+)", listing))


def lopsided(owners: Counter[int], workers: list[int], connections: int) -> bool:
    """Does a worker hold less than its minimum share of the connections?"""
    least = math.ceil(connections * MIN_CONNECTION_SHARE)
    return any(owners.get(pid, 0) < least for pid in workers)


def run_wrk(
    url: str,
    duration: str,
    client: Client,
    server: Server | None = None,
    retry_client: Callable[[], Client] | None = None,
) -> WrkResult:
    """One wrk run; its output parsed. With ``server``, a run whose connections landed lopsided on the workers is
    stopped and started again (``retry_client`` makes the client for the new start, e.g. with fresh learners)."""
    for attempt in range(1, BALANCE_ATTEMPTS + 1):
        process = subprocess.Popen(
            _wrk_command(url, duration, client), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        if server is not None and attempt < BALANCE_ATTEMPTS:
            time.sleep(BALANCE_CHECK_AFTER_S)
            workers = worker_pids(server.process.pid)
            owners = connection_owners(server.port)
            if len(workers) > 1 and lopsided(owners, workers, client.connections):
                process.kill()
                process.communicate()
                print(
                    f"    ({server.name}: connections {sorted(owners.values(), reverse=True)} on "
                    f"{len(workers)} workers, started again)",
                    flush=True,
                )
                if retry_client is not None:
                    client = retry_client()
                continue
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"wrk failed ({process.returncode}): {stderr or stdout}")
        result = parse_wrk(stdout)
        if result.requests == 0:
            sys.exit(f"No response from {url} within {duration}: nothing measured.\n{stdout}")
        return result
    raise AssertionError("unreachable: the last attempt always returns")


def _wrk_command(url: str, duration: str, client: Client) -> list[str]:
    command = [
        "wrk",
        f"-t{client.threads}",
        f"-c{client.connections}",
        f"-d{duration}",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(client.script),
    ]
    for name, value in client.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if client.script_args:
        command += ["--", *client.script_args]
    return command


# --- database and servers --------------------------------------------------------------------------------------


def server_env(url: str, instance: Path, port: int) -> dict[str, str]:
    """The platform's settings for the benchmark: no second factor, plain cookies over http://127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=url,
        LMS_SECRET_KEY=secrets.token_hex(32),
        LMS_INSTANCE_PATH=str(instance),
        # The demo's coordinator and programme office would have to set up an authenticator app first.
        LMS_MFA_REQUIRED_ROLES="",
        LMS_SECURE_COOKIES="false",
        LMS_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def prepare_database(url: str, env: dict[str, str], reuse: bool) -> None:
    """A fresh database with the migrations and the demo data (or the existing one with --reuse-database)."""
    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:
        sys.exit(f"The benchmark drops its database; its name must contain 'bench', not {name!r}.")
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists and reuse:
                admin.dispose()
                print(f"Reusing database {name}.")
                return
            if exists:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        path = Path(name)
        if path.exists() and reuse:
            print(f"Reusing database {path}.")
            return
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(BIN / "lms"), *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"Database {name}: migrations and demo data in {time.perf_counter() - started:.0f} s.")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A gunicorn master started by this script."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def gunicorn(name: str, app: str, probe: str, env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """The app under `gunicorn -c gunicorn.conf.py --workers 2`, until the block ends."""
    command = [
        str(BIN / "gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        str(BENCH),
        "--no-control-socket",  # not needed, and two masters would share its default path
        app,
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log)
    try:
        _wait_until_up(server, probe)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, probe: str) -> None:
    """Until both workers answer: each imports the app on its first request, which takes seconds on a busy machine."""
    deadline = time.monotonic() + 120
    opener = urllib.request.build_opener(_NoRedirect)

    def answered() -> bool:
        try:
            with opener.open(server.url + probe, timeout=5) as page:
                page.read()
        except urllib.error.HTTPError:
            pass  # any status: the app is loaded
        except OSError:
            return False
        return True

    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} did not start:\n{server.log.read_text(errors='replace')}")
        if len(worker_pids(server.process.pid)) >= 2:
            # Concurrent requests reach both workers; all of them must come back.
            with ThreadPoolExecutor(8) as pool:
                if all(pool.map(lambda _n: answered(), range(8))):
                    return
        time.sleep(0.5)
    sys.exit(f"{server.name} did not answer within 120 s:\n{server.log.read_text(errors='replace')}")


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes (its workers)."""
    children: list[int] = []
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        children += [int(pid) for pid in task.read_text().split()]
    return children


def pss_mib(pid: int) -> float:
    """Proportional set size of one process (shared pages divided among their users), in MiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss in /proc/{pid}/smaps_rollup")


# --- sessions, tokens and the learner population -----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def log_in(base: str, email: str, password: str) -> str:
    """Log in through the form as a browser does; the Cookie header of the new session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/anmelden") as page:
        form = page.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form
    )
    if token is None:
        sys.exit("The login form has no csrf_token field.")
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token[1]}).encode()
    try:
        with opener.open(f"{base}/anmelden", data=body) as answer:
            sys.exit(f"Login as {email} failed (status {answer.status}, no redirect).")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers.get("Location", "")
        if redirect.code not in {302, 303} or "/anmelden" in location:
            sys.exit(f"Login as {email} failed: status {redirect.code}, Location {location!r}.")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def check_page(base: str, path: str, headers: dict[str, str]) -> int:
    """GET the page once; stop the benchmark unless it answers 200 (a redirect means the login did not hold)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with opener.open(request) as page:
            return len(page.read())
    except urllib.error.HTTPError as refused:
        sys.exit(
            f"GET {path} answered {refused.code} (Location {refused.headers.get('Location')!r}); "
            "a redirect to /anmelden means the session cookie broke."
        )


@contextmanager
def database(url: str) -> Iterator[Session]:
    """A SQLAlchemy session on the bench database, committed at the end of the block."""
    engine = make_engine(url)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    finally:
        session.close()
        engine.dispose()


def learner_token(url: str, email: str) -> str:
    """A personal API token for the person, made by the same service as the settings page."""
    with database(url) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None, f"{email} is not in the demo data"
        _row, secret = create_api_token(session, user, "Lastmessung", days=30)
    return secret


def quiz_answers(url: str) -> dict[str, str]:
    """Per training module with a quiz: the JSON body that submits its current quiz version's correct answers."""
    answers = {}
    with database(url) as session:
        for quiz in session.scalars(select(Quiz)):
            version = quiz.current_version
            if version is None or quiz.module.retired_at is not None:
                continue
            responses = {}
            for question in version.questions:
                correct = get_type(question["type"]).correct_response(question["definition"])
                responses[question["key"]] = list(correct) if isinstance(correct, tuple) else correct
            answers[quiz.module.slug] = json.dumps({"responses": responses}, ensure_ascii=False)
    return dict(sorted(answers.items()))


def bench_learners(url: str, count: int) -> list[str]:
    """``count`` new learners of the benchmark's municipality, each with an API token (created by the services)."""
    tokens = []
    with database(url) as session:
        slug, name = BENCH_MUNICIPALITY
        town = session.scalar(select(Municipality).where(Municipality.slug == slug))
        if town is None:
            town = Municipality(slug=slug, name=name)
            session.add(town)
            session.flush()
        offset = session.scalar(select(func.count(User.id)).where(User.municipality_id == town.id)) or 0
        for n in range(offset + 1, offset + count + 1):
            user = create_user(
                session,
                email=f"last-{n}@{slug}.example",
                display_name=f"Lernende {n}",
                password=None,
                roles={Role.LEARNER},
                municipality_id=town.id,
            )
            tokens.append(create_api_token(session, user, "Lastmessung", days=30)[1])
    return tokens


# --- the benchmark -----------------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page measured against hello world."""

    label: str
    path: str
    headers: dict[str, str]
    #: None: a reference without a target (what the framework costs without the platform's work).
    target_percent: float | None
    rounds: list[tuple[WrkResult, WrkResult]] = field(default_factory=list)  # (hello, page)


@dataclass
class Row:
    """The medians over the rounds, as printed."""

    label: str
    rate: float
    hello_rate: float
    ratio: float
    ratios: list[float]
    p50: float
    p99: float
    non_2xx: int
    target: str
    met: bool


def summarise(page: Page, p99_limit_ms: float | None = None) -> Row:
    """Medians of the rounds; the ratio is taken per round (page / hello of the same round), then the median."""
    ratios = [100 * p.requests_per_second / h.requests_per_second for h, p in page.rounds]
    ratio = statistics.median(ratios)
    p99 = statistics.median(p.p99_ms for _h, p in page.rounds)
    if page.target_percent is None:
        target, met = "(reference)", True
    else:
        target = f">= {page.target_percent:.0f} %"
        met = ratio >= page.target_percent
    if p99_limit_ms is not None:
        target += f", p99 < {p99_limit_ms:.0f} ms"
        met = met and p99 < p99_limit_ms
    return Row(
        label=page.label,
        rate=statistics.median(p.requests_per_second for _h, p in page.rounds),
        hello_rate=statistics.median(h.requests_per_second for h, _p in page.rounds),
        ratio=ratio,
        ratios=ratios,
        p50=statistics.median(p.p50_ms for _h, p in page.rounds),
        p99=p99,
        non_2xx=sum(p.non_2xx for _h, p in page.rounds),
        target=target,
        met=met,
    )


def print_table(rows: list[Row]) -> None:
    """The result table: one line per page."""
    print(
        f"\n{'page':<44} {'req/s':>8} {'hello':>8} {'ratio':>7} {'(rounds)':<20} {'p50':>8} {'p99':>8} "
        f"{'non-2xx':>7}  target"
    )
    for row in rows:
        rounds = " ".join(f"{r:.1f}" for r in row.ratios)
        print(
            f"{row.label:<44} {row.rate:8.1f} {row.hello_rate:8.1f} {row.ratio:6.1f}% {'(' + rounds + ')':<20} "
            f"{row.p50:6.1f}ms {row.p99:6.1f}ms {row.non_2xx:7d}  {row.target} {'' if row.target == '(reference)' else 'ok' if row.met else 'MISSED'}"
        )


def _seconds(duration: str) -> float:
    return duration_ms(duration if duration[-1] in "smh" else duration + "s") / 1000


def measure_page(page: Page, platform: Server, hello: Server, args: argparse.Namespace) -> None:
    """Warm the page up, then alternate hello world and the page for the rounds; stop on redirects."""
    client = Client(threads=2, connections=16, headers=page.headers, script=BENCH / "status.lua")
    run_wrk(platform.url + page.path, args.warmup, client)
    for number in range(1, args.rounds + 1):
        base = run_wrk(hello.url + "/", args.duration, client, hello)
        measured = run_wrk(platform.url + page.path, args.duration, client, platform)
        if measured.statuses.get("3xx"):
            sys.exit(
                f"{page.label}: {measured.statuses['3xx']} redirects under load — the session ended "
                "(login form); nothing measured is valid."
            )
        page.rounds.append((base, measured))
        print(
            f"  {page.label:<44} round {number}: {measured.requests_per_second:8.1f} req/s, hello "
            f"{base.requests_per_second:8.1f} → {100 * measured.requests_per_second / base.requests_per_second:5.1f} %"
            f", p99 {measured.p99_ms:.1f} ms, non-2xx {measured.non_2xx}, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    check_page(platform.url, page.path, page.headers)


def measure_quiz_flow(
    url: str, platform: Server, hello: Server, args: argparse.Namespace, work: Path
) -> Page:
    """The quiz through the API (16 threads, one connection each), against hello world with the same client."""
    answers = quiz_answers(url)
    if not answers:
        sys.exit("The demo data have no quiz.")
    page = Page("quiz start + submit via API (16 threads)", "/api/v1", {}, 15)
    # Hello world gets a header of the same size as the token, and the same threads and connections.
    baseline = Client(16, 16, {"Authorization": "Bearer " + "x" * 47}, BENCH / "status.lua")
    flow = Client(16, 16, {}, BENCH / "quiz_flow.lua")

    def pairs_file(name: str, learners: int) -> Path:
        started = time.perf_counter()
        tokens = bench_learners(url, learners)
        path = work / f"quiz-pairs-{name}.tsv"
        path.write_text("".join(f"{t}\t{slug}\t{body}\n" for t in tokens for slug, body in answers.items()))
        print(
            f"  {learners} bench learners with API tokens ({time.perf_counter() - started:.0f} s)", flush=True
        )
        return path

    # The warm-up's pace sizes the rounds' populations (four times as many learners as it would need).
    warmup = pairs_file("warmup", math.ceil(_seconds(args.warmup) * QUIZ_FLOWS_PER_SECOND / len(answers)))
    warm = run_wrk(platform.url, args.warmup, replace(flow, script_args=(str(warmup), "16")))
    pace = (
        QUIZ_FLOWS_PER_SECOND
        if warm.quiz.get("exhausted")
        else warm.quiz.get("passed", 0) / _seconds(args.warmup)
    )
    learners = args.quiz_learners or math.ceil(max(4 * pace, 10) * _seconds(args.duration) / len(answers))
    print(f"  quizzes: {', '.join(answers)}; warm-up {pace:.0f} passed quizzes/s", flush=True)
    files = [pairs_file(f"round-{n}", learners) for n in range(1, args.rounds + 1)]

    def fresh_flow() -> Client:
        """A stopped start has used some of the round's learners: the next start gets learners of its own."""
        return replace(flow, script_args=(str(pairs_file(f"again-{time.monotonic_ns()}", learners)), "16"))

    for number, pairs in enumerate(files, start=1):
        base = run_wrk(hello.url + "/", args.duration, baseline, hello)
        measured = run_wrk(
            platform.url, args.duration, replace(flow, script_args=(str(pairs), "16")), platform, fresh_flow
        )
        quiz = measured.quiz
        if quiz.get("exhausted"):
            sys.exit(
                f"The bench learners ran out in round {number}: run again with a larger --quiz-learners."
            )
        page.rounds.append((base, measured))
        print(
            f"  {page.label:<44} round {number}: {measured.requests_per_second:8.1f} req/s "
            f"({quiz.get('passed', 0) / _seconds(args.duration):.0f} passed quizzes/s), hello "
            f"{base.requests_per_second:8.1f} → {100 * measured.requests_per_second / base.requests_per_second:5.1f} %"
            f", p99 {measured.p99_ms:.1f} ms, non-2xx {measured.non_2xx}, load {os.getloadavg()[0]:.1f}, {quiz}",
            flush=True,
        )
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL (default {DEFAULT_DB})")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="10s", help="of each wrk run (default 10s)")
    parser.add_argument(
        "--warmup", default="2s", help="wrk run against each page before its rounds (default 2s)"
    )
    parser.add_argument("--only", help="measure only the pages whose label contains this text")
    parser.add_argument(
        "--reuse-database", action="store_true", help="skip rebuilding the database if it exists"
    )
    parser.add_argument(
        "--quiz-learners",
        type=int,
        default=0,
        help="bench learners per quiz-flow round (default: four times what the warm-up's pace needs)",
    )
    args = parser.parse_args()
    url = args.db
    ensure_wrk()

    print(f"Load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        platform_port, hello_port = free_port(), free_port()
        env = server_env(url, work / "instance", platform_port)
        prepare_database(url, env, args.reuse_database)
        with (
            gunicorn(
                "platform", "wsgi:app", "/anmelden", env, platform_port, work / "platform.log"
            ) as platform,
            gunicorn("hello world", "hello:app", "/", env, hello_port, work / "hello.log") as hello,
        ):
            learner = {"Cookie": log_in(platform.url, LEARNER, DEMO_PASSWORD)}
            coordinator = {"Cookie": log_in(platform.url, COORDINATOR, DEMO_PASSWORD)}
            admin = {"Cookie": log_in(platform.url, ADMIN, DEMO_PASSWORD)}
            token = {"Authorization": "Bearer " + learner_token(url, LEARNER)}
            slug = next(iter(quiz_answers(url)))
            pages = [
                Page("Meine Module (learner)", "/module", learner, 35),
                Page("module section (learner)", f"/module/{slug}/abschnitt/1", learner, 35),
                Page("quiz start page (learner)", f"/module/{slug}/quiz", learner, 35),
                Page("Meine Nachweise (learner)", "/nachweise", learner, 35),
                Page("/api/v1/modules (token)", "/api/v1/modules", token, 35),
                Page("municipality dashboard (coordinator)", "/kommunen/darmstadt-dieburg", coordinator, 10),
                Page("programme office (admin)", "/programmbuero", admin, 10),
                # References: the login form renders a template with no session and no database work; the
                # stylesheet is a file sent by Flask. They show what the platform's stack costs before any page does
                # its own work.
                Page("reference: login form (no session, no SQL)", "/anmelden", {}, None),
                Page("reference: static file (app.css)", "/static/css/app.css", {}, None),
            ]
            if args.only:
                pages = [p for p in pages if args.only.lower() in p.label.lower()]
            for page in pages:
                size = check_page(platform.url, page.path, page.headers)
                print(f"  GET {page.path} → 200, {size / 1024:.1f} KiB")
            print(
                f"Rounds: {args.rounds} × {args.duration} per page and hello world (wrk -t2 -c16), after a warm-up."
            )
            for page in pages:
                measure_page(page, platform, hello, args)
            rows = [summarise(page) for page in pages]
            if not args.only or args.only.lower() in "quiz start + submit via api":
                rows.append(summarise(measure_quiz_flow(url, platform, hello, args, work), p99_limit_ms=100))
            print_table(rows)
            memory = {pid: pss_mib(pid) for pid in [platform.process.pid, *worker_pids(platform.process.pid)]}
            hello_memory = sum(pss_mib(p) for p in [hello.process.pid, *worker_pids(hello.process.pid)])
        total = sum(memory.values())
        print(
            f"\nPSS of the platform's gunicorn (master + 2 workers): {total:.1f} MiB "
            f"({', '.join(f'{mib:.1f}' for mib in memory.values())}), target <= 150 MiB "
            f"{'ok' if total <= 150 else 'MISSED'}; hello world's: {hello_memory:.1f} MiB"
        )
    print(f"Load average at end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
