"""Answers of an open quiz attempt, saved as the learner goes (draft_responses, draft_saved_at).

Revision ID: 0020
Revises: 0015
Create Date: 2026-11-27 06:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.add_column(sa.Column("draft_responses", JSON, nullable=True))
        batch.add_column(sa.Column("draft_saved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_column("draft_saved_at")
        batch.drop_column("draft_responses")
