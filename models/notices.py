"""The outbox: every notice the office sends is a row, sent at most once in effect."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info

NOTICE_KINDS = Choices(
    reminder=_l("Reminder before due"),
    chase=_l("Overdue chase"),
    escalation=_l("Escalation"),
    bulletin=_l("Monthly bulletin"),
    bottom=_l("Bottom of ranking"),
)
NOTICE_STATES = Choices(
    queued=_l("Queued"),
    sending=_l("Sending"),
    sent=_l("Sent"),
    retry=_l("Waiting to retry"),
    failed=_l("Failed"),
    unknown=_l("Outcome unknown"),
)


class Notice(db.Model):
    __tablename__ = "notices"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), NOTICE_KINDS))
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL"),
        index=True,
        info=info(_l("Assignment")),
    )
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
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
    state = sa.Column(
        sa.String(20),
        nullable=False,
        default="queued",
        index=True,
        info=info(_l("State"), NOTICE_STATES),
    )
    attempts = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Attempts")))
    last_error = sa.Column(sa.Text, info=info(_l("Last error")))
    next_attempt_at = sa.Column(UTCDateTime, info=info(_l("Next attempt")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Created")))
    sent_at = sa.Column(UTCDateTime, info=info(_l("Sent at")))

    assignment = sa.orm.relationship("Assignment", info=info(_l("Assignment")))
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (
        NOTICE_KINDS.check("kind"),
        NOTICE_STATES.check("state"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    def __str__(self):
        return self.subject

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.unit_id == account.unit_id
