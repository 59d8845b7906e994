"""Workshop attendee names: when they were deleted, and an index for the daily retention purge.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 03:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names_deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_live_sessions_held_on", ["held_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_sessions_held_on")
        batch_op.drop_column("names_deleted_at")
