"""Certificate documents: the PDF of each issued certificate, rendered once and kept unchanged.

Certificates issued before this revision get their PDF on first download or export, or all at once with
`lms certificates store-missing` (rendering them here would make the migration run for minutes).

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-26 06:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_documents",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_documents_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificate_documents")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # PDFs are compressed already: store them out of line without PostgreSQL trying to compress them again.
        op.execute("ALTER TABLE certificate_documents ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("certificate_documents")
