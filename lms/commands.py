"""What every command module shares: the settings and the CLI's unit of work.

Its own module so ``lms.cli`` (which mounts the feature commands) and ``lms/<feature>/cli.py`` (which use
these) do not import each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lms.config import ConfigError, Settings, load_settings
from lms.db import make_engine


def settings() -> Settings:
    """Settings for commands that need the database but not a secret key."""
    try:
        return load_settings(require_secret=False)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One session for the whole command: commit on success, roll back on error."""
    url = settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    session = Session(bind=engine, expire_on_commit=False)
    try:
        with refusals_explained():  # the database, not the command: a message instead of a traceback
            yield session
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


@contextmanager
def refusals_explained() -> Iterator[None]:
    """For commands that reach the database without a unit of work (migrations): the same message."""
    try:
        yield
    except OperationalError as error:
        raise click.ClickException(database_unavailable(error)) from None


def database_unavailable(error: OperationalError) -> str:
    """What a command says when the database refused it: locked by another writer (SQLite), not reachable, or
    refusing the statement (a database that was never migrated, a full disk)."""
    reason = next(iter(str(error.orig or error).strip().splitlines()), "")
    if "database is locked" in reason:
        return (
            "Die Datenbank ist gerade von einem anderen Vorgang gesperrt (etwa beim Start der Plattform oder einem "
            "großen Import). Bitte versuchen Sie es in einigen Sekunden noch einmal; es wurde nichts geändert."
        )
    if error.connection_invalidated or any(
        sign in reason
        for sign in (
            "connection failed",
            "could not connect",
            "unable to open database file",
            "failed to resolve host",  # psycopg: a host name that does not resolve
            "could not translate host name",
            "Name or service not known",
        )
    ):
        return f"Die Datenbank ist nicht erreichbar ({reason}). Es wurde nichts geändert."
    hint = (
        " Ist sie auf dem neuesten Stand („lms db upgrade“)?"
        if "no such" in reason or "does not exist" in reason
        else ""
    )
    return f"Die Datenbank hat den Befehl abgelehnt ({reason}).{hint} Es wurde nichts geändert."
