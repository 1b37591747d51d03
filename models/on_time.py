"""The directive on-time table: per unit, the assignments due in a period, those finished
on time and those overdue, ranked by the on-time rate."""

from dataclasses import dataclass, field

import sqlalchemy as sa

from models import clock
from models.base import db
from models.directives import Assignment
from models.ranking import competition_ranks, sum_if
from models.units import Unit


@dataclass
class DirectiveRow:
    unit_id: int
    unit_code: str
    unit: str
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    rank: int = 0
    on_time_rate: float | None = field(init=False)

    def __post_init__(self):
        self.on_time_rate = round(100 * self.on_time / self.due, 1) if self.due else None


def directive_table(period, group=None, today=None):
    """Per unit: assignments due in the period, finished on time, overdue; ranked by rate."""
    today = today or clock.today()
    finished_on_time = sa.and_(
        Assignment.status == "accepted",
        Assignment.finished_on.is_not(None),
        Assignment.finished_on <= Assignment.due_on,
    )
    late = sa.or_(
        sa.and_(Assignment.status == "accepted", Assignment.finished_on > Assignment.due_on),
        Assignment.overdue_filter(today),
    )
    due = (
        sa.select(
            Assignment.unit_id,
            sa.func.count().label("due"),
            sum_if(finished_on_time).label("on_time"),
            sum_if(late).label("overdue"),
        )
        .where(
            Assignment.due_on.between(period.start, period.end),
            Assignment.status != "cancelled",
            Assignment.of_instruction(),  # not key work items or rectifications
        )
        .group_by(Assignment.unit_id)
        .subquery()
    )
    zero = sa.literal(0)
    query = (
        sa.select(
            Unit.id,
            Unit.code,
            Unit.name,
            sa.func.coalesce(due.c.due, zero),
            sa.func.coalesce(due.c.on_time, zero),
            sa.func.coalesce(due.c.overdue, zero),
        )
        .outerjoin(due, due.c.unit_id == Unit.id)
        .where(Unit.active.is_(True))
    )  # sorted by rank below
    if group:
        query = query.where(Unit.ranking_group == group)
    rows = [
        DirectiveRow(uid, code, name, int(d), int(t), int(o))
        for uid, code, name, d, t, o in db.session.execute(query)
    ]
    rates = {r.unit_id: -1 if r.on_time_rate is None else r.on_time_rate for r in rows}
    ranks = competition_ranks(rates)
    for row in rows:
        row.rank = ranks[row.unit_id]
    rows.sort(key=lambda r: (r.rank, r.unit_code))
    return rows
