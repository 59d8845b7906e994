"""Running the Alembic migrations from code (CLI and tests share this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from lms import bundled

#: The settings of alembic.ini, which only the `alembic` command in a checkout reads; an installed wheel has no
#: alembic.ini, so the platform builds its configuration here (tests/unit/test_packaging.py keeps the two equal).
#: Values pass through ConfigParser interpolation, hence the doubled %.
ALEMBIC_OPTIONS = {
    "file_template": "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    "path_separator": "os",
    "timezone": "UTC",
}


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config for this project, bound to a URL or an open connection."""
    config = Config()
    config.set_main_option("script_location", str(bundled.folder("migrations")))
    for key, value in ALEMBIC_OPTIONS.items():
        config.set_main_option(key, value)
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url=url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision``."""
    command.downgrade(alembic_config(url=url), revision)
