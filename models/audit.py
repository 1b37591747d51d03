"""The audit trail: every create, update and delete, by whom, when, field by field.

Recorded by a session event, so every way of changing data (forms, batch actions,
jobs, the CLI, imports) is covered without each of them remembering to do it. The trail
holds no foreign keys: it survives the deletion of the record and of the account.
"""

import contextlib
import contextvars
import datetime as dt
import decimal
import logging

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info

logger = logging.getLogger(__name__)

ACTIONS = Choices(
    create=_l("Record created"), update=_l("Record changed"), delete=_l("Record deleted")
)
# Never written to the trail, whatever table they are in: a change says only "changed".
SECRET_FIELDS = {"password_hash"}
SECRET = "***"
# Kept from other fields (a row's search index words by the models, a supporting part's
# leads_done by the database's triggers): not a change of its own.
DERIVED_FIELDS = {"search_words", "leads_done"}
# Tables whose rows are bookkeeping, not records (the trail itself, logins, the
# uploaded files of imports and their previews: what an import changes is audited; the
# reports' tally, which the database's triggers keep from the audited reports).
UNAUDITED_TABLES = {
    "audit_log",
    "login_attempts",
    "login_log",
    "imports",
    "import_rows",
    "report_tallies",
}
# Columns that logging in and out move: the login log (models/login_log.py) has them,
# and a change of only these is no change of the record.
UNAUDITED_FIELDS = {("accounts", "last_login_at"), ("accounts", "session_version")}


# Every audited table by the name the office gives its records (the list's 记录类型).
RECORD_KINDS = Choices(
    directives=lazy_pgettext("record kind", "Directive"),
    assignments=lazy_pgettext("record kind", "Assignment"),
    assignment_events=lazy_pgettext("record kind", "Assignment step"),
    objections=lazy_pgettext("record kind", "Objection"),
    extension_requests=lazy_pgettext("record kind", "Extension request"),
    feedback=lazy_pgettext("record kind", "Feedback"),
    attachments=lazy_pgettext("record kind", "Attachment"),
    document_numbers=lazy_pgettext("record kind", "Document number"),
    bulletins=lazy_pgettext("record kind", "Information work bulletin"),
    criticism_notices=lazy_pgettext("record kind", "Criticism notice"),
    trainings=lazy_pgettext("record kind", "Training record"),
    directive_report_filings=lazy_pgettext("record kind", "Monthly directive report filed"),
    reports=lazy_pgettext("record kind", "Report"),
    adoptions=lazy_pgettext("record kind", "Adoption"),
    instructions=lazy_pgettext("record kind", "Leader's instruction on a report"),
    deductions=lazy_pgettext("record kind", "Deduction"),
    quotas=lazy_pgettext("record kind", "Yearly quota"),
    solicitations=lazy_pgettext("record kind", "Solicitation"),
    publications=lazy_pgettext("record kind", "Publication"),
    score_rules=lazy_pgettext("record kind", "Scoring rule"),
    grade_rules=lazy_pgettext("record kind", "Grade rule"),
    evaluation_filings=lazy_pgettext("record kind", "Year-end evaluation filed"),
    quarter_filings=lazy_pgettext("record kind", "Quarterly summary filed"),
    deadline_rules=lazy_pgettext("record kind", "Deadline rule"),
    calendar_days=lazy_pgettext("record kind", "Holiday or make-up working day"),
    units=lazy_pgettext("record kind", "Unit"),
    staff=lazy_pgettext("record kind", "Staff member"),
    accounts=lazy_pgettext("record kind", "Account"),
    notices=lazy_pgettext("record kind", "Notice"),
    notice_scans=lazy_pgettext("record kind", "Notice scan"),
    unit_months=lazy_pgettext("record kind", "Unit's monthly figures"),
    pay_rates=lazy_pgettext("record kind", "Pay rate"),
    award_filings=lazy_pgettext("record kind", "Payment sheet filed"),
    commendations=lazy_pgettext("record kind", "Commendation"),
    key_work_areas=lazy_pgettext("record kind", "Key work area"),
    key_work_items=lazy_pgettext("record kind", "Key work item"),
    key_work_rounds=lazy_pgettext("record kind", "Key work check round"),
    key_work_checks=lazy_pgettext("record kind", "Key work check"),
    supervision_projects=lazy_pgettext("record kind", "Special supervision"),
    site_visits=lazy_pgettext("record kind", "Site visit"),
)

_actor = contextvars.ContextVar("audit_actor", default=None)


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("When"))
    )
    actor_id = sa.Column(sa.Integer, index=True, info=info(_l("Account id")))
    actor = sa.Column(sa.String(80), nullable=False, info=info(_l("Who")))
    action = sa.Column(sa.String(10), nullable=False, info=info(_l("Action"), ACTIONS))
    table_name = sa.Column(
        sa.String(50), nullable=False, info=info(_l("Record type"), RECORD_KINDS)
    )
    record_id = sa.Column(sa.Integer, info=info(_l("Record id")))
    record = sa.Column(sa.String(200), nullable=False, default="", info=info(_l("Record")))
    changes = sa.Column(sa.JSON, nullable=False, default=dict, info=info(_l("Changes")))

    __table_args__ = (
        ACTIONS.check("action"),
        sa.Index("ix_audit_log_table_name_record_id", "table_name", "record_id"),
    )

    def __str__(self):
        return f"{self.actor} {self.action} {self.table_name}#{self.record_id}"

    @classmethod
    def visible_to(cls, account):
        return sa.true() if account.role == "admin" else sa.false()


@contextlib.contextmanager
def acting_as(name, account_id=None):
    """Attribute the changes made inside the block (a job, a CLI command) to `name`."""
    token = _actor.set((account_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


# Who changes a record when no one is logged in, as the trail keeps it (in the office's
# language, like the records' names).
SYSTEM = lazy_pgettext("actor", "System")
NOT_LOGGED_IN = _l("Not logged in")


def current_actor():
    """(account id, name) of whoever is making the change now."""
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, NOT_LOGGED_IN
    return None, SYSTEM


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _column_changes(obj, action):
    """{field: [old, new]} from the instance's state; nothing is loaded from the database."""
    state = sa.inspect(obj)
    table = obj.__tablename__
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if (table, key) in UNAUDITED_FIELDS or key in DERIVED_FIELDS:
            continue
        history = state.attrs[key].history
        if key in SECRET_FIELDS:
            if action == "update" and history.has_changes():
                changes[key] = [SECRET, SECRET]
            continue
        if action == "create":
            changes[key] = [None, _plain(state.dict.get(key))]
        elif action == "delete":
            changes[key] = [_plain(state.dict.get(key)), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _plain(old) != _plain(new):
                changes[key] = [_plain(old), _plain(new)]
    return changes


# ---- how a record is named: the trail keeps the name it had when it was written ----


def _choice(obj, field):
    """The label of a choice column's value, e.g. an assignment step's action."""
    column = obj.__table__.c[field]
    choices = column.info.get("choices")
    value = getattr(obj, field)
    return str(choices.label(value)) if choices else str(value or "")


def _assignment_label(assignment):
    """An assignment as "unit · directive number"."""
    if assignment is None:
        return ""
    parts = (getattr(assignment.unit, "name", None), getattr(assignment.directive, "number", None))
    return " · ".join(part for part in parts if part)


def _of_assignment(obj, *suffix):
    return " ".join(part for part in (_assignment_label(obj.assignment), *suffix) if part)


def _of_unit(obj):
    """A unit's record as "unit · record" (a deduction: 城关镇 · 误报 -5)."""
    return " · ".join(part for part in (getattr(obj.unit, "name", None), str(obj)) if part)


def _account_label(account):
    if account.name and account.name != account.username:
        return f"{account.name}（{account.username}）"
    return account.username


# Tables whose rows are named otherwise than by their own `__str__` (or have none).
RECORD_LABELS = {
    "accounts": _account_label,
    "directives": lambda d: d.number,
    "assignments": _assignment_label,
    "assignment_events": lambda e: _of_assignment(e, _choice(e, "action")),
    "objections": _of_assignment,
    "extension_requests": _of_assignment,
    "feedback": lambda f: _of_assignment(f, _choice(f, "kind")),
    "deductions": _of_unit,
    "directive_report_filings": lambda f: f"{f.month:%Y-%m}",
    "notice_scans": lambda s: s.scan_date.isoformat(),
    "unit_months": lambda m: f"{getattr(m.unit, 'name', '')} {m.month:%Y-%m}".strip(),
}


def record_label(obj):
    """The record as people name it (a directive's number, a unit's name, an assignment as
    "unit · directive number"), never Python's repr; at most 200 characters."""
    table = getattr(obj, "__tablename__", "")
    labeller = RECORD_LABELS.get(table)
    if labeller is None and type(obj).__str__ is not object.__str__:
        labeller = str
    label = ""
    if labeller is not None:
        try:
            label = str(labeller(obj) or "").strip()
        except Exception:  # noqa: BLE001 - a label that cannot be made must not lose the entry
            logger.exception("no label for a %s row", table)
    return label[:200]


def kind_label(table_name):
    """The record kind's name ("领导批示件"); a table nobody named keeps its own name."""
    return str(RECORD_KINDS.label(table_name))


@contextlib.contextmanager
def _office_language():
    """Labels kept in the trail are in the office's language, whoever made the change."""
    if has_app_context():
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")):
            yield
    else:
        yield


# ---- writing the entries ----


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _name_the_deleted(session, _context, _instances):
    """Name the rows about to be deleted while what names them can still be loaded."""
    labels = session.info["audit_labels"] = {}  # never an earlier, failed flush's
    with _office_language():
        for obj in session.deleted:
            if _audited(obj):
                labels[id(obj)] = record_label(obj)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _write(session, _context):
    """Write the entries in the same transaction as the change itself.

    After a flush the session still lists what was new, dirty and deleted, with the
    attribute history, and new rows have their ids.
    """
    named = session.info.pop("audit_labels", {})
    rows = []
    with _office_language():
        for action, objects in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        ):
            for obj in objects:
                if not _audited(obj):
                    continue
                changes = _column_changes(obj, action)
                if changes or action != "update":
                    label = named.get(id(obj)) if action == "delete" else None
                    rows.append(_entry(action, obj, changes, label))
        actor_id, actor = current_actor()
        actor = str(actor)[:80]
    if rows:
        for row in rows:
            row.update(actor_id=actor_id, actor=actor)
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def _entry(action, obj, changes, label=None):
    state = sa.inspect(obj)
    (record_id,) = state.mapper.primary_key_from_instance(obj)[:1] or (None,)
    return {
        "at": clock.now(),
        "action": action,
        "table_name": obj.__tablename__,
        "record_id": record_id,
        "record": label if label is not None else record_label(obj),
        "changes": changes,
    }


def _audited(obj):
    return hasattr(obj, "__tablename__") and obj.__tablename__ not in UNAUDITED_TABLES
