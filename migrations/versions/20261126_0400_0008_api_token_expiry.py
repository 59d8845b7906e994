"""API tokens expire (expires_at; existing tokens get a year from their creation); password reset requests.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:00:00+00:00
"""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_requests")),
    )
    with op.batch_alter_table("password_reset_requests", schema=None) as batch_op:
        batch_op.create_index("ix_password_reset_requests_key_at", ["key", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_password_reset_requests_at"), ["at"], unique=False)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    # In Python, not SQL: date arithmetic differs between SQLite and PostgreSQL, and there are few tokens.
    for token_id, created in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
        bind.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=created + timedelta(days=365))
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("password_reset_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_at"))
        batch_op.drop_index("ix_password_reset_requests_key_at")
    op.drop_table("password_reset_requests")
