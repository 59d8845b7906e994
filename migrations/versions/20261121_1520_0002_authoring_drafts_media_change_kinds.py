"""Authoring in the browser: drafts, uploaded images, editorial/material change kinds, quiz change notes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 15:20:37.778289+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=10), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("base_hash", sa.String(length=80), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("document IN ('module', 'quiz')", name=op.f("ck_content_drafts_document_known")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_content_drafts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_content_drafts_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_content_drafts_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_drafts")),
    )
    with op.batch_alter_table("content_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_drafts_module_id"), ["module_id"], unique=False)

    op.create_table(
        "media_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("extension", sa.String(length=5), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_media_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_files_sha256")),
    )
    with op.batch_alter_table("module_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("change_kind", sa.String(length=20), server_default="material", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_module_versions_change_kind_known"), "change_kind IN ('editorial', 'material')"
        )

    with op.batch_alter_table("quiz_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_versions", schema=None) as batch_op:
        batch_op.drop_column("change_note")

    with op.batch_alter_table("module_versions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_module_versions_change_kind_known"), type_="check")
        batch_op.drop_column("change_kind")

    op.drop_table("media_files")
    with op.batch_alter_table("content_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_drafts_module_id"))

    op.drop_table("content_drafts")
