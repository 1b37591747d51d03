"""The office's time: timestamps are UTC, dates and "today" are local to the office."""

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def office_zone():
    name = DEFAULT_ZONE
    if has_app_context():
        name = current_app.config.get("DUCHA_TIMEZONE", DEFAULT_ZONE)
    return ZoneInfo(name)


def now():
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def today():
    """Today's date in the office's time zone."""
    return now().astimezone(office_zone()).date()


def local(instant):
    """An aware instant shown in the office's time zone."""
    if instant is None:
        return None
    return instant.astimezone(office_zone())


def local_date(instant):
    return local(instant).date() if instant is not None else None


def start_of(day):
    """The instant the office's local day `day` begins, aware."""
    return dt.datetime.combine(day, dt.time(), tzinfo=office_zone())
