"""Key work items (重要工作分工负责制): the year's key work split into areas and items, each
with the leader in charge, lead and supporting units and the year's targets, checked twice
a year (early July and the end of December).

How the units' parts are kept: each item owns a Directive of origin "key_work" (its
carrier), and each unit's part is an Assignment of it, lead or supporting (PARTS). The
units report progress and results, the office accepts, returns, chases and extends, and
the lights, reminders and the to-do list work, all on the one lifecycle of assignments
(models/lifecycle.py): nothing is forked. The carrier's origin keeps the items out of the
leaders' instructions (the directive list, the monthly directive report and the on-time
table read `Directive.is_instruction()`); it is edited only through its item.

The two yearly checks are check rounds (one per half of a year, dated in early July or
at the end of December); opening a round makes a check per item and unit, where the unit
writes its self-assessment and the office gives its verdict (好, 较好, 一般, 差).
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.base import Choices, OwnedByUnit, RuleError, UTCDateTime, db, info, text_not_blank
from models.deadlines import WorkCalendar
from models.directives import Assignment, Directive
from models.notices import office_text
from models.units import Unit

HALVES = Choices(
    h1=_l("Mid-year check (early July)"),
    h2=_l("Year-end check (end of December)"),
)
VERDICTS = Choices(
    good=_l("Good"),
    fairly_good=_l("Fairly good"),
    average=_l("Average"),
    poor=_l("Poor"),
)
PROGRESS = Choices(
    done=_l("Target met"),
    on_schedule=_l("On schedule"),
    behind=_l("Behind schedule"),
)
# The seeds' "7月初和12月底": the first ten days of July, the last eleven of December.
CHECK_WINDOWS = {"h1": ((7, 1), (7, 10)), "h2": ((12, 21), (12, 31))}
# The level a key work item's leader in charge is taken at: the office's own leaders
# (the result is then signed by the unit's leader in charge, models/feedback.py).
KEY_WORK_LEADER_LEVEL = "county"
MAX_SEQ = 999
# Key work and rectifications are due on a date given, never counted by the deadline
# rules: no working-day calendar is read (nor loaded, which would flush a half-made part).
NO_CALENDAR = WorkCalendar()


def check_window(year, half):
    """The first and last day a check of `half` of `year` may be dated."""
    (m1, d1), (m2, d2) = CHECK_WINDOWS[half]
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


def check_date_problem(year, half, day):
    """Why a check of `half` ("h1" or "h2") of `year` cannot be dated `day`, or None."""
    if half not in CHECK_WINDOWS:
        return _l("Choose the mid-year or the year-end check.")
    if day is None or year is None:
        return _l("Enter the year and the date of the check.")
    if not bounds.FIRST_DAY.year <= year <= bounds.LAST_DAY.year:
        return bounds.day_message()
    first, last = check_window(year, half)
    if not first <= day <= last:
        return _l(
            "The check is dated from %(first)s to %(last)s.",
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return None


class KeyWorkArea(db.Model):
    """One of the year's areas of key work (e.g. 8 areas, 38 items in all)."""

    __tablename__ = "key_work_areas"

    id = sa.Column(sa.Integer, primary_key=True)
    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    seq = sa.Column(sa.Integer, nullable=False, info=info(_l("Serial")))
    name = sa.Column(sa.String(100), nullable=False, info=info(_l("Area")))

    items = sa.orm.relationship(
        "KeyWorkItem", back_populates="area", order_by="KeyWorkItem.seq", info=info(_l("Items"))
    )

    __table_args__ = (
        sa.UniqueConstraint("year", "seq"),
        sa.UniqueConstraint("year", "name"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_in_range"),
        sa.CheckConstraint(f"seq BETWEEN 1 AND {MAX_SEQ}", name="seq_in_range"),
        text_not_blank("name"),
    )

    def __str__(self):
        return f"{self.year} {self.seq}. {self.name}"

    @classmethod
    def visible_to(cls, account):
        return sa.true()  # the areas are published (见报): every reader sees their names


class KeyWorkItem(db.Model):
    """A key work item: its title, the leader in charge, the year's targets, and the
    units' parts as assignments of its carrier directive (see the module's docstring)."""

    __tablename__ = "key_work_items"

    id = sa.Column(sa.Integer, primary_key=True)
    area_id = sa.Column(
        sa.ForeignKey("key_work_areas.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Area")),
    )
    seq = sa.Column(sa.Integer, nullable=False, info=info(_l("Serial")))
    title = sa.Column(sa.String(200), nullable=False, info=info(_l("Title")))
    leader_name = sa.Column(sa.String(50), nullable=False, info=info(_l("Leader in charge")))
    targets = sa.Column(sa.Text, nullable=False, default="", info=info(_l("The year's targets")))
    directive_id = sa.Column(
        sa.ForeignKey("directives.id", ondelete="RESTRICT"), nullable=False, unique=True
    )

    area = sa.orm.relationship("KeyWorkArea", back_populates="items", info=info(_l("Area")))
    directive = sa.orm.relationship(
        "Directive",
        backref=sa.orm.backref("key_work_item", uselist=False),
        cascade="all",
        single_parent=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("area_id", "seq"),
        sa.CheckConstraint(f"seq BETWEEN 1 AND {MAX_SEQ}", name="seq_in_range"),
        text_not_blank("title"),
        text_not_blank("leader_name"),
    )

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def year(self):
        return self.area.year if self.area else None

    @property
    def number(self):
        area = self.area.seq if self.area else "?"
        return f"{area}-{self.seq}"

    @classmethod
    def visible_to(cls, account):
        """The office and leaders see every item; a unit the items it has a part in."""
        if account.sees_all_units:
            return sa.true()
        return cls.directive.has(Directive.visible_to(account))

    @property
    def assignments(self):
        return self.directive.assignments if self.directive else []

    def units_of(self, part):
        return [a.unit for a in self.assignments if a.part == part and a.status != "cancelled"]

    def year_end(self):
        return dt.date(self.area.year, 12, 31)

    def write_carrier(self):
        """Create or update the carrier directive from the item's own fields: its number
        (重要工作〔2026〕1-3号, unique among directives) names it on the to-do list, the
        assignments and the notices."""
        if self.directive is None:
            self.directive = Directive(origin="key_work", leader_level=KEY_WORK_LEADER_LEVEL)
        directive = self.directive
        directive.number = office_text(
            _l("Key work %(number)s of %(year)s", number=self.number, year=self.year)
        )
        directive.title = self.title
        directive.content = self.targets or ""
        directive.leader_name = self.leader_name
        directive.received_on = directive.received_on or clock.today()
        return directive

    def hand_to(self, parts, actor, due_on=None, at=None):
        """Give the units their parts ({unit: "lead" | "support"}), each an assignment due
        on `due_on` (the year's end unless given); returns the new assignments."""
        if actor is not None and actor.role not in OFFICE:
            raise RuleError(_l("Only the office assigns key work."))
        due_on = due_on or self.year_end()
        today = clock.local_date(at) if at is not None else clock.today()
        if due_on < today:
            raise RuleError(
                _l("The due date %(day)s has passed.", day=due_on.isoformat()), field="due_on"
            )
        return self.directive.hand_to(parts, actor, NO_CALENDAR, [], at=at, due_on=due_on)


class CheckRound(db.Model):
    """One of the year's two checks of the key work: the first half's in early July, the
    whole year's at the end of December."""

    __tablename__ = "key_work_rounds"

    id = sa.Column(sa.Integer, primary_key=True)
    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    half = sa.Column(sa.String(2), nullable=False, info=info(_l("Check"), HALVES))
    checked_on = sa.Column(sa.Date, nullable=False, info=info(_l("Checked on")))
    note = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Note")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    checks = sa.orm.relationship(
        "KeyWorkCheck",
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="KeyWorkCheck.id",
        info=info(_l("Checks")),
    )

    __table_args__ = (
        sa.UniqueConstraint("year", "half"),
        HALVES.check("half"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_in_range"),
    )

    def __str__(self):
        return f"{self.year} {HALVES.label(self.half)}"

    @classmethod
    def visible_to(cls, account):
        return sa.true()

    def date_problem(self):
        return check_date_problem(self.year, self.half, self.checked_on)

    def open(self):
        """Make a check for each unit's part (not cancelled) of each item of the year:
        those already made stay as they are. Returns the new checks."""
        problem = self.date_problem()
        if problem:
            raise RuleError(problem, field="checked_on")
        have = {(c.item_id, c.unit_id) for c in self.checks}
        parts = db.session.execute(
            sa.select(KeyWorkItem.id, Assignment.unit_id, Assignment.id)
            .join(KeyWorkArea, KeyWorkArea.id == KeyWorkItem.area_id)
            .join(Assignment, Assignment.directive_id == KeyWorkItem.directive_id)
            .where(KeyWorkArea.year == self.year, Assignment.status != "cancelled")
            .order_by(KeyWorkArea.seq, KeyWorkItem.seq, Assignment.part, Assignment.id)
        ).all()
        made = []
        for item_id, unit_id, assignment_id in parts:
            if (item_id, unit_id) in have:
                continue
            check = KeyWorkCheck(item_id=item_id, unit_id=unit_id, assignment_id=assignment_id)
            self.checks.append(check)
            made.append(check)
        return made


class KeyWorkCheck(OwnedByUnit, db.Model):
    """A unit's part of an item at a check: its self-assessment, the office's verdict."""

    __tablename__ = "key_work_checks"

    id = sa.Column(sa.Integer, primary_key=True)
    round_id = sa.Column(
        sa.ForeignKey("key_work_rounds.id", ondelete="CASCADE"),
        nullable=False,
        info=info(_l("Check")),
    )
    item_id = sa.Column(
        sa.ForeignKey("key_work_items.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=info(_l("Key work item")),
    )
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL"), info=info(_l("Assignment"))
    )
    progress = sa.Column(sa.String(20), info=info(_l("Progress"), PROGRESS))
    self_assessment = sa.Column(
        sa.Text, nullable=False, default="", info=info(_l("Self-assessment"))
    )
    assessed_at = sa.Column(UTCDateTime, info=info(_l("Self-assessed at")))
    verdict = sa.Column(sa.String(20), info=info(_l("Verdict"), VERDICTS))
    office_comment = sa.Column(
        sa.Text, nullable=False, default="", info=info(_l("Office's opinion"))
    )
    judged_at = sa.Column(UTCDateTime, info=info(_l("Judged at")))
    judged_by_name = sa.Column(
        sa.String(50), nullable=False, default="", info=info(_l("Judged by"))
    )

    round = sa.orm.relationship("CheckRound", back_populates="checks", info=info(_l("Check")))
    item = sa.orm.relationship("KeyWorkItem", info=info(_l("Key work item")))
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    assignment = sa.orm.relationship("Assignment", info=info(_l("Assignment")))

    __table_args__ = (
        sa.UniqueConstraint("round_id", "item_id", "unit_id"),
        PROGRESS.check("progress"),
        VERDICTS.check("verdict"),
        sa.CheckConstraint("(verdict IS NULL) = (judged_at IS NULL)", name="judged_when_verdict"),
    )

    def __str__(self):
        return f"{self.unit or ''} · {self.item.number if self.item else ''}"

    # Whose move a check waits on: the unit's self-assessment until the check's day (the
    # office may write it on the unit's behalf, and a late one is still taken), then the
    # office's verdict, which closes it (`assess`, `judge`). Past the check's day without
    # a self-assessment, the move is the office's: to judge it as it stands, or chase it.
    @classmethod
    def to_assess(cls, today):
        """SQL: the checks whose self-assessment is still to be written by their round's
        day (`today` included)."""
        return sa.and_(
            cls.assessed_at.is_(None),
            cls.verdict.is_(None),
            cls.round.has(CheckRound.checked_on >= today),
        )

    @classmethod
    def to_judge(cls, today):
        """SQL: the checks waiting for the office's verdict: self-assessed, or past their
        round's day without a self-assessment."""
        return sa.and_(
            cls.verdict.is_(None),
            sa.or_(cls.assessed_at.is_not(None), cls.round.has(CheckRound.checked_on < today)),
        )

    def assess(self, actor, text, progress, at=None):
        """The unit's self-assessment (the office may write it on the unit's behalf),
        until the office has given its verdict."""
        if actor is not None and not (
            actor.role in OFFICE or (actor.role == "unit" and actor.unit_id == self.unit_id)
        ):
            raise RuleError(_l("You may not do this on this check."))
        if self.verdict is not None:
            raise RuleError(_l("The office has given its verdict: the self-assessment is closed."))
        if not (text or "").strip():
            raise RuleError(_l("Write the self-assessment."), field="self_assessment")
        if progress not in PROGRESS:
            raise RuleError(_l("Choose the progress."), field="progress")
        self.self_assessment, self.progress = text.strip(), progress
        self.assessed_at = at or clock.now()

    def judge(self, actor, verdict, comment="", at=None):
        """The office's verdict (好, 较好, 一般, 差), with a comment."""
        if actor is not None and actor.role not in OFFICE:
            raise RuleError(_l("Only the office gives the verdict."))
        if verdict not in VERDICTS:
            raise RuleError(_l("Choose the verdict."), field="verdict")
        self.verdict, self.office_comment = verdict, (comment or "").strip()
        self.judged_at = at or clock.now()
        self.judged_by_name = (str(actor) if actor is not None else "")[:50]


# ---- the summary per area, for the page, the print and the workbook ----


@dataclass
class AreaSummary:
    area: KeyWorkArea
    checks: list = field(default_factory=list)

    def counts(self):
        """How many checks of the area got each verdict, and how many none yet."""
        found = {value: 0 for value in VERDICTS}
        found[None] = 0
        for check in self.checks:
            found[check.verdict] += 1
        return found


def round_summary(check_round, scope=None, area_id=None):
    """The round's checks by area, items in order, lead units first: each check with its
    item, unit and assignment loaded. `scope` narrows the checks (a unit's own)."""
    query = (
        KeyWorkCheck.query.filter(KeyWorkCheck.round_id == check_round.id)
        .join(KeyWorkItem, KeyWorkItem.id == KeyWorkCheck.item_id)
        .join(KeyWorkArea, KeyWorkArea.id == KeyWorkItem.area_id)
        .join(Unit, Unit.id == KeyWorkCheck.unit_id)
        .outerjoin(Assignment, Assignment.id == KeyWorkCheck.assignment_id)
        .options(
            sa.orm.contains_eager(KeyWorkCheck.item).contains_eager(KeyWorkItem.area),
            sa.orm.contains_eager(KeyWorkCheck.unit),
            sa.orm.contains_eager(KeyWorkCheck.assignment),
        )
        .order_by(KeyWorkArea.seq, KeyWorkItem.seq, Assignment.part, Unit.code)
    )
    if scope is not None:
        query = query.filter(scope)
    if area_id is not None:
        query = query.filter(KeyWorkArea.id == area_id)
    areas = {}
    for check in query:
        area = check.item.area
        areas.setdefault(area.id, AreaSummary(area)).checks.append(check)
    return list(areas.values())
