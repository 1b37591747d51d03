"""Awards: payments per adopted item (稿酬奖励) and yearly commendations (表彰).

Pay rates are history, as the scoring rules are: a rate holds from its 起用日期 until a
later line of the same kind and level, so an adoption is paid at the rate of its own
adoption day and a leader's instruction at the rate of the day it was given. A new rate is
a new line; a line dated later changes nothing before it.

The year's payment sheet (稿酬发放表) is counted per unit and per author (撰稿人) from the
adoptions and instructions of the year up to a day, in two grouped queries whatever the
number of items. The office files (报送) a sheet: its figures are kept as they were
(`AwardFiling`), whatever rate is set or adoption recorded later, and the page says when
counting again now comes out differently.
"""

import datetime as dt
import decimal
import itertools
from dataclasses import asdict, dataclass, field
from operator import attrgetter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.base import Choices, OwnedByUnit, UTCDateTime, db, info, text_not_blank
from models.filings import Filed, FilingError, units_differing
from models.reports import LEVELS, Adoption, Publication, Report
from models.scoring import Instruction
from models.units import RANKING_GROUPS, Unit

PAY_KINDS = Choices(
    adoption=_l("Per adopted item"),
    instruction=_l("Per leader's instruction"),
)
CENT = decimal.Decimal("0.01")
ZERO = decimal.Decimal("0.00")
# The most a line may pay for one item, in yuan: more is a typing error.
MAX_RATE = decimal.Decimal("10000.00")
NOTE_MAX = 1000
TITLE_MAX = 100
DOCUMENT_NO_MAX = 50


def money(value):
    """A sum in yuan as a Decimal of two places (None and "" read as 0)."""
    if value is None or value == "":
        return ZERO
    return decimal.Decimal(str(value)).quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def amount_problem(value):
    """Why `value` cannot be a rate, or None: a sum from 0 to MAX_RATE yuan, to the fen."""
    message = _l("Enter an amount from 0.00 to %(most)s yuan, to the fen.", most=MAX_RATE)
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        return message
    if not ZERO <= value <= MAX_RATE or value != value.quantize(CENT):
        return message
    return None


class PayRate(db.Model):
    """One line of the pay table: what one adopted item of a level (or one leader's
    instruction of a level) is paid, from a day on."""

    __tablename__ = "pay_rates"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Paid for"), PAY_KINDS))
    level = sa.Column(sa.String(20), nullable=False, info=info(_l("Level"), LEVELS))
    amount = sa.Column(sa.Numeric(10, 2), nullable=False, info=info(_l("Amount (yuan)")))
    valid_from = sa.Column(sa.Date, nullable=False, info=info(_l("Applies from")))

    __table_args__ = (
        PAY_KINDS.check("kind"),
        LEVELS.check("level"),
        sa.UniqueConstraint("kind", "level", "valid_from"),
        sa.CheckConstraint(f"amount >= 0 AND amount <= {MAX_RATE}", name="amount_in_range"),
    )

    def __str__(self):
        return f"{PAY_KINDS.label(self.kind)} · {LEVELS.label(self.level)} · {self.valid_from}"

    @classmethod
    def visible_to(cls, account):
        return sa.true()  # the office's table: the screen's roles decide who reads it


def rate_on(kind, level, day):
    """The amount one item of `kind` and `level` is paid on `day`, or None when no line
    holds that day."""
    return db.session.scalar(
        sa.select(PayRate.amount)
        .where(PayRate.kind == kind, PayRate.level == level, PayRate.valid_from <= day)
        .order_by(PayRate.valid_from.desc())
        .limit(1)
    )


def _rate_of(kind, level, day):
    """SQL: the amount of the latest line of `kind` for the row's `level` holding on its
    `day` (a correlated lookup, served by the unique index on kind, level, valid_from)."""
    return (
        sa.select(PayRate.amount)
        .where(PayRate.kind == kind, PayRate.level == level, PayRate.valid_from <= day)
        .order_by(PayRate.valid_from.desc())
        .limit(1)
        .correlate_except(PayRate)
        .scalar_subquery()
    )


def rate_problems(kind, level, amount, valid_from, line_id=None):
    """[(field, message)] of what keeps a pay table line from being saved."""
    found = []
    if kind not in PAY_KINDS:
        found.append(("kind", _l("Choose what the line pays for.")))
    if level not in LEVELS:
        found.append(("level", _l("Choose a level.")))
    if amount is not None and (problem := amount_problem(amount)):
        found.append(("amount", problem))
    if valid_from is not None and not bounds.in_range(valid_from):
        found.append(("valid_from", bounds.day_message()))
    elif valid_from is not None and not found:
        same = sa.select(PayRate.id).where(
            PayRate.kind == kind, PayRate.level == level, PayRate.valid_from == valid_from
        )
        if line_id is not None:
            same = same.where(PayRate.id != line_id)
        if db.session.scalar(same.limit(1)) is not None:
            found.append(("valid_from", _l("This rate already has a line from that day.")))
    return found


# ---- the year's payment sheet ----


@dataclass
class PayLine:
    """An author's (or, with author "", a unit's) items of the year and what they earn."""

    unit_id: int | None
    unit: str
    group: str
    author: str
    items: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    instructions: int = 0
    amount: decimal.Decimal = ZERO

    @property
    def adopted(self):
        return sum(self.items.values())

    def figures(self):
        return (tuple(self.items[level] for level in LEVELS), self.instructions, self.amount)

    def to_json(self):
        row = asdict(self)
        row["amount"] = str(self.amount)
        return row

    @classmethod
    def from_json(cls, row):
        row = dict(row)
        row["items"] = {level: int(row["items"].get(level, 0)) for level in LEVELS}
        row["amount"] = money(row["amount"])
        return cls(**row)


@dataclass
class AwardSheet:
    year: int
    as_of: dt.date
    authors: list  # PayLine per (unit, author), by unit then author
    units: list = field(default_factory=list)  # PayLine per unit (author "")
    total: PayLine = None
    unrated: int = 0  # items and instructions paid nothing: no rate held on their day

    def __post_init__(self):
        self.units = unit_sums(self.authors)
        self.total = _sum(None, "", "", "", self.authors)

    @property
    def running(self):
        """Counted before the year's last day."""
        return self.as_of < dt.date(self.year, 12, 31)


def year_as_of(year, as_of=None, today=None):
    """The day a sheet of `year` is counted to: the day asked, else the year's end, never
    after today nor outside the year."""
    today = today or clock.today()
    end = min(dt.date(year, 12, 31), today)
    if as_of is not None:
        end = min(end, as_of)
    return max(end, dt.date(year, 1, 1))


def award_sheet(year, as_of=None, unit_ids=None, today=None):
    """The payment sheet of `year`, counted as of `as_of` (see year_as_of), of the units in
    `unit_ids` (None: all): each item at the rate of its own day."""
    as_of = year_as_of(year, as_of, today)
    start = dt.date(year, 1, 1)
    adoptions = (
        sa.select(
            Adoption.unit_id.label("unit_id"),
            Report.author.label("author"),
            Publication.level.label("level"),
            sa.literal("adoption").label("kind"),
            _rate_of("adoption", Publication.level, Adoption.adopted_on).label("rate"),
        )
        .join(Report, Report.id == Adoption.report_id)
        .join(Publication, Publication.id == Adoption.publication_id)
        .where(Adoption.adopted_on.between(start, as_of))
    )
    instructions = (
        sa.select(
            Instruction.unit_id.label("unit_id"),
            Report.author.label("author"),
            Instruction.leader_level.label("level"),
            sa.literal("instruction").label("kind"),
            _rate_of("instruction", Instruction.leader_level, Instruction.instructed_on).label(
                "rate"
            ),
        )
        .join(Report, Report.id == Instruction.report_id)
        .where(Instruction.instructed_on.between(start, as_of))
    )
    if unit_ids is not None:
        adoptions = adoptions.where(Adoption.unit_id.in_(unit_ids))
        instructions = instructions.where(Instruction.unit_id.in_(unit_ids))
    lines = {}
    unrated = 0
    names = {}
    for query in (adoptions, instructions):
        items = query.subquery()
        # Grouped by the rate too: the sums are counts, each multiplied by its exact rate.
        grouped = sa.select(
            items.c.unit_id,
            items.c.author,
            items.c.level,
            items.c.kind,
            items.c.rate,
            sa.func.count(),
        ).group_by(items.c.unit_id, items.c.author, items.c.level, items.c.kind, items.c.rate)
        for unit_id, author, level, kind, rate, count in db.session.execute(grouped):
            line = lines.setdefault((unit_id, author), PayLine(unit_id, "", "", author))
            if kind == "adoption":
                line.items[level] += count
            else:
                line.instructions += count
            if rate is None:
                unrated += count
            else:
                line.amount += money(rate) * count
            names[unit_id] = None
    if names:
        for unit_id, name, group, code in db.session.execute(
            sa.select(Unit.id, Unit.name, Unit.ranking_group, Unit.code).where(Unit.id.in_(names))
        ):
            names[unit_id] = (name, group, code)
    for line in lines.values():
        line.unit, line.group, _code = names[line.unit_id]
    authors = sorted(
        lines.values(), key=lambda line: (_unit_order(*names[line.unit_id][1:]), line.author)
    )
    return AwardSheet(year=year, as_of=as_of, authors=authors, unrated=unrated)


def _unit_order(group, code):
    groups = RANKING_GROUPS.values
    return (groups.index(group) if group in groups else len(groups), code)


def unit_sums(authors):
    """Per unit: the sums of its authors' lines (in the order given: by unit)."""
    return [
        _sum(unit_id, rows[0].unit, rows[0].group, "", rows)
        for unit_id, rows in (
            (unit_id, list(rows))
            for unit_id, rows in itertools.groupby(authors, key=attrgetter("unit_id"))
        )
    ]


def _sum(unit_id, unit, group, author, rows):
    line = PayLine(unit_id, unit, group, author)
    for row in rows:
        for level in LEVELS:
            line.items[level] += row.items[level]
        line.instructions += row.instructions
        line.amount += row.amount
    return line


# ---- filing a sheet (报送) ----


class AwardFiling(Filed, db.Model):
    """A year's payment sheet as the office filed it: its figures kept as they were.
    Its rows: the author lines (PayLine.to_json), amounts as text to the fen."""

    __tablename__ = "award_filings"

    filed_again = _l("This year's sheet was filed already: say why it is filed again.")

    year = sa.Column(sa.Integer, nullable=False, index=True, info=info(_l("Year")))
    unrated = sa.Column(sa.Integer, nullable=False, default=0)

    __table_args__ = (sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_in_range"),)

    def __str__(self):
        return f"{self.year} · {self.as_of}"

    def sheet(self, unit_ids=None):
        """The filed sheet, of the units in `unit_ids` (None: all)."""
        authors = [
            PayLine.from_json(row)
            for row in self.rows
            if unit_ids is None or row["unit_id"] in unit_ids
        ]
        unrated = self.unrated if unit_ids is None else 0
        return AwardSheet(year=self.year, as_of=self.as_of, authors=authors, unrated=unrated)


def award_filings(year):
    """The filings of `year`, the latest first."""
    return AwardFiling.latest_first(year=year)


def file_year(year, actor, note="", as_of=None, today=None):
    """File the year's sheet as it is counted now (as of `as_of`, else the year's end or
    today); filing a year again takes a note saying why. Returns the AwardFiling."""
    today = today or clock.today()
    if dt.date(year, 1, 1) > today:
        raise FilingError(_l("A year that has not begun cannot be filed."))
    note = AwardFiling.checked_note(note, year=year)
    sheet = award_sheet(year, as_of=as_of, today=today)
    return AwardFiling.add(
        actor,
        note,
        year=year,
        as_of=sheet.as_of,
        rows=[line.to_json() for line in sheet.authors],
        unrated=sheet.unrated,
    )


def changed_units(filed, current):
    """The names of the units whose lines differ between two sheets of a year."""
    return units_differing(_by_unit(filed), _by_unit(current))


def _by_unit(sheet):
    """Per unit: its name and its authors' figures."""
    found = {}
    for line in sheet.authors:
        found.setdefault(line.unit_id, (line.unit, {}))[1][line.author] = line.figures()
    return found


# ---- commendations ----


class Commendation(OwnedByUnit, db.Model):
    """A yearly honour (表彰) given to a unit (信息工作先进单位) or to one of its people
    (优秀信息员): the year, the title, the document that gave it and its date."""

    __tablename__ = "commendations"

    id = sa.Column(sa.Integer, primary_key=True)
    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    title = sa.Column(sa.String(TITLE_MAX), nullable=False, info=info(_l("Honour")))
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    # Empty: the unit's own honour; set: the person's, of that unit.
    staff_id = sa.Column(
        sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True, info=info(_l("Person"))
    )
    document_no = sa.Column(
        sa.String(DOCUMENT_NO_MAX), nullable=False, info=info(_l("Document number"))
    )
    awarded_on = sa.Column(sa.Date, nullable=False, info=info(_l("Date of the document")))
    note = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Note")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    staff = sa.orm.relationship(
        "Staff",
        # Deleted with the person, each through the session, so the trail keeps them.
        backref=sa.orm.backref("commendations", cascade="all, delete-orphan"),
        info=info(_l("Person")),
    )

    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_in_range"),
        text_not_blank("title"),
        text_not_blank("document_no"),
        sa.Index("ix_commendations_year_unit_id", "year", "unit_id"),
    )

    def __str__(self):
        return f"{self.year} {self.title} · {self.staff or self.unit}"

    @property
    def recipient(self):
        return self.staff or self.unit


def commendation_problems(year, awarded_on, unit, person, today=None):
    """[(field, message)]: a year the office works in and not to come, the document dated
    in or after that year and not in the future, a person of the unit named."""
    today = today or clock.today()
    found = []
    if year is not None and not bounds.FIRST_DAY.year <= year <= today.year:
        found.append(
            ("year", _l("Enter a year from %(first)s to %(last)s.", first=2000, last=today.year))
        )
        year = None
    if awarded_on is not None:
        if not bounds.in_range(awarded_on):
            found.append(("awarded_on", bounds.day_message()))
        elif awarded_on > today:
            found.append(("awarded_on", _l("The date is in the future.")))
        elif year is not None and awarded_on.year < year:
            found.append(
                ("awarded_on", _l("The document cannot be dated before the year it honours."))
            )
    if person is not None and unit is not None and person.unit_id != unit.id:
        found.append(("staff", _l("This person is not of the unit chosen.")))
    return found


def commendations_of(scope, query_filter):
    """Commendations matching `query_filter`, as `scope` narrows them, latest year first."""
    query = sa.select(Commendation).where(query_filter)
    if scope is not None:
        query = query.where(scope)
    return list(
        db.session.scalars(
            query.options(sa.orm.selectinload(Commendation.staff)).order_by(
                Commendation.year.desc(), Commendation.awarded_on.desc(), Commendation.id.desc()
            )
        )
    )


def person_lines(sheet, person):
    """A person's lines in a sheet: those of their unit written under their name."""
    return [
        line
        for line in sheet.authors
        if line.unit_id == person.unit_id and line.author.strip() == person.name.strip()
    ]
