"""The network member's own consent: when they agreed on the platform, and to which wording.

Until now a facilitator added a member after asking in person, and nothing recorded the person's own consent. From
this revision a facilitator's addition is a request that the person answers under „Termine“. Members added before
keep their membership, marked „in_person“ with the day they were added: what the facilitators had asked then.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-29 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("network_members") as table:
        table.add_column(sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("consent_version", sa.String(20), nullable=True))
    op.execute("UPDATE network_members SET consented_at = added_at, consent_version = 'in_person'")


def downgrade() -> None:
    op.execute("DELETE FROM network_members WHERE consented_at IS NULL")
    with op.batch_alter_table("network_members") as table:
        table.drop_column("consent_version")
        table.drop_column("consented_at")
