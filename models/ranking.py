"""Rankings: periods, the ranking of units by points, and the directive on-time table.

`ranking(period, group)` is a grouped SQL query (units LEFT JOIN the period's reports,
adoptions, bonuses and deductions), run for the period and for the one before it, ranked
with competition ranking (1, 1, 3). It returns plain rows that the page, the charts, the
JSON and the spreadsheet exports all render: one source of numbers.
"""

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_app_context

from models import bounds, clock
from models.base import db
from models.directives import Assignment
from models.emergencies import Veto, vetoes
from models.reports import LEVELS, Adoption, Publication, Report
from models.rollup import FIGURES, UnitMonth
from models.scoring import Deduction, Instruction, Quota, rule_values
from models.solicitations import zeroed_units
from models.units import Unit

ONE_DAY = dt.timedelta(days=1)


class PeriodError(ValueError):
    """A period the office cannot rank: the message says why."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year or range
    start: dt.date
    end: dt.date

    @property
    def key(self):
        """The URL form: 2026-10, 2026-Q3, 2026, or 2026-10-01..2026-10-15."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self):
        """The Chinese heading of a bulletin: 2026年10月, 2026年第3季度, 2026年."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def previous(self):
        """The period of the same length just before this one."""
        if self.kind == "month":
            return month(self.start - ONE_DAY)
        if self.kind == "quarter":
            return quarter(self.start - ONE_DAY)
        if self.kind == "year":
            return year(self.start.year - 1)
        end = self.start - ONE_DAY
        return Period("range", end - dt.timedelta(days=self.days - 1), end)

    def months(self):
        """The first day of every month the period touches."""
        first = self.start.replace(day=1)
        while first <= self.end:
            yield first
            first = (first + dt.timedelta(days=32)).replace(day=1)


def month(day):
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def quarter(day):
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    return Period("quarter", start, month(dt.date(day.year, first_month + 2, 1)).end)


def year(number):
    return Period("year", dt.date(number, 1, 1), dt.date(number, 12, 31))


def parse_period(text=None, start=None, end=None, today=None):
    """A period from `period=2026-10|2026-Q3|2026` or `from=...&to=...`; default last month.
    A period outside the office's years (models/bounds.py) is refused like one unread."""
    today = today or clock.today()
    if start or end:
        return _range(start, end)
    text = (text or "").strip()
    if not text:
        return month(today.replace(day=1) - ONE_DAY)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        y, mo = _year(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return month(dt.date(y, mo, 1))
    if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text):
        return quarter(dt.date(_year(m[1]), int(m[2]) * 3, 1))
    if re.fullmatch(r"\d{4}", text):
        return year(_year(text))
    raise PeriodError(f"not a period: {text!r} (use 2026-10, 2026-Q3 or 2026)")


def _year(text):
    number = int(text)
    if not bounds.FIRST_DAY.year <= number <= bounds.LAST_DAY.year:
        raise PeriodError(_outside_message(text))
    return number


def _outside_message(text):
    return f"{text} is outside the years {bounds.FIRST_DAY.year} to {bounds.LAST_DAY.year}"


def _range(start, end):
    try:
        first, last = dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or "")
    except ValueError as error:
        raise PeriodError("from and to must be dates like 2026-10-01") from error
    if not (bounds.in_range(first) and bounds.in_range(last)):
        raise PeriodError(_outside_message(f"{first}..{last}"))
    if last < first:
        raise PeriodError("the end of the period is before its start")
    if (last - first).days > 366 * 5:
        raise PeriodError("a period longer than five years")
    return Period("range", first, last)


# ---- the ranking ----


@dataclass
class RankRow:
    unit_id: int
    unit_code: str
    unit: str
    group: str
    submitted: int = 0
    adopted: int = 0
    by_level: dict = field(default_factory=dict)
    adoption_points: int = 0
    bonus: int = 0
    deducted: int = 0
    late: int = 0
    missed: int = 0
    points: int = 0
    rank: int | None = 0  # None: left out (a vetoed unit in the year, if the rules say so)
    previous_rank: int | None = None
    previous_points: int | None = None
    veto: Veto | None = None
    zeroed: bool = False
    bottom: bool = False
    quota_items: int | None = None
    quota_points: int | None = None

    @property
    def movement(self):
        """Places gained since the previous period (negative: lost); None when new or
        without a place."""
        if self.previous_rank is None or self.rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def vetoed(self):
        return self.veto is not None

    def as_dict(self):
        values = {name: value for name, value in vars(self).items() if name != "veto"}
        return {
            **values,
            "movement": self.movement,
            "vetoed": self.vetoed,
            "veto_on": self.veto.on.isoformat() if self.veto else None,
            "veto_reason": self.veto.reason if self.veto else None,
        }


def _sum_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _totals(period, group):
    """Every active unit (of the group) with the period's figures and the points of the
    period before (None for a unit not ranked then), in one grouped query: from the
    monthly roll-up for whole months, quarters and years, from the rows else."""
    sums = _sums(period, FIGURES)
    before = period.previous()
    earlier = _sums(before, POINTS)
    zero = sa.literal(0)
    points_before = sa.case(
        (
            Unit.created_on <= before.end,
            sa.func.coalesce(
                earlier.c.adoption_points + earlier.c.bonus - earlier.c.deducted, zero
            ),
        )
    )
    columns = [sa.func.coalesce(sums.c[name], zero) for name in FIGURES]
    query = _ranked_units(
        period, group, sums, Unit.code, Unit.name, Unit.ranking_group, *columns, points_before
    ).outerjoin(earlier, earlier.c.unit_id == Unit.id)
    # On the session's connection: plain rows, without the ORM's result handling (a tenth
    # of the ranking's time for 2,000 rows).
    return [_rank_row(values) for values in db.session.connection().execute(query)]


def _sums(period, names):
    """Per unit, the sums of these figures over the period (all figures for a range)."""
    return _rollup_sums(period, names) if period.kind != "range" else _row_sums(period)


def _ranked_units(period, group, sums, *columns):
    """The units ranked in a period (active, existing by its end, of the group) with
    columns of their sums; unordered: the caller sorts by rank (sorting 2,000 codes by
    collation cost 5 ms)."""
    query = (
        sa.select(Unit.id, *columns)
        .outerjoin(sums, sums.c.unit_id == Unit.id)
        .where(Unit.active.is_(True), Unit.created_on <= period.end)
    )
    if group:
        query = query.where(Unit.ranking_group == group)
    return query


LEVEL_NAMES = tuple(LEVELS.values)
# _rank_row reads the figures by position, in the roll-up's order (FIGURES); a test in
# tests/test_ranking.py holds the two together.
RANK_ROW_ORDER = (
    *("submitted", "adopted", *LEVEL_NAMES),
    *("adoption_points", "bonus", "deducted", "late", "missed"),
)


def _rank_row(values):
    uid, code, name, group, submitted, adopted, *rest, points_before = values
    *levels, adoption_points, bonus, deducted, late, missed = map(int, rest)
    row = RankRow(
        uid,
        code,
        name,
        group,
        int(submitted),
        int(adopted),
        dict(zip(LEVEL_NAMES, levels, strict=True)),
        adoption_points,
        bonus,
        deducted,
        late,
        missed,
    )
    row.points = adoption_points + bonus - deducted
    row.previous_points = None if points_before is None else int(points_before)
    return row


POINTS = ("adoption_points", "bonus", "deducted")


def _rollup_sums(period, names):
    return (
        sa.select(
            UnitMonth.unit_id,
            *[sa.func.sum(getattr(UnitMonth, name)).label(name) for name in names],
        )
        .where(UnitMonth.month.between(period.start, period.end))
        .group_by(UnitMonth.unit_id)
        .subquery()
    )


def _row_sums(period):
    """The same figures from the rows themselves, for a range of any days."""
    start_at, end_at = clock.start_of(period.start), clock.start_of(period.end + ONE_DAY)
    parts = [
        sa.select(Report.unit_id, sa.func.count().label("submitted"))
        .where(Report.submitted_at >= start_at, Report.submitted_at < end_at)
        .group_by(Report.unit_id),
        sa.select(
            Adoption.unit_id,
            sa.func.count().label("adopted"),
            *[_sum_if(Publication.level == level).label(level) for level in LEVELS],
            sa.func.sum(Adoption.points).label("adoption_points"),
        )
        .join(Publication, Publication.id == Adoption.publication_id)
        .where(Adoption.adopted_on.between(period.start, period.end))
        .group_by(Adoption.unit_id),
        sa.select(Instruction.unit_id, sa.func.sum(Instruction.points).label("bonus"))
        .where(Instruction.instructed_on.between(period.start, period.end))
        .group_by(Instruction.unit_id),
        sa.select(
            Deduction.unit_id,
            sa.func.sum(Deduction.points).label("deducted"),
            _sum_if(Deduction.kind == "late_emergency").label("late"),
            _sum_if(Deduction.kind == "missed_emergency").label("missed"),
        )
        .where(Deduction.occurred_on.between(period.start, period.end))
        .group_by(Deduction.unit_id),
    ]
    # One row per unit and part, every figure present (zero where the part has none).
    union = sa.union_all(
        *[
            sa.select(
                part.c.unit_id,
                *[
                    part.c[name] if name in part.c else sa.literal(0).label(name)
                    for name in FIGURES
                ],
            )
            for part in (p.subquery() for p in parts)
        ]
    ).subquery()
    return (
        sa.select(union.c.unit_id, *[sa.func.sum(union.c[name]).label(name) for name in FIGURES])
        .group_by(union.c.unit_id)
        .subquery()
    )


def competition_ranks(points_by_unit):
    """{unit: rank} where ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(points_by_unit.values(), reverse=True)
    first_place = {}
    for place, points in enumerate(ordered, 1):
        first_place.setdefault(points, place)
    return {unit: first_place[points] for unit, points in points_by_unit.items()}


def bottom_count():
    if has_app_context():
        return int(current_app.config.get("RANKING_BOTTOM_COUNT", 3))
    return 3


@dataclass(frozen=True)
class RankingRules:
    """How places are given: the bottom count (a setting) and the scoring table's ranking
    rules (a vetoed unit left out of the year or placed last; ties at the bottom)."""

    bottom_count: int = 3
    veto_left_out: bool = False
    bottom_ties: int = 0  # more units than this tied at a bottom place: none marked; 0: all

    @classmethod
    def load(cls):
        values = rule_values("ranking")
        return cls(
            bottom_count=bottom_count(),
            veto_left_out=bool(values["veto_left_out"]),
            bottom_ties=values["bottom_ties"],
        )


class Placing:
    """Places, movement and marks of a period's rows: the one rule every ranking reads.

    A missed emergency report vetoes the unit's year from the day it happened: every
    period ending on or after that day shows the veto; the year's evaluation places a
    vetoed unit after every other unit ranked with it, or leaves it out (rank None).
    Bottom places are marked only once the period has ended.
    """

    def __init__(self, period, today=None, rules=None):
        self.period = period
        self.closed = period.end < (today or clock.today())
        self.rules = rules or RankingRules.load()
        self.vetoes = vetoes(period.end.year, until=period.end)
        self.evaluation = period.kind == "year"
        self.previous_vetoes = vetoes(period.start.year - 1) if self.evaluation else {}

    def place(self, rows):
        """Rank `rows` (with ties 1, 1, 3), mark them, and sort them by place."""
        for row in rows:
            row.veto = self.vetoes.get(row.unit_id)
        ranks = self._ranks({r.unit_id: r.points for r in rows}, self.vetoes)
        before = {r.unit_id: r.previous_points for r in rows if r.previous_points is not None}
        previous_ranks = self._ranks(before, self.previous_vetoes)
        for row in rows:
            row.rank = ranks[row.unit_id]
            row.previous_rank = previous_ranks.get(row.unit_id)
            row.bottom = False
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit_code))
        if self.closed:
            _mark_bottom([r for r in rows if r.rank is not None], self.rules)
        return rows

    def _ranks(self, points, vetoed):
        """{unit: rank}: in the year's evaluation the vetoed come after everyone else, or
        have no rank when the rules leave them out."""
        if not self.evaluation:
            return competition_ranks(points)
        kept = {u: p for u, p in points.items() if u not in vetoed}
        ranks = competition_ranks(kept)
        last = {u: p for u, p in points.items() if u in vetoed}
        for unit, rank in competition_ranks(last).items():
            ranks[unit] = None if self.rules.veto_left_out else len(kept) + rank
        return ranks


def ranking(period, group=None, today=None, placing=None):
    """The ranked rows of the period, each with its previous rank and marks."""
    today = today or clock.today()
    rows = _totals(period, group)
    if period.kind == "year":
        _apply_year_rules(rows, period, today)
    return (placing or Placing(period, today)).place(rows)


def _apply_year_rules(rows, period, today):
    """A year: quotas alongside, and too many unanswered solicitations zero the points."""
    # The whole year's marks and quotas, looked up per row: a list of 2,000 unit ids as
    # bound parameters would cost more than the rows themselves.
    zeroed = zeroed_units(period.start.year, today)
    quotas = {q.unit_id: q for q in Quota.query.filter(Quota.year == period.start.year)}
    for row in rows:
        if row.unit_id in zeroed:
            row.zeroed, row.points = True, 0
        quota = quotas.get(row.unit_id)
        if quota is not None:
            row.quota_items, row.quota_points = quota.items, quota.points


def _mark_bottom(rows, rules):
    """Mark the last `bottom_count` places of the ranked rows (every unit tied with them
    too), except a tie of more than `bottom_ties` units when the rules set that limit."""
    count = rules.bottom_count
    if count <= 0 or len(rows) <= count:
        return
    threshold = rows[-count].rank
    if threshold == rows[0].rank:
        return  # everyone shares the first place: nobody is last
    marked = [row for row in rows if row.rank >= threshold]
    tied = Counter(row.rank for row in marked)
    for row in marked:
        row.bottom = not rules.bottom_ties or tied[row.rank] <= rules.bottom_ties


# ---- directives: on-time table ----


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
            _sum_if(finished_on_time).label("on_time"),
            _sum_if(late).label("overdue"),
        )
        .where(
            Assignment.due_on.between(period.start, period.end),
            Assignment.status != "cancelled",
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


# ---- one unit's rank month by month ----


def rank_history(unit_id, group, last_month, months=12):
    """[(month label, rank or None)] for the unit over the months up to `last_month`."""
    periods = []
    period = month(last_month)
    for _ in range(months):
        periods.append(period)
        period = period.previous()
    periods.reverse()
    points = _monthly_points(periods[0].start, periods[-1].end, group)
    result = []
    for period in periods:
        scores = points.get(period.start, {})
        ranks = competition_ranks(scores) if unit_id in scores else {}
        result.append((f"{period.start.year}-{period.start.month:02d}", ranks.get(unit_id)))
    return result


def _monthly_points(start, end, group):
    """{month: {unit_id: points}} from the roll-up, for the units of the group."""
    ranked = [Unit.active.is_(True), Unit.created_on <= end]
    if group:
        ranked.append(Unit.ranking_group == group)
    created = dict(db.session.execute(sa.select(Unit.id, Unit.created_on).where(*ranked)).all())
    # Joined to the units, not a list of 2,000 ids as bound parameters.
    query = (
        sa.select(
            UnitMonth.month,
            UnitMonth.unit_id,
            UnitMonth.adoption_points + UnitMonth.bonus - UnitMonth.deducted,
        )
        .join(Unit, Unit.id == UnitMonth.unit_id)
        .where(UnitMonth.month.between(start, end), *ranked)
    )
    result = {}
    for first in Period("range", start, end).months():
        last = month(first).end
        result[first] = {uid: 0 for uid, since in created.items() if since <= last}
    for first, unit_id, points in db.session.execute(query):
        first = _as_date(first)
        if unit_id in result.get(first, {}):
            result[first][unit_id] = int(points or 0)
    return result


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
