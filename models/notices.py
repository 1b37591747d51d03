"""The outbox: every notice the office sends is a row, sent at most once in effect.

A notice moves queued → sending → sent, or to retry (a temporary failure, tried again
later), failed (permanent, or out of attempts) or unknown (the worker stopped while the
server might have taken the message: never resent without a person deciding so).
Only a conditional UPDATE moves a notice into `sending`, so two workers never send one.
"""

import contextlib
import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, OwnedByUnit, UTCDateTime, db, info

NOTICE_KINDS = Choices(
    reminder=_l("Reminder before due"),
    chase=_l("Overdue chase"),
    escalation=_l("Escalation"),
    bulletin=_l("Monthly bulletin"),
    bottom=_l("Bottom of ranking"),
    digest=_l("Office's daily digest"),
    office_chase=_l("Chase by the office"),
    criticism=_l("Criticism notice"),
)
NOTICE_STATES = Choices(
    queued=_l("Queued"),
    sending=_l("Sending"),
    sent=_l("Sent"),
    retry=_l("Waiting to retry"),
    failed=_l("Failed"),
    unknown=_l("Outcome unknown"),
)
# States a send job may claim; and those a person may send again.
WAITING = ("queued", "retry")
SENDABLE_AGAIN = ("retry", "failed", "unknown", "sent")


class Notice(OwnedByUnit, db.Model):
    __tablename__ = "notices"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), NOTICE_KINDS))
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL"),
        index=True,
        info=info(_l("Assignment")),
    )
    # None for a notice to the office itself (its daily digest).
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        index=True,
        info=info(_l("Unit")),
    )
    recipient_name = sa.Column(
        sa.String(50), nullable=False, default="", info=info(_l("Recipient"))
    )
    recipient_email = sa.Column(sa.String(120), nullable=False, info=info(_l("Email")))
    subject = sa.Column(sa.String(200), nullable=False, info=info(_l("Subject")))
    body = sa.Column(sa.Text, nullable=False, info=info(_l("Body")))
    dedupe_key = sa.Column(sa.String(120), nullable=False, unique=True, info=info(_l("Dedupe key")))
    # Chosen once when the notice is written, so every attempt carries the same Message-ID.
    message_id = sa.Column(sa.String(200), nullable=False, unique=True, info=info(_l("Message-ID")))
    state = sa.Column(
        sa.String(20),
        nullable=False,
        default="queued",
        info=info(_l("State"), NOTICE_STATES),
    )
    attempts = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Attempts")))
    last_error = sa.Column(sa.Text, info=info(_l("Last error")))
    next_attempt_at = sa.Column(UTCDateTime, info=info(_l("Next attempt")))
    claimed_at = sa.Column(UTCDateTime, info=info(_l("Last attempt started")))
    # The RQ job last asked to send it: the dispatcher enqueues again when that job is gone.
    job_id = sa.Column(sa.String(64), info=info(_l("Job")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Created")))
    sent_at = sa.Column(UTCDateTime, info=info(_l("Sent at")))

    assignment = sa.orm.relationship("Assignment", info=info(_l("Assignment")))
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (
        NOTICE_KINDS.check("kind"),
        NOTICE_STATES.check("state"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint(
            "state NOT IN ('queued', 'retry') OR next_attempt_at IS NOT NULL",
            name="waiting_has_next_attempt",
        ),
        sa.CheckConstraint("state <> 'sending' OR claimed_at IS NOT NULL", name="sending_claimed"),
        sa.CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        sa.CheckConstraint(
            "state = 'failed' OR trim(recipient_email) <> ''", name="address_unless_failed"
        ),
        sa.Index("ix_notices_state_next_attempt_at", "state", "next_attempt_at"),
    )

    def __str__(self):
        return self.subject


class NoticeScan(db.Model):
    """One run of the scan: for which office day, when it started and finished, what it
    added. Written when the scan starts: one that stopped midway has no finished_at."""

    __tablename__ = "notice_scans"

    id = sa.Column(sa.Integer, primary_key=True)
    started_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, index=True)
    finished_at = sa.Column(UTCDateTime)
    scan_date = sa.Column(sa.Date, nullable=False)
    notices_created = sa.Column(sa.Integer, nullable=False, default=0)

    __table_args__ = (
        sa.CheckConstraint("notices_created >= 0", name="created_not_negative"),
        sa.CheckConstraint(
            "finished_at IS NULL OR finished_at >= started_at", name="finished_after_start"
        ),
    )


# ---- sending: the policy and the state transitions ----


def office_text(text):
    """A message kept in the record: in the office's language, whoever's action wrote it."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(text)


@dataclass(frozen=True)
class SendPolicy:
    max_attempts: int = 5
    retry_seconds: tuple = (300, 900, 3600, 14400)
    sending_timeout: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def from_config(cls, config):
        return cls(
            max_attempts=config["NOTICE_MAX_ATTEMPTS"],
            retry_seconds=tuple(config["NOTICE_RETRY_SECONDS"]) or (0,),
            sending_timeout=dt.timedelta(seconds=config["NOTICE_SENDING_TIMEOUT_SECONDS"]),
        )

    def retry_delay(self, attempts):
        """How long to wait after the `attempts`-th failed attempt: growing, then level."""
        index = min(max(attempts, 1), len(self.retry_seconds)) - 1
        return dt.timedelta(seconds=self.retry_seconds[index])


@dataclass(frozen=True)
class Delivery:
    """What the mail server made of one message."""

    status: str  # accepted, temporary, permanent, unknown
    detail: str = ""


def next_state(delivery, attempts, policy, now):
    """The columns a notice gets after an attempt (its `attempts`-th) ended in `delivery`."""
    if delivery.status == "accepted":
        return {"state": "sent", "sent_at": now, "last_error": None}
    if delivery.status == "permanent":
        return {"state": "failed", "last_error": delivery.detail}
    if delivery.status == "unknown":
        return {"state": "unknown", "last_error": delivery.detail}
    if attempts >= policy.max_attempts:
        detail = office_text(
            _l("Gave up after %(n)s attempts: %(error)s", n=attempts, error=delivery.detail)
        )
        return {"state": "failed", "last_error": detail}
    return {
        "state": "retry",
        "last_error": delivery.detail,
        "next_attempt_at": now + policy.retry_delay(attempts),
    }


class Claims:
    """A send job's claims and outcomes, on a connection of its own.

    A claim commits at once, so a worker that dies after it leaves the notice in
    `sending` for the sweeper rather than free for a second, duplicate attempt. An
    outcome is written with the next claim (one commit a notice, not two; on PostgreSQL
    one statement, which commits by itself), or when the job is done with the claims.
    """

    def __init__(self, connection):
        self.connection = connection
        self.together = connection.dialect.name == "postgresql"  # UPDATE in a WITH
        self.outcome = None  # (columns, parameters) of the last attempt, not yet written

    @classmethod
    @contextlib.contextmanager
    def open(cls):
        """Claims on a connection that commits each statement (PostgreSQL; SQLite runs
        each claim in a transaction of its own); the last outcome is written at the end."""
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            claims = cls(connection)
            try:
                yield claims
            finally:
                claims.write_outcome()

    def claim(self, notice_id, now):
        """Take a waiting notice for sending; its row (columns as attributes) if this job
        won it, else None."""
        parameters = {"notice_id": notice_id, "now": now}
        with self.connection.begin():
            if self.outcome and self.together:
                columns, settled = self.outcome
                statement = _settle_and_claim_statement(columns)
                notice = self.connection.execute(statement, settled | parameters).first()
            else:
                self._write_outcome()
                notice = self.connection.execute(_claim_statement(), parameters).first()
        self.outcome = None
        return notice

    def settle(self, notice, delivery, policy, now):
        """Note how the attempt that claimed `notice` ended (written with the next claim,
        or at the end); its new state."""
        values = next_state(delivery, notice.attempts, policy, now)
        parameters = {f"new_{key}": value for key, value in values.items()}
        parameters |= {"settled_id": notice.id, "claimed": notice.claimed_at}
        self.outcome = (tuple(sorted(values)), parameters)
        return values["state"]

    def write_outcome(self):
        """Write the outcome noted last, if any, and commit it."""
        with self.connection.begin():
            self._write_outcome()
        self.outcome = None

    def _write_outcome(self):
        if self.outcome:
            columns, parameters = self.outcome
            self.connection.execute(_settle_statement(columns), parameters)


# Built once: they run for every notice sent, and building an UPDATE (with its IN list
# expanded at each run) cost about as much as running it. On the table, not the mapped
# class: no ORM bulk-update handling either.
@functools.cache
def _claim_statement():
    table = Notice.__table__
    now = sa.bindparam("now", type_=UTCDateTime())
    return (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("notice_id"),
            sa.or_(*(table.c.state == state for state in WAITING)),
            table.c.next_attempt_at <= now,
        )
        .values(state="sending", attempts=table.c.attempts + 1, claimed_at=now)
        .returning(table)
    )


@functools.cache
def _settle_statement(columns):
    """The UPDATE that sets these columns (from parameters named new_<column>)."""
    table = Notice.__table__
    return (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("settled_id"),
            table.c.claimed_at == sa.bindparam("claimed", type_=UTCDateTime()),
            # The sweeper may have given up on a slow attempt that then finished.
            sa.or_(table.c.state == "sending", table.c.state == "unknown"),
        )
        .values({column: sa.bindparam(f"new_{column}") for column in columns})
    )


@functools.cache
def _settle_and_claim_statement(columns):
    """One statement (PostgreSQL): the outcome of one notice, then the claim of the next.
    Both see the table as it was before it; they never touch the same row, as a notice
    just settled is not waiting (and a notice still `sending` cannot be claimed)."""
    return _claim_statement().add_cte(_settle_statement(columns).cte("settled"))


def sweep_stuck(now, timeout):
    """Notices in `sending` for longer than `timeout` become `unknown`; returns how many."""
    count = db.session.execute(
        sa.update(Notice)
        .where(Notice.state == "sending", Notice.claimed_at < now - timeout)
        .values(
            state="unknown",
            last_error=office_text(
                _l(
                    "The sending worker stopped before recording the result: "
                    "the message may or may not have been delivered."
                )
            ),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count


def waiting_notices(now, after_id=0, limit=1000, ids=None):
    """(id, job_id) of notices due to be sent now, in id order from after `after_id`."""
    query = (
        sa.select(Notice.id, Notice.job_id)
        .where(Notice.state.in_(WAITING), Notice.next_attempt_at <= now, Notice.id > after_id)
        .order_by(Notice.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(Notice.id.in_(ids))
    return db.session.execute(query).all()


def assign_job(notice_ids, job_id):
    """Note the job that is about to be asked to send these notices."""
    db.session.execute(
        sa.update(Notice)
        .where(Notice.id.in_(notice_ids), Notice.state.in_(WAITING))
        .values(job_id=job_id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_again(notice_ids, now):
    """Put these notices back in the queue, at once; returns the ids that will go again.

    Someone decided to: a notice that failed, went out, or whose outcome is unknown is
    sent once more with the same Message-ID. Queued and in-flight notices are left alone.
    """
    ids = db.session.scalars(
        sa.update(Notice)
        .where(Notice.id.in_(notice_ids), Notice.state.in_(SENDABLE_AGAIN))
        .values(state="queued", attempts=0, next_attempt_at=now, job_id=None)
        .returning(Notice.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(ids)


def outbox_counts():
    """How many notices are in each state, every state listed."""
    rows = db.session.execute(sa.select(Notice.state, sa.func.count()).group_by(Notice.state))
    counts = dict.fromkeys(NOTICE_STATES, 0)
    counts.update(dict(rows.all()))
    return counts


def start_scan(day):
    """Record that a scan for `day` starts, and commit it; returns the record."""
    scan = NoticeScan(started_at=clock.now(), scan_date=day, notices_created=0)
    db.session.add(scan)
    db.session.commit()
    return scan


def finish_scan(scan, created):
    """Record that `scan` finished, having added `created` notices, and commit it."""
    scan.notices_created = created
    scan.finished_at = clock.now()
    db.session.commit()


def last_scan():
    return db.session.scalars(sa.select(NoticeScan).order_by(NoticeScan.id.desc()).limit(1)).first()
