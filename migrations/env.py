"""Alembic environment: one schema for SQLite (batch mode) and PostgreSQL; the URL or connection comes from lms."""

from __future__ import annotations

from alembic import context

import lms.models  # noqa: F401  (fills the metadata)
from lms.db import Base, UTCDateTime, make_engine

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render our column types as plain SQLAlchemy types, so migrations never depend on app code that may change."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    """Run against the connection the caller passed in, or open one from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("url")
    if url is None:
        # The `alembic` command in a checkout (e.g. `alembic revision --autogenerate`): the platform's own database.
        from lms.config import load_settings

        url = load_settings(require_secret=False).database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline-Migrationen werden nicht unterstützt; bitte gegen eine Datenbank ausführen.")
run_migrations_online()
