"""The range of values a person can mean, for everything that enters the records.

Ids and whole numbers fit the database's INTEGER; dates and times lie in the years the
office works in (2000 to 2099). A value outside is refused where it enters (a form, a
list filter, a URL, an import, the command line), so that no record holds a value that
later arithmetic (a month after 9999-12-31) or the database (an id beyond 32 bits on
PostgreSQL, beyond 64 on SQLite) cannot take.
"""

import datetime as dt

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from config import WHOLE_NUMBERS

# SQL INTEGER: 32 bits on PostgreSQL, 64 on SQLite; the narrower bounds both.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

NUMBER_MESSAGE = _l("Enter a whole number from %(low)s to %(high)s.")
DAY_MESSAGE = _l("Enter a date from %(first)s to %(last)s.")
NUL_MESSAGE = _l("The text holds a NUL character, which cannot be saved.")


def whole_number(text, low=INT_MIN, high=INT_MAX):
    """`text` (or an int) as an int from `low` to `high`, or None: not a whole number,
    or out of range. (int() refuses more than 4,300 digits with a ValueError.)"""
    if isinstance(text, bool):
        return None
    try:
        number = int(text.strip() if isinstance(text, str) else text)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if low <= number <= high else None


def setting(name):
    """The whole-number setting `name` as the app has it, held to its range (config.py
    WHOLE_NUMBERS); its default where there is no app. config.py refuses a value outside
    at start, but a test or an instance may set anything, and one extreme value must not
    stop a page."""
    default = WHOLE_NUMBERS[name][0]
    return held(name, current_app.config.get(name, default) if has_app_context() else default)


def held(name, value):
    """`value` held to the range of the setting `name`; its default where `value` is not a
    whole number."""
    default, low, high = WHOLE_NUMBERS[name]
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


def record_id(text):
    """An id as a URL or a form gives it: a positive integer the database holds, or None."""
    return whole_number(text, 1, INT_MAX)


def number_message(low=INT_MIN, high=INT_MAX):
    return str(NUMBER_MESSAGE) % {"low": low, "high": high}


def in_range(day):
    """Whether a date, or a datetime (its date as given), lies in the office's years."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return FIRST_DAY <= day <= LAST_DAY


def day_message():
    return str(DAY_MESSAGE) % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def day_problem(day):
    """Why `day` (a date or datetime, or None) cannot be taken, or None."""
    return None if day is None or in_range(day) else day_message()


def has_nul(text):
    return isinstance(text, str) and "\x00" in text


def unix_lines(text):
    """Text with its line ends as "\\n": a browser posts a textarea's lines ended "\\r\\n",
    which a Word file would show as an empty line after each."""
    if not isinstance(text, str):
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def megabytes(size):
    """A size in bytes as a message says it in MB: "20", "2.5" (never "20.0"); a size
    below 0.1 MB with two significant digits ("0.00098"), never "0"."""
    exact = size / 1024 / 1024
    if 0 < exact < 0.1:
        return f"{exact:.2g}"
    value = round(exact, 1)
    return str(int(value)) if value == int(value) else str(value)
