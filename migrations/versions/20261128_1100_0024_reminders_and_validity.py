"""Reminders and validity: how long a module version's completion is valid, each completion's last valid day, the
reminder switches of a person, and the record of reminders sent.

Revision ID: 0024
Revises: 0025
Create Date: 2026-11-28 06:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("module_versions") as batch:
        batch.add_column(sa.Column("valid_for_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("completions") as batch:
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_completions_valid_until"), ["valid_until"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("has_reminders", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(
            sa.Column("has_weekly_digest", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occasion", sa.String(length=80), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("module_version_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('due_soon', 'overdue', 'expiry', 'material_change', 'digest')",
            name=op.f("ck_sent_reminders_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sent_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_sent_reminders_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name=op.f("fk_sent_reminders_module_version_id_module_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint(
            "user_id", "kind", "occasion", name=op.f("uq_sent_reminders_user_id_kind_occasion")
        ),
    )


def downgrade() -> None:
    op.drop_table("sent_reminders")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("has_weekly_digest")
        batch.drop_column("has_reminders")
    with op.batch_alter_table("completions") as batch:
        batch.drop_index(batch.f("ix_completions_valid_until"))
        batch.drop_column("valid_until")
    with op.batch_alter_table("module_versions") as batch:
        batch.drop_column("valid_for_months")
