"""The programme summary: per period, each trained person's best validities and each municipality's module staff.

The programme office's table counted a period's completions each time (1.4 s nationwide); lms.reports.summary keeps
these two tables as completions are recorded. This revision creates them and fills them for the existing periods,
with the same statements as lms.reports.summary.rebuild_period, written out here so that the revision does not
change when the application does.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-28 13:00:00+00:00
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

BERLIN = ZoneInfo("Europe/Berlin")
FOREVER = date(9999, 12, 31)


def upgrade() -> None:
    op.create_table(
        "period_people",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("best_until", sa.Date(), nullable=False),
        sa.Column("second_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_period_people_period_id_programme_periods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_period_people_user_id_users")),
        sa.PrimaryKeyConstraint("period_id", "user_id", name=op.f("pk_period_people")),
    )
    op.create_table(
        "period_module_staff",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("staff", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_period_module_staff_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_period_module_staff_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_period_module_staff_period_id_programme_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "period_id", "municipality_id", "module_id", name=op.f("pk_period_module_staff")
        ),
    )
    bind = op.get_bind()
    periods = sa.table("programme_periods", sa.column("id"), sa.column("starts_on"), sa.column("ends_on"))
    for period_id, starts_on, ends_on in bind.execute(
        sa.select(periods.c.id, periods.c.starts_on, periods.c.ends_on)
    ):
        _fill(bind, period_id, _as_date(starts_on), _as_date(ends_on))


def _as_date(value: date | str) -> date:
    """A Date column read through a lightweight table (SQLite gives the stored text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _fill(bind: sa.Connection, period_id: int, starts_on: date, ends_on: date) -> None:
    """The period's summary from its training completions (their German day in the period's dates)."""
    completions = sa.table(
        "completions",
        sa.column("id"),
        sa.column("user_id"),
        sa.column("module_id"),
        sa.column("completed_at", sa.DateTime(timezone=True)),
        sa.column("valid_until", sa.Date()),
    )
    modules = sa.table("modules", sa.column("id"), sa.column("kind"))
    users = sa.table("users", sa.column("id"), sa.column("municipality_id"))
    people_t = sa.table(
        "period_people",
        sa.column("period_id"),
        sa.column("user_id"),
        sa.column("best_until"),
        sa.column("second_until"),
    )
    staff_t = sa.table(
        "period_module_staff",
        sa.column("period_id"),
        sa.column("municipality_id"),
        sa.column("module_id"),
        sa.column("staff"),
    )
    after = ends_on + timedelta(days=1) if ends_on < date.max else ends_on
    start = datetime.combine(starts_on, time.min, tzinfo=BERLIN).astimezone(UTC)
    end = datetime.combine(after, time.min, tzinfo=BERLIN).astimezone(UTC)
    in_period = sa.and_(
        completions.c.completed_at >= sa.bindparam("start", start, type_=sa.DateTime(timezone=True)),
        completions.c.completed_at < sa.bindparam("end", end, type_=sa.DateTime(timezone=True)),
        completions.c.module_id.in_(sa.select(modules.c.id).where(modules.c.kind == "training")),
    )
    until = sa.func.coalesce(completions.c.valid_until, sa.literal(FOREVER, sa.Date()))
    per_module = (
        sa.select(completions.c.user_id, completions.c.module_id, sa.func.max(until).label("until"))
        .where(in_period)
        .group_by(completions.c.user_id, completions.c.module_id)
        .subquery("per_module")
    )
    ranked = sa.select(
        per_module.c.user_id,
        per_module.c.until,
        sa.func.row_number()
        .over(partition_by=per_module.c.user_id, order_by=per_module.c.until.desc())
        .label("rank"),
    ).subquery("ranked")
    people = (
        sa.select(
            sa.literal(period_id),
            ranked.c.user_id,
            sa.func.max(sa.case((ranked.c.rank == 1, ranked.c.until))),
            sa.func.max(sa.case((ranked.c.rank == 2, ranked.c.until))),
        )
        .where(ranked.c.rank <= 2)
        .group_by(ranked.c.user_id)
    )
    bind.execute(
        people_t.insert().from_select(["period_id", "user_id", "best_until", "second_until"], people)
    )
    staff = (
        sa.select(
            sa.literal(period_id),
            users.c.municipality_id,
            completions.c.module_id,
            sa.func.count(sa.distinct(completions.c.user_id)),
        )
        .select_from(completions.join(users, users.c.id == completions.c.user_id))
        .where(in_period, users.c.municipality_id.is_not(None))
        .group_by(users.c.municipality_id, completions.c.module_id)
    )
    bind.execute(staff_t.insert().from_select(["period_id", "municipality_id", "module_id", "staff"], staff))


def downgrade() -> None:
    op.drop_table("period_module_staff")
    op.drop_table("period_people")
