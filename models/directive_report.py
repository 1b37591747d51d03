"""The monthly directive report (领导批示件月报表): per unit, per ranking group, and in all.

For a month, as the assignments stood at the end of its last day (or today, while the
month runs), read from their recorded steps: a step taken later changes nothing in an
earlier month. Over the assignments live in the month (assigned by then, not cancelled
by then, not accepted before the month began):

- received: assigned in the month;
- finished: accepted in the month (by its last day);
- finished on time: of those, the accepted result submitted by the due date (extensions
  count);
- overdue: not finished, waiting on the unit, and its due date then before the last day;
- in progress: the rest (not yet due, or waiting on the office's decision);
- completion rate (报结率): finished / (finished + overdue + in progress), in per cent;
- on-time rate: finished on time / finished, in per cent.

One grouped SQL query per month, whatever the number of units: the groups and the total
are the sums of the unit rows (each assignment belongs to one unit).

The office files (报送) a month: its figures are kept as they were (`Filing`), and the
page shows the filed version, and says so when a recomputation now differs.
"""

import calendar
import datetime as dt
import itertools
from dataclasses import dataclass
from operator import attrgetter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.assignment_records import AssignmentEvent
from models.base import db, info
from models.directives import WAITING_ON_UNIT, Assignment
from models.filings import Filed, FilingError, units_differing
from models.units import RANKING_GROUPS, Unit

COUNTS = ("received", "finished", "on_time", "overdue", "in_progress")


@dataclass
class ReportRow:
    code: str
    name: str
    group: str
    received: int
    finished: int
    on_time: int
    overdue: int
    in_progress: int
    unit_id: int | None = None  # None for a group's subtotal and the total

    @property
    def completion_rate(self):
        return rate(self.finished, self.finished + self.overdue + self.in_progress)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.finished)


@dataclass
class MonthReport:
    month: dt.date
    as_of: dt.date
    units: list
    groups: list
    total: ReportRow

    @property
    def running(self):
        """Counted before the month's last day: the month was still running."""
        return self.as_of < month_end(self.month)


def rate(part, whole):
    """`part` of `whole` in per cent, one decimal; None when there is nothing to count."""
    return round(100.0 * part / whole, 1) if whole else None


def month_start(text):
    """The first day of a month given as "YYYY-MM", or None if it is not one."""
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None


def month_end(first):
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _end_of(day):
    return clock.start_of(day + dt.timedelta(days=1))


def _last_step(column, as_of):
    """SQL: `column` of the assignment's last recorded step by the end of the day `as_of`."""
    return (
        sa.select(column)
        .where(
            AssignmentEvent.assignment_id == Assignment.id,
            AssignmentEvent.at < _end_of(as_of),
        )
        .order_by(AssignmentEvent.at.desc(), AssignmentEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _then(column, default, current, as_of, today):
    """SQL: `column` of the assignment's last step by the end of `as_of` (none: `default`).

    Every step writes the status and due date it leaves the assignment in, so the last one
    is the assignment as it stands (`current`): counted to the real today, that is all.
    Counted to a `today` told (an earlier day), the assignments with a step dated later are
    few (read from the steps' time index): only theirs is looked up, not every live
    assignment's twice (25,000 in a province: half a second). Counted to a day before
    `today`, most have later steps: each is looked up."""
    if not _reads_steps(as_of):
        return current
    then = sa.func.coalesce(_last_step(column, as_of), default)
    if as_of < today:
        return then
    later = sa.select(AssignmentEvent.assignment_id).where(AssignmentEvent.at >= _end_of(as_of))
    return sa.case((Assignment.id.in_(later), then), else_=current)


def _reads_steps(as_of):
    """Whether the assignments' state at the end of `as_of` is read from their steps: not
    when it is the real today or later, as no step is dated after now (each step is dated
    when it is taken), so each assignment stands as it is."""
    return as_of < clock.today()


def standing_in(first, as_of, today=None):
    """The assignments that may be live in the month starting `first` (assigned by
    `as_of`, not closed before the month), each with its status and due date as they stood
    at the end of `as_of` from its last step by then (none: still assigned), counted on
    `today` (the real one unless told)."""
    today = today or clock.today()
    return sa.select(
        Assignment.unit_id,
        Assignment.assigned_on,
        Assignment.finished_on,
        Assignment.due_on.label("final_due_on"),
        _then(AssignmentEvent.to_status, "assigned", Assignment.status, as_of, today).label(
            "status"
        ),
        _then(
            AssignmentEvent.due_on, Assignment.original_due_on, Assignment.due_on, as_of, today
        ).label("due_on"),
    ).where(
        Assignment.of_instruction(),  # not key work items or rectifications
        Assignment.assigned_on <= as_of,
        sa.or_(Assignment.closed_at.is_(None), Assignment.closed_at >= clock.start_of(first)),
    )


def _counts(then, first, as_of):
    finished = then.c.status == "accepted"
    overdue = sa.and_(then.c.status.in_(WAITING_ON_UNIT), then.c.due_on < as_of)

    def count(condition):
        # A filtered count, not a sum of CASEs: PostgreSQL works it out faster (a
        # province's month so far: 13.5 ms against 17 in psql).
        return sa.func.count().filter(condition)

    return [
        count(then.c.assigned_on >= first).label("received"),
        count(finished).label("finished"),
        count(sa.and_(finished, then.c.finished_on <= then.c.final_due_on)).label("on_time"),
        count(overdue).label("overdue"),
        count(sa.and_(sa.not_(finished), sa.not_(overdue))).label("in_progress"),
    ]


def _standing(first, as_of, today, scope):
    standing = standing_in(first, as_of, today)
    if scope is not None:
        standing = standing.where(scope)
    # Materialized where it reads the steps: else the database puts the two step lookups
    # in every count that reads them (at 100,000 directives on SQLite, 0.8 s instead of
    # 0.15 s). Without them, the counts read the rows directly (PostgreSQL: 24 -> 15 ms
    # for a province's month so far).
    standing = standing.cte("standing")
    return standing.prefix_with("MATERIALIZED") if _reads_steps(as_of) else standing


def month_report(first, scope=None, today=None):
    """The report of the month starting `first` as it stood at the month's end (or today,
    while it runs), from the assignments' recorded steps; `scope` narrows the assignments
    (a unit officer's own)."""
    today = today or clock.today()
    as_of = min(month_end(first), today)
    then = _standing(first, as_of, today, scope)
    per_unit = (
        sa.select(then.c.unit_id, *_counts(then, first, as_of))
        .where(then.c.status != "cancelled")  # cancelled by then: not live
        .group_by(then.c.unit_id)
        .subquery()
    )
    units = [
        ReportRow(code, name, group, *map(int, figures), unit_id=unit_id)
        for unit_id, code, name, group, *figures in db.session.execute(
            sa.select(
                Unit.id, Unit.code, Unit.name, Unit.ranking_group, *[per_unit.c[n] for n in COUNTS]
            )
            .join(per_unit, per_unit.c.unit_id == Unit.id)
            .order_by(Unit.ranking_group, Unit.code)
        )
    ]
    return MonthReport(month=first, as_of=as_of, units=units, **_sums(units))


def month_total(first, today=None):
    """The report's total row alone (the home page's completion), counted in the database
    rather than as the sum of 2,000 unit rows: the same figures, as every assignment has
    its unit."""
    today = today or clock.today()
    as_of = min(month_end(first), today)
    then = _standing(first, as_of, today, None)
    figures = db.session.execute(
        sa.select(*_counts(then, first, as_of)).where(then.c.status != "cancelled")
    ).one()
    return ReportRow("", "", "", *map(int, figures))


def _sums(units):
    """The groups' subtotals and the total: sums of the unit rows (ordered by group)."""
    return {
        "groups": [
            _sum("", str(RANKING_GROUPS.label(group)), group, list(rows))
            for group, rows in itertools.groupby(units, key=attrgetter("group"))
        ],
        "total": _sum("", "", "", units),
    }


def _sum(code, name, group, rows):
    return ReportRow(code, name, group, *(sum(getattr(r, n) for r in rows) for n in COUNTS))


# ---- filing a month (报送) ----


class Filing(Filed, db.Model):
    """A month's report as the office filed it (报送): its figures kept as they were.
    Its rows: unit_id, code, name, group and the counts."""

    __tablename__ = "directive_report_filings"

    filed_again = _l("This month was filed already: say why it is filed again.")

    month = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Month")))

    def report(self, unit_ids=None):
        """The filed report, of the units in `unit_ids` (None: all)."""
        units = [
            ReportRow(**row) for row in self.rows if unit_ids is None or row["unit_id"] in unit_ids
        ]
        return MonthReport(month=self.month, as_of=self.as_of, units=units, **_sums(units))


def filings(first):
    """The filings of the month starting `first`, the latest first."""
    return Filing.latest_first(month=first)


def file_month(first, actor, note="", today=None):
    """File the month's report as it stands now (the month's end, or today while it
    runs); filing it again takes a note saying why. Returns the Filing."""
    today = today or clock.today()
    if first > today:
        raise FilingError(_l("A month that has not begun cannot be filed."))
    note = Filing.checked_note(note, month=first)
    report = month_report(first, today=today)
    return Filing.add(
        actor, note, month=first, as_of=report.as_of, rows=[vars(row) for row in report.units]
    )


def changed_units(filed, current):
    """The names of the units whose figures differ between two reports of a month."""
    return units_differing(_by_unit(filed), _by_unit(current))


def _by_unit(report):
    return {row.unit_id: (row.name, tuple(getattr(row, n) for n in COUNTS)) for row in report.units}
