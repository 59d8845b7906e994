"""Answers of an open quiz attempt, saved as the learner goes (draft_responses, draft_saved_at); question pools
(quiz_versions.draw), partial credit (quiz_versions.scoring) and the reading rule (require_reading).

Revision ID: 0020
Revises: 0022
Create Date: 2026-11-27 06:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0022"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.add_column(sa.Column("draft_responses", JSON, nullable=True))
        batch.add_column(sa.Column("draft_saved_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("quiz_versions") as batch:
        batch.add_column(sa.Column("draw", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("scoring", sa.String(length=20), nullable=False, server_default="all_or_nothing")
        )
        batch.add_column(
            sa.Column("require_reading", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint("scoring_known", "scoring IN ('all_or_nothing', 'partial')")
        batch.create_check_constraint("draw_positive", "draw IS NULL OR draw >= 1")


def downgrade() -> None:
    with op.batch_alter_table("quiz_versions") as batch:
        batch.drop_constraint("draw_positive", type_="check")
        batch.drop_constraint("scoring_known", type_="check")
        batch.drop_column("require_reading")
        batch.drop_column("scoring")
        batch.drop_column("draw")
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_column("draft_saved_at")
        batch.drop_column("draft_responses")
