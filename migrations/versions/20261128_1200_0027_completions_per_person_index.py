"""Completions indexed by person, module and date: a municipality's report reads its staff's completions from the index.

The dashboard counts, per module, the distinct staff of one municipality who completed it in a period: it looks up
each member of staff's completions. With (user_id, module_id, completed_at), plus the mode on PostgreSQL, the index
alone answers (an index-only scan) instead of one heap visit per completion. It replaces the index on user_id alone,
of which it is a prefix. Both indexes carry the last valid day (0024) on PostgreSQL, which coverage reads.

Revision ID: 0027
Revises: 0023
Create Date: 2026-11-28 10:30:00+00:00
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("completions") as batch_op:
        batch_op.create_index(
            "ix_completions_user_id_module_id",
            ["user_id", "module_id", "completed_at"],
            postgresql_include=["mode", "valid_until"],
        )
        batch_op.drop_index("ix_completions_user_id")
        # Coverage counts only completions still valid (0024): the period index carries the last valid day too.
        batch_op.drop_index("ix_completions_completed_at")
        batch_op.create_index(
            "ix_completions_completed_at",
            ["completed_at"],
            postgresql_include=["user_id", "module_id", "valid_until"],
        )


def downgrade() -> None:
    with op.batch_alter_table("completions") as batch_op:
        batch_op.drop_index("ix_completions_completed_at")
        batch_op.create_index(
            "ix_completions_completed_at", ["completed_at"], postgresql_include=["user_id", "module_id"]
        )
        batch_op.create_index("ix_completions_user_id", ["user_id"])
        batch_op.drop_index("ix_completions_user_id_module_id")
