"""What needs doing today: the numbers of the home page, for each role.

Every function is one grouped query (the month's ranking, three), narrowed by
`visible_to` to what the person may see, so the page costs the same number of
statements whatever the size of the records.
"""

import datetime as dt
import heapq
from dataclasses import dataclass, field

import sqlalchemy as sa

from models import bounds, clock
from models.base import db
from models.bulletins import ALL_UNITS, issued_in
from models.directive_report import month_total
from models.directives import (
    LIGHT_RANKS,
    Assignment,
    Directive,
    yellow_days,
)
from models.notices import Notice
from models.periods import month
from models.ranking import RankingRules, month_points, place_by_group, standings
from models.reports import Report
from models.scoring import quota_progress
from models.units import RANKING_GROUPS, Unit

UNIT_ROWS = 10  # units listed under a count, most first
PLACES = 3  # top and bottom places shown


def due_days():
    """How many days ahead "due soon" looks on the home page (a setting)."""
    return bounds.setting("HOME_DUE_DAYS")


@dataclass
class UnitLine:
    unit_id: int
    name: str
    counts: dict


@dataclass
class Counted:
    """A total and the units it comes from, most first (at most UNIT_ROWS of them)."""

    total: int = 0
    units: list = field(default_factory=list)


def _by_unit(rows, names):
    """Counted for each name from rows of (unit id, unit name, count, count, ...): the
    total, and lines for the units counted most (2,000 rows are summed, not all made lines)."""
    rows = [row for row in rows if any(row[2:])]
    result = {}
    for at, name in enumerate(names, 2):
        counted = [row for row in rows if row[at]]
        most = heapq.nsmallest(UNIT_ROWS, counted, key=lambda row, at=at: (-row[at], row[1]))
        result[name] = Counted(
            int(sum(row[at] for row in counted)),
            [
                UnitLine(row[0], row[1], dict(zip(names, map(int, row[2:]), strict=True)))
                for row in most
            ],
        )
    return result


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# ---- the office ----


def by_unit(rows, name):
    """Counted from rows of (unit id, unit name, count)."""
    return _by_unit(rows, [name])[name]


def deadlines(account, today, days):
    """{"due_soon": Counted, "overdue": Counted}: assignments due within `days` days, and
    those past their due date, by unit."""
    # The rows of either, overdue or due soon by their due date, read as one range.
    last_day = today + dt.timedelta(days=max(days, -1))
    counts = (
        sa.select(
            Assignment.unit_id,
            _count_if(Assignment.due_on >= today).label("due_soon"),
            _count_if(Assignment.due_on < today).label("overdue"),
        )
        .where(Assignment.due_by_filter(last_day), Assignment.visible_to(account))
        .group_by(Assignment.unit_id)
        .subquery()
    )
    return _by_unit(Unit.named(counts), ["due_soon", "overdue"])


def notice_problems(account):
    """{"failed": n, "unknown": m}: notices that did not go out, or may not have."""
    query = (
        sa.select(Notice.state, sa.func.count())
        .where(Notice.state.in_(("failed", "unknown")), Notice.visible_to(account))
        .group_by(Notice.state)
    )
    return {"failed": 0, "unknown": 0} | dict(db.session.execute(query).all())


@dataclass
class GroupPlaces:
    group: str
    top: list  # this month so far, with points
    bottom: list  # marked at the bottom of last month's ranking (a closed period)
    units: int
    scored: bool  # whether anyone has points yet this month
    bulletin: object = None  # the issued bulletin `bottom` is read from, if any


def month_places(today, places=PLACES, issued=None):
    """Per ranking group: the first `places` units of this month so far, and the units
    marked at the bottom of last month, whose ranking is closed: as the office issued them
    in the group's bulletin of that month, else as its ranking places them now (each
    month's points read once, placed within each group by the ranking's own rule).
    `issued`: last month's issued bulletins, where the caller has read them."""
    rules = RankingRules.load()  # read once for both months
    this = month(today)
    points, points_before = month_points(this)  # both months' points: one query
    running = place_by_group(points, this, today, rules)
    last = this.previous()
    if issued is None:
        issued = issued_in(last.key, RANKING_GROUPS.values)
    bottoms = issued_bottoms(issued)
    # Placed only for a group without an issued bulletin of the month.
    closed = {}
    if set(running) - set(bottoms):
        closed = place_by_group(points_before, last, today, rules)
    result = []
    for group in RANKING_GROUPS:
        members = running.get(group, [])
        if not members:
            continue
        bulletin, bottom = bottoms.get(group, (None, None))
        if bulletin is None:
            bottom = [row for row in closed.get(group, []) if row.bottom]
        top = [row for row in members[:places] if row.rank is not None and row.points > 0]
        scored = any(row.points for row in members)
        result.append(GroupPlaces(group, top, bottom, len(members), scored, bulletin))
    return result


def issued_bottoms(issued):
    """{group: (bulletin, its rows marked at the bottom)} of the groups with one of these
    `issued` bulletins (the latest first: the first of a group is the one that holds); a
    bulletin of all units places them together, not within their groups, so it is not one
    of them."""
    found = {}
    for bulletin in issued:
        if bulletin.ranking_group != ALL_UNITS and bulletin.ranking_group not in found:
            bottom = [row for row in bulletin.ranked_rows() if row.bottom]
            found[bulletin.ranking_group] = (bulletin, bottom)
    return found


# ---- a unit officer ----


def report_statuses(account, today):
    """{status: n} of the reports the person may see, and how many came this month."""
    month_start = clock.start_of(today.replace(day=1))
    query = (
        sa.select(
            Report.status,
            sa.func.count(),
            _count_if(Report.submitted_at >= month_start),
        )
        .where(Report.visible_to(account))
        .group_by(Report.status)
    )
    counts, this_month = {}, 0
    for status, n, recent in db.session.execute(query):
        counts[status] = int(n)
        this_month += int(recent)
    return counts, this_month


def latest_answers(account, limit=5):
    """The reports the office answered last, newest first."""
    query = (
        sa.select(Report)
        .where(Report.visible_to(account), Report.answered_at.is_not(None))
        .order_by(Report.answered_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def lights(account, today):
    """{light: n} of the open assignments the person may see."""
    light = Assignment.light_expression(today, yellow_days())
    query = (
        sa.select(light, sa.func.count())
        # "Not closed" is an open status: said so, the status index narrows the rows.
        .where(Assignment.is_open(), Assignment.visible_to(account))
        .group_by(light)
    )
    counts = dict.fromkeys(("red", "yellow", "green"), 0)
    counts.update({name: int(n) for name, n in db.session.execute(query)})
    return counts


def most_urgent(account, today, limit=5):
    """The open assignments waiting on the unit, the soonest due first, with directives."""
    rank = sa.case(LIGHT_RANKS, value=Assignment.light_expression(today, yellow_days()))
    query = (
        sa.select(Assignment)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(Assignment.visible_to(account), Assignment.waits_on_unit())
        .order_by(rank.desc(), Assignment.due_on, Assignment.id)
        .options(sa.orm.contains_eager(Assignment.directive))
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class UnitPlace:
    rank: int | None
    units: int
    points: int
    veto: object = None  # the year's veto (a missed emergency report), if any


def unit_place(unit, today):
    """The unit's rank in its group this month so far."""
    rows = standings(month(today), unit.ranking_group)
    row = next((r for r in rows if r.unit_id == unit.id), None)
    if row is None:
        return UnitPlace(None, len(rows), 0)
    return UnitPlace(row.rank, len(rows), row.points, row.veto)


def unit_quota(unit_id, year):
    """(quota or None, totals) of the unit for the year so far."""
    return quota_progress(year, [unit_id])[unit_id]


# ---- leaders ----


def completion(today):
    """This month's directive report, in all: completion and on-time rates."""
    return month_total(today.replace(day=1), today=today)
