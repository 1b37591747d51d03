"""Leaders' directives handed to units, and each unit's assignment with its deadline.

The assignment's life (states, history, objections, extensions) is in
`models/lifecycle.py`; where each stands (the three-colour light) is here.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.assignment_records import ExtensionRequest
from models.base import Choices, OwnedByUnit, UTCDateTime, db, info, rare, text_not_blank
from models.deadlines import LEADER_LEVELS
from models.lifecycle import AssignmentLifecycle, dates_problem
from models.steps import (
    ASSIGNMENT_STATUSES,
    DONE_STATUSES,
    OFFICE_DECIDES,
    OPEN_STATUSES,
    WAITING_ON_UNIT,
)
from models.words import Searchable

LIGHTS = Choices(
    red=_l("Red: overdue"),
    yellow=_l("Yellow: due soon or behind on progress"),
    green=_l("Green: on track"),
    closed=_l("Closed"),
)
DIRECTIVE_LIGHTS = Choices(**LIGHTS.labels, unassigned=_l("Not assigned yet"))
DIRECTIVE_STAGES = Choices(
    received=_l("Received, not assigned"),
    in_progress=_l("Being handled"),
    done=_l("Done"),
    cancelled=_l("Cancelled"),
)
# How a unit takes part: the lead unit's accepted result closes the directive; supporting
# units report their parts (to the lead unit and the office) on assignments of their own.
PARTS = Choices(lead=_l("Lead unit"), support=_l("Supporting unit"))
# Where a directive comes from. A leader's written instruction (批示件) is the directive
# proper; a key work item (重要工作分工负责制, models/keywork.py) and the rectification a
# site visit asks for (models/supervision.py) each own a directive of their own origin, so
# that their units' parts live on the same assignments and lifecycle (lights, steps,
# chases, reminders, the to-do list) without being counted as instructions: the directive
# list, the monthly directive report and the on-time table read instructions only.
ORIGINS = Choices(
    instruction=_l("Leader's instruction"),
    key_work=_l("Key work item"),
    rectification=_l("Rectification item"),
)
LIGHT_RANKS = {"closed": 0, "green": 1, "yellow": 2, "red": 3}

__all__ = [
    "LEADER_LEVELS",
    "ASSIGNMENT_STATUSES",
    "OPEN_STATUSES",
    "DONE_STATUSES",
    "WAITING_ON_UNIT",
    "LIGHTS",
    "DIRECTIVE_LIGHTS",
    "DIRECTIVE_STAGES",
    "PARTS",
    "ORIGINS",
    "Directive",
    "Assignment",
]


def yellow_days():
    """How many days before its due date an assignment turns yellow (a setting, 0-60)."""
    return bounds.setting("DUCHA_LIGHT_YELLOW_DAYS")


class Directive(Searchable, db.Model):
    __tablename__ = "directives"
    search_fields = ("number", "title", "leader_name", "content")

    id = sa.Column(sa.Integer, primary_key=True)
    number = sa.Column(sa.String(50), nullable=False, unique=True, info=info(_l("Number")))
    title = sa.Column(sa.String(200), nullable=False, info=info(_l("Title")))
    content = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Instruction")))
    leader_name = sa.Column(sa.String(50), nullable=False, info=info(_l("Instructing leader")))
    leader_level = sa.Column(
        sa.String(20), nullable=False, info=info(_l("Leader level"), LEADER_LEVELS)
    )
    urgent = sa.Column(sa.Boolean, nullable=False, default=False, info=info(_l("Urgent")))
    confidential = sa.Column(
        sa.Boolean, nullable=False, default=False, info=info(_l("Confidential"))
    )
    received_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Received on")))
    origin = sa.Column(
        sa.String(20),
        nullable=False,
        default="instruction",
        server_default="instruction",
        index=True,
        info=info(_l("Origin"), ORIGINS),
    )
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    assignments = sa.orm.relationship(
        "Assignment",
        back_populates="directive",
        cascade="all, delete-orphan",
        order_by="Assignment.id",
        info=info(_l("Assignments")),
    )
    # Scans of the written instruction: read by those who may read the content.
    scans = sa.orm.relationship(
        "Attachment",
        back_populates="directive",
        cascade="all, delete-orphan",
        order_by="Attachment.id",
        info=info(_l("Scanned instruction")),
    )
    # The worst light of the assignments the reader may see, when a query asks for it.
    light = sa.orm.query_expression()

    __table_args__ = (
        LEADER_LEVELS.check("leader_level"),
        ORIGINS.check("origin"),
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

    @classmethod
    def is_instruction(cls):
        """SQL: a leader's instruction (批示件), not the carrier of a key work item or a
        rectification: what the directive screens and the directive counts read."""
        return cls.origin == "instruction"

    @classmethod
    def content_visible_to(cls, account):
        """The rows whose content `account` may read: a confidential directive's only
        for the office and the units it was assigned to."""
        if account.role in OFFICE:
            return sa.true()
        if account.role == "unit":
            return cls.visible_to(account)
        return cls.confidential.is_(False)

    def shows_content_to(self, account):
        if not self.confidential or account.role in OFFICE:
            return True
        return account.role == "unit" and any(
            a.unit_id == account.unit_id for a in self.assignments
        )

    @property
    def is_done(self):
        """Done when the result of every lead unit (of every unit, where none leads) that
        was not cancelled is accepted: a supporting unit's result does not close it."""
        live = [a for a in self.assignments if a.status != "cancelled"]
        leads = [a for a in live if a.part == "lead"] or live
        return bool(leads) and all(a.status in DONE_STATUSES for a in leads)

    def hand_to(self, parts, actor, calendar, rules, at=None, due_on=None):
        """Assign the directive to several units at once: `parts` gives each unit its part
        (lead or support); a unit already assigned keeps its assignment. Returns the new
        assignments, each due by the rules (or on `due_on`, where that is given)."""
        assigned = {a.unit for a in self.assignments}
        made = []
        for unit, part in parts.items():
            if unit in assigned:
                continue
            assignment = Assignment(unit=unit, part=part, due_on=due_on)
            self.assignments.append(assignment)
            assignment.assign(actor, calendar, rules, at=at)
            made.append(assignment)
        return made

    def delete_problem(self):
        """Why the directive may not be deleted, or None: history is never thrown away."""
        if any(a.status != "assigned" or a.feedback for a in self.assignments):
            return _l("A directive under way cannot be deleted: cancel its assignments instead.")
        return None

    @property
    def stage(self):
        if not self.assignments:
            return "received"
        if self.is_done:
            return "done"
        if all(a.status == "cancelled" for a in self.assignments):
            return "cancelled"
        return "in_progress"

    @classmethod
    def light_expression(cls, today, days, account):
        """The worst light of the directive's assignments that `account` may see."""
        rank = sa.case(LIGHT_RANKS, value=Assignment.light_expression(today, days))
        worst = (
            sa.select(sa.func.max(rank))
            .where(Assignment.directive_id == cls.id, Assignment.visible_to(account))
            .correlate(cls)
            .scalar_subquery()
        )
        whens = [(worst == value, name) for name, value in LIGHT_RANKS.items()]
        return sa.case(*whens, else_="unassigned")


# What a waiting assignment's light and to-do are worked out from (light_expression,
# settled_by_lead_filter), beside its due date and unit.
WAITING_DUE_CARRIES = [
    "id",
    "status",
    "part",
    "progress_due_on",
    "last_progress_on",
    "directive_id",
    "leads_done",
]
WAITING_DUE_WHERE = sa.text("status IN ({})".format(", ".join(f"'{s}'" for s in WAITING_ON_UNIT)))


class Assignment(OwnedByUnit, AssignmentLifecycle, db.Model):
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
    part = sa.Column(sa.String(10), nullable=False, default="lead", info=info(_l("Part"), PARTS))
    assigned_on = sa.Column(sa.Date, nullable=False, info=info(_l("Assigned on")))
    due_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Due on")))
    # The due date before any extension: the one-month cap counts from it.
    original_due_on = sa.Column(sa.Date, nullable=False, info=info(_l("Original due date")))
    # When the first progress report is due (urgent directives), if a rule says so.
    progress_due_on = sa.Column(sa.Date, info=info(_l("First progress due")))
    last_progress_on = sa.Column(sa.Date, info=info(_l("Last progress report")))
    status = sa.Column(
        sa.String(20),
        nullable=False,
        index=True,
        info=info(_l("Status"), ASSIGNMENT_STATUSES),
    )
    # The day the accepted result was submitted: what "on time" is judged by.
    finished_on = sa.Column(sa.Date, info=info(_l("Finished on")))
    # When it was accepted or cancelled (its step's time): none while open. Indexed: the
    # assignments live in a month are those open or closed since it began.
    closed_at = sa.Column(UTCDateTime, index=True, info=info(_l("Closed at")))
    # A supporting part whose lead units have all closed the directive (`settled_by_lead`):
    # kept by the database's triggers on this table (migration f1a3c5e7b9d2) whenever a
    # part comes, goes, or changes its directive, part or status, so that the to-do lists,
    # reminders and chases read it from the row rather than look up the directive's lead
    # units for each of thousands of supporting parts. Never set by the app.
    leads_done = sa.Column(
        sa.Boolean, nullable=False, server_default=sa.false(), info=info(_l("Lead units done"))
    )

    directive = sa.orm.relationship(
        "Directive", back_populates="assignments", info=info(_l("Directive"))
    )
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    events = sa.orm.relationship(
        "AssignmentEvent",
        back_populates="assignment",
        cascade="all, delete-orphan",
        order_by="(AssignmentEvent.at, AssignmentEvent.id)",
    )
    objection = sa.orm.relationship(
        "Objection", back_populates="assignment", uselist=False, cascade="all, delete-orphan"
    )
    extension_requests = sa.orm.relationship(
        "ExtensionRequest",
        back_populates="assignment",
        cascade="all, delete-orphan",
        order_by="ExtensionRequest.id",
    )
    feedback = sa.orm.relationship(
        "Feedback",
        back_populates="assignment",
        cascade="all, delete-orphan",
        order_by="(Feedback.submitted_at, Feedback.id)",
    )

    __table_args__ = (
        ASSIGNMENT_STATUSES.check("status"),
        PARTS.check("part"),
        # The assignments waiting on their units, by due date and unit: the home page's
        # deadlines are counted from this index alone (23,000 of 150,000 in a province),
        # and on PostgreSQL a leader's red and yellow too, from what it carries. SQLite
        # reads it for a condition stating its statuses (`waits_on_unit_as_indexed`).
        sa.Index(
            "ix_assignments_waiting_due",
            "due_on",
            "unit_id",
            postgresql_where=WAITING_DUE_WHERE,
            postgresql_include=WAITING_DUE_CARRIES,
            sqlite_where=WAITING_DUE_WHERE,
        ),
        sa.UniqueConstraint("directive_id", "unit_id"),
        sa.CheckConstraint("due_on >= assigned_on", name="due_after_assigned"),
        sa.CheckConstraint("due_on >= original_due_on", name="due_not_before_original"),
        sa.CheckConstraint(
            "finished_on IS NULL OR finished_on >= assigned_on", name="finished_after_assigned"
        ),
        sa.CheckConstraint(
            "(status = 'accepted' AND finished_on IS NOT NULL)"
            " OR (status <> 'accepted' AND finished_on IS NULL)",
            name="finished_when_accepted",
        ),
    )

    def __str__(self):
        return f"{self.directive.number if self.directive else ''} → {self.unit or ''}"

    @property
    def status_label(self):
        return ASSIGNMENT_STATUSES.label(self.status)

    @property
    def part_label(self):
        return PARTS.label(self.part)

    def partners(self):
        """The other units' assignments of the directive this one works with: a lead
        unit's supporting units, a supporting unit's lead units (cancelled ones left out)."""
        other = "support" if self.part == "lead" else "lead"
        return [
            a
            for a in self.directive.assignments
            if a is not self and a.part == other and a.status != "cancelled"
        ]

    def date_problem(self, received_on):
        """Why these dates cannot stand, or None (checked before saving)."""
        return dates_problem(self.assigned_on, self.due_on, received_on)

    @classmethod
    def of_instruction(cls):
        """SQL: an assignment of a leader's instruction (批示件), not of a key work item or a
        rectification: what the directive counts (the monthly report, on-time table) read."""
        # Said as "not of another origin": those directives are few, found by the origin
        # index, where the instructions are nearly every one (a province's 100,000).
        others = [origin for origin in ORIGINS if origin != "instruction"]
        return cls.directive_id.not_in(sa.select(Directive.id).where(Directive.origin.in_(others)))

    # ---- where it stands ----
    def is_overdue(self, today=None):
        """Past its due date with the unit still to deliver (a submitted result waits on
        the office, not the unit)."""
        today = today or clock.today()
        return self.status in WAITING_ON_UNIT and self.due_on < today

    def days_overdue(self, today=None):
        today = today or clock.today()
        return max(0, (today - self.due_on).days) if self.status in WAITING_ON_UNIT else 0

    @classmethod
    def due_by_filter(cls, day):
        """Waiting on the unit and due by `day`: one range of the index of the waiting by
        due date (overdue and due soon are ranges of it), on SQLite too (the office's
        deadlines: 25 ms against 67 through the status index)."""
        return sa.and_(cls.waits_on_unit_as_indexed(), cls.due_on <= day)

    @classmethod
    def overdue_filter(cls, today):
        return cls.due_by_filter(today - dt.timedelta(days=1))

    @classmethod
    def is_open(cls):
        """SQL: the assignment is open (a few of all, once years have closed)."""
        return rare(cls.status.in_(OPEN_STATUSES))

    @classmethod
    def waits_on_unit(cls):
        """SQL: the unit's move (a few of all, once years have closed)."""
        return rare(cls.status.in_(WAITING_ON_UNIT))

    @classmethod
    def waits_on_unit_as_indexed(cls):
        """SQL: the unit's move, as the index of the waiting by due date states it (its
        statuses written out, not bound): SQLite uses a partial index only for its own
        condition, else it reads every waiting row through the status index (a leader's
        first red items, sorted: 20 ms against 0.6)."""
        statuses = sa.bindparam(
            "waiting", list(WAITING_ON_UNIT), expanding=True, literal_execute=True, unique=True
        )
        return cls.status.in_(statuses)

    @classmethod
    def extension_pending(cls):
        """SQL: an extension request of the assignment waits for the office's decision."""
        return (
            sa.exists()
            .where(ExtensionRequest.assignment_id == cls.id, ExtensionRequest.state == "requested")
            .correlate(cls)
        )

    def settled_by_lead(self):
        """A supporting unit's part of a directive its lead units have closed (it has a
        lead unit not cancelled, and none still open): nobody's move any more (not
        reminded, chased or on a to-do list); the office may still accept or cancel it for
        the record. The database keeps it as `leads_done`, by the same rule."""
        if self.part != "support":
            return False
        leads = [a for a in self.directive.assignments if a.part == "lead"]
        live = [a for a in leads if a.status != "cancelled"]
        return bool(live) and not any(a.status in OPEN_STATUSES for a in live)

    @classmethod
    def settled_by_lead_filter(cls):
        """SQL of `settled_by_lead`, as the database keeps it (`leads_done`)."""
        return cls.leads_done.is_(True)

    @classmethod
    def office_decides_filter(cls):
        """SQL of `office_decides`: open and waiting for a decision of the office."""
        return sa.or_(
            cls.status.in_(OFFICE_DECIDES),
            sa.and_(cls.status.in_(OPEN_STATUSES), cls.extension_pending()),
        )

    @classmethod
    def due_within_filter(cls, today, days):
        """Waiting on the unit and due from today to `days` days on (not yet overdue)."""
        return sa.and_(cls.due_by_filter(today + dt.timedelta(days=days)), cls.due_on >= today)

    def behind_on_progress(self, today=None):
        """The first progress report was due and none has come."""
        today = today or clock.today()
        return (
            self.progress_due_on is not None
            and self.progress_due_on < today
            and self.last_progress_on is None
        )

    def light(self, today=None, days=None):
        """red: overdue; yellow: due within `days` days or behind on progress;
        green: on track; closed: accepted or cancelled."""
        today = today or clock.today()
        days = yellow_days() if days is None else days
        if self.status not in OPEN_STATUSES:
            return "closed"
        if self.status in WAITING_ON_UNIT:
            if self.due_on < today:
                return "red"
            if self.due_on <= today + dt.timedelta(days=days) or self.behind_on_progress(today):
                return "yellow"
        return "green"

    @classmethod
    def light_expression(cls, today, days):
        """`light` as SQL, for filters and the directive list."""
        waiting = cls.status.in_(WAITING_ON_UNIT)
        return sa.case(
            (cls.status.not_in(OPEN_STATUSES), "closed"),
            *((sa.and_(waiting, holds), light) for light, holds in cls.waiting_lights(today, days)),
            else_="green",
        )

    @classmethod
    def waiting_lights(cls, today, days):
        """[(light, SQL)] of an assignment waiting on its unit: red when overdue, yellow
        when not and due within `days` days or behind on progress (green otherwise). Each
        holds alone, so that rows known to wait (read from their index) are counted by
        light without the statuses tested again."""
        behind = sa.and_(cls.progress_due_on < today, cls.last_progress_on.is_(None))
        soon = cls.due_on <= today + dt.timedelta(days=days)
        return [
            ("red", cls.due_on < today),
            ("yellow", sa.and_(cls.due_on >= today, sa.or_(soon, behind))),
        ]
