"""Nationwide benchmark (issue 11): the programme office and a dashboard over 160 municipalities × 2,000 staff.

    .venv/bin/python bench/nationwide.py                                   # full size, database bench_nation
    .venv/bin/python bench/nationwide.py --municipalities 5 --staff 200    # a quick run (database bench_nation_5x200)
    .venv/bin/python bench/nationwide.py --runs 3 --rebuild

Builds the programme on PostgreSQL with COPY after the migrations: municipalities with twelve org units each, their
staff (a coordinator first, 2 % who have left), 14 training modules (every third in two versions) and 2 workshop
scripts, about 6.25 completions per person (2,000,000 at full size) spread over the three programme periods, a fifth
of them in person, attached to in-person trainings with their attendance lists; workshops and a training plan per
municipality and period. The programme summary is built after the COPY (lms.reports.summary.rebuild_all). Then, with the clock set to late in the last period (all three years are history; time-machine,
as in the tests), it logs in through Flask's test client as the programme office and as one municipality's coordinator
and times the pages and exports as a browser gets them (the body read to its end): median of the runs after a warm-up,
the time to the first chunk, the number of chunks (one: the file was built whole before it was sent) and the process's
resident memory before and at its peak while the response was made and read.

Targets: programme office under 1 s, dashboard under 300 ms, exports streamed (flat memory, first byte early).
The database is kept and reused while its size matches (--rebuild forces a new one). Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms import create_app, migrate
from lms import time as clock
from lms.auth.passwords import hash_password
from lms.reports.summary import rebuild_all

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_nation"
TRAINING_MODULES, WORKSHOP_SCRIPTS, UNITS = 14, 2, 12
#: Completions per member of staff over the three years, on average (2,000,000 for 160 × 2,000).
COMPLETIONS_PER_PERSON = 6.25
IN_PERSON_SHARE = 0.2
#: Attendees of an in-person training, on average.
TRAINING_SIZE = 15
PASSWORD = "bench-passwort-lang-genug"
#: The day the pages are looked at: the last period is nearly over, so each period holds a third of the completions.
DEFAULT_TODAY = date(2028, 12, 15)
#: The columns each table is loaded with (the others take their server defaults or stay NULL).
COLUMNS = {
    "municipalities": "id slug name created_at",
    "org_units": "id municipality_id name created_at",
    "modules": "id slug kind created_at",
    "module_versions": "id module_id version_label title summary duration_minutes audience objectives materials "
    "language intro_html source content_hash renderer_version published_at",
    "users": "id email display_name password_hash municipality_id is_active deactivated_at org_unit_id "
    "personnel_number created_at",
    "user_roles": "user_id role",
    "completions": "id user_id module_id module_version_id score_percent mode completed_at",
    "live_sessions": "id kind municipality_id module_id module_version_id held_on participant_count place "
    "external_facilitators created_at",
    "session_attendances": "id session_id user_id completion_id",
    "training_assignments": "id municipality_id period_id module_id org_unit_id due_on created_by_id created_at",
}


# --- building the programme --------------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """The given URL, or the default database, named after its size unless it is the full one."""
    if args.url:
        return str(args.url)
    if (args.municipalities, args.staff) == (160, 2000):
        return DEFAULT_URL
    return DEFAULT_URL.replace("bench_nation", f"bench_nation_{args.municipalities}x{args.staff}")


def ensure_database(url: str, rebuild: bool, municipalities: int, staff: int) -> bool:
    """Create the database if needed (or if its size differs); True if it must be filled."""
    parsed = make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "postgresql" or "bench" not in name:
        sys.exit("The nationwide benchmark needs PostgreSQL and a database whose name contains 'bench'.")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    if exists and not rebuild:
        engine = create_engine(url)
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT (SELECT count(*) FROM municipalities), (SELECT count(*) FROM users)")
            ).one()
        engine.dispose()
        if tuple(found) == (municipalities, municipalities * staff + 1):
            admin.dispose()
            # A database loaded by an older revision gets the newer migrations (0029 fills the programme summary).
            started = time.perf_counter()
            migrate.upgrade(url)
            print(f"Migrations up to date ({time.perf_counter() - started:.1f} s).")
            return False
        print(
            f"Database {name} holds another size ({found[0]} municipalities, {found[1]} people): rebuilding."
        )
    with admin.connect() as connection:
        if exists:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    migrate.upgrade(url)
    return True


class Loader:
    """COPY into one table, row by row, on the load connection."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor
        self.counts: dict[str, int] = {}

    @contextmanager
    def table(self, name: str) -> Iterator[Callable[[tuple[Any, ...]], None]]:
        """A function that writes one row (the columns of ``COLUMNS[name]``); the COPY ends with the block."""
        count = 0
        with self.cursor.copy(f"COPY {name} ({', '.join(COLUMNS[name].split())}) FROM STDIN") as copy:

            def write(row: tuple[Any, ...]) -> None:
                nonlocal count
                copy.write_row(row)
                count += 1

            yield write
        self.counts[name] = self.counts.get(name, 0) + count

    def rows(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        """COPY a list of rows."""
        with self.table(name) as write:
            for row in rows:
                write(row)


@dataclass(frozen=True)
class Period:
    id: int
    starts_on: date
    ends_on: date


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(6, 17), rng.randrange(60), tzinfo=UTC)


def _day_in(rng: random.Random, period: Period, today: date) -> date:
    last = min(period.ends_on, today - timedelta(days=1))
    return period.starts_on + timedelta(days=rng.randrange((last - period.starts_on).days + 1))


def fill(url: str, municipalities: int, staff: int, today: date) -> dict[str, int]:
    """Load the synthetic programme with COPY; returns the rows per table."""
    rng = random.Random(2026)
    with psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    ) as raw:
        cursor = raw.cursor()
        # The rows are consistent by construction: skip the per-row foreign-key triggers while loading.
        cursor.execute("SET session_replication_role = replica")
        query = "SELECT id, starts_on, ends_on FROM programme_periods WHERE starts_on < %s ORDER BY starts_on"
        periods = [Period(*row) for row in cursor.execute(query, (today,))]
        load = Loader(cursor)
        versions = _load_content(load)
        _load_people(load, municipalities, staff)
        _load_completions(load, rng, municipalities, staff, periods, versions, today)
        _load_plans(load, rng, municipalities, staff, periods)
        for table in load.counts:
            if table != "user_roles":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        raw.commit()
        # As autovacuum would after a bulk load: statistics, and the visibility map for index-only scans.
        raw.autocommit = True
        cursor.execute("VACUUM ANALYZE")
        # COPY passes the application by: the programme office's summary (lms.reports.summary) is built afterwards,
        # as an operator would after a bulk load (`lms report rebuild-summary`).
        started = time.perf_counter()
        engine = create_engine(url)
        with engine.begin() as connection:
            rebuild_all(connection)
        engine.dispose()
        cursor.execute("VACUUM ANALYZE period_people, period_module_staff")
        print(f"Programme summary built in {time.perf_counter() - started:.0f} s.")
    return load.counts


def _load_content(load: Loader) -> dict[int, list[int]]:
    """Training modules (every third in two versions) and workshop scripts; the version ids per module."""
    now = clock.now()
    modules = range(1, TRAINING_MODULES + WORKSHOP_SCRIPTS + 1)
    kinds = {m: "training" if m <= TRAINING_MODULES else "workshop" for m in modules}
    load.rows("modules", [(m, f"modul-{m:02d}", kinds[m], now) for m in modules])
    versions: dict[int, list[int]] = {}
    rows: list[tuple[Any, ...]] = []
    for module in modules:
        for label in ("1.0", "1.1") if module % 3 == 0 else ("1.0",):
            vid = len(rows) + 1
            versions.setdefault(module, []).append(vid)
            title, content_hash = f"Schulungsmodul {module:02d}", f"sha256:{vid:064d}"
            rows.append(
                (vid, module, label, title, "-", 45, "[]", "[]", "[]", "de", "", "", content_hash, "1", now)
            )
    load.rows("module_versions", rows)
    return versions


def _load_people(load: Loader, municipalities: int, staff: int) -> None:
    """Municipalities, their org units and staff (a coordinator first, 2 % who have left), the programme office."""
    now = clock.now()
    towns = range(1, municipalities + 1)
    load.rows("municipalities", [(m, f"kommune-{m:03d}", f"Modellkommune {m:03d}", now) for m in towns])
    load.rows(
        "org_units",
        [((m - 1) * UNITS + u, m, f"Fachbereich {u:02d}", now) for m in towns for u in range(1, UNITS + 1)],
    )
    digest = hash_password(PASSWORD)
    hired = now - timedelta(days=1200)
    admin_id = municipalities * staff + 1
    with load.table("users") as user:
        for m in towns:
            for s in range(staff):
                uid = (m - 1) * staff + s + 1
                active = s % 50 != 1  # never the coordinator, s = 0
                left = None if active else now - timedelta(days=30)
                email, name, hashed = (
                    f"p{uid}@kommune-{m:03d}.example",
                    f"Person {uid}",
                    digest if s == 0 else None,
                )
                unit = (m - 1) * UNITS + s % UNITS + 1
                user((uid, email, name, hashed, m, active, left, unit, f"{s:06d}", hired))
        user((admin_id, "admin@bench.example", "Programmbüro", digest, None, True, None, None, None, now))
    # One COPY at a time on a connection: the roles follow the people.
    with load.table("user_roles") as role:
        for uid in range(1, admin_id):
            role((uid, "coordinator" if (uid - 1) % staff == 0 else "learner"))
        role((admin_id, "admin"))


def _load_completions(
    load: Loader,
    rng: random.Random,
    municipalities: int,
    staff: int,
    periods: list[Period],
    versions: dict[int, list[int]],
    today: date,
) -> None:
    """Completions person by person, in-person trainings with their attendance, and workshops.

    Each person takes each module with a probability that varies with the person's zeal, in a random period; an
    in-person completion joins a training of the municipality, module version and period (about 15 attendees).
    """
    now = clock.now()
    chance = COMPLETIONS_PER_PERSON / TRAINING_MODULES
    trainings_per_group = max(1, round(staff * chance * IN_PERSON_SHARE / len(periods) / TRAINING_SIZE))
    sessions: list[list[Any]] = []
    attendance: list[tuple[int, int, int, int]] = []
    completion_id = 0
    with load.table("completions") as completion:
        for m in range(1, municipalities + 1):
            held: dict[tuple[int, int, int], list[Any]] = {}
            for s in range(staff):
                uid = (m - 1) * staff + s + 1
                zeal = 2 * rng.random()
                for module in range(1, TRAINING_MODULES + 1):
                    if rng.random() >= chance * zeal:
                        continue
                    version = rng.choice(versions[module])
                    period = periods[rng.randrange(len(periods))]
                    completion_id += 1
                    if rng.random() < IN_PERSON_SHARE:
                        key = (version, period.id, rng.randrange(trainings_per_group))
                        if key not in held:
                            held[key] = [
                                len(sessions) + 1,
                                "training",
                                m,
                                module,
                                version,
                                _day_in(rng, period, today),
                                0,
                            ]
                            sessions.append(held[key])
                        training = held[key]
                        training[6] += 1
                        attendance.append((len(attendance) + 1, training[0], uid, completion_id))
                        at, score, mode = _moment(rng, training[5]), None, "in_person"
                    else:
                        at = _moment(rng, _day_in(rng, period, today))
                        score, mode = rng.choice((75, 80, 85, 90, 95, 100)), "online"
                    completion((completion_id, uid, module, version, score, mode, at))
    for m in range(1, municipalities + 1):
        for period in periods:
            for _ in range(rng.randrange(1, 8)):
                script = TRAINING_MODULES + rng.randrange(1, WORKSHOP_SCRIPTS + 1)
                day = _day_in(rng, period, today)
                sessions.append(
                    [len(sessions) + 1, "workshop", m, script, versions[script][0], day, rng.randrange(5, 30)]
                )
    load.rows("live_sessions", [(*session, "Rathaus", "", now) for session in sessions])
    load.rows("session_attendances", attendance)


def _load_plans(
    load: Loader, rng: random.Random, municipalities: int, staff: int, periods: list[Period]
) -> None:
    """A training plan per municipality and period: five modules, due mid-period, some for one org unit only."""
    now = clock.now()
    plan: list[tuple[Any, ...]] = []
    for m in range(1, municipalities + 1):
        coordinator = (m - 1) * staff + 1
        for period in periods:
            due = period.starts_on + (period.ends_on - period.starts_on) // 2
            for module in rng.sample(range(1, TRAINING_MODULES + 1), 5):
                unit = None if module % 2 else (m - 1) * UNITS + rng.randrange(1, UNITS + 1)
                plan.append((len(plan) + 1, m, period.id, module, unit, due, coordinator, now))
    load.rows("training_assignments", plan)


# --- timing ------------------------------------------------------------------------------------------------------


class PeakMemory:
    """The process's resident memory before a block and its peak during it, sampled every 2 ms."""

    def __init__(self) -> None:
        self.before = self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def rss_mib() -> float:
        """Resident set size now, in MiB."""
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.rss_mib())

    def __enter__(self) -> PeakMemory:
        self.before = self.peak = self.rss_mib()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss_mib())


@dataclass
class Download:
    """One GET read to its end."""

    total_ms: float
    first_ms: float
    size: int
    chunks: int


def fetch(client: FlaskClient, path: str) -> Download:
    """GET the path as a browser would: status 200 expected, the body read chunk by chunk to its end."""
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code} ({response.headers.get('Location')})")
    first = None
    size = chunks = 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter()
        size += len(chunk)
        chunks += 1
    response.close()
    ended = time.perf_counter()
    return Download((ended - started) * 1000, ((first or ended) - started) * 1000, size, chunks)


def log_in(client: FlaskClient, email: str) -> None:
    """Log in through the form (second factor not required in this benchmark)."""
    page = client.get("/anmelden").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/anmelden", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        sys.exit(f"Login as {email} failed: {response.status_code}")


def timed(client: FlaskClient, label: str, path: str, runs: int, target_ms: float | None) -> None:
    """Median of ``runs`` downloads after one warm-up, with first chunk, chunks and memory; printed."""
    fetch(client, path)
    samples = []
    with PeakMemory() as memory:
        for _ in range(runs):
            samples.append(fetch(client, path))
    median = statistics.median(s.total_ms for s in samples)
    first = statistics.median(s.first_ms for s in samples)
    verdict = (
        "" if target_ms is None else f"  target < {target_ms:.0f} ms {'ok' if median < target_ms else 'SLOW'}"
    )
    print(
        f"  {label:<34} {median:8.0f} ms (min {min(s.total_ms for s in samples):.0f}, max "
        f"{max(s.total_ms for s in samples):.0f})  first byte {first:6.0f} ms  {samples[0].size / 1024:8.1f} KiB "
        f"in {samples[0].chunks:>4} chunk(s)  RSS {memory.before:.0f} → {memory.peak:.0f} MiB{verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help=f"PostgreSQL URL (default {DEFAULT_URL}, or _MxS for other sizes)")
    parser.add_argument("--municipalities", type=int, default=160)
    parser.add_argument("--staff", type=int, default=2000, help="per municipality")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page after a warm-up")
    parser.add_argument("--rebuild", action="store_true", help="drop and load the database again")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY, help="the clock's day")
    args = parser.parse_args()
    url = database_url(args)
    print(f"Load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")

    import time_machine  # test dependency (requirements/test-lock.txt), as in the suite: the clock is set

    traveller = time_machine.travel(
        datetime(args.today.year, args.today.month, args.today.day, 9, tzinfo=UTC)
    )
    traveller.start()
    if ensure_database(url, args.rebuild, args.municipalities, args.staff):
        started = time.perf_counter()
        counts = fill(url, args.municipalities, args.staff, args.today)
        print(f"Programme loaded in {time.perf_counter() - started:.0f} s (COPY, VACUUM ANALYZE, summary):")
        print("  " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    else:
        print(f"Reusing {make_url(url).database} (--rebuild to load it again).")

    engine = create_engine(url)
    with engine.connect() as connection:
        completions = connection.scalar(text("SELECT count(*) FROM completions")) or 0
        size = connection.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
    engine.dispose()
    print(
        f"{args.municipalities} municipalities × {args.staff} staff, {completions:,} completions, database {size}; "
        f"today is {args.today:%d.%m.%Y}."
    )

    app = create_app({"database_url": url, "secret_key": "bench", "mfa_required_roles": ""})
    town = f"kommune-{min(7, args.municipalities):03d}"
    coordinator = f"p{(min(7, args.municipalities) - 1) * args.staff + 1}@{town}.example"
    for email, pages in (
        (
            "admin@bench.example",
            [
                ("programme office page", "/programmbuero", 1000),
                ("programme office CSV", "/programmbuero/uebersicht.csv", None),
                ("programme office XLSX", "/programmbuero/uebersicht.xlsx", None),
                ("programme office PDF", "/programmbuero/uebersicht.pdf", None),
            ],
        ),
        (
            coordinator,
            [
                (f"dashboard {town}", f"/kommunen/{town}", 300),
                ("completion list CSV", f"/kommunen/{town}/abschluesse.csv", None),
                ("completion list XLSX", f"/kommunen/{town}/abschluesse.xlsx", None),
                ("Jahresnachweis PDF", f"/kommunen/{town}/jahresnachweis.pdf", None),
            ],
        ),
    ):
        client = app.test_client()
        log_in(client, email)
        print(f"\nAs {email} (median of {args.runs} after a warm-up):")
        for label, path, target in pages:
            timed(client, label, path, args.runs, target)
    traveller.stop()
    print(f"\nLoad average at end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
