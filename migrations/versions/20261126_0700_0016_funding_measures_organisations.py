"""Funding per municipality and programme year, measures, their imports, migrant organisations; federal states.

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-26 07:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(sa.Column("federal_state", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_municipalities_federal_state"), ["federal_state"], unique=False)
    op.create_table(
        "fundings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("granted_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("granted_cents >= 0", name=op.f("ck_fundings_granted_not_negative")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_fundings_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["programme_periods.id"], name=op.f("fk_fundings_period_id_programme_periods")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_fundings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fundings")),
        sa.UniqueConstraint(
            "municipality_id", "period_id", name=op.f("uq_fundings_municipality_id_period_id")
        ),
    )
    op.create_index(op.f("ix_fundings_municipality_id"), "fundings", ["municipality_id"], unique=False)
    op.create_table(
        "measure_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_measure_imports_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_imports")),
    )
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_measures_amount_not_negative")),
        sa.CheckConstraint(
            "kind IN ('personnel', 'training', 'consulting', 'other')", name=op.f("ck_measures_known_kind")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_measures_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["measure_imports.id"],
            name=op.f("fk_measures_import_id_measure_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_measures_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    op.create_index(op.f("ix_measures_municipality_id"), "measures", ["municipality_id"], unique=False)
    op.create_index(op.f("ix_measures_occurred_on"), "measures", ["occurred_on"], unique=False)
    op.create_table(
        "migrant_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seat", sa.String(length=120), nullable=False),
        sa.Column("participation", sa.String(length=30), nullable=False),
        sa.Column("may_be_named", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "participation IN ('advisory_board', 'survey', 'workshop_partner', 'training_development', 'other')",
            name=op.f("ck_migrant_organisations_known_participation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_migrant_organisations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_migrant_organisations_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_migrant_organisations_period_id_programme_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migrant_organisations")),
    )
    op.create_index(
        op.f("ix_migrant_organisations_municipality_id"),
        "migrant_organisations",
        ["municipality_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_migrant_organisations_municipality_id"), table_name="migrant_organisations")
    op.drop_table("migrant_organisations")
    op.drop_index(op.f("ix_measures_occurred_on"), table_name="measures")
    op.drop_index(op.f("ix_measures_municipality_id"), table_name="measures")
    op.drop_table("measures")
    op.drop_table("measure_imports")
    op.drop_index(op.f("ix_fundings_municipality_id"), table_name="fundings")
    op.drop_table("fundings")
    with op.batch_alter_table("municipalities") as batch:
        batch.drop_index(batch.f("ix_municipalities_federal_state"))
        batch.drop_column("federal_state")
