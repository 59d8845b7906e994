"""Benchmark: the coordinator's dashboard and the programme office's report on a full-size synthetic programme.

Creates (or reuses) a PostgreSQL database with 16 municipalities × 2,000 staff, three programme periods, about
200,000 completions and 300 workshops, bulk-loaded with COPY; then times the report queries and the HTTP pages
(through Flask's test client, so templates and rendering count too). Target: under 300 ms each.

    .venv/bin/python bench/compliance.py                       # database bench_issue4 on 127.0.0.1
    .venv/bin/python bench/compliance.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x --rebuild
    .venv/bin/python bench/compliance.py --explain             # also print the plans of the grouped queries

Never part of the test run: it takes a minute to load and measures, it does not assert.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lms import time as clock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from lms import create_app, migrate
from lms.auth.passwords import hash_password
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.reports.compliance import municipality_report, programme_report, range_of
from lms.reports.queries import completion_list

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_issue4"
MUNICIPALITIES, STAFF, UNITS, MODULES = 16, 2_000, 12, 14
COMPLETIONS, WORKSHOPS = 200_000, 300
PASSWORD = "bench-passwort-lang-genug"
#: The day the reports are taken on: late in the first programme year, as when this was written. The synthetic data
#: spread over all three years (the whole programme), so each period holds about a third of the completions.
TODAY = date(2026, 11, 21)


def ensure_database(url: str, rebuild: bool) -> bool:
    """Create the database if needed; True if it must be filled."""
    engine = create_engine(url)
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = engine.url.database
    assert name and "bench" in name, "the benchmark database name must contain 'bench'"
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and rebuild:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    migrate.upgrade(url)
    with engine.connect() as connection:
        filled = connection.scalar(text("SELECT count(*) FROM completions")) or 0
    engine.dispose()
    return filled == 0


def _copy(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def,type-arg]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill(url: str) -> None:
    """Load the synthetic programme with COPY (a few seconds for ~250,000 rows)."""
    rng = random.Random(2026)
    engine = create_engine(url)
    raw = engine.raw_connection()
    now = clock.now()
    try:
        cursor = raw.cursor()
        periods = cursor.execute(
            "SELECT id, starts_on, ends_on FROM programme_periods ORDER BY starts_on"
        ).fetchall()
        _copy(
            cursor,
            "municipalities",
            ["id", "slug", "name", "created_at"],
            [(m, f"kommune-{m:02d}", f"Modellkommune {m:02d}", now) for m in range(1, MUNICIPALITIES + 1)],
        )
        _copy(
            cursor,
            "org_units",
            ["id", "municipality_id", "name", "created_at"],
            [
                ((m - 1) * UNITS + u, m, f"Fachbereich {u:02d}", now)
                for m in range(1, MUNICIPALITIES + 1)
                for u in range(1, UNITS + 1)
            ],
        )
        _copy(
            cursor,
            "modules",
            ["id", "slug", "kind", "created_at"],
            [
                (i, f"modul-{i:02d}", "training" if i <= MODULES else "workshop", now)
                for i in range(1, MODULES + 3)
            ],
        )
        versions = []
        for i in range(1, MODULES + 3):
            for label in ("1.0", "1.1") if i % 3 == 0 else ("1.0",):
                versions.append((len(versions) + 1, i, label))
        _copy(
            cursor,
            "module_versions",
            [
                "id",
                "module_id",
                "version_label",
                "title",
                "summary",
                "duration_minutes",
                "audience",
                "objectives",
                "materials",
                "language",
                "intro_html",
                "source",
                "content_hash",
                "renderer_version",
                "published_at",
            ],
            [
                (
                    v,
                    m,
                    label,
                    f"Schulungsmodul {m:02d}",
                    "Synthetisch.",
                    45,
                    '["Alle"]',
                    '["Ziel"]',
                    "[]",
                    "de",
                    "",
                    "",
                    f"sha256:{v:064d}",
                    "1",
                    now,
                )
                for v, m, label in versions
            ],
        )
        by_module: dict[int, list[int]] = {}
        for v, m, _label in versions:
            by_module.setdefault(m, []).append(v)
        users, roles = [], []
        digest = hash_password(PASSWORD)
        for m in range(1, MUNICIPALITIES + 1):
            for s in range(STAFF):
                uid = (m - 1) * STAFF + s + 1
                active = s % 50 != 1  # 2 % have left (never the coordinator, s = 0)
                created = now - timedelta(days=900)
                users.append(
                    (
                        uid,
                        f"p{uid}@kommune-{m:02d}.example",
                        f"Person {uid}",
                        digest if s == 0 else None,
                        m,
                        active,
                        None if active else now - timedelta(days=30),
                        (m - 1) * UNITS + s % UNITS + 1,
                        f"{uid:06d}",
                        created,
                    )
                )
                roles.append((uid, "coordinator" if s == 0 else "learner"))
        admin_id = MUNICIPALITIES * STAFF + 1
        users.append(
            (admin_id, "admin@bench.example", "Programmbüro", digest, None, True, None, None, None, now)
        )
        roles.append((admin_id, "admin"))
        _copy(
            cursor,
            "users",
            [
                "id",
                "email",
                "display_name",
                "password_hash",
                "municipality_id",
                "is_active",
                "deactivated_at",
                "org_unit_id",
                "personnel_number",
                "created_at",
            ],
            users,
        )
        _copy(cursor, "user_roles", ["user_id", "role"], roles)
        seen: set[tuple[int, int]] = set()
        completions = []
        while len(completions) < COMPLETIONS:
            uid = rng.randrange(1, MUNICIPALITIES * STAFF + 1)
            module = rng.randrange(1, MODULES + 1)
            version = rng.choice(by_module[module])
            if (uid, version) in seen:
                continue
            seen.add((uid, version))
            _pid, start, end = rng.choice(periods)
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            at = datetime(day.year, day.month, day.day, rng.randrange(7, 18), rng.randrange(60), tzinfo=UTC)
            mode = "in_person" if rng.random() < 0.2 else "online"
            completions.append(
                (len(completions) + 1, uid, module, version, None if mode == "in_person" else 85, mode, at)
            )
        _copy(
            cursor,
            "completions",
            ["id", "user_id", "module_id", "module_version_id", "score_percent", "mode", "completed_at"],
            completions,
        )
        workshops = []
        for w in range(1, WORKSHOPS + 1):
            _pid, start, end = rng.choice(periods)
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            workshops.append(
                (
                    w,
                    "workshop",
                    rng.randrange(1, MUNICIPALITIES + 1),
                    MODULES + 1,
                    by_module[MODULES + 1][0],
                    day,
                    "Rathaus",
                    rng.randrange(3, 25),
                    "",
                    now,
                )
            )
        _copy(
            cursor,
            "live_sessions",
            [
                "id",
                "kind",
                "municipality_id",
                "module_id",
                "module_version_id",
                "held_on",
                "place",
                "participant_count",
                "external_facilitators",
                "created_at",
            ],
            workshops,
        )
        for table in (
            "municipalities",
            "org_units",
            "modules",
            "module_versions",
            "users",
            "completions",
            "live_sessions",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def timed(label: str, action: Callable[[], object], runs: int = 7) -> float:
    """Median wall time of ``runs`` runs after one warm-up, printed in ms."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    print(f"  {label:<58} {median:8.1f} ms   (min {min(samples):.1f}, max {max(samples):.1f})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true", help="drop and load the database again")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the grouped queries")
    args = parser.parse_args()

    if ensure_database(args.url, args.rebuild):
        started = time.perf_counter()
        fill(args.url)
        print(f"Synthetic programme loaded in {time.perf_counter() - started:.1f} s.")
    engine = create_engine(args.url)
    with engine.connect() as connection:
        counts = {
            t: connection.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("municipalities", "users", "completions", "live_sessions", "programme_periods")
        }
    print("Rows: " + ", ".join(f"{t} {n:,}".replace(",", ".") for t, n in counts.items()))

    session = Session(engine)
    period = session.scalar(select(ProgrammePeriod).order_by(ProgrammePeriod.starts_on))
    town = session.scalar(select(Municipality).where(Municipality.slug == "kommune-07"))
    assert period is not None and town is not None
    print(f"\nQueries ({period.label}, as of {TODAY:%d.%m.%Y}):")
    results = {
        "dashboard query": timed(
            "municipality_report (one municipality, all aggregates)",
            lambda: municipality_report(session, town, period, TODAY),
        ),
        "programme query": timed(
            "programme_report (16 municipalities side by side)",
            lambda: programme_report(session, period, TODAY),
        ),
    }
    timed(
        "completion_list (one municipality, for CSV/XLSX)",
        lambda: completion_list(session, range_of(period, TODAY), town.id),
    )
    session.close()

    app = create_app({"database_url": args.url, "secret_key": "bench", "testing": True})
    print("\nHTTP through the test client (login once, then the page):")
    for email, pages in (
        (
            "p" + str((town.id - 1) * STAFF + 1) + "@kommune-07.example",
            [
                ("dashboard page", f"/kommunen/kommune-07?zeitraum={period.id}"),
                ("Jahresnachweis PDF", f"/kommunen/kommune-07/jahresnachweis.pdf?zeitraum={period.id}"),
                ("completion list CSV", f"/kommunen/kommune-07/abschluesse.csv?zeitraum={period.id}"),
            ],
        ),
        (
            "admin@bench.example",
            [
                ("programme page", f"/programmbuero?zeitraum={period.id}"),
                ("programme XLSX", f"/programmbuero/uebersicht.xlsx?zeitraum={period.id}"),
                ("programme PDF", f"/programmbuero/uebersicht.pdf?zeitraum={period.id}"),
            ],
        ),
    ):
        client = app.test_client()
        page = client.get("/anmelden").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        response = client.post("/anmelden", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, f"login failed for {email}"
        for label, path in pages:

            def get(path: str = path, client=client) -> None:  # type: ignore[no-untyped-def]
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                response.close()

            results[label] = timed(f"GET {path.split('?')[0]}", get)

    if args.explain:
        explain(args.url, period, town.id)
    print("\nTarget < 300 ms: " + ", ".join(f"{k} {'ok' if v < 300 else 'SLOW'}" for k, v in results.items()))
    engine.dispose()


def explain(url: str, period: ProgrammePeriod, municipality_id: int) -> None:
    """The plans of the heaviest grouped queries, to check index use."""
    from sqlalchemy.dialects import postgresql

    from lms.reports import queries

    r = range_of(period, TODAY)
    engine = create_engine(url)
    statements = {
        "programme office: delivered, trained, coverage (one statement)": queries.programme_query(
            period.id, r, period.min_staff_per_module
        ),
        "dashboard: coverage of one municipality": queries.coverage_query(r, municipality_id),
    }
    with engine.connect() as connection:
        for label, statement in statements.items():
            sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
            plan = connection.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
            print(f"\n--- {label}\n" + "\n".join(plan))
    engine.dispose()


if __name__ == "__main__":
    main()
