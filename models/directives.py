"""Leaders' directives handed to units, and each unit's assignment with its deadline."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info, text_not_blank

LEADER_LEVELS = Choices(
    central=_l("Central"),
    province=_l("Provincial"),
    city=_l("City"),
    county=_l("County"),
)
ASSIGNMENT_STATUSES = Choices(
    assigned=_l("Assigned"),
    acknowledged=_l("Acknowledged"),
    in_progress=_l("In progress"),
    submitted=_l("Result submitted"),
    accepted=_l("Accepted"),
    returned=_l("Returned to redo"),
    cancelled=_l("Cancelled"),
)
OPEN_STATUSES = ("assigned", "acknowledged", "in_progress", "submitted", "returned")
DONE_STATUSES = ("accepted",)


class Directive(db.Model):
    __tablename__ = "directives"

    id = sa.Column(sa.Integer, primary_key=True)
    number = sa.Column(sa.String(50), nullable=False, unique=True, info=info(_l("Number")))
    title = sa.Column(sa.String(200), nullable=False, info=info(_l("Title")))
    content = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Instruction")))
    leader_name = sa.Column(sa.String(50), nullable=False, info=info(_l("Leader")))
    leader_level = sa.Column(
        sa.String(20), nullable=False, info=info(_l("Leader level"), LEADER_LEVELS)
    )
    urgent = sa.Column(sa.Boolean, nullable=False, default=False, info=info(_l("Urgent")))
    confidential = sa.Column(
        sa.Boolean, nullable=False, default=False, info=info(_l("Confidential"))
    )
    received_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Received on")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    assignments = sa.orm.relationship(
        "Assignment",
        back_populates="directive",
        cascade="all, delete-orphan",
        info=info(_l("Assignments")),
    )

    __table_args__ = (
        LEADER_LEVELS.check("leader_level"),
        text_not_blank("number"),
        text_not_blank("title"),
        text_not_blank("leader_name"),
    )

    def __str__(self):
        return f"{self.number} {self.title}"

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.assignments.any(Assignment.unit_id == account.unit_id)

    @property
    def is_done(self):
        live = [a for a in self.assignments if a.status != "cancelled"]
        return bool(live) and all(a.status in DONE_STATUSES for a in live)


class Assignment(db.Model):
    """One unit's part of a directive: its own deadline, state and feedback."""

    __tablename__ = "assignments"

    id = sa.Column(sa.Integer, primary_key=True)
    directive_id = sa.Column(
        sa.ForeignKey("directives.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=info(_l("Directive")),
    )
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    assigned_on = sa.Column(sa.Date, nullable=False, info=info(_l("Assigned on")))
    due_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Due on")))
    status = sa.Column(
        sa.String(20),
        nullable=False,
        default="assigned",
        index=True,
        info=info(_l("Status"), ASSIGNMENT_STATUSES),
    )
    finished_on = sa.Column(sa.Date, info=info(_l("Finished on")))

    directive = sa.orm.relationship(
        "Directive", back_populates="assignments", info=info(_l("Directive"))
    )
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (
        ASSIGNMENT_STATUSES.check("status"),
        sa.UniqueConstraint("directive_id", "unit_id"),
        sa.CheckConstraint("due_on >= assigned_on", name="due_after_assigned"),
        sa.CheckConstraint(
            "finished_on IS NULL OR finished_on >= assigned_on", name="finished_after_assigned"
        ),
    )

    def __str__(self):
        return f"{self.directive.number if self.directive else ''} → {self.unit or ''}"

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.unit_id == account.unit_id

    def date_problem(self, received_on):
        """Why these dates cannot stand, or None (checked before saving)."""
        if self.assigned_on and received_on and self.assigned_on < received_on:
            return _l("The assignment date is before the directive was received.")
        if self.due_on and received_on and self.due_on < received_on:
            return _l("The due date is before the directive was received.")
        if self.due_on and self.assigned_on and self.due_on < self.assigned_on:
            return _l("The due date is before the assignment date.")
        return None

    def is_overdue(self, today=None):
        today = today or clock.today()
        if self.status in OPEN_STATUSES:
            return self.due_on < today
        return False

    def days_overdue(self, today=None):
        today = today or clock.today()
        return max(0, (today - self.due_on).days) if self.status in OPEN_STATUSES else 0

    @classmethod
    def overdue_filter(cls, today):
        return sa.and_(cls.status.in_(OPEN_STATUSES), cls.due_on < today)
