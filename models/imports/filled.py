"""The office's records as rows of the import templates: a filled template to edit and
import back (one row per adoption of a report, one per assignment of a directive)."""

import sqlalchemy as sa

from models.base import db
from models.directives import Assignment, Directive
from models.feedback import Feedback
from models.imports.directives import CHANGE_ACTIONS, DIRECTIVE_KEYS, IMPORTED
from models.imports.reports import naive
from models.reports import Adoption, Report
from models.units import Unit


def report_rows():
    """Every report as rows of the template: one per adoption, or one if none."""
    query = (
        sa.select(Report, Unit.code)
        .join(Unit, Unit.id == Report.unit_id)
        .order_by(Unit.code, Report.submitted_at, Report.id)
        .options(sa.orm.selectinload(Report.adoptions).joinedload(Adoption.publication))
        .execution_options(yield_per=500)
    )
    for report, code in db.session.execute(query):
        values = {
            "title": report.title,
            "unit_code": code,
            "submitted": naive(report.submitted_at),
            "category": report.category,
            "author": report.author,
            "body": report.body,
            "event_at": naive(report.event_at),
            "status": report.status,
            "answer_comment": report.answer_comment,
        }
        adoptions = sorted(report.adoptions, key=lambda a: (a.adopted_on, a.publication.name))
        if not adoptions:
            yield values
        for adoption in adoptions:
            yield {
                **values,
                "publication": adoption.publication.name,
                "issue_no": adoption.issue_no,
                "adopted_on": adoption.adopted_on,
            }


def directive_rows():
    """Every directive as rows of the template: one per assignment, or one if none."""
    directives = db.session.scalars(
        sa.select(Directive)
        .where(Directive.is_instruction())  # key work has its own template
        .order_by(Directive.number)
        .options(
            sa.orm.selectinload(Directive.assignments).options(
                sa.orm.joinedload(Assignment.unit),
                sa.orm.joinedload(Assignment.objection),
                sa.orm.selectinload(Assignment.events),
                sa.orm.selectinload(Assignment.feedback).joinedload(Feedback.signer),
            )
        )
    )
    for directive in directives:
        values = {key: getattr(directive, key) for key in ["number", *DIRECTIVE_KEYS]}
        if not directive.assignments:
            yield values
        for assignment in directive.assignments:
            yield {**values, **_assignment_values(assignment)}


def _assignment_values(a):
    results = [f for f in a.feedback if f.kind == "result"]
    notes = {e.action: e.comment for e in a.events}
    changed = [
        e for e in a.events if e.action in CHANGE_ACTIONS or (e.action == "assign" and e.comment)
    ]
    values = {
        "unit_code": a.unit.code,
        "assigned_on": a.assigned_on,
        "due_on": a.due_on,
        "due_reason": _strip_imported(changed[-1].comment) if changed else None,
        "status": a.status,
        "finished_on": a.finished_on,
        "signer": results[-1].signer.name if results and results[-1].signer else None,
    }
    if a.status == "objected" and a.objection is not None:
        values["objection_subject"] = a.objection.subject
        values["note"] = a.objection.reason
    elif a.status == "returned":
        values["note"] = _strip_imported(notes.get("return_result"))
    elif a.status == "cancelled":
        values["note"] = _strip_imported(notes.get("cancel"))
    if a.status not in ("submitted", "accepted", "returned"):
        values["signer"] = None
    return values


def _strip_imported(comment):
    if not comment:
        return comment
    text = comment.removeprefix(IMPORTED).removeprefix("；")
    return text or None
