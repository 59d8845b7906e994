"""The schema comes from the migrations: they agree with the models and go down and up again cleanly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import lms.models  # noqa: F401
from lms import migrate
from lms.db import Base, make_engine


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models differ from migrations (write a migration): {differences}"


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test database, dropped afterwards."""
    base = os.environ.get("LMS_TEST_DATABASE_URL", "")
    if not base:
        yield "sqlite:///" + str(tmp_path / "scratch.sqlite3")
        return
    name = f"test_scratch_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(admin.url.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_downgrade_upgrade(scratch_database_url: str) -> None:
    migrate.upgrade(scratch_database_url)
    migrate.downgrade(scratch_database_url, "base")
    engine = make_engine(scratch_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(scratch_database_url)
    engine = make_engine(scratch_database_url)
    assert {"users", "module_versions", "completions", "quiz_attempts"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
