"""The ranking of units by points (periods in models/periods.py, the directive on-time
table in models/on_time.py).

`ranking(period, group)` is a grouped SQL query (units LEFT JOIN the period's reports,
adoptions, bonuses and deductions), run for the period and for the one before it, ranked
with competition ranking (1, 1, 3). It returns rows (RankRow, built from the query's named
columns) that the page, the charts, the JSON and the spreadsheet exports all render: one
source of numbers.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields
from operator import itemgetter

import sqlalchemy as sa
from flask import current_app, has_app_context

from models import bounds, clock
from models.base import db, plain_rows
from models.emergencies import Veto, vetoes
from models.periods import ONE_DAY, month
from models.reports import LEVELS, Adoption, Publication, Report
from models.rollup import FIGURES, UnitMonth
from models.scoring import Deduction, Instruction, Quota, rule_values
from models.solicitations import zeroed_units
from models.units import Unit


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
    wrong: int = 0
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

    @classmethod
    def from_dict(cls, values):
        """The row `as_dict` gave (a bulletin keeps its rows so, as JSON)."""
        names = {f.name for f in fields(cls)} - {"veto"}
        row = cls(**{name: value for name, value in values.items() if name in names})
        if values.get("veto_on"):
            row.veto = Veto(dt.date.fromisoformat(values["veto_on"]), values["veto_reason"])
        return row


def sum_if(condition):
    """The count of rows where `condition` holds."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _totals(period, group):
    """Every active unit (of the group) with the period's figures and the points of the
    period before (None for a unit not ranked then), in one grouped query: from the
    monthly roll-up for whole months, quarters and years, from the rows else."""
    sums = _sums(period, FIGURES)
    zero = sa.literal(0)
    columns = [sa.func.coalesce(sums.c[name], zero).label(name) for name in FIGURES]
    query = _ranked_units(
        period,
        group,
        sums,
        Unit.code.label("unit_code"),
        Unit.name.label("unit"),
        Unit.ranking_group.label("group"),
        *columns,
    )
    # Plain rows, without the ORM's result handling: a tenth of the ranking's time.
    return _rank_rows(plain_rows(_with_points_before(query, period)))


def _with_points_before(query, period):
    """`query` of the units ranked in `period` with a column "previous_points": each
    unit's points in the period before, None for a unit not ranked then (created since)."""
    before = period.previous()
    earlier = _sums(before, POINTS)
    points_before = sa.case((Unit.created_on <= before.end, _points(earlier)))
    return query.add_columns(points_before.label("previous_points")).outerjoin(
        earlier, earlier.c.unit_id == Unit.id
    )


def _points(sums):
    """SQL: the points of `sums` (a unit without any: 0)."""
    return sa.func.coalesce(sums.c.adoption_points + sums.c.bonus - sums.c.deducted, 0)


def _sums(period, names):
    """Per unit, the sums of these figures over the period (all figures for a range)."""
    return _rollup_sums(period, names) if period.kind != "range" else _row_sums(period)


def _ranked_units(period, group, sums, *columns):
    """The units ranked in a period (active, existing by its end, of the group) with
    columns of their sums; unordered: the caller sorts by rank (sorting 2,000 codes by
    collation cost 5 ms)."""
    query = (
        sa.select(Unit.id.label("unit_id"), *columns)
        .outerjoin(sums, sums.c.unit_id == Unit.id)
        .where(Unit.active.is_(True), Unit.created_on <= period.end)
    )
    if group:
        query = query.where(Unit.ranking_group == group)
    return query


LEVEL_NAMES = tuple(LEVELS.values)
COUNTS = tuple(name for name in FIGURES if name not in LEVEL_NAMES)


def _rank_rows(result):
    """The ranking's rows from the query's columns, each read by its label (the positions
    are found once from the result's keys: a mapping a row cost 3 ms more for 2,000)."""
    at = {name: position for position, name in enumerate(result.keys())}
    ident = itemgetter(*(at[name] for name in ("unit_id", "unit_code", "unit", "group")))
    levels = itemgetter(*(at[name] for name in LEVEL_NAMES))
    counts = itemgetter(*(at[name] for name in COUNTS))
    previous = at["previous_points"]
    rows = []
    for values in result.all():
        row = RankRow(
            *ident(values),
            by_level=dict(zip(LEVEL_NAMES, map(int, levels(values)), strict=True)),
            **dict(zip(COUNTS, map(int, counts(values)), strict=True)),
        )
        row.points = row.adoption_points + row.bonus - row.deducted
        before = values[previous]
        row.previous_points = None if before is None else int(before)
        rows.append(row)
    return rows


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
            *[sum_if(Publication.level == level).label(level) for level in LEVELS],
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
            sum_if(Deduction.kind == "late_emergency").label("late"),
            sum_if(Deduction.kind == "missed_emergency").label("missed"),
            sum_if(Deduction.kind == "wrong_report").label("wrong"),
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


def open_to_units():
    """Whether unit officers see the ranking of their own group (RANKING_OPEN_TO_UNITS):
    the ranking page, its exports and the home page's rank line alike."""
    return has_app_context() and bool(current_app.config.get("RANKING_OPEN_TO_UNITS"))


def sees_ranking(account):
    """Whether `account` may see a ranking: the office and leaders always; a unit officer
    only where the setting opens it, and then only their own group's."""
    if account.role == "unit":
        return open_to_units()
    return True


def competition_ranks(points_by_unit):
    """{unit: rank} where ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(points_by_unit.values(), reverse=True)
    first_place = {}
    for place, points in enumerate(ordered, 1):
        first_place.setdefault(points, place)
    return {unit: first_place[points] for unit, points in points_by_unit.items()}


def bottom_count():
    """How many places at the bottom of a ranking are marked (a setting, 0-20)."""
    return bounds.setting("RANKING_BOTTOM_COUNT")


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


def standings(period, group=None, today=None):
    """The period's rows (of one group, or of all) placed by points alone, without the
    figures behind the points or the period before (no movement): where only places and
    points are shown. Placed by the same rule as `ranking`."""
    today = today or clock.today()
    return Placing(period, today).place(_points_rows(period, group, today))


def standings_by_group(period, today=None, rules=None):
    """{group: its `standings`}: every group's places from one query (`rules`: the
    RankingRules, where the caller has them already). The home page's board reads two
    months at once instead (`month_points`); the tests hold the two to each other."""
    today = today or clock.today()
    return place_by_group(_points_rows(period, None, today), period, today, rules)


def place_by_group(rows, period, today, rules=None):
    """{group: its rows of `period` placed}, as `standings_by_group`."""
    groups = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    placing = Placing(period, today, rules)
    return {group: placing.place(rows) for group, rows in groups.items()}


def month_points(period):
    """The rows of every unit ranked in the month `period`, and of those ranked in the
    month before, each with its points alone, not placed (`place_by_group`): one query
    for both months (their vetoes and quotas are not the year's: none to apply)."""
    sums = _sums(period, POINTS)
    columns = (Unit.code, Unit.name, Unit.ranking_group, _points(sums))
    query = _with_points_before(_ranked_units(period, None, sums, *columns), period)
    now, before = [], []
    for unit_id, code, name, group, points, previous in plain_rows(query).all():
        now.append(RankRow(unit_id, code, name, group, points=int(points)))
        if previous is not None:
            before.append(RankRow(unit_id, code, name, group, points=int(previous)))
    return now, before


def _points_rows(period, group, today):
    sums = _sums(period, POINTS)
    query = _ranked_units(
        period, group, sums, Unit.code, Unit.name, Unit.ranking_group, _points(sums)
    )
    rows = [
        RankRow(unit_id, code, name, in_group, points=int(total))
        for unit_id, code, name, in_group, total in plain_rows(query).all()
    ]
    if period.kind == "year":
        _apply_year_rules(rows, period, today)
    return rows


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


# ---- one unit's rank month by month ----


def rank_history(unit_id, group, last_month, months=12):
    """[(month label, rank or None)] for the unit over the months up to `last_month`: its
    competition rank among the units of the group existing by each month's end, or None
    where it was not one of them."""
    periods = []
    period = month(last_month)
    for _ in range(months):
        periods.append(period)
        period = period.previous()
    periods.reverse()
    ranks = _monthly_ranks(unit_id, periods, group)
    return [(f"{p.start.year}-{p.start.month:02d}", ranks.get(p.start)) for p in periods]


def _monthly_ranks(unit_id, periods, group):
    """{month: rank} of the unit, ranked in the database (rank() is competition ranking)
    over every unit of the group and month: 12 rows come back, not 12 x 2,000."""
    months = sa.union_all(
        *[
            sa.select(
                sa.literal(p.start, sa.Date).label("first"),
                sa.literal(p.end, sa.Date).label("last"),
            )
            for p in periods
        ]
    ).subquery()
    ranked = [Unit.active.is_(True), Unit.created_on <= months.c.last]
    if group:
        ranked.append(Unit.ranking_group == group)
    points = sa.func.coalesce(UnitMonth.adoption_points + UnitMonth.bonus - UnitMonth.deducted, 0)
    standing = (
        sa.select(
            months.c.first,
            Unit.id.label("unit_id"),
            sa.func.rank().over(partition_by=months.c.first, order_by=points.desc()).label("rank"),
        )
        .select_from(months)
        .join(Unit, sa.and_(*ranked))
        .outerjoin(
            UnitMonth,
            sa.and_(
                UnitMonth.unit_id == Unit.id,
                UnitMonth.month == months.c.first,
                # The same months said as a range: the roll-up's index narrows it.
                UnitMonth.month.between(periods[0].start, periods[-1].start),
            ),
        )
        .subquery()
    )
    query = sa.select(standing.c.first, standing.c.rank).where(standing.c.unit_id == unit_id)
    return {_as_date(first): int(rank) for first, rank in db.session.execute(query)}


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
