"""Emergency reports: late (迟报) and missed (漏报), and the veto a missed one brings;
wrong reports (误报), which the office records beside them.

An emergency report that came more than the limit after the event is late: whatever saves
a report, its late mark and its late-report deduction follow the rule (a flush hook). A
missed report is recorded by the office as a deduction; it vetoes the unit's year.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_app_context

from models import clock
from models.base import db
from models.reports import Report
from models.scoring import Deduction


def late_limit():
    """How long after the event an emergency report may come (a setting, default 2 h)."""
    hours = 2.0
    if has_app_context():
        hours = float(current_app.config.get("EMERGENCY_REPORT_HOURS", hours))
    return dt.timedelta(hours=hours)


def is_late(event_at, reported_at, limit=None):
    """An emergency report is late when it came more than the limit after the event."""
    if event_at is None or reported_at is None:
        return False
    return reported_at - event_at > (limit or late_limit())


def apply_emergency_rule(session, report):
    """Mark the report late or not, and keep its late-report deduction in step."""
    report.late = report.category == "emergency" and is_late(report.event_at, report.submitted_at)
    existing = None
    if report.id is not None:
        existing = session.scalar(
            sa.select(Deduction).where(
                Deduction.report_id == report.id, Deduction.kind == "late_emergency"
            )
        )
    if report.late and existing is None:
        owner = {"unit_id": report.unit_id} if report.unit_id else {"unit": report.unit}
        session.add(
            Deduction(
                **owner,
                report=report,
                kind="late_emergency",
                occurred_on=clock.local_date(report.submitted_at),
                reason="迟报：紧急信息报送超过时限",
            )
        )
    elif not report.late and existing is not None:
        session.delete(existing)
    elif existing is not None and report.unit_id and existing.unit_id != report.unit_id:
        existing.unit_id = report.unit_id  # the report moved to another unit


EMERGENCY_FIELDS = ("category", "event_at", "submitted_at", "unit_id")


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _emergency_rule_before_flush(session, _context, _instances):
    """Whatever saves a report (form, import, job), its late mark follows the rule."""
    with session.no_autoflush:
        for report in list(session.new) + list(session.dirty):
            if isinstance(report, Report) and _emergency_fields_changed(report):
                apply_emergency_rule(session, report)


def _emergency_fields_changed(report):
    state = sa.inspect(report)
    if state.pending:
        return True
    return any(state.attrs[name].history.has_changes() for name in EMERGENCY_FIELDS)


# The deduction kinds counted beside the points, by the name of their count.
COUNTED = {"late_emergency": "late", "missed_emergency": "missed", "wrong_report": "wrong"}


def emergency_counts(start, end, unit_ids=None):
    """{unit_id: {"late": n, "missed": m, "wrong": w}}: late, missed and wrong reports in
    the days start..end."""
    query = (
        sa.select(Deduction.unit_id, Deduction.kind, sa.func.count())
        .where(
            Deduction.kind.in_(tuple(COUNTED)),
            Deduction.occurred_on.between(start, end),
        )
        .group_by(Deduction.unit_id, Deduction.kind)
    )
    if unit_ids is not None:
        query = query.where(Deduction.unit_id.in_(unit_ids))
    counts = {}
    for unit_id, kind, n in db.session.execute(query):
        row = counts.setdefault(unit_id, dict.fromkeys(COUNTED.values(), 0))
        row[COUNTED[kind]] = n
    return counts


@dataclass(frozen=True)
class Veto:
    """Why a unit's yearly evaluation is vetoed (一票否决): its first missed emergency
    report (漏报) of the year."""

    on: dt.date
    reason: str


def vetoes(year, until=None):
    """{unit_id: Veto} of the units vetoed in `year` by the day `until` (default: the whole
    year): a missed emergency report vetoes the year from the day it happened on."""
    start = dt.date(year, 1, 1)
    end = min(until, dt.date(year, 12, 31)) if until else dt.date(year, 12, 31)
    query = (
        sa.select(Deduction.unit_id, Deduction.occurred_on, Deduction.reason)
        .where(Deduction.kind == "missed_emergency", Deduction.occurred_on.between(start, end))
        .order_by(Deduction.occurred_on.desc(), Deduction.id.desc())
    )
    # Latest first: the dict keeps each unit's first missed report of the year.
    return {unit_id: Veto(day, reason) for unit_id, day, reason in db.session.execute(query)}
