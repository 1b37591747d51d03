"""The daily scan: read what the plan needs (open assignments in batches, units, officers,
the office's desk), plan (models/notice_plan.py), and write each planned notice into the
outbox once: its dedupe key is UNIQUE there, so a second scan adds nothing."""

import datetime as dt
from email.utils import make_msgid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from models import clock
from models.accounts import OFFICE, Account
from models.base import db
from models.decisions import office_decisions
from models.directives import OPEN_STATUSES, Assignment, Directive
from models.notice_plan import (
    assignment_drafts,
    plan_assignment_notices,
    plan_monthly_notices,
    plan_office_digest,
)
from models.notice_text import message_id_domain, notice_templates, render_notice
from models.notices import Notice, finish_scan, office_text, start_scan
from models.staff import Staff
from models.units import Unit


def record_due_notices(today, rules, batch_size=1000):
    """Write every notice due `today` into the outbox, once; returns how many are new.

    Reads the open assignments in batches by id, with a fixed number of statements per
    batch whatever its size, and commits each batch. The scan's record is committed
    first and marked finished last, so one that stops midway shows.
    """
    scan = start_scan(today)
    units = active_units()
    officers = info_officers()
    created = _write(plan_monthly_notices(today, rules, units, officers))
    created += _write(plan_office_digest(today, office_decisions(), _office_accounts()))
    horizon = today + dt.timedelta(days=rules.remind_days)
    after = 0
    while batch := _open_assignments(horizon, after, batch_size):
        after = batch[-1].id
        drafts = [
            draft
            for step in plan_assignment_notices(today, batch, rules)
            if step.assignment.unit_id in units
            for draft in assignment_drafts(
                step,
                today,
                rules,
                units[step.assignment.unit_id],
                officers.get(step.assignment.unit_id),
            )
        ]
        created += _write(drafts)
    finish_scan(scan, created)
    return created


def active_units(*conditions):
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.principal_leader, Unit.principal_leader_email).where(
            Unit.active, *conditions
        )
    )
    return {row.id: row for row in rows}


def _office_accounts():
    """Active office accounts (administrators and staff) with an email address."""
    return db.session.execute(
        sa.select(Account.id, Account.name, Account.email)
        .where(
            Account.role.in_(OFFICE),
            Account.active,
            Account.email.is_not(None),
            sa.func.trim(Account.email) != "",
        )
        .order_by(Account.id)
    ).all()


def info_officers(*conditions):
    rows = db.session.execute(
        sa.select(Staff.id, Staff.unit_id, Staff.name, Staff.email)
        .where(
            *conditions,
            Staff.active,
            Staff.duty == "info_officer",
            Staff.email.is_not(None),
            sa.func.trim(Staff.email) != "",
        )
        .order_by(Staff.id)
    )
    found = {}
    for row in rows:
        found.setdefault(row.unit_id, []).append(row)
    return found


def _open_assignments(horizon, after, limit):
    """Open assignments due by `horizon` (later ones need nothing yet), ids after `after`."""
    return db.session.execute(
        assignment_rows()
        .where(
            Assignment.status.in_(OPEN_STATUSES),
            Assignment.due_on <= horizon,
            Assignment.id > after,
            ~Assignment.settled_by_lead_filter(),  # the lead units closed it: nobody's move
        )
        .order_by(Assignment.id)
        .limit(limit)
    ).all()


def assignment_rows():
    """What a notice about an assignment is written from, one row an assignment."""
    return sa.select(
        Assignment.id,
        Assignment.unit_id,
        Assignment.status,
        Assignment.due_on,
        Directive.number,
        Directive.title,
        Directive.leader_name,
        Directive.origin,
        Assignment.extension_pending().label("extension_pending"),
    ).join(Directive, Assignment.directive_id == Directive.id)


def _write(drafts):
    """Insert the drafts not yet in the outbox and commit; returns how many are new."""
    created = insert_drafts(drafts)
    if drafts:
        db.session.commit()
    return created


def insert_drafts(drafts):
    """Insert the drafts not yet in the outbox; a key another scan wrote meanwhile is skipped."""
    if not drafts:
        return 0
    keys = [d.dedupe_key for d in drafts]
    known = set(db.session.scalars(sa.select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys))))
    now = clock.now()
    domain = message_id_domain()
    env = notice_templates()
    templates = {kind: env.get_template(f"notices/{kind}.txt") for kind in {d.kind for d in drafts}}
    rows = [_row(d, now, domain, templates[d.kind]) for d in drafts if d.dedupe_key not in known]
    if not rows:
        return 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(Notice.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
    # A plain executemany: one statement, pipelined by psycopg. RETURNING would make
    # SQLAlchemy render pages of multi-row VALUES, several times slower on PostgreSQL.
    db.session.execute(insert, rows)
    return db.session.scalar(
        sa.select(sa.func.count(Notice.id)).where(
            Notice.dedupe_key.in_([row["dedupe_key"] for row in rows]), Notice.created_at == now
        )
    )


def _row(draft, now, domain, template):
    subject, body = render_notice(template, draft.context())
    return {
        "kind": draft.kind,
        "assignment_id": draft.assignment_id,
        "unit_id": draft.unit_id,
        "recipient_name": draft.recipient_name[:50],
        "recipient_email": draft.recipient_email,
        "subject": subject,
        "body": body,
        "dedupe_key": draft.dedupe_key,
        "message_id": make_msgid(idstring="notice", domain=domain),
        "state": "queued" if draft.problem is None else "failed",
        "attempts": 0,
        "last_error": None if draft.problem is None else office_text(draft.problem),
        "next_attempt_at": now if draft.problem is None else None,
        "created_at": now,
    }
