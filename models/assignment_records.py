"""The records of an assignment's life: its steps (the history), its objection and its
extension requests. The rules that write them are in models/lifecycle.py."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import UTCDateTime, db, info, related, text_not_blank
from models.steps import (
    ACTIONS,
    ASSIGNMENT_STATUSES,
    EXTENSION_STATES,
    OBJECTION_STATES,
    OBJECTION_SUBJECTS,
)


class BelongsToAssignment:
    """A record of an assignment: visible to whoever may see the assignment."""

    @classmethod
    def visible_to(cls, account):
        return cls.assignment.has(related(cls.assignment).visible_to(account))


class AssignmentEvent(BelongsToAssignment, db.Model):
    """One step in an assignment's life: who, when, from, to, and why."""

    __tablename__ = "assignment_events"

    id = sa.Column(sa.Integer, primary_key=True)
    assignment_id = sa.Column(sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False)
    at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("When")))
    account_id = sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    # The name at the time: the account may be renamed or removed later.
    actor_name = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Who")))
    action = sa.Column(sa.String(30), nullable=False, info=info(_l("Action"), ACTIONS))
    from_status = sa.Column(sa.String(20), info=info(_l("From"), ASSIGNMENT_STATUSES))
    to_status = sa.Column(sa.String(20), nullable=False, info=info(_l("To"), ASSIGNMENT_STATUSES))
    # The due date after the step: with `to_status`, where the assignment stood at any time.
    due_on = sa.Column(sa.Date, info=info(_l("Due on")))
    comment = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Comment")))

    assignment = sa.orm.relationship("Assignment", back_populates="events")
    account = sa.orm.relationship("Account")

    __table_args__ = (
        # An assignment's steps in time order (the id breaks ties): its history, and its
        # last step by a day read from the index alone.
        sa.Index("ix_assignment_events_assignment_id_at", "assignment_id", "at", "id"),
        # The steps dated after a day: the few whose assignment stood otherwise at its end.
        sa.Index("ix_assignment_events_at", "at"),
        ACTIONS.check("action"),
        ASSIGNMENT_STATUSES.check("from_status"),
        ASSIGNMENT_STATUSES.check("to_status"),
    )


class Objection(BelongsToAssignment, db.Model):
    """A unit's objection to an assignment or its deadline; the office decides."""

    __tablename__ = "objections"

    id = sa.Column(sa.Integer, primary_key=True)
    # One objection per assignment, raised in the first working days only.
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    raised_on = sa.Column(sa.Date, nullable=False, info=info(_l("Raised on")))
    subject = sa.Column(
        sa.String(20), nullable=False, info=info(_l("Objection to"), OBJECTION_SUBJECTS)
    )
    reason = sa.Column(sa.Text, nullable=False, info=info(_l("Reason")))
    state = sa.Column(
        sa.String(20),
        nullable=False,
        default="pending",
        info=info(_l("State"), OBJECTION_STATES),
    )
    decision_comment = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Decision")))

    assignment = sa.orm.relationship("Assignment", back_populates="objection")

    __table_args__ = (
        OBJECTION_SUBJECTS.check("subject"),
        OBJECTION_STATES.check("state"),
        text_not_blank("reason"),
    )


class ExtensionRequest(BelongsToAssignment, db.Model):
    """A unit asks, before its due date, for a later one; the office grants or refuses."""

    __tablename__ = "extension_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    requested_on = sa.Column(sa.Date, nullable=False, info=info(_l("Requested on")))
    due_on_before = sa.Column(sa.Date, nullable=False, info=info(_l("Due date then")))
    proposed_due_on = sa.Column(sa.Date, nullable=False, info=info(_l("Proposed due date")))
    reason = sa.Column(sa.Text, nullable=False, info=info(_l("Reason")))
    state = sa.Column(
        sa.String(20),
        nullable=False,
        default="requested",
        info=info(_l("State"), EXTENSION_STATES),
    )
    granted_due_on = sa.Column(sa.Date, info=info(_l("Granted due date")))
    decision_comment = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Decision")))
    cap_override_reason = sa.Column(
        sa.Text, nullable=False, default="", info=info(_l("Reason for exceeding the limit"))
    )

    assignment = sa.orm.relationship("Assignment", back_populates="extension_requests")

    __table_args__ = (
        EXTENSION_STATES.check("state"),
        text_not_blank("reason"),
        sa.CheckConstraint("proposed_due_on > due_on_before", name="proposed_after_due"),
        sa.CheckConstraint(
            "(state = 'granted' AND granted_due_on > due_on_before)"
            " OR (state <> 'granted' AND granted_due_on IS NULL)",
            name="granted_date_when_granted",
        ),
        # At most one request waiting for a decision per assignment.
        sa.Index(
            "uq_extension_requests_one_pending",
            "assignment_id",
            unique=True,
            sqlite_where=sa.text("state = 'requested'"),
            postgresql_where=sa.text("state = 'requested'"),
        ),
    )
