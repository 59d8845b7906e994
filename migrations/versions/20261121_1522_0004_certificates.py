"""Certificates: issued certificates with their frozen snapshots, and the verification lookup log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 15:22:34.433785+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_lookups")),
    )
    with op.batch_alter_table("verification_lookups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_lookups_at"), ["at"], unique=False)
        batch_op.create_index("ix_verification_lookups_client_at", ["client_key", "at"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("completion_id", sa.Integer(), nullable=True),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'participation' OR completion_id IS NOT NULL",
            name=op.f("ck_certificates_completion_has_completion"),
        ),
        sa.CheckConstraint(
            "kind IN ('completion', 'participation')", name=op.f("ck_certificates_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["completion_id"], ["completions.id"], name=op.f("fk_certificates_completion_id_completions")
        ),
        sa.ForeignKeyConstraint(["holder_id"], ["users.id"], name=op.f("fk_certificates_holder_id_users")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_certificates_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_certificates_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_certificates_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("completion_id", name=op.f("uq_certificates_completion_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(
            "ix_certificates_municipality_awarded", ["municipality_id", "awarded_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_municipality_awarded")
        batch_op.drop_index(batch_op.f("ix_certificates_holder_id"))

    op.drop_table("certificates")
    with op.batch_alter_table("verification_lookups", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_lookups_client_at")
        batch_op.drop_index(batch_op.f("ix_verification_lookups_at"))

    op.drop_table("verification_lookups")
