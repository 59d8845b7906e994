"""Quiz review options: when learners see right/wrong, the right answers and the explanations.

Versions published before keep no options in their source, so they get the defaults their source now parses to
(right/wrong and explanations at once, the right answers once the module is passed or no attempt is left).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 03:10:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEFAULTS = {"correctness": "always", "right_answer": "after_pass_or_last_attempt", "explanation": "always"}
VALUES = "('always', 'after_pass_or_last_attempt', 'never')"


def upgrade() -> None:
    with op.batch_alter_table("quiz_versions", schema=None) as batch_op:
        for part, default in DEFAULTS.items():
            batch_op.add_column(
                sa.Column(f"review_{part}", sa.String(length=30), server_default=default, nullable=False)
            )
            batch_op.create_check_constraint(
                op.f(f"ck_quiz_versions_review_{part}_known"), f"review_{part} IN {VALUES}"
            )


def downgrade() -> None:
    with op.batch_alter_table("quiz_versions", schema=None) as batch_op:
        for part in reversed(list(DEFAULTS)):
            batch_op.drop_constraint(op.f(f"ck_quiz_versions_review_{part}_known"), type_="check")
            batch_op.drop_column(f"review_{part}")
