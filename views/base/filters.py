"""List filters whose values are checked against the range a person can mean.

Flask-Admin leaves out a filter whose value does not `validate` and flashes why; here a
whole number must also fit the database's INTEGER, and a date or time lie in the office's
years (models/bounds.py), so that a filter never sends the database a value it cannot
bind (SQLite: "Python int too large"; PostgreSQL: "integer out of range"; a date at the
end of the calendar that no time zone arithmetic survives).
"""

import datetime as dt

from flask_admin.contrib.sqla import filters as sqla_filters

from models import bounds


class InBounds:
    """A filter mixin: the value reads as the filter's own, and every number and date in
    it (one, a list, or the two ends of a range) lies within bounds."""

    def validate(self, value):
        if not super().validate(value):
            return False
        try:
            cleaned = self.clean(value)
        except (ValueError, OverflowError):
            return False
        return all(_within(item) for item in (cleaned if isinstance(cleaned, list) else [cleaned]))


def _within(value):
    if isinstance(value, dt.date):
        return bounds.in_range(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return bounds.whole_number(value) is not None
    return True


def in_bounds(filter_class):
    """`filter_class` with its value checked against the bounds (same name and operation)."""
    return type(filter_class.__name__, (InBounds, filter_class), {})


IntEqualFilter = in_bounds(sqla_filters.IntEqualFilter)


class ViewerOptions:
    """A filter mixin: its options depend on who is looking. Flask-Admin reads options once
    at start (no one logged in); the list asks `get_options` again for each viewer and
    keeps what it gets a while (views/base/listing.py)."""


class ChoiceEqualFilter(sqla_filters.FilterEqual):
    """Equal to one of a column's choices: any other value is left out with a message
    (a stored value is always one of them, so it could only ever find nothing)."""

    def validate(self, value):
        return value in {str(choice) for choice, _label in self.options or ()}


class FilterConverter(sqla_filters.FilterConverter):
    """Flask-Admin's filters for each column type, bounded; date-time filters for UTC
    timestamps too (what is typed is taken as local time)."""

    int_filters = tuple(map(in_bounds, sqla_filters.FilterConverter.int_filters))
    date_filters = tuple(map(in_bounds, sqla_filters.FilterConverter.date_filters))
    datetime_filters = tuple(map(in_bounds, sqla_filters.FilterConverter.datetime_filters))

    @sqla_filters.filters.convert("utcdatetime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in self.datetime_filters]
