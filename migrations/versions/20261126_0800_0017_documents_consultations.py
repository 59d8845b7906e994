"""Documents in consultation: versions and sections, consultation windows, comments per section, answers.

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-26 08:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("slug", name=op.f("uq_documents_slug")),
    )
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version_label", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("icerd_section", sa.String(length=300), nullable=True),
        sa.Column("intro_html", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("renderer_version", sa.String(length=10), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column(
            "response_table",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('draft', 'adopted')", name=op.f("ck_document_versions_status_known")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_versions_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_document_versions_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint(
            "document_id", "content_hash", name=op.f("uq_document_versions_document_id_content_hash")
        ),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_versions_document_id_number")),
        sa.UniqueConstraint(
            "document_id", "version_label", name=op.f("uq_document_versions_document_id_version_label")
        ),
    )
    op.create_index(
        op.f("ix_document_versions_document_id"), "document_versions", ["document_id"], unique=False
    )

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluded_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_consultations_window_ordered")),
        sa.ForeignKeyConstraint(
            ["concluded_by_id"],
            ["document_versions.id"],
            name=op.f("fk_consultations_concluded_by_id_document_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_consultations_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_consultations_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("version_id", name=op.f("uq_consultations_version_id")),
    )
    op.create_table(
        "document_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_document_sections_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_sections")),
        sa.UniqueConstraint("version_id", "position", name=op.f("uq_document_sections_version_id_position")),
    )
    op.create_index(
        op.f("ix_document_sections_version_id"), "document_sections", ["version_id"], unique=False
    )

    op.create_table(
        "consultation_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("shown_name", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_consultation_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_comments_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_consultation_comments_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["document_sections.id"],
            name=op.f("fk_consultation_comments_section_id_document_sections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_comments")),
    )
    op.create_index(
        op.f("ix_consultation_comments_author_id"), "consultation_comments", ["author_id"], unique=False
    )
    op.create_index(
        op.f("ix_consultation_comments_consultation_id"),
        "consultation_comments",
        ["consultation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_consultation_comments_section_id"), "consultation_comments", ["section_id"], unique=False
    )

    op.create_table(
        "comment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('adopted', 'partly', 'not')", name=op.f("ck_comment_answers_verdict_known")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_comment_answers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["consultation_comments.id"],
            name=op.f("fk_comment_answers_comment_id_consultation_comments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_answers")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_comment_answers_comment_id")),
    )


def downgrade() -> None:
    op.drop_table("comment_answers")
    op.drop_index(op.f("ix_consultation_comments_section_id"), table_name="consultation_comments")
    op.drop_index(op.f("ix_consultation_comments_consultation_id"), table_name="consultation_comments")
    op.drop_index(op.f("ix_consultation_comments_author_id"), table_name="consultation_comments")

    op.drop_table("consultation_comments")
    op.drop_index(op.f("ix_document_sections_version_id"), table_name="document_sections")

    op.drop_table("document_sections")
    op.drop_table("consultations")
    op.drop_index(op.f("ix_document_versions_document_id"), table_name="document_versions")

    op.drop_table("document_versions")
    op.drop_table("documents")
