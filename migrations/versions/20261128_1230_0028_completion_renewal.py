"""Renewal of expired completions: a completion belongs to a validity cycle; one completion per person, module
version and cycle (instead of one per person and module version), so an expired completion can be renewed.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-28 12:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("completions") as batch:
        batch.add_column(sa.Column("cycle", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint(batch.f("uq_completions_user_id_module_version_id"), type_="unique")
        batch.create_unique_constraint(
            batch.f("uq_completions_user_id_module_version_id_cycle"),
            ["user_id", "module_version_id", "cycle"],
        )


def downgrade() -> None:
    # Renewals cannot be kept under the old rule (one completion per person and version), and completions are
    # never deleted: the downgrade refuses while any exist.
    renewals = op.get_bind().scalar(sa.text("SELECT count(*) FROM completions WHERE cycle > 1"))
    if renewals:
        raise RuntimeError(f"{renewals} renewal completions exist; they cannot be kept below revision 0028")
    with op.batch_alter_table("completions") as batch:
        batch.drop_constraint(batch.f("uq_completions_user_id_module_version_id_cycle"), type_="unique")
        batch.create_unique_constraint(
            batch.f("uq_completions_user_id_module_version_id"), ["user_id", "module_version_id"]
        )
        batch.drop_column("cycle")
