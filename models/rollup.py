"""The monthly roll-up: each unit's figures per month, kept current with every change.

Rankings of whole months, quarters and years, and a unit's rank month by month, read this
table (a few thousand rows a year) instead of a million reports. It is derived data: a
session hook recomputes the (unit, month) pairs that a flush touched, in the same
transaction, from the rows themselves; `rebuild()` recomputes everything (after bulk
loads that bypass the ORM, or to check it). The figures are sums over rows, so a month
is simply the sum of its rows, and a year the sum of its months.
"""

import datetime as dt

import sqlalchemy as sa

from models import clock
from models.base import OwnedByUnit, db
from models.reports import LEVELS, Adoption, Publication, Report
from models.scoring import Deduction, Instruction

FIGURES = (
    "submitted",
    "adopted",
    *LEVELS.values,
    "adoption_points",
    "bonus",
    "deducted",
    "late",
    "missed",
    "wrong",
)


class UnitMonth(OwnedByUnit, db.Model):
    """One unit's figures for one month (derived; see the module's docstring)."""

    __tablename__ = "unit_months"

    unit_id = sa.Column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    month = sa.Column(sa.Date, primary_key=True, index=True)
    submitted = sa.Column(sa.Integer, nullable=False, default=0)
    adopted = sa.Column(sa.Integer, nullable=False, default=0)
    county = sa.Column(sa.Integer, nullable=False, default=0)
    city = sa.Column(sa.Integer, nullable=False, default=0)
    province = sa.Column(sa.Integer, nullable=False, default=0)
    central = sa.Column(sa.Integer, nullable=False, default=0)
    adoption_points = sa.Column(sa.Integer, nullable=False, default=0)
    bonus = sa.Column(sa.Integer, nullable=False, default=0)
    deducted = sa.Column(sa.Integer, nullable=False, default=0)
    late = sa.Column(sa.Integer, nullable=False, default=0)
    missed = sa.Column(sa.Integer, nullable=False, default=0)
    wrong = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")


def first_of_month(day):
    return day.replace(day=1)


def next_month(day):
    return (first_of_month(day) + dt.timedelta(days=32)).replace(day=1)


def _sum_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def month_figures(conn, month, unit_ids=None):
    """{unit_id: {figure: value}} for one month, from the rows themselves."""
    start, end = month, next_month(month) - dt.timedelta(days=1)
    start_at, end_at = clock.start_of(start), clock.start_of(end + dt.timedelta(days=1))

    def only(query, column):
        return query if unit_ids is None else query.where(column.in_(unit_ids))

    queries = [
        only(
            sa.select(Report.unit_id, sa.func.count().label("submitted"))
            .where(Report.submitted_at >= start_at, Report.submitted_at < end_at)
            .group_by(Report.unit_id),
            Report.unit_id,
        ),
        only(
            sa.select(
                Adoption.unit_id,
                sa.func.count().label("adopted"),
                *[_sum_if(Publication.level == lv).label(lv) for lv in LEVELS],
                sa.func.sum(Adoption.points).label("adoption_points"),
            )
            .join(Publication, Publication.id == Adoption.publication_id)
            .where(Adoption.adopted_on.between(start, end))
            .group_by(Adoption.unit_id),
            Adoption.unit_id,
        ),
        only(
            sa.select(Instruction.unit_id, sa.func.sum(Instruction.points).label("bonus"))
            .where(Instruction.instructed_on.between(start, end))
            .group_by(Instruction.unit_id),
            Instruction.unit_id,
        ),
        only(
            sa.select(
                Deduction.unit_id,
                sa.func.sum(Deduction.points).label("deducted"),
                _sum_if(Deduction.kind == "late_emergency").label("late"),
                _sum_if(Deduction.kind == "missed_emergency").label("missed"),
                _sum_if(Deduction.kind == "wrong_report").label("wrong"),
            )
            .where(Deduction.occurred_on.between(start, end))
            .group_by(Deduction.unit_id),
            Deduction.unit_id,
        ),
    ]
    figures = {}
    for query in queries:
        for row in conn.execute(query).mappings():
            values = figures.setdefault(row["unit_id"], dict.fromkeys(FIGURES, 0))
            for name, value in row.items():
                if name != "unit_id":
                    values[name] = int(value or 0)
    return figures


def refresh(conn, month, unit_ids=None):
    """Recompute one month's rows (of these units, or of all)."""
    table = UnitMonth.__table__
    delete = sa.delete(table).where(table.c.month == month)
    if unit_ids is not None:
        delete = delete.where(table.c.unit_id.in_(unit_ids))
    conn.execute(delete)
    rows = [
        {"unit_id": unit_id, "month": month, **values}
        for unit_id, values in month_figures(conn, month, unit_ids).items()
    ]
    if rows:
        conn.execute(sa.insert(table), rows)


def rebuild(conn=None):
    """Recompute every month from the first row on record to this one."""
    conn = conn or db.session.connection()
    submitted = conn.scalar(sa.select(sa.func.min(Report.submitted_at)))
    days = [
        clock.local_date(submitted) if submitted else None,
        conn.scalar(sa.select(sa.func.min(Adoption.adopted_on))),
        conn.scalar(sa.select(sa.func.min(Instruction.instructed_on))),
        conn.scalar(sa.select(sa.func.min(Deduction.occurred_on))),
    ]
    first = min((day for day in days if day is not None), default=None)
    conn.execute(sa.delete(UnitMonth.__table__))
    if first is None:
        return 0
    month, last, count = first_of_month(first), first_of_month(clock.today()), 0
    last = max(last, _last_month(conn))
    while month <= last:
        refresh(conn, month)
        month, count = next_month(month), count + 1
    return count


def _last_month(conn):
    days = [
        conn.scalar(sa.select(sa.func.max(column)))
        for column in (Adoption.adopted_on, Instruction.instructed_on, Deduction.occurred_on)
    ]
    days = [day for day in days if day is not None]
    return first_of_month(max(days)) if days else first_of_month(clock.today())


# ---- keeping it current: which (unit, month) pairs a flush touched ----

DATED = {
    Report: ("submitted_at", "unit_id"),
    Adoption: ("adopted_on", "unit_id"),
    Instruction: ("instructed_on", "unit_id"),
    Deduction: ("occurred_on", "unit_id"),
}
# Fields whose change moves a row's figures (points, kinds, levels as well as dates).
WATCHED = {
    Report: ("submitted_at", "unit_id"),
    Adoption: ("adopted_on", "unit_id", "points", "publication_id"),
    Instruction: ("instructed_on", "unit_id", "points"),
    Deduction: ("occurred_on", "unit_id", "points", "kind"),
}


def _month_of(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = clock.local_date(value)
    return first_of_month(value)


def touched(obj, deleted=False):
    """The (unit, month) pairs whose figures this changed object moves: old and new."""
    state = sa.inspect(obj)
    day_field, unit_field = DATED[type(obj)]
    pairs = set()
    if (
        deleted
        or state.pending
        or any(state.attrs[f].history.has_changes() for f in WATCHED[type(obj)])
    ):
        for field_values in _old_and_new(state, day_field, unit_field):
            pairs.add(field_values)
    return {(unit, month) for unit, month in pairs if unit is not None and month is not None}


def _old_and_new(state, day_field, unit_field):
    day, unit = state.attrs[day_field], state.attrs[unit_field]
    yield unit.value, _month_of(day.value)
    old_day = day.history.deleted[0] if day.history.deleted else day.value
    old_unit = unit.history.deleted[0] if unit.history.deleted else unit.value
    yield old_unit, _month_of(old_day)


def _moved_report_pairs(conn, report):
    """A report that changed unit carries its adoptions and bonuses along (the database
    cascades the key): every month they fall in, for the old unit and the new."""
    history = sa.inspect(report).attrs.unit_id.history
    if not history.deleted or report.id is None:
        return set()
    units = {history.deleted[0], report.unit_id}
    days = list(conn.scalars(sa.select(Adoption.adopted_on).where(Adoption.report_id == report.id)))
    days += list(
        conn.scalars(sa.select(Instruction.instructed_on).where(Instruction.report_id == report.id))
    )
    return {(unit, first_of_month(day)) for unit in units for day in days}


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _before_report_deletes(session, _context, _instances):
    """A deleted report takes its deductions with it (the database cascades): note their
    months now, while they can still be read."""
    reports = [obj.id for obj in session.deleted if isinstance(obj, Report) and obj.id]
    if reports:
        with session.no_autoflush:
            rows = session.execute(
                sa.select(Deduction.unit_id, Deduction.occurred_on).where(
                    Deduction.report_id.in_(reports)
                )
            )
            pending = session.info.setdefault("rollup_pairs", set())
            pending |= {(unit, first_of_month(day)) for unit, day in rows}


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _keep_current(session, _context):
    pairs = session.info.pop("rollup_pairs", set())
    conn = None
    for objects, deleted in ((session.new, False), (session.dirty, False), (session.deleted, True)):
        for obj in objects:
            if type(obj) in DATED:
                pairs |= touched(obj, deleted)
                if isinstance(obj, Report) and not deleted:
                    conn = conn or session.connection()
                    pairs |= _moved_report_pairs(conn, obj)
    if not pairs:
        return
    conn = conn or session.connection()
    by_month = {}
    for unit, month in pairs:
        by_month.setdefault(month, set()).add(unit)
    for month, units in by_month.items():
        refresh(conn, month, sorted(units))
