"""What waits on the office's own decision: results to accept or return, objections and
extension requests to decide. Its daily digest lists them, and no unit is chased for them
meanwhile (models/notice_scan.py); the office's to-do (models/desk.py) counts them."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.assignment_records import AssignmentEvent, ExtensionRequest
from models.base import Choices, db
from models.directives import Assignment, Directive
from models.units import Unit

DECISIONS = Choices(
    result=_l("Result to accept or return"),
    objection=_l("Objection to decide"),
    extension=_l("Extension request to decide"),
)


@dataclass(frozen=True)
class Decision:
    """One assignment waiting on the office: what for, and since which day."""

    assignment_id: int
    kind: str  # a key of DECISIONS
    directive_number: str
    directive_title: str
    unit_name: str
    since: object  # the office's local date of the step that handed it over
    proposed_due_on: object = None  # an extension request's proposed date
    origin: str = "instruction"  # what the unit handles (ORIGINS): not every one is a 批示件

    @property
    def label(self):
        return DECISIONS.label(self.kind)


def office_decisions(scope=None):
    """Every open assignment whose next move is the office's, the longest waiting first;
    `scope` narrows the assignments (a SQL condition)."""
    since = waiting_since()
    proposed = (
        sa.select(ExtensionRequest.proposed_due_on)
        .where(
            ExtensionRequest.assignment_id == Assignment.id,
            ExtensionRequest.state == "requested",
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            Assignment.id,
            Assignment.status,
            Directive.number,
            Directive.title,
            Unit.name,
            since.label("since"),
            proposed.label("proposed"),
            Directive.origin,
        )
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.office_decides_filter(), sa.true() if scope is None else scope)
        .order_by(since, Assignment.id)
    )
    return [
        Decision(
            row.id,
            _kind(row.status),
            row.number,
            row.title,
            row.name,
            clock.local_date(row.since) if row.since else None,
            row.proposed,
            row.origin,
        )
        for row in db.session.execute(query)
    ]


def _kind(status):
    if status == "submitted":
        return "result"
    if status == "objected":
        return "objection"
    return "extension"


def waiting_since():
    """SQL: when the assignment's last step was taken (what it has waited since)."""
    return (
        sa.select(sa.func.max(AssignmentEvent.at))
        .where(AssignmentEvent.assignment_id == Assignment.id)
        .scalar_subquery()
    )
