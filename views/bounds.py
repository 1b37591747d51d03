"""Bounds where a request enters: ids in paths, and NUL characters in query strings.

What a form posts is bounded by its fields (views/fields.py, views/forms.py), a list's
filters by theirs (views/filters.py); the ranges are models/bounds.py.
"""

import datetime as dt

from flask import abort, request
from werkzeug.routing import IntegerConverter

from models import bounds


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: at most the database's INTEGER, so a larger number
    matches no route (404) instead of reaching a query that cannot bind it."""

    def __init__(self, map, fixed_digits=0, min=None, max=bounds.INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def refuse_nul_in_query():
    """A query string holding a NUL answers 400: no person types one, and no database
    takes one in a text comparison (PostgreSQL refuses it, SQLite's full-text search
    chokes on it)."""
    for key, value in request.args.items(multi=True):
        if bounds.has_nul(key) or bounds.has_nul(value):
            abort(400)


def init_bounds(app):
    """Before any route is added: the converter is looked up as each rule is."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_in_query)


def arg_id(name):
    """The query parameter `name` as a record id, or None (absent, or not an id)."""
    return bounds.record_id(request.args.get(name))


def arg_number(name, default, low=0, high=bounds.INT_MAX):
    """The query parameter `name` as a whole number from `low` to `high`, else `default`."""
    number = bounds.whole_number(request.args.get(name), low, high)
    return default if number is None else number


def arg_day(name):
    """The query parameter `name` as a date (YYYY-MM-DD) in the office's years, or None."""
    try:
        day = dt.date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
    return day if bounds.in_range(day) else None
