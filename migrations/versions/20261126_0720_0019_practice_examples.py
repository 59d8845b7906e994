"""Practice examples (Praxisbeispiele) shared between the model municipalities, with an optional attachment.

Revision ID: 0019
Revises: 0016
Create Date: 2026-11-26 07:20:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("file_type", sa.String(length=100), nullable=True),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_practice_examples_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_practice_examples_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_practice_examples_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_examples")),
    )
    op.create_index(op.f("ix_practice_examples_module_id"), "practice_examples", ["module_id"], unique=False)
    op.create_index(
        op.f("ix_practice_examples_municipality_id"), "practice_examples", ["municipality_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_practice_examples_municipality_id"), table_name="practice_examples")
    op.drop_index(op.f("ix_practice_examples_module_id"), table_name="practice_examples")
    op.drop_table("practice_examples")
