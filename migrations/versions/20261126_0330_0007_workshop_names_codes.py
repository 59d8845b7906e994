"""Workshop attendee names: when they were deleted, an index for the daily retention purge; participation codes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 03:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names_deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_live_sessions_held_on", ["held_on"], unique=False)
    op.create_table(
        "participation_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_participation_codes_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_codes")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_participation_codes_code_digest")),
    )
    with op.batch_alter_table("participation_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participation_codes_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("participation_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_codes_session_id"))
    op.drop_table("participation_codes")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_sessions_held_on")
        batch_op.drop_column("names_deleted_at")
