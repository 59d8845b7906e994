"""Planned sessions (trainings and workshops scheduled ahead), their registrations and the empowerment network.

Revision ID: 0023
Revises: 0024
Create Date: 2026-11-28 06:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_network_members_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_network_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
        sa.UniqueConstraint(
            "municipality_id", "user_id", name=op.f("uq_network_members_municipality_id_user_id")
        ),
    )
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_members_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "planned_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("external_facilitators", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('workshop', 'training')", name=op.f("ck_planned_sessions_kind_known")),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_planned_sessions_capacity_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_planned_sessions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_planned_sessions_live_session_id_live_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_planned_sessions_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name=op.f("fk_planned_sessions_module_version_id_module_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_planned_sessions_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_sessions")),
    )
    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_planned_sessions_held_on", ["held_on"], unique=False)
        batch_op.create_index(
            "ix_planned_sessions_municipality_id_held_on", ["municipality_id", "held_on"], unique=False
        )

    op.create_table(
        "planned_session_facilitators",
        sa.Column("planned_session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["planned_session_id"],
            ["planned_sessions.id"],
            name=op.f("fk_planned_session_facilitators_planned_session_id_planned_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_planned_session_facilitators_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "planned_session_id", "user_id", name=op.f("pk_planned_session_facilitators")
        ),
    )
    with op.batch_alter_table("planned_session_facilitators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_planned_session_facilitators_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "session_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('registered', 'waiting', 'cancelled')",
            name=op.f("ck_session_registrations_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_session_id"],
            ["planned_sessions.id"],
            name=op.f("fk_session_registrations_planned_session_id_planned_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_session_registrations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_registrations")),
        sa.UniqueConstraint(
            "planned_session_id", "user_id", name=op.f("uq_session_registrations_planned_session_id_user_id")
        ),
    )
    with op.batch_alter_table("session_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_registrations_planned_session_id"), ["planned_session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_session_registrations_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_registrations_user_id"))
        batch_op.drop_index(batch_op.f("ix_session_registrations_planned_session_id"))

    op.drop_table("session_registrations")
    with op.batch_alter_table("planned_session_facilitators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_session_facilitators_user_id"))

    op.drop_table("planned_session_facilitators")
    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_sessions_municipality_id_held_on")
        batch_op.drop_index("ix_planned_sessions_held_on")

    op.drop_table("planned_sessions")
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_network_members_municipality_id"))

    op.drop_table("network_members")
