"""programme periods, org units, staff import, invitations, training plans, live sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 15:21:48.377810+00:00
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('learner', 'trainer', 'coordinator', 'admin')"
ROLES_AFTER = "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator')"


def upgrade() -> None:
    op.create_table(
        "programme_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("min_training_modules", sa.Integer(), nullable=False),
        sa.Column("min_staff_per_module", sa.Integer(), nullable=False),
        sa.Column("min_workshops", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_programme_periods_ends_after_start")),
        sa.CheckConstraint(
            "min_training_modules >= 0 AND min_staff_per_module >= 1 AND min_workshops >= 0",
            name=op.f("ck_programme_periods_rules_sane"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_periods")),
        sa.UniqueConstraint("label", name=op.f("uq_programme_periods_label")),
    )
    with op.batch_alter_table("programme_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_periods_ends_on"), ["ends_on"], unique=False)

    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_org_units_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("municipality_id", "name", name=op.f("uq_org_units_municipality_id_name")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('invitation', 'password_reset')", name=op.f("ck_invitations_purpose_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_invitations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "staff_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("deactivate_missing", sa.Boolean(), nullable=False),
        sa.Column("send_invitations", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_staff_imports_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_staff_imports_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_imports")),
    )
    with op.batch_alter_table("staff_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_imports_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "training_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_training_assignments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_training_assignments_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_training_assignments_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_training_assignments_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_training_assignments_period_id_programme_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_assignments")),
        sa.UniqueConstraint(
            "municipality_id",
            "period_id",
            "module_id",
            "org_unit_id",
            name=op.f("uq_training_assignments_municipality_id_period_id_module_id_org_unit_id"),
        ),
    )
    with op.batch_alter_table("training_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_assignments_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("participant_count", sa.Integer(), nullable=False),
        sa.Column("attendee_names", sa.Text(), nullable=True),
        sa.Column("external_facilitators", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=300), nullable=True),
        sa.CheckConstraint("kind IN ('workshop', 'training')", name=op.f("ck_live_sessions_kind_known")),
        sa.CheckConstraint("participant_count >= 0", name=op.f("ck_live_sessions_participants_not_negative")),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_live_sessions_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name=op.f("fk_live_sessions_module_version_id_module_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_live_sessions_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_live_sessions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_live_sessions_municipality_id_held_on", ["municipality_id", "held_on"], unique=False
        )

    op.create_table(
        "session_facilitators",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_facilitators_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_session_facilitators_user_id_users")
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_session_facilitators")),
    )
    with op.batch_alter_table("session_facilitators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_facilitators_user_id"), ["user_id"], unique=False)

    op.create_table(
        "session_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("completion_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["completion_id"],
            ["completions.id"],
            name=op.f("fk_session_attendances_completion_id_completions"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name=op.f("fk_session_attendances_session_id_live_sessions")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_session_attendances_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendances")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f("uq_session_attendances_session_id_user_id")),
    )
    with op.batch_alter_table("session_attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_attendances_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_attendances_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("org_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("personnel_number", sa.String(length=50), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_municipality_id_personnel_number"), ["municipality_id", "personnel_number"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_org_unit_id_org_units"), "org_units", ["org_unit_id"], ["id"]
        )

    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_AFTER)

    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_completions_completed_at",
            ["completed_at"],
            unique=False,
            postgresql_include=["user_id", "module_id"],
        )

    # The programme's three years (1 Nov 2025 - 31 Dec 2028) with the targets of ECCAR's call; the programme office
    # can change them in the web interface.
    periods = sa.table(
        "programme_periods",
        sa.column("label", sa.String),
        sa.column("starts_on", sa.Date),
        sa.column("ends_on", sa.Date),
        sa.column("min_training_modules", sa.Integer),
        sa.column("min_staff_per_module", sa.Integer),
        sa.column("min_workshops", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        periods,
        [
            {
                "label": f"Programmjahr {year}",
                "starts_on": start,
                "ends_on": date(year, 12, 31),
                "min_training_modules": 2,
                "min_staff_per_module": 5,
                "min_workshops": 2,
                "created_at": now,
            }
            for year, start in ((2026, date(2025, 11, 1)), (2027, date(2027, 1, 1)), (2028, date(2028, 1, 1)))
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.drop_index("ix_completions_completed_at")

    op.execute("DELETE FROM user_roles WHERE role = 'facilitator'")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_BEFORE)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_org_unit_id_org_units"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_users_municipality_id_personnel_number"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_users_org_unit_id"))
        batch_op.drop_column("personnel_number")
        batch_op.drop_column("org_unit_id")
        batch_op.drop_column("deactivated_at")

    with op.batch_alter_table("session_attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_attendances_user_id"))
        batch_op.drop_index(batch_op.f("ix_session_attendances_session_id"))

    op.drop_table("session_attendances")
    with op.batch_alter_table("session_facilitators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_facilitators_user_id"))

    op.drop_table("session_facilitators")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_sessions_municipality_id_held_on")

    op.drop_table("live_sessions")
    with op.batch_alter_table("training_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_assignments_municipality_id"))

    op.drop_table("training_assignments")
    with op.batch_alter_table("staff_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_imports_municipality_id"))

    op.drop_table("staff_imports")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_user_id"))

    op.drop_table("invitations")
    op.drop_table("org_units")
    with op.batch_alter_table("programme_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_periods_ends_on"))

    op.drop_table("programme_periods")
