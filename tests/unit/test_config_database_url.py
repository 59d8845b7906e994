"""Database URLs an operator writes: the usual slips get a German sentence with the form that works, not SQLAlchemy's
„Can't load plugin: sqlalchemy.dialects:postgres“ or a missing MySQLdb (an operator's QA check)."""

from __future__ import annotations

import pytest

from lms.config import ConfigError, load_settings


def _settings(url: str):  # type: ignore[no-untyped-def]
    return load_settings({"LMS_DATABASE_URL": url}, require_secret=False)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://lms:geheim@db.example:5432/lms",
        "postgresql://lms@db.example/lms",
        "sqlite:////var/lib/lms/lms.sqlite3",
        "sqlite+pysqlite:///lms.sqlite3",
    ],
)
def test_the_databases_the_platform_runs_on_are_accepted(url: str) -> None:
    assert _settings(url).database_url == url


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgres://lms:geheim@db.example/lms", "beginnt mit „postgres://“"),
        ("postgresql+psycopg2://lms:geheim@db.example/lms", "schreiben Sie „postgresql+psycopg://“"),
        ("mysql://lms:geheim@db.example/lms", "läuft mit PostgreSQL über psycopg oder mit SQLite"),
        ("db.example/lms geheim", "ist keine Datenbank-URL"),
    ],
)
def test_other_urls_are_refused_with_the_form_that_works_and_without_the_password(
    url: str, said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _settings(url)
    message = str(refused.value)
    assert message.startswith("LMS_DATABASE_URL") and said in message
    assert "postgresql+psycopg://benutzer@host:5432/lms" in message and "geheim" not in message


def test_a_host_name_that_does_not_resolve_is_called_unreachable() -> None:
    """It was „Die Datenbank hat den Befehl abgelehnt“, as if the database had answered."""
    from sqlalchemy.exc import OperationalError

    from lms.commands import database_unavailable

    error = OperationalError(
        "SELECT 1",
        {},
        Exception("failed to resolve host 'nohost.invalid': [Errno -2] Name or service not known"),
    )
    assert database_unavailable(error).startswith(
        "Die Datenbank ist nicht erreichbar (failed to resolve host"
    )
