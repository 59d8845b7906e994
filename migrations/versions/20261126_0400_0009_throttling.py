"""Throttling: login attempts record the client and a trusted device; lock rows make counting atomic.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 04:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_locks",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_throttle_locks")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_login_attempts_client_key_at", ["client_key", "at"], unique=False)
        batch_op.create_index("ix_login_attempts_device_at", ["device", "at"], unique=False)
        batch_op.create_index("ix_login_attempts_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_at")
        batch_op.drop_index("ix_login_attempts_device_at")
        batch_op.drop_index("ix_login_attempts_client_key_at")
        batch_op.drop_column("device")
        batch_op.drop_column("client_key")
    op.drop_table("throttle_locks")
