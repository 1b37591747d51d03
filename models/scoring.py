"""The scoring table and the rows that make a unit's score: bonuses, deductions, quotas.

Scores are history: an adoption, a bonus or a deduction stores the points it earned when
it was recorded, so a later edit of the table changes later rows only, and a unit's score
for any period is a sum over rows (see `unit_totals`).
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, OwnedByUnit, UTCDateTime, db, info, text_not_blank
from models.reports import CATEGORIES, LEVELS, Adoption, Publication, Report

RULE_KINDS = Choices(
    bonus=_l("Instruction bonus by leader level"),
    factor=_l("Points factor by category (percent)"),
    deduction=_l("Deduction"),
    limit=_l("Limit"),
    ranking=_l("Ranking rule"),
)
DEDUCTION_KINDS = Choices(
    late_emergency=_l("Late emergency report"),
    missed_emergency=_l("Missed emergency report"),
    wrong_report=_l("Wrong report"),
    content_error=_l("Returned for content errors"),
    other=_l("Other deduction"),
)
LIMITS = Choices(missed_solicitations=_l("Missed solicitations that zero the year"))
RANKING_RULES = Choices(
    veto_left_out=_l("A vetoed unit in the year's ranking: 0 placed last, 1 left out"),
    bottom_ties=_l("Bottom places: mark none of a tie of more than this many units (0: mark all)"),
)
RULE_KEYS = {
    "bonus": LEVELS,
    "factor": CATEGORIES,
    "deduction": DEDUCTION_KINDS,
    "limit": LIMITS,
    "ranking": RANKING_RULES,
}
# The largest value a rule may take, where less than the table's general limit.
RULE_MAXIMA = {("ranking", "veto_left_out"): 1}

# What the table says when the office has not set a value: the figures seen in practice.
DEFAULT_RULES = {
    ("bonus", "county"): 10,
    ("bonus", "city"): 30,
    ("bonus", "province"): 40,
    ("bonus", "central"): 50,
    ("factor", "research"): 200,
    ("deduction", "late_emergency"): 5,
    ("deduction", "missed_emergency"): 10,
    ("deduction", "wrong_report"): 5,
    ("deduction", "content_error"): 2,
    ("deduction", "other"): 0,
    ("limit", "missed_solicitations"): 2,
    ("ranking", "veto_left_out"): 0,
    ("ranking", "bottom_ties"): 0,
}
DEFAULT_FACTOR = 100
# The day the table's first values hold from: a value holds until a later one of the
# same rule takes over, so a record is scored at the rate of its own day.
TABLE_START = dt.date(2000, 1, 1)


class ScoreRule(db.Model):
    """One line of the scoring table besides publications' own points."""

    __tablename__ = "score_rules"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Rule"), RULE_KINDS))
    key = sa.Column(sa.String(30), nullable=False, info=info(_l("Applies to")))
    value = sa.Column(sa.Integer, nullable=False, info=info(_l("Value")))
    valid_from = sa.Column(
        sa.Date,
        nullable=False,
        default=TABLE_START,
        server_default=TABLE_START.isoformat(),
        info=info(_l("Applies from")),
    )

    __table_args__ = (
        RULE_KINDS.check("kind"),
        sa.UniqueConstraint("kind", "key", "valid_from"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    def __str__(self):
        return f"{RULE_KINDS.label(self.kind)}: {self.key_label}"

    @property
    def key_label(self):
        keys = RULE_KEYS.get(self.kind)
        return keys.label(self.key) if keys else self.key

    @classmethod
    def visible_to(cls, account):
        return sa.true()

    @staticmethod
    def key_problem(kind, key):
        keys = RULE_KEYS.get(kind)
        if keys is None or key not in keys:
            return _l("This rule does not apply to that.")
        return None

    @staticmethod
    def value_problem(kind, key, value):
        highest = RULE_MAXIMA.get((kind, key))
        if highest is not None and value is not None and value > highest:
            return _l("This rule takes a value from 0 to %(highest)s.", highest=highest)
        return None


def rule_value(kind, key, connection=None, on=None):
    """The table's value for (kind, key) on the day `on` (default today): the value of the
    latest line holding from that day or before, or the default when there is none."""
    on = on or clock.today()
    query = (
        sa.select(ScoreRule.value)
        .where(ScoreRule.kind == kind, ScoreRule.key == key, ScoreRule.valid_from <= on)
        .order_by(ScoreRule.valid_from.desc())
        .limit(1)
    )
    value = (connection or db.session).scalar(query)
    if value is None:
        return default_value(kind, key)
    return value


def default_value(kind, key):
    return DEFAULT_RULES.get((kind, key), DEFAULT_FACTOR if kind == "factor" else 0)


def rule_values(kind, on=None):
    """{key: value} of every rule of `kind` on the day `on` (default today): the table's,
    or the default where it has none."""
    return RuleHistory.load(kind).on(on or clock.today())


class RuleHistory:
    """Every line of one kind of rule, in one query, to read the value of any day."""

    def __init__(self, kind, lines):
        self.kind = kind
        self.lines = sorted(lines, key=lambda line: line[1])  # (key, valid_from, value)

    @classmethod
    def load(cls, kind, connection=None):
        query = sa.select(ScoreRule.key, ScoreRule.valid_from, ScoreRule.value).where(
            ScoreRule.kind == kind
        )
        return cls(kind, (connection or db.session).execute(query).all())

    def on(self, day):
        """{key: value} on `day`."""
        values = {key: value for (k, key), value in DEFAULT_RULES.items() if k == self.kind}
        for key, valid_from, value in self.lines:
            if valid_from <= day:
                values[key] = value
        return values

    def value(self, key, day):
        return self.on(day).get(key, default_value(self.kind, key))


def adoption_points(connection, publication_id, report_id, on=None):
    """Points of an adoption: the publication's points times the category factor of the
    adoption's day."""
    points = connection.scalar(
        sa.select(Publication.points).where(Publication.id == publication_id)
    )
    category = connection.scalar(sa.select(Report.category).where(Report.id == report_id))
    factor = rule_value("factor", category, connection, on)
    return round((points or 0) * factor / 100)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _award_points_before_flush(session, _context, _instances):
    """The points of the adoptions a flush adds, in at most three statements whatever their
    number (the insert hook below would read them one adoption at a time)."""
    new = [
        a
        for a in session.new
        if isinstance(a, Adoption) and a.points is None and a.report is not None
    ]
    publication_ids = {a.publication_id or getattr(a.publication, "id", None) for a in new}
    publication_ids.discard(None)  # a publication new in this flush: the insert hook
    if not publication_ids:
        return
    with session.no_autoflush:
        points = dict(
            session.execute(
                sa.select(Publication.id, Publication.points).where(
                    Publication.id.in_(publication_ids)
                )
            ).all()
        )
        factors = RuleHistory.load("factor", session)
    for adoption in new:
        publication_id = adoption.publication_id or getattr(adoption.publication, "id", None)
        if publication_id in points:
            factor = factors.value(adoption.report.category, adoption.adopted_on or clock.today())
            adoption.points = round((points[publication_id] or 0) * factor / 100)


@sa.event.listens_for(Adoption, "before_insert")
def _award_points_on_insert(mapper, connection, adoption):
    """Every way of recording an adoption stores the points the table gives now."""
    if adoption.points is None:
        adoption.points = adoption_points(
            connection, adoption.publication_id, adoption.report_id, adoption.adopted_on
        )


INSTRUCTION_LEVELS = LEVELS


class Instruction(OwnedByUnit, db.Model):
    """A leader's written instruction (批示) on an adopted report: a bonus of its own."""

    __tablename__ = "instructions"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(sa.Integer, nullable=False, index=True, info=info(_l("Report")))
    unit_id = sa.Column(sa.Integer, nullable=False, info=info(_l("Unit")))  # as on Adoption
    leader_name = sa.Column(sa.String(50), nullable=False, info=info(_l("Instructing leader")))
    leader_level = sa.Column(
        sa.String(20), nullable=False, info=info(_l("Leader level"), INSTRUCTION_LEVELS)
    )
    instructed_on = sa.Column(sa.Date, nullable=False, info=info(_l("Instructed on")))
    points = sa.Column(sa.Integer, nullable=False, info=info(_l("Bonus points")))

    report = sa.orm.relationship("Report", back_populates="instructions", info=info(_l("Report")))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["report_id", "unit_id"],
            ["reports.id", "reports.unit_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.Index("ix_instructions_instructed_on_unit_id", "instructed_on", "unit_id", "points"),
        INSTRUCTION_LEVELS.check("leader_level"),
        text_not_blank("leader_name"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __str__(self):
        return f"{self.leader_name} {self.instructed_on}"


def instruction_problem(report_status, instructed_on, today=None):
    """Why an instruction cannot be recorded on a report, or None."""
    if report_status != "adopted":
        return _l("Only an adopted report can earn an instruction bonus.")
    if instructed_on and instructed_on > (today or clock.today()):
        return _l("The instruction date is in the future.")
    return None


@sa.event.listens_for(Instruction, "before_insert")
def _bonus_on_insert(mapper, connection, instruction):
    if instruction.points is None:
        instruction.points = rule_value(
            "bonus", instruction.leader_level, connection, instruction.instructed_on
        )


class Deduction(OwnedByUnit, db.Model):
    """Points a unit loses: a late or missed emergency report, a content error, ..."""

    __tablename__ = "deductions"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), DEDUCTION_KINDS))
    occurred_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Date")))
    points = sa.Column(sa.Integer, nullable=False, info=info(_l("Points deducted")))
    reason = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Reason")))
    report_id = sa.Column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True, info=info(_l("Report"))
    )
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Created")))

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    report = sa.orm.relationship("Report", info=info(_l("Report")))

    __table_args__ = (
        DEDUCTION_KINDS.check("kind"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
        # A report earns each kind of deduction at most once.
        sa.UniqueConstraint("report_id", "kind"),
    )

    def __str__(self):
        return f"{DEDUCTION_KINDS.label(self.kind)} -{self.points}"


@sa.event.listens_for(Deduction, "before_insert")
def _deduction_on_insert(mapper, connection, deduction):
    """A deduction is scored at the table's rate of the day it happened on."""
    if deduction.points is None:
        deduction.points = rule_value(
            "deduction", deduction.kind, connection, deduction.occurred_on
        )


@sa.event.listens_for(Deduction, "before_update")
def _deduction_on_update(mapper, connection, deduction):
    """A deduction whose kind or day changes is scored again, at the new day's rate
    (unless its points were set in the same change)."""
    state = sa.inspect(deduction)
    moved = any(state.attrs[name].history.has_changes() for name in ("kind", "occurred_on"))
    if moved and not state.attrs.points.history.has_changes():
        deduction.points = rule_value(
            "deduction", deduction.kind, connection, deduction.occurred_on
        )


# ---- quotas ----


class Quota(OwnedByUnit, db.Model):
    """A unit's yearly target (信息任务量化): adopted items and points."""

    __tablename__ = "quotas"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False, info=info(_l("Unit"))
    )
    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    items = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Target items")))
    points = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Target points")))

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
        sa.CheckConstraint("items >= 0 AND points >= 0", name="targets_not_negative"),
    )

    def __str__(self):
        return f"{self.unit} {self.year}"


def unit_totals(start, end, unit_ids=None):
    """Per unit, for the days start..end: adopted items, points, bonus, deductions.

    Grouped queries, one per kind of row: the cost does not grow with the units.
    Returns {unit_id: {"adopted", "adoption_points", "bonus", "deducted", "points"}}.
    """
    totals = {}

    def add(rows, key):
        for unit_id, value in rows:
            row = totals.setdefault(
                unit_id, dict.fromkeys(("adopted", "adoption_points", "bonus", "deducted"), 0)
            )
            row[key] = int(value or 0)

    def scoped(query, column):
        return query if unit_ids is None else query.where(column.in_(unit_ids))

    adopted = scoped(
        sa.select(
            Adoption.unit_id,
            sa.func.count(),  # items adopted: one per adoption (条次), as the ranking counts
            sa.func.sum(Adoption.points),
        )
        .where(Adoption.adopted_on.between(start, end))
        .group_by(Adoption.unit_id),
        Adoption.unit_id,
    )
    rows = db.session.execute(adopted).all()
    add(((u, n) for u, n, _p in rows), "adopted")
    add(((u, p) for u, _n, p in rows), "adoption_points")
    bonus = scoped(
        sa.select(Instruction.unit_id, sa.func.sum(Instruction.points))
        .where(Instruction.instructed_on.between(start, end))
        .group_by(Instruction.unit_id),
        Instruction.unit_id,
    )
    add(db.session.execute(bonus).all(), "bonus")
    deducted = scoped(
        sa.select(Deduction.unit_id, sa.func.sum(Deduction.points))
        .where(Deduction.occurred_on.between(start, end))
        .group_by(Deduction.unit_id),
        Deduction.unit_id,
    )
    add(db.session.execute(deducted).all(), "deducted")
    for row in totals.values():
        row["points"] = row["adoption_points"] + row["bonus"] - row["deducted"]
    return totals


def quota_progress(year, unit_ids=None):
    """{unit_id: (quota or None, totals)} for the year so far."""
    totals = unit_totals(dt.date(year, 1, 1), dt.date(year, 12, 31), unit_ids)
    query = sa.select(Quota).where(Quota.year == year)
    if unit_ids is not None:
        query = query.where(Quota.unit_id.in_(unit_ids))
    quotas = {q.unit_id: q for q in db.session.scalars(query)}
    ids = set(quotas) | set(totals) if unit_ids is None else set(unit_ids)
    empty = {"adopted": 0, "adoption_points": 0, "bonus": 0, "deducted": 0, "points": 0}
    return {uid: (quotas.get(uid), totals.get(uid, empty)) for uid in ids}
