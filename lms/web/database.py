"""One database session per request, committed once at the end of a successful request (the only commit point)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from lms.db import make_engine

SessionFactory = Callable[[], Session]


def init_app(app: Flask, url: str) -> None:
    """Create the engine and session factory; register the commit/rollback hooks."""
    engine = make_engine(url, pool_pre_ping=True)
    app.extensions["lms.engine"] = engine
    app.extensions["lms.session_factory"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.after_request(_commit_on_success)
    app.teardown_request(_close_session)


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
        bind = session.get_bind()
        if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        g.db = session
    db: Session = g.db
    return db


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
