"""Draft numbers are never reused: SQLite's content_drafts gets AUTOINCREMENT (PostgreSQL sequences never reuse).

Without it SQLite hands the number of the newest deleted draft (published or discarded) to the next draft, so a
link or a note „Entwurf 7“ could suddenly lead to someone else's text.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 05:00:00+00:00
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "content_drafts", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("id", autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("content_drafts", recreate="always") as batch_op:
        batch_op.alter_column("id", autoincrement=True)
