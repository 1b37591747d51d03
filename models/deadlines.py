"""Deadlines: the office's rules table, the working-day calendar, and `due_on`.

`due_on(received_on, rule, calendar)` is the one function that turns a rule into a date.
Working days come from the `chinesecalendar` package (public holidays and the official
make-up working days) merged with a table of days the administrators keep; a year that
neither covers is counted Monday to Friday, and the calendar remembers it so the screens
can say so.
"""

import calendar as month_calendar
import datetime as dt

import chinese_calendar
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models.base import Choices, db, info

LEADER_LEVELS = Choices(
    central=_l("Central"),
    province=_l("Provincial"),
    city=_l("City"),
    county=_l("County"),
)
# A rule for "any" level applies when no rule names the directive's own level.
RULE_LEVELS = Choices(any=_l("Any level"), **LEADER_LEVELS.labels)
RULE_TARGETS = Choices(
    result=_l("Result (finish)"),
    first_progress=_l("First progress report"),
)
COUNTINGS = Choices(
    calendar_days=_l("Calendar days"),
    working_days=_l("Working days"),
    months=_l("Months"),
)
DAY_KINDS = Choices(
    holiday=_l("Holiday (no work)"),
    workday=_l("Make-up working day"),
)

# The rules quoted in the office's documents; a fresh database starts with these
# (the migration that creates the table inserts the same rows).
DEFAULT_RULES = (
    ("central", False, "result", "calendar_days", 15, "中央领导批示件15日内办结"),
    ("province", False, "result", "calendar_days", 15, "省领导批示件15日内办结"),
    ("city", False, "result", "months", 1, "市领导批示件一个月内办结"),
    ("county", False, "result", "months", 1, "县领导批示件一个月内办结"),
    ("any", True, "first_progress", "calendar_days", 7, "急件一周内反馈办理进展"),
)


class DeadlineRule(db.Model):
    """How long a unit has: by the leader's level, urgency, and what is due."""

    __tablename__ = "deadline_rules"

    id = sa.Column(sa.Integer, primary_key=True)
    target = sa.Column(sa.String(20), nullable=False, info=info(_l("What is due"), RULE_TARGETS))
    leader_level = sa.Column(
        sa.String(20), nullable=False, info=info(_l("Leader level"), RULE_LEVELS)
    )
    urgent_only = sa.Column(
        sa.Boolean, nullable=False, default=False, info=info(_l("Urgent directives only"))
    )
    counting = sa.Column(sa.String(20), nullable=False, info=info(_l("Counted in"), COUNTINGS))
    amount = sa.Column(sa.Integer, nullable=False, info=info(_l("Amount")))
    note = sa.Column(sa.String(200), nullable=False, default="", info=info(_l("Note")))

    __table_args__ = (
        RULE_TARGETS.check("target"),
        RULE_LEVELS.check("leader_level"),
        COUNTINGS.check("counting"),
        sa.CheckConstraint("amount > 0 AND amount <= 366", name="amount_in_range"),
        sa.UniqueConstraint("target", "leader_level", "urgent_only"),
    )

    def __str__(self):
        return f"{RULE_LEVELS.label(self.leader_level)} {RULE_TARGETS.label(self.target)}"

    @classmethod
    def visible_to(cls, account):
        # The office's rules: every role that has the screen may read them.
        return sa.true()


def pick_rule(rules, target, leader_level, urgent):
    """The rule that applies to a directive, or None.

    An urgent-only rule beats a general one (urgency shortens deadlines); then a rule
    naming the directive's level beats one for any level.
    """
    fitting = [
        rule
        for rule in rules
        if rule.target == target
        and rule.leader_level in (leader_level, "any")
        and (urgent or not rule.urgent_only)
    ]
    fitting.sort(key=lambda rule: (not rule.urgent_only, rule.leader_level == "any"))
    return fitting[0] if fitting else None


class CalendarDay(db.Model):
    """A holiday or a make-up working day that the administrators keep."""

    __tablename__ = "calendar_days"

    id = sa.Column(sa.Integer, primary_key=True)
    day = sa.Column(sa.Date, nullable=False, unique=True, info=info(_l("Date")))
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), DAY_KINDS))
    name = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Name")))

    __table_args__ = (DAY_KINDS.check("kind"),)

    def __str__(self):
        return f"{self.day.isoformat()} {self.name}"

    @classmethod
    def visible_to(cls, account):
        return sa.true()


def package_years():
    """The years the installed `chinesecalendar` knows (it raises for any other)."""
    years = [day.year for day in chinese_calendar.constants.holidays]
    return range(min(years), max(years) + 1)


class WorkCalendar:
    """Which days are working days: the package, then the administrators' table on top.

    `fallback_years` collects the years asked about that nothing covers; those are
    counted Monday to Friday.
    """

    def __init__(self, days=None):
        self.days = dict(days or {})  # date -> "holiday" | "workday"
        self.kept_years = {day.year for day in self.days}
        self.fallback_years = set()

    @classmethod
    def load(cls):
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind))
        return cls({day: kind for day, kind in rows})

    def is_workday(self, day):
        if day in self.days:
            return self.days[day] == "workday"
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.kept_years:
                self.fallback_years.add(day.year)
            return day.weekday() < 5

    def covers(self, year):
        return year in package_years() or year in self.kept_years

    def warning(self):
        """A sentence for the screen when a date was counted Monday to Friday, or None."""
        if not self.fallback_years:
            return None
        years = "、".join(str(year) for year in sorted(self.fallback_years))
        return _l(
            "No holiday calendar for %(years)s: working days there were counted Monday to "
            "Friday. Add that year's holidays and make-up working days to the calendar.",
            years=years,
        )


def add_months(day, months):
    """The same day `months` later; the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def working_days_after(start, count, calendar):
    """The `count`-th working day after `start` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            count -= 1
    return day


def due_on(received_on, rule, calendar):
    """The date a rule gives, counted from the day a directive was received.

    Calendar days and months count every day; working days skip holidays and weekends
    and count make-up working days. The day of receipt is never counted.
    """
    if rule.counting == "calendar_days":
        return received_on + dt.timedelta(days=rule.amount)
    if rule.counting == "months":
        return add_months(received_on, rule.amount)
    if rule.counting == "working_days":
        return working_days_after(received_on, rule.amount, calendar)
    raise ValueError(f"unknown counting {rule.counting!r}")
