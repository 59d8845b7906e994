"""Database foundations: the declarative base with a naming convention, shared column types, UTC time, engines."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, String, TypeDecorator, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

from lms import time as clock

log = logging.getLogger(__name__)

# Constraint names are part of the schema: fixed from day one so migrations can drop and alter them by name.
#: The largest value of PostgreSQL's ``integer``, the type of every id column: a larger id is no row's.
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ImmutableError(RuntimeError):
    """Raised when code tries to change a record that history depends on (a version, an attempt, a completion)."""


_Row = TypeVar("_Row")


def get_by_id(session: Session, model: type[_Row], row_id: int) -> _Row | None:
    """``session.get``, except that an id no row can have (0, negative, beyond PostgreSQL's integer) finds nothing
    instead of an error from the database: for ids typed on the command line."""
    return session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def changed_columns(target: Any) -> set[str]:
    """Names of the mapped attributes of ``target`` that the pending flush would change."""
    return {attr.key for attr in inspect(target).attrs if attr.history.has_changes()}


_Statement = TypeVar("_Statement")


def built_once(build: Callable[[], _Statement]) -> Callable[[], _Statement]:
    """A query built on its first use and reused by every request after it, its values as ``bindparam``s.

    Building a SQLAlchemy statement and its cache key costs about as much CPU as running it; the queries every page
    asks (who is logged in, the catalogue, the reading progress) are therefore built once per process. First use,
    not import: by then every mapper is configured.
    """
    return functools.cache(build)


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use lms.time.now() or an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON on every database, JSONB on PostgreSQL (indexable, compact).
JSONDocument = JSON().with_variant(JSONB(), "postgresql")

intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=clock.now, nullable=False)]
slug = Annotated[str, mapped_column(String(80), nullable=False)]


#: How a SQLite transaction may begin (execution option ``sqlite_begin``); the default is DEFERRED.
SQLITE_BEGIN_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")


def _unicode_lower(value: Any) -> Any:
    """lower() for SQLite as PostgreSQL has it: every letter, not only ASCII (NULL and numbers pass through)."""
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite turn on foreign keys, WAL and a busy timeout so several workers can share it."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 15})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            # SQLite's own lower() folds A–Z only: a search for „özil“ would not find „Özil“ (PostgreSQL folds all
            # letters). No index is built on lower(), so replacing it changes no stored data.
            dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A deferred transaction that reads and then writes fails at once ("database is locked", the busy
            # timeout does not apply) when another connection wrote in between; a unit of work that may write
            # asks for the write lock up front with execution_options(sqlite_begin="IMMEDIATE").
            mode = connection.get_execution_options().get("sqlite_begin", "")
            connection.exec_driver_sql(f"BEGIN {mode}" if mode in SQLITE_BEGIN_MODES else "BEGIN")

    return engine


_AFTER_COMMIT = "lms.after_commit"


def run_after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once this session's unit of work has committed; forget it if the unit rolls back.

    Side effects (mail, jobs for the queue) go through here, so that a rolled-back request sends and starts
    nothing. Callbacks run in the order given; one that raises is logged and does not stop the others (the work is
    committed by then and stays so).
    """
    pending = session.info.get(_AFTER_COMMIT)
    if pending is None:
        pending = session.info[_AFTER_COMMIT] = _AfterCommit(session)
    pending.callbacks.append(callback)


class _AfterCommit:
    """Callbacks waiting for the session's commit; listens to the session until it commits or rolls back."""

    def __init__(self, session: Session) -> None:
        self.callbacks: list[Callable[[], None]] = []
        self.done = False
        event.listen(session, "after_commit", self.after_commit)
        event.listen(session, "after_soft_rollback", self.after_rollback)

    def _stop(self, session: Session) -> None:
        # Listeners cannot be removed while the event runs; they stay, idle, for the rest of the session's life.
        self.done = True
        if session.info.get(_AFTER_COMMIT) is self:
            session.info.pop(_AFTER_COMMIT)

    def after_commit(self, session: Session) -> None:
        # SQLAlchemy sends after_commit for a SAVEPOINT's release too (begin_nested); the unit of work is still
        # open then, and a job handed over now would wait for its lock or find rows that may yet roll back.
        if self.done or session.in_nested_transaction():
            return
        self._stop(session)
        for callback in self.callbacks:
            try:
                callback()
            except (
                Exception
            ):  # committed work stays committed; whoever queued the callback logs what it needs
                log.exception("a callback after the commit failed")

    def after_rollback(self, session: Session, _previous: object) -> None:
        if (
            not self.done and not session.in_transaction()
        ):  # the whole unit of work, not a savepoint inside it
            self._stop(session)
