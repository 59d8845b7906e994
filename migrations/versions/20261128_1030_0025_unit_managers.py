"""The org-unit manager role („Leitung Organisationseinheit“) and the org units each such person leads.

Revision ID: 0025
Revises: 0021
Create Date: 2026-11-28 10:30:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator', 'advisory_board')"
ROLES_AFTER = (
    "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator', 'advisory_board', 'unit_manager')"
)


def upgrade() -> None:
    op.create_table(
        "unit_managers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_unit_managers_org_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_unit_managers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "org_unit_id", name=op.f("pk_unit_managers")),
    )
    op.create_index(op.f("ix_unit_managers_org_unit_id"), "unit_managers", ["org_unit_id"], unique=False)
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM user_roles WHERE role = 'unit_manager'")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_BEFORE)
    op.drop_index(op.f("ix_unit_managers_org_unit_id"), table_name="unit_managers")
    op.drop_table("unit_managers")
