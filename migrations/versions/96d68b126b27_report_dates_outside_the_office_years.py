"""report dates outside the office's years

The app now takes dates from 2000-01-01 to 2099-12-31 only (models/bounds.py). A row
saved before with a date outside (0001-01-01, 9999-12-31: none in practice) is listed
in the upgrade's log, table, column and rows, for the office to correct on its screen
(the forms then ask for a date in range); the upgrade changes nothing and never fails
on it. Timestamps are stored in UTC: one within a day of the bounds is not reported,
whatever the office's time zone.

Revision ID: 96d68b126b27
Revises: 3dc347c4439c
Create Date: 2026-12-03 14:07:13

"""
import datetime as dt
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '96d68b126b27'
down_revision = '3dc347c4439c'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
SHOWN = 10  # rows listed per column


def upgrade():
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in sorted(inspector.get_table_names()):
        columns = inspector.get_columns(table)
        has_id = any(column["name"] == "id" for column in columns)
        for column in columns:
            if isinstance(column["type"], (sa.Date, sa.DateTime)):
                _report(bind, table, column["name"], column["type"], has_id)


def _bounds(type_):
    if isinstance(type_, sa.DateTime):
        return (
            dt.datetime.combine(FIRST_DAY - dt.timedelta(days=1), dt.time()),
            dt.datetime.combine(LAST_DAY + dt.timedelta(days=2), dt.time()),
        )
    return FIRST_DAY, LAST_DAY + dt.timedelta(days=1)


def _report(bind, table_name, name, type_, has_id):
    first, after = _bounds(type_)
    column = sa.column(name, type(type_)())
    shown = [sa.column("id"), column] if has_id else [column]
    outside = sa.or_(column < first, column >= after)
    table = sa.table(table_name, *shown)
    count = bind.scalar(sa.select(sa.func.count()).select_from(table).where(outside))
    if not count:
        return
    rows = bind.execute(sa.select(*shown).select_from(table).where(outside).limit(SHOWN))
    listed = ", ".join(" ".join(str(value) for value in row) for row in rows)
    log.warning(
        "%s.%s: %s rows with a date outside %s..%s (the first: %s)",
        table_name, name, count, FIRST_DAY, LAST_DAY, listed,
    )


def downgrade():
    pass  # nothing was changed
