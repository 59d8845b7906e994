"""Failed redemptions of participation codes, counted per person (a rate limit against guessing codes).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 04:40:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_redemption_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_code_redemption_failures_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_redemption_failures")),
    )
    with op.batch_alter_table("code_redemption_failures", schema=None) as batch_op:
        batch_op.create_index("ix_code_redemption_failures_user_id_at", ["user_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_code_redemption_failures_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("code_redemption_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_redemption_failures_at"))
        batch_op.drop_index("ix_code_redemption_failures_user_id_at")
    op.drop_table("code_redemption_failures")
