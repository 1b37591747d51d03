"""The year-end evaluation (年终总评) and the quarterly summary (季度小结).

The evaluation grades every unit of a ranking group from the rows of the year's ranking
(`ranking(year, group)`: the same points, places, veto and quota, never counted another
way), by the grade rules the office keeps (`GradeRule`: each line holds from its day, as
the scoring table's), and the criticism notices issued to the unit in the year:

1. the base grade by place and points: 先进 for a place within the top `excellent_share`
   per cent of the units ranked (at least one place) with at least `excellent_points`
   points; 良好 likewise by `good_share` and `good_points`; 较差 for a unit the ranking
   marks at the bottom (`poor_bottom`) or with fewer than `poor_points` points; 一般 else;
2. 先进 takes the year's quota met (`excellent_quota`: items and points), else 良好;
3. `criticisms_lower` issued criticism notices or more lower the grade by one, and
   `criticisms_cap` or more hold it to 一般 at best;
4. a missed emergency report (漏报) vetoes the year (一票否决): 较差 whatever else.

A share of 0 gives nobody the grade; a number rule of 0 is not applied. The rules read are
those holding on the year's last day, or on the day counted while the year runs.

The office files (报送) the evaluation: its rows and rules are kept as they were, and a
later adoption or rule change alters nothing filed (`EvaluationFiling`).
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from models import clock
from models.base import Choices, db, info
from models.criticism import issued_between, issued_counts
from models.filings import Filed, FilingError, units_differing
from models.periods import year as year_period
from models.ranking import RankRow, ranking
from models.units import RANKING_GROUPS

# From the highest: the order a grade is lowered in.
GRADES = Choices(
    excellent=lazy_pgettext("grade", "Advanced"),
    good=lazy_pgettext("grade", "Good"),
    fair=lazy_pgettext("grade", "Fair"),
    poor=lazy_pgettext("grade", "Poor"),
)
GRADE_RULES = Choices(
    excellent_share=_l("Advanced: places within this top share of the units ranked (per cent)"),
    excellent_points=_l("Advanced: at least these points (0: any)"),
    excellent_quota=_l("Advanced: only with the year's quota met (1 yes, 0 no)"),
    good_share=_l("Good: places within this top share of the units ranked (per cent)"),
    good_points=_l("Good: at least these points (0: any)"),
    poor_bottom=_l("Poor: the units marked at the bottom of the ranking (1 yes, 0 no)"),
    poor_points=_l("Poor: fewer points than this (0: not applied)"),
    criticisms_lower=_l("Criticism notices in the year that lower the grade by one (0: never)"),
    criticisms_cap=_l(
        "Criticism notices in the year that hold the grade to Fair at best (0: never)"
    ),
)
# What the office's practice gives when it has set nothing: a fifth commended, half at
# least 良好, the bottom places 较差, two notices lowering a grade and three capping it.
DEFAULT_GRADE_RULES = {
    "excellent_share": 20,
    "excellent_points": 0,
    "excellent_quota": 1,
    "good_share": 50,
    "good_points": 0,
    "poor_bottom": 1,
    "poor_points": 0,
    "criticisms_lower": 2,
    "criticisms_cap": 3,
}
GRADE_RULE_MAXIMA = {
    "excellent_share": 100,
    "good_share": 100,
    "excellent_quota": 1,
    "poor_bottom": 1,
}
GRADE_RULE_MAX = 100000
TABLE_START = dt.date(2000, 1, 1)
ALL_UNITS = ""  # the evaluation of every unit, not one group


class GradeRule(db.Model):
    """One line of the grade rules: a value holding from its day until a later line."""

    __tablename__ = "grade_rules"

    id = sa.Column(sa.Integer, primary_key=True)
    key = sa.Column(sa.String(30), nullable=False, info=info(_l("Rule"), GRADE_RULES))
    value = sa.Column(sa.Integer, nullable=False, info=info(_l("Value")))
    valid_from = sa.Column(
        sa.Date, nullable=False, default=TABLE_START, info=info(_l("Applies from"))
    )

    __table_args__ = (
        GRADE_RULES.check("key"),
        sa.UniqueConstraint("key", "valid_from"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    def __str__(self):
        return f"{GRADE_RULES.label(self.key)}: {self.value}"

    @classmethod
    def visible_to(cls, account):
        return sa.true()

    @staticmethod
    def value_problem(key, value):
        """Why `value` cannot be the rule's, or None."""
        highest = GRADE_RULE_MAXIMA.get(key, GRADE_RULE_MAX)
        if value is None or not 0 <= value <= highest:
            return _l("This rule takes a value from 0 to %(highest)s.", highest=highest)
        return None


def grade_rules(on):
    """{key: value} of the grade rules holding on the day `on`: the latest line of each
    from that day or before, the default where there is none."""
    values = dict(DEFAULT_GRADE_RULES)
    query = (
        sa.select(GradeRule.key, GradeRule.value)
        .where(GradeRule.valid_from <= on)
        .order_by(GradeRule.valid_from)
    )
    for key, value in db.session.execute(query):
        values[key] = value
    return values


# ---- grading ----


@dataclass
class Graded:
    """One unit's line of the evaluation: the ranking's figures, its grade and why."""

    unit_id: int
    unit_code: str
    unit: str
    group: str
    rank: int | None
    points: int
    adopted: int
    quota_items: int | None = None
    quota_points: int | None = None
    veto_on: str | None = None
    veto_reason: str | None = None
    zeroed: bool = False
    criticisms: int = 0
    grade: str = "fair"
    # Each reason a dict with its "code" and figures (text made when shown: reason_text).
    reasons: list = field(default_factory=list)

    @property
    def grade_label(self):
        return GRADES.label(self.grade)

    @property
    def quota_met(self):
        """None without a quota; else whether both targets are met."""
        if self.quota_items is None:
            return None
        return self.adopted >= self.quota_items and self.points >= (self.quota_points or 0)

    def figures(self):
        """What a filed line is compared by."""
        return (self.rank, self.points, self.adopted, self.criticisms, self.grade)


def lower(grade):
    """The grade one below (较差 stays 较差)."""
    order = GRADES.values
    return order[min(order.index(grade) + 1, len(order) - 1)]


def _at_most(grade, cap):
    order = GRADES.values
    return order[max(order.index(grade), order.index(cap))]


def cutoff_place(share, ranked):
    """The last place within the top `share` per cent of `ranked` units (at least the
    first place); None when the share gives nobody the grade."""
    if share <= 0 or ranked <= 0:
        return None
    return max(1, ranked * share // 100)


def _reached(row, share, least, ranked):
    place = cutoff_place(share, ranked)
    return (
        place is not None
        and row.rank is not None
        and row.rank <= place
        and (least <= 0 or row.points >= least)
    )


def grade_row(row, rules, ranked, criticisms):
    """Grade one ranking row (RankRow) by `rules`, among `ranked` units ranked without a
    veto, with its `criticisms` of the year; returns a Graded line."""
    line = Graded(
        unit_id=row.unit_id,
        unit_code=row.unit_code,
        unit=row.unit,
        group=row.group,
        rank=row.rank,
        points=row.points,
        adopted=row.adopted,
        quota_items=row.quota_items,
        quota_points=row.quota_points,
        veto_on=row.veto.on.isoformat() if row.veto else None,
        veto_reason=row.veto.reason if row.veto else None,
        zeroed=row.zeroed,
        criticisms=criticisms,
    )
    reasons = line.reasons
    if _reached(row, rules["excellent_share"], rules["excellent_points"], ranked):
        line.grade = "excellent"
        reasons.append(_top(row, "excellent", rules["excellent_share"], ranked))
    elif _reached(row, rules["good_share"], rules["good_points"], ranked):
        line.grade = "good"
        reasons.append(_top(row, "good", rules["good_share"], ranked))
    elif rules["poor_bottom"] and row.bottom:
        line.grade = "poor"
        reasons.append({"code": "bottom", "rank": row.rank})
    elif rules["poor_points"] and row.points < rules["poor_points"]:
        line.grade = "poor"
        reasons.append({"code": "few_points", "points": row.points, "least": rules["poor_points"]})
    if row.zeroed:
        reasons.append({"code": "zeroed"})
    if line.quota_met is not None:
        lowered = line.grade == "excellent" and rules["excellent_quota"] and not line.quota_met
        if lowered:
            line.grade = "good"
        reasons.append(
            {
                "code": "quota",
                "items": row.adopted,
                "target_items": row.quota_items,
                "points": row.points,
                "target_points": row.quota_points or 0,
                "met": line.quota_met,
                "lowered": bool(lowered),
            }
        )
    if criticisms:
        effect = None
        if rules["criticisms_lower"] and criticisms >= rules["criticisms_lower"]:
            line.grade, effect = lower(line.grade), "lowered"
        if rules["criticisms_cap"] and criticisms >= rules["criticisms_cap"]:
            line.grade, effect = _at_most(line.grade, "fair"), "capped"
        reasons.append({"code": "criticisms", "count": criticisms, "effect": effect})
    if row.veto is not None:
        line.grade = "poor"
        reasons.append({"code": "veto", "on": line.veto_on, "reason": line.veto_reason})
    return line


def _top(row, grade, share, ranked):
    return {"code": "top", "grade": grade, "rank": row.rank, "ranked": ranked, "share": share}


@dataclass
class Evaluation:
    """A year's evaluation of a group (None: every unit) as counted on `as_of`."""

    year: int
    group: str | None
    as_of: dt.date
    rules: dict
    lines: list

    @property
    def running(self):
        return self.as_of < dt.date(self.year, 12, 31)

    def counts(self):
        """{grade: units} in the grades' order."""
        counts = dict.fromkeys(GRADES.values, 0)
        for line in self.lines:
            counts[line.grade] += 1
        return counts

    def only(self, unit_ids):
        """The same evaluation with the lines of `unit_ids` alone (None: all)."""
        if unit_ids is None:
            return self
        lines = [line for line in self.lines if line.unit_id in unit_ids]
        return Evaluation(self.year, self.group, self.as_of, self.rules, lines)


def rules_day(year, as_of):
    """The day the grade rules are read on: the year's last, or `as_of` while it runs."""
    return min(as_of, dt.date(year, 12, 31))


def evaluate(year, group=None, as_of=None):
    """The year's evaluation of the group as counted on `as_of` (default today), from the
    rows of the year's ranking on that day."""
    as_of = as_of or clock.today()
    rules = grade_rules(rules_day(year, as_of))
    rows = ranking(year_period(year), group, today=as_of)
    criticisms = issued_counts(year, until=as_of)
    ranked = sum(1 for row in rows if row.rank is not None and row.veto is None)
    lines = [grade_row(row, rules, ranked, criticisms.get(row.unit_id, 0)) for row in rows]
    return Evaluation(year, group, as_of, rules, lines)


def reason_text(reason):
    """A reason in the reader's language."""
    code = reason["code"]
    if code == "top":
        return _(
            "Placed %(rank)s of %(ranked)s: within the top %(share)s%% (%(grade)s)",
            rank=reason["rank"],
            ranked=reason["ranked"],
            share=reason["share"],
            grade=GRADES.label(reason["grade"]),
        )
    if code == "bottom":
        return _("Marked at the bottom of the ranking (place %(rank)s)", rank=reason["rank"])
    if code == "few_points":
        return _(
            "%(points)s points, fewer than %(least)s",
            points=reason["points"],
            least=reason["least"],
        )
    if code == "zeroed":
        return _("Points zeroed for unanswered solicitations")
    if code == "quota":
        text = _(
            "Quota %(items)s/%(target_items)s items, %(points)s/%(target_points)s points",
            **{k: reason[k] for k in ("items", "target_items", "points", "target_points")},
        )
        if reason["lowered"]:
            return _("%(text)s: not met, so not Advanced", text=text)
        return text + (_(": met") if reason["met"] else _(": not met"))
    if code == "criticisms":
        text = _("%(count)s criticism notices issued", count=reason["count"])
        if reason["effect"] == "lowered":
            return _("%(text)s: lowered by one grade", text=text)
        if reason["effect"] == "capped":
            return _("%(text)s: Fair at best", text=text)
        return text
    if code == "veto":
        return _(
            "Vetoed: missed emergency report on %(day)s (%(reason)s)",
            day=reason["on"],
            reason=reason["reason"],
        )
    return code


# ---- filing the evaluation (报送) ----


class EvaluationFiling(Filed, db.Model):
    """A year's evaluation of a group as the office filed it: lines and rules kept."""

    __tablename__ = "evaluation_filings"

    filed_again = _l("This evaluation was filed already: say why it is filed again.")

    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    ranking_group = sa.Column(
        sa.String(20), nullable=False, default=ALL_UNITS, info=info(_l("Ranking group"))
    )
    rules = sa.Column(sa.JSON, nullable=False)
    # Its rows are its units' graded lines, in the column `lines`, as they always were.
    lines = sa.Column(sa.JSON, nullable=False)
    rows = sa.orm.synonym("lines")

    __table_args__ = (
        sa.Index("ix_evaluation_filings_year_group", "year", "ranking_group"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
    )

    def __str__(self):
        group = RANKING_GROUPS.label(self.ranking_group) if self.ranking_group else ""
        return f"{self.year} {group}".strip()

    def evaluation(self):
        """The evaluation as filed."""
        lines = [Graded(**line) for line in self.lines]
        return Evaluation(self.year, self.ranking_group or None, self.as_of, self.rules, lines)


def evaluation_filings(year, group=None):
    """The filings of the year's evaluation of the group, the latest first."""
    return EvaluationFiling.latest_first(year=year, ranking_group=group or ALL_UNITS)


def file_evaluation(year, group, actor, note="", today=None):
    """File the year's evaluation of the group as counted today; filing it again takes a
    note saying why. Returns the EvaluationFiling (added, not committed)."""
    today = today or clock.today()
    if dt.date(year, 1, 1) > today:
        raise FilingError(_l("A year that has not begun cannot be filed."))
    if group and group not in RANKING_GROUPS:
        raise FilingError(_l("No such ranking group."))
    note = EvaluationFiling.checked_note(note, year=year, ranking_group=group or ALL_UNITS)
    evaluation = evaluate(year, group, as_of=today)
    return EvaluationFiling.add(
        actor,
        note,
        year=year,
        ranking_group=group or ALL_UNITS,
        as_of=evaluation.as_of,
        rules=evaluation.rules,
        lines=[asdict(line) for line in evaluation.lines],
    )


def changed_units(filed, current):
    """The names of the units whose line differs between two evaluations of a year."""
    return units_differing(_by_unit(filed), _by_unit(current))


def _by_unit(evaluation):
    return {line.unit_id: (line.unit, line.figures()) for line in evaluation.lines}


# ---- the quarterly summary (季度小结) ----


@dataclass
class QuarterLine:
    """One unit's quarter: the ranking's row and the criticism notices issued in it."""

    row: object  # RankRow
    criticisms: int

    def as_dict(self):
        return {"row": self.row.as_dict(), "criticisms": self.criticisms}

    @classmethod
    def from_dict(cls, values):
        return cls(RankRow.from_dict(values["row"]), values["criticisms"])


def quarter_summary(period, group=None, today=None):
    """[QuarterLine] of the quarter's ranking of the group as counted on `today` (default
    the real one), with each unit's criticism notices issued in the quarter by then (by
    the day of issue)."""
    today = today or clock.today()
    rows = ranking(period, group, today=today)
    criticisms = issued_between(period.start, min(period.end, today))
    return [QuarterLine(row, criticisms.get(row.unit_id, 0)) for row in rows]


class QuarterFiling(Filed, db.Model):
    """A quarter's summary of a group as the office filed it: its lines kept."""

    __tablename__ = "quarter_filings"

    filed_again = _l("This quarterly summary was filed already: say why it is filed again.")

    period = sa.Column(sa.String(7), nullable=False, info=info(_l("Quarter")))  # 2026-Q3
    ranking_group = sa.Column(
        sa.String(20), nullable=False, default=ALL_UNITS, info=info(_l("Ranking group"))
    )

    __table_args__ = (sa.Index("ix_quarter_filings_period_group", "period", "ranking_group"),)

    def __str__(self):
        group = RANKING_GROUPS.label(self.ranking_group) if self.ranking_group else ""
        return f"{self.period} {group}".strip()

    def lines(self):
        """The quarter's lines as filed."""
        return [QuarterLine.from_dict(values) for values in self.rows]


def quarter_filings(period, group=None):
    """The filings of the quarter's summary of the group, the latest first."""
    return QuarterFiling.latest_first(period=period.key, ranking_group=group or ALL_UNITS)


def file_quarter(period, group, actor, note="", today=None):
    """File the quarter's summary of the group as counted today; filing it again takes a
    note saying why. Returns the QuarterFiling (added, not committed)."""
    today = today or clock.today()
    if period.kind != "quarter":
        raise FilingError(_l("Say which quarter to file."))
    if period.start > today:
        raise FilingError(_l("A quarter that has not begun cannot be filed."))
    if group and group not in RANKING_GROUPS:
        raise FilingError(_l("No such ranking group."))
    key = {"period": period.key, "ranking_group": group or ALL_UNITS}
    note = QuarterFiling.checked_note(note, **key)
    lines = quarter_summary(period, group or None, today=today)
    return QuarterFiling.add(
        actor, note, as_of=today, rows=[line.as_dict() for line in lines], **key
    )


def changed_quarter_units(filed, current):
    """The names of the units whose line differs between two counts of a quarter."""
    return units_differing(_quarter_by_unit(filed), _quarter_by_unit(current))


def _quarter_by_unit(lines):
    return {line.row.unit_id: (line.row.unit, _quarter_figures(line)) for line in lines}


def _quarter_figures(line):
    """A line's figures, not its names (a unit renamed since is not a difference)."""
    row = {k: v for k, v in line.row.as_dict().items() if k not in ("unit", "unit_code")}
    return {**row, "criticisms": line.criticisms}
