"""Self-assessment surveys (versions, pseudonymous answers, links) and the local advisory board (Beirat).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 08:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"

ROLES_BEFORE = "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator')"
ROLES_AFTER = "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator', 'advisory_board')"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["module_id"], ["modules.id"], name=op.f("fk_surveys_module_id_modules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("module_id", name=op.f("uq_surveys_module_id")),
    )
    op.create_table(
        "board_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("authors", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_board_assessments_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_board_assessments_period_id_programme_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_board_assessments_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_assessments")),
    )
    with op.batch_alter_table("board_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_board_assessments_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "survey_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("renderer_version", sa.String(length=10), nullable=False),
        sa.Column("intro_html", sa.Text(), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_survey_versions_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_versions_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_versions")),
        sa.UniqueConstraint(
            "survey_id", "content_hash", name=op.f("uq_survey_versions_survey_id_content_hash")
        ),
        sa.UniqueConstraint("survey_id", "number", name=op.f("uq_survey_versions_survey_id_number")),
    )
    with op.batch_alter_table("survey_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_versions_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_links",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=32), nullable=True),
        sa.Column("pre", sa.String(length=10), nullable=True),
        sa.Column("post", sa.String(length=10), nullable=True),
        sa.CheckConstraint("post IN ('answered', 'skipped')", name=op.f("ck_survey_links_post_known")),
        sa.CheckConstraint("pre IN ('answered', 'skipped')", name=op.f("ck_survey_links_pre_known")),
        sa.ForeignKeyConstraint(
            ["survey_version_id"],
            ["survey_versions.id"],
            name=op.f("fk_survey_links_survey_version_id_survey_versions"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_survey_links")),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("pseudonym", sa.String(length=32), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=4), nullable=False),
        sa.CheckConstraint("phase IN ('pre', 'post')", name=op.f("ck_survey_responses_phase_known")),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name=op.f("fk_survey_responses_module_version_id_module_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_survey_responses_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_survey_responses_period_id_programme_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_version_id"],
            ["survey_versions.id"],
            name=op.f("fk_survey_responses_survey_version_id_survey_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("pseudonym", "phase", name=op.f("uq_survey_responses_pseudonym_phase")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_responses_group", ["municipality_id", "period_id", "module_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_responses_pseudonym"), ["pseudonym"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_responses_survey_version_id"), ["survey_version_id"], unique=False
        )

    op.create_table(
        "survey_answers",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "value IS NOT NULL OR text IS NOT NULL", name=op.f("ck_survey_answers_value_or_text")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "item_key", name=op.f("pk_survey_answers")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("board_municipality_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_users_board_municipality_id"), ["board_municipality_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_board_municipality_id_municipalities"),
            "municipalities",
            ["board_municipality_id"],
            ["id"],
        )

    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM user_roles WHERE role = 'advisory_board'")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_roles_role_known"), ROLES_BEFORE)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_board_municipality_id_municipalities"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_users_board_municipality_id"))
        batch_op.drop_column("board_municipality_id")

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_survey_version_id"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_pseudonym"))
        batch_op.drop_index("ix_survey_responses_group")

    op.drop_table("survey_responses")
    op.drop_table("survey_links")
    with op.batch_alter_table("survey_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_versions_survey_id"))

    op.drop_table("survey_versions")
    with op.batch_alter_table("board_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_assessments_municipality_id"))

    op.drop_table("board_assessments")
    op.drop_table("surveys")
