"""Barrier reports („Barriere melden“) and the submissions log of their rate limit.

Revision ID: 0022
Revises: 0018
Create Date: 2026-11-27 07:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "barrier_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_url", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["users.id"],
            name=op.f("fk_barrier_reports_status_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barrier_reports")),
    )
    op.create_table(
        "barrier_report_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barrier_report_submissions")),
    )
    op.create_index(
        "ix_barrier_report_submissions_client_at",
        "barrier_report_submissions",
        ["client_key", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_barrier_report_submissions_at"), "barrier_report_submissions", ["at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_barrier_report_submissions_at"), table_name="barrier_report_submissions")
    op.drop_index("ix_barrier_report_submissions_client_at", table_name="barrier_report_submissions")
    op.drop_table("barrier_report_submissions")
    op.drop_table("barrier_reports")
