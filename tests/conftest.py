"""Test fixtures: the schema comes from the migrations; every test runs in a transaction that is rolled back.

The database is a temporary SQLite file, or PostgreSQL when LMS_TEST_DATABASE_URL is set (as in CI). Under
pytest-xdist (`-n 2`) each worker has a database of its own: its own SQLite file, or `<name>_gw0`, `<name>_gw1`, …
next to the given PostgreSQL database. LMS_TEST_NOW (e.g. `2028-12-31 23:30`, Europe/Berlin unless it names an
offset) runs the whole suite at that moment: the clock starts there and ticks on.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import jinja2
import pytest
import time_machine
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from lms import create_app, migrate
from lms.auth import passwords
from lms.db import make_engine
from tests.mailserver import FlakyInbox, smtp_server


class _TemplateCodeOfThisProcess(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test process, so each test's new app does not compile them again.

    Every test builds an app of its own (fresh settings, its own transaction), and a fresh app compiles each template
    it renders, about 8 ms apiece. Jinja keys the code by the template's name and checks its source's hash, and all
    the suite's apps configure Jinja alike, so a template compiled for one test serves the next.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _TemplateCodeOfThisProcess()


class _RuleBuiltOnce(Rule):
    """A URL rule whose two URL builders are made once per test process instead of once per app.

    Building an app costs about 150 ms, nearly all of it werkzeug writing and compiling the builder functions of the
    190 rules (Python code generated through ``ast`` per rule). Every test builds an app of its own, so this was about
    half of the suite's CPU time. A builder is a plain function of the rule's parsed parts (``_trace``: static text
    and variable names, host or subdomain included), the defaults folded into it, the converters' kinds and whether
    unknown arguments go into the query string; it reads the rule's converters through its ``self`` argument when it
    is called. Rules alike in all of that get the same function, each bound to itself. Test-only: production builds
    one app per process. If werkzeug renames the method this one is simply not called (slower, still right); if it
    renames what the key reads, every test fails at once.
    """

    _builders: ClassVar[dict[tuple[Any, ...], Callable[..., tuple[str, str]]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        key = (
            self.rule,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple(
                sorted((name, type(converter).__qualname__) for name, converter in self._converters.items())
            ),
            append_unknown,
        )
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


Flask.url_rule_class = _RuleBuiltOnce


def _on_test_transaction(app: Flask, connection: Connection) -> Flask:
    """The app's requests in the test's transaction, its templates from the process's compiled ones."""
    app.extensions["lms.engine"].dispose()
    app.extensions["lms.session_factory"] = lambda: _session_on(connection)
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    return app


# Production argon2 costs about a second per login; the suite logs in hundreds of times (tests/unit/test_passwords.py
# checks that the platform itself keeps the strong parameters).
passwords.weaken_for_tests()


def _reset_postgres(url: str) -> None:
    """Start from an empty schema; refuses databases whose name does not say they are for tests."""
    engine = make_engine(url)
    if "test" not in (engine.url.database or ""):
        raise RuntimeError(
            f"refusing to wipe {engine.url.database!r}: the test database name must contain 'test'"
        )
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _worker_database(url: str, worker: str) -> str:
    """This xdist worker's own PostgreSQL database next to the given one (`test` → `test_gw0`), created if missing."""
    given = make_url(url)
    name = f"{given.database}_{worker}"
    # CREATE DATABASE cannot run in a transaction; the maintenance database exists on every server.
    admin = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if (
                connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
                is None
            ):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def suite_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The whole session at LMS_TEST_NOW, if set (the CI's faked-clock pass); tests may still travel from there."""
    moment = os.environ.get("LMS_TEST_NOW", "")
    if not moment:
        yield
        return
    start = datetime.fromisoformat(moment)
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    # pytest ages the temporary folders of other runs by the real clock: make this run's folder before travelling.
    tmp_path_factory.getbasetemp()
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated test database."""
    url = os.environ.get("LMS_TEST_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url and worker:
        url = _worker_database(url, worker)
    if url:
        _reset_postgres(url)
    else:
        url = "sqlite:///" + str(Path(tmp_path_factory.mktemp("db")) / "test.sqlite3")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        if outer.is_active:
            outer.rollback()


def _session_on(connection: Connection) -> Session:
    # Commits inside the code under test only release a savepoint; the outer transaction still rolls back.
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for services and factories."""
    session = _session_on(connection)
    yield session
    session.close()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    """Where the app writes mails (.eml files) in this test."""
    return tmp_path / "outbox"


@pytest.fixture
def app(connection: Connection, database_url: str, outbox: Path):  # type: ignore[no-untyped-def]
    """The web app, its requests sharing the test's transaction."""
    app = create_app(
        {
            "testing": True,
            "database_url": database_url,
            "secret_key": "test-secret",
            "outbox_dir": str(outbox),
            "job_files_dir": str(outbox.parent / "jobs"),
            # Existing tests log privileged people in with the password alone; tests/web/test_mfa.py turns it on.
            "mfa_required_roles": "",
        }
    )
    return _on_test_transaction(app, connection)


@pytest.fixture
def make_app(connection: Connection, database_url: str, tmp_path: Path) -> Callable[..., Flask]:
    """An app like the suite's, with settings of the test's choosing, its requests in the test's transaction."""

    def make(**overrides: Any) -> Flask:
        app = create_app(
            {
                "testing": True,
                "database_url": database_url,
                "secret_key": "test-secret",
                "outbox_dir": str(tmp_path / "outbox"),
                "job_files_dir": str(tmp_path / "jobs"),
                "mfa_required_roles": "",
                **overrides,
            }
        )
        return _on_test_transaction(app, connection)

    return make


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis of the job queue tests: LMS_TEST_REDIS_URL (then it must answer: CI), else the local default."""
    import redis

    given = os.environ.get("LMS_TEST_REDIS_URL", "")
    url = given or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if given:
            pytest.fail(f"LMS_TEST_REDIS_URL={given} does not answer: {error}")
        pytest.skip(f"no Redis at {url} ({error}); set LMS_TEST_REDIS_URL to run the job queue tests")
    return url


@pytest.fixture
def queue_name(redis_url: str) -> Iterator[str]:
    """A queue of this test's own in the shared Redis; its keys (RQ's, all named after it) go afterwards."""
    import redis

    name = f"lms-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:10]}"
    yield name
    connection = redis.Redis.from_url(redis_url)
    keys = list(connection.scan_iter(match=f"*{name}*", count=1000))
    if keys:
        connection.delete(*keys)
    connection.srem(
        "rq:queues", f"rq:queue:{name}"
    )  # RQ's list of every queue (its workers' keys expire alone)
    connection.close()


@pytest.fixture
def inbox() -> Iterator[tuple[FlakyInbox, int]]:
    """A real SMTP server on a free port for this test (it can be told to refuse), and that port."""
    box = FlakyInbox()
    with smtp_server(box) as port:
        yield box, port


@pytest.fixture
def redis_app(
    make_app: Callable[..., Flask], redis_url: str, queue_name: str, inbox: tuple[FlakyInbox, int]
) -> Flask:
    """The app on the test's own Redis queue, mailing to the test's SMTP server; a failed job retries after 60 s."""
    _box, port = inbox
    return make_app(
        redis_url=redis_url,
        queue_name=queue_name,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        job_backoff_seconds=60,
    )
