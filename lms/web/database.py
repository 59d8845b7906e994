"""One database session per request, committed once at the end of a successful request (the only commit point)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from lms.db import make_engine

SessionFactory = Callable[[], Session]

#: A pooled connection idle longer than this is pinged before a request uses it (see _ping_after_idle).
PING_AFTER_IDLE_SECONDS = 10.0


def init_app(app: Flask, url: str, reports_url: str = "") -> None:
    """Create the engine and session factory (and the reports' ones); register the commit/rollback hooks."""
    engine = make_engine(url)
    _ping_after_idle(engine)
    app.extensions["lms.engine"] = engine
    app.extensions["lms.session_factory"] = sessionmaker(bind=engine, expire_on_commit=False)
    if reports_url:
        reports = make_engine(reports_url)
        _ping_after_idle(reports)
        if reports.dialect.name == "postgresql":
            # Every transaction on it is READ ONLY: a write that slipped into a report fails instead of landing
            # on a replica (which would refuse it anyway) or on a second primary.
            reports = reports.execution_options(postgresql_readonly=True)
        app.extensions["lms.reports_engine"] = reports
        app.extensions["lms.reports_session_factory"] = sessionmaker(bind=reports, expire_on_commit=False)
    app.after_request(_commit_on_success)
    app.teardown_request(_close_session)


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it has been idle a while (the database may have restarted).

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round trip per request, for connections that
    were in use a moment ago. A connection that answered within the last seconds is used as it is; should it still
    have died, SQLAlchemy drops the whole pool on the first disconnect error, so at most that request fails.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["lms.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("lms.idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces the connection and tries again
            raise exc.DisconnectionError() from error


def get_db() -> Session:
    """The session of the current request (opened on first use).

    On SQLite the request's transaction takes the write lock when it begins (BEGIN IMMEDIATE): almost every
    request may write (an API token's last use, a quiz attempt, a login), and a deferred transaction that has read
    fails at its first write if another worker wrote in between, a 500 the busy timeout cannot prevent. Waiting
    for the lock up front serialises the requests' units of work instead. What runs after the commit (a streamed
    download) begins a new, deferred transaction and does not hold the lock.
    """
    if "db" not in g:
        session: Session = current_app.extensions["lms.session_factory"]()
        _begin_writing(session)
        g.db = session
    db: Session = g.db
    return db


def commit_midway(session: Session) -> None:
    """Commit what the request has done so far, and go on in a transaction that may write like the first.

    The login counts an attempt before the slow password hash (so that parallel guesses see it): that commit ends
    the request's transaction, and the next one would begin deferred. On SQLite, two logins at the same moment then
    both read, and the second one's write failed with "database is locked" (a 500; found by trying four logins at
    once). The new transaction takes the write lock up front again.
    """
    session.commit()
    _begin_writing(session)


def _begin_writing(session: Session) -> None:
    """On SQLite, begin the session's transaction with the write lock (BEGIN IMMEDIATE); elsewhere nothing."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def get_reports_db() -> Session:
    """The session for read-only report queries: on LMS_REPORTS_DATABASE_URL (a read replica) if set, else get_db().

    Only aggregates and lists that a report shows go here, never a write and never what decides access (the
    acting user, the municipality's slug, the periods come from ``get_db()``). A replica may lag the primary by
    a moment: a completion recorded a second ago may be missing from a report read right after it.
    """
    factory = current_app.extensions.get("lms.reports_session_factory")
    if factory is None:
        return get_db()
    if "reports_db" not in g:
        g.reports_db = factory()
    session: Session = g.reports_db
    return session


@contextmanager
def reports_stream_session() -> Iterator[Session]:
    """A session of its own for a download's body, read while it is sent (after the request's commit and teardown).

    On the reports database if one is set, else on the primary; always closed when the body ends or the client
    goes away (the generator's ``finally``), as the request's own session may already be closed by then.
    """
    factory = (
        current_app.extensions.get("lms.reports_session_factory")
        or current_app.extensions["lms.session_factory"]
    )
    session: Session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def keep_changes_on_client_error() -> None:
    """Commit this request's changes even though it answers 4xx (e.g. a failed login must be counted)."""
    g.commit_on_client_error = True


def _commit_on_success(response: Response) -> Response:
    db: Session | None = g.get("db")
    if db is None:
        return response
    if response.status_code < 400 or (response.status_code < 500 and g.get("commit_on_client_error")):
        db.commit()  # an error here propagates and becomes a 500 with everything rolled back
    else:
        db.rollback()
    return response


def _close_session(_exc: BaseException | None) -> None:
    db: Session | None = g.pop("db", None)
    if db is not None:
        db.rollback()  # no-op after a commit; undoes everything after an unhandled error
        db.close()
    reports: Session | None = g.pop("reports_db", None)
    if reports is not None:
        reports.rollback()  # it only ever read: end its transaction (a replica holds back cleanup while it runs)
        reports.close()
