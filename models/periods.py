"""The periods the office ranks and reports by: a month, a quarter, a year or a range of
days, read from the URL form (2026-10, 2026-Q3, 2026) or as the pages write them (2026年10月,
2026年第3季度, 2026年) within the office's years."""

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from models import bounds, clock

ONE_DAY = dt.timedelta(days=1)
# CLDR's own ways of naming a month, quarter and year: 2026年10月, October 2026.
SKELETONS = {"month": "yMMMM", "quarter": "yQQQ", "year": "y"}
SHOWN_AT_MOST = 30  # characters of a period not read that its message repeats
QUARTER_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


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
    def display_label(self):
        """The label in the reader's language: 2026年10月 (as `label`), October 2026, Q4 2026."""
        if self.kind in SKELETONS:
            locale = get_locale() or "zh_Hans_CN"  # no app at all: the office's language
            return format_skeleton(SKELETONS[self.kind], self.start, locale=locale)
        return _("%(start)s to %(end)s", start=self.start.isoformat(), end=self.end.isoformat())

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


def closed_month_days():
    """CLOSED_MONTH_DAYS, held to 0-28: the first days of a month in which the monthly
    pages open on the month just closed (0: always the current month)."""
    return bounds.setting("CLOSED_MONTH_DAYS")


def shown_month(today=None, closed_days=None):
    """The month the monthly pages (the ranking, the monthly directive report) open on:
    in the first `closed_days` days of a month the month just closed, which the clerk is
    filing; otherwise the current month."""
    today = today or clock.today()
    closed_days = closed_month_days() if closed_days is None else closed_days
    if today.day <= closed_days:
        return month(today.replace(day=1) - ONE_DAY)
    return month(today)


def parse_period(text=None, start=None, end=None, today=None):
    """A period from `period=2026-10|2026-Q3|2026` (or 2026年10月, 2026年第3季度, 2026年, as
    the pages write them) or `from=...&to=...`; default last month. A period outside the office's years (models/bounds.py) is refused like one unread."""
    today = today or clock.today()
    if start or end:
        return _range(start, end)
    # Full-width digits and dashes (２０２６－１０) as the ASCII ones.
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return month(today.replace(day=1) - ONE_DAY)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{4})\s*年\s*(\d{1,2})\s*月份?", text):
        y, mo = _year(m[1] or m[3]), int(m[2] or m[4])
        if 1 <= mo <= 12:
            return month(dt.date(y, mo, 1))
    quarter_pattern = r"(\d{4})-?[Qq]([1-4])|(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度"
    if m := re.fullmatch(quarter_pattern, text):
        number = int(m[2]) if m[2] else QUARTER_DIGITS.get(m[4]) or int(m[4])
        return quarter(dt.date(_year(m[1] or m[3]), number * 3, 1))
    if m := re.fullmatch(r"(\d{4})(?:\s*年度?)?", text):
        return year(_year(m[1]))
    shown = text if len(text) <= SHOWN_AT_MOST else text[:SHOWN_AT_MOST] + "…"
    raise PeriodError(_("%(text)s (write 2026-10, 2026-Q3 or 2026)", text=shown))


def _year(text):
    number = int(text)
    if not bounds.FIRST_DAY.year <= number <= bounds.LAST_DAY.year:
        raise PeriodError(_outside_message(text))
    return number


def _outside_message(text):
    return _(
        "%(text)s is outside the years %(first)s to %(last)s",
        text=text,
        first=bounds.FIRST_DAY.year,
        last=bounds.LAST_DAY.year,
    )


def _range(start, end):
    try:
        first, last = dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or "")
    except ValueError as error:
        raise PeriodError(_("from and to must be dates like 2026-10-01")) from error
    if not (bounds.in_range(first) and bounds.in_range(last)):
        raise PeriodError(_outside_message(f"{first}..{last}"))
    if last < first:
        raise PeriodError(_("the end of the period is before its start"))
    if (last - first).days > 366 * 5:
        raise PeriodError(_("a period longer than five years"))
    return Period("range", first, last)
