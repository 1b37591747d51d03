"""Criticism notices (通报批评): a unit criticised, in a notice of the office, for a directive
left overdue past a threshold or for emergency reports late (迟报) or missed (漏报) in a month.

The office drafts them from the records (`draft_criticisms`: one notice per unit, reason and
month, never twice), reviews and approves them, and issues them: an issued notice takes the
next number of the year (通报〔2026〕3号, models/documents.py, never given twice) and goes
through the outbox to the unit's information officers and its principal leader, each under
a key of its own ("criticism:12:staff:17"), so issuing or sending again adds no message.
A unit sees its own notices once issued; leaders see every issued one; the office all of them,
drafts too.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.base import Choices, OwnedByUnit, RuleError, UTCDateTime, db, info, text_not_blank
from models.deadlines import working_days_after
from models.directives import Assignment
from models.documents import Document, DocumentNumber, take_number
from models.notice_plan import Draft
from models.notice_scan import info_officers, insert_drafts
from models.notice_text import notice_templates, render_notice
from models.notices import Notice, office_text
from models.periods import month
from models.scoring import Deduction
from models.staff import Staff
from models.units import Unit

CRITICISM_REASONS = Choices(
    overdue=_l("Directive overdue"),
    late_emergency=_l("Late emergency reports"),
    missed_emergency=_l("Missed emergency reports"),
)
# The states in a context of their own, apart from the same words elsewhere.
CRITICISM_STATES = Choices(
    draft=lazy_pgettext("state", "Drafted, to review"),
    approved=lazy_pgettext("state", "Approved, to issue"),
    issued=lazy_pgettext("state", "Issued to the unit"),
    dropped=lazy_pgettext("state", "Dropped"),
)
# The steps of a notice's life: the states each is taken in.
STEP_STATES = {
    "edit": ("draft",),
    "approve": ("draft",),
    "issue": ("approved",),
    "send": ("issued",),
    "drop": ("draft", "approved"),
}
EMERGENCY_REASONS = {"late_emergency": "late_emergency", "missed_emergency": "missed_emergency"}
DRAFT_TEMPLATE = "criticism/{reason}.txt"
TITLE_MAX = 200

criticism_assignments = sa.Table(
    "criticism_assignments",
    db.metadata,
    sa.Column(
        "criticism_id",
        sa.ForeignKey("criticism_notices.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "assignment_id",
        sa.ForeignKey("assignments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
criticism_deductions = sa.Table(
    "criticism_deductions",
    db.metadata,
    sa.Column(
        "criticism_id",
        sa.ForeignKey("criticism_notices.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "deduction_id",
        sa.ForeignKey("deductions.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


def _account_column():
    return sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)


def _name_column(label):
    # The name at the time: the account may be renamed or removed later.
    return sa.Column(sa.String(50), nullable=False, default="", info=info(label))


class CriticismNotice(OwnedByUnit, db.Model):
    """A notice criticising one unit (通报批评), from the records it rests on."""

    __tablename__ = "criticism_notices"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit criticised")),
    )
    # 事由: the list's column, its filter, the details and the printed notice say it alike.
    reason = sa.Column(sa.String(20), nullable=False, info=info(_l("Grounds"), CRITICISM_REASONS))
    # The month it concerns ("2026-11"): one notice per unit and reason in a month.
    period = sa.Column(sa.String(7), nullable=False, info=info(_l("Month")))
    title = sa.Column(sa.String(TITLE_MAX), nullable=False, info=info(_l("Title")))
    text = sa.Column(sa.Text, nullable=False, info=info(_l("Text")))
    state = sa.Column(
        sa.String(20),
        nullable=False,
        default="draft",
        index=True,
        info=info(_l("State"), CRITICISM_STATES),
    )
    number_id = sa.Column(
        sa.ForeignKey("document_numbers.id", ondelete="RESTRICT"),
        unique=True,
        info=info(_l("Number")),
    )
    drafted_at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, info=info(_l("Drafted at"))
    )
    drafted_by_id = _account_column()
    drafted_by_name = _name_column(_l("Drafted by"))
    approved_at = sa.Column(UTCDateTime, info=info(_l("Approved at")))
    approved_by_id = _account_column()
    approved_by_name = _name_column(_l("Approved by"))
    issued_at = sa.Column(UTCDateTime, info=info(_l("Issued at")))
    issued_by_id = _account_column()
    issued_by_name = _name_column(_l("Issued by"))
    dropped_at = sa.Column(UTCDateTime, info=info(_l("Dropped at")))
    drop_reason = sa.Column(sa.Text, info=info(_l("Why it was dropped")))

    unit = sa.orm.relationship("Unit", info=info(_l("Unit criticised")))
    number = sa.orm.relationship("DocumentNumber", info=info(_l("Number")))
    assignments = sa.orm.relationship(
        "Assignment",
        secondary=criticism_assignments,
        order_by="Assignment.due_on, Assignment.id",
        info=info(_l("Overdue assignments")),
    )
    deductions = sa.orm.relationship(
        "Deduction",
        secondary=criticism_deductions,
        order_by="Deduction.occurred_on, Deduction.id",
        info=info(_l("Emergency reports")),
    )

    __table_args__ = (
        CRITICISM_REASONS.check("reason"),
        CRITICISM_STATES.check("state"),
        sa.UniqueConstraint("unit_id", "reason", "period"),
        text_not_blank("title"),
        text_not_blank("text"),
        sa.CheckConstraint(
            "state NOT IN ('approved', 'issued') OR approved_at IS NOT NULL",
            name="approved_when_approved",
        ),
        sa.CheckConstraint(
            "state <> 'issued' OR (number_id IS NOT NULL AND issued_at IS NOT NULL)",
            name="issued_has_number",
        ),
    )

    def __str__(self):
        number = f"{self.number} " if self.number is not None else ""
        return f"{number}{self.title}"

    @sa.orm.validates("title", "text", "drop_reason")
    def _lines(self, _key, text):
        return bounds.unix_lines(text)

    @classmethod
    def visible_to(cls, account):
        """The office sees every notice, drafts too; leaders the issued ones; a unit its
        own, once issued."""
        if account.role in OFFICE:
            return sa.true()
        issued = cls.state == "issued"
        if account.sees_all_units:
            return issued
        return sa.and_(cls.unit_id == account.unit_id, issued)

    @property
    def period_label(self):
        """The month in the reader's language (2026年12月, December 2026)."""
        try:
            return month(dt.date.fromisoformat(f"{self.period}-01")).display_label
        except ValueError:
            return self.period

    @property
    def reason_label(self):
        return CRITICISM_REASONS.label(self.reason)

    @property
    def state_label(self):
        return CRITICISM_STATES.label(self.state)

    # ---- its life: draft → approved → issued (or dropped before it is issued) ----
    @staticmethod
    def actor_problem(actor, step):
        """Why `actor` may not take `step` on any notice, whatever its state, or None."""
        if actor is not None and actor.role not in OFFICE:
            return _l("Only the office drafts, approves and issues criticism notices.")
        return None

    @classmethod
    def waiting_for(cls, actor, step):
        """SQL: the notices on which `actor` may take `step` now (none if they never may)."""
        if cls.actor_problem(actor, step):
            return sa.false()
        return cls.state.in_(STEP_STATES[step])

    def step_problem(self, actor, step):
        """Why `actor` may not take `step` now, or None."""
        problem = self.actor_problem(actor, step)
        if problem:
            return problem
        if self.state not in STEP_STATES[step]:
            return _l(
                "This cannot be done while the notice is %(state)s.",
                state=CRITICISM_STATES.label(self.state),
            )
        return None

    def may(self, actor, step):
        return self.step_problem(actor, step) is None

    def _require(self, actor, step):
        self._lock()
        problem = self.step_problem(actor, step)
        if problem:
            raise RuleError(problem)

    def _lock(self):
        """Hold the row until the commit (PostgreSQL) and read its state afresh, so that two
        people issuing at once do not both number it; SQLite's write transaction already
        serialises them."""
        if self.id is not None and db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(
                sa.select(CriticismNotice.id).where(CriticismNotice.id == self.id).with_for_update()
            )
            db.session.refresh(self)

    def approve(self, actor, at=None):
        """The office approves the draft as it stands: its text is fixed from now on."""
        self._require(actor, "approve")
        self.state = "approved"
        self.approved_at = at or clock.now()
        self.approved_by_id, self.approved_by_name = _who(actor)

    def issue(self, actor, at=None):
        """Issue the approved notice: the next number of the year, given once, and its
        messages written into the outbox (not committed; send them after the commit)."""
        self._require(actor, "issue")
        at = at or clock.now()
        self.number = take_number("criticism", actor, lambda: self.number, at)
        self.state = "issued"
        self.issued_at = at
        self.issued_by_id, self.issued_by_name = _who(actor)
        db.session.flush()
        return self.write_notices()

    def drop(self, actor, reason, at=None):
        """Decide not to issue it: kept, so that drafting does not make it again."""
        self._require(actor, "drop")
        if not (reason or "").strip():
            raise RuleError(_l("Say why the notice is dropped."), field="reason")
        self.state = "dropped"
        self.dropped_at = at or clock.now()
        self.drop_reason = reason.strip()

    def document(self):
        """The notice as the office prints it (in the office's language): numbered once
        issued; a draft's page says it is one."""
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            rows = (
                (_("Unit criticised"), self.unit.name),
                (_("Grounds"), str(self.reason_label)),
                (_("Text"), self.text),
            )
            issued = self.state == "issued"
            number = str(self.number) if issued and self.number is not None else ""
            dated = clock.local_date(self.issued_at) if self.issued_at else clock.today()
            draft = "" if issued else _("Draft")
            return Document(
                title=self.title,
                number=number,
                rows=rows,
                issuer=current_app.config["OFFICE_NAME"],
                dated=dated,
                file_stem=f"{_('Criticism notice')}-{number or self.unit.name}-{draft}".strip("-"),
                draft_mark=draft,
            )

    # ---- sending: through the outbox, once for each recipient ----
    def key_prefix(self):
        return f"criticism:{self.id}:"

    def recipients(self):
        """(token, name, email) of the unit's information officers and principal leader;
        one "nobody" without an address when none is on record."""
        officers = info_officers(Staff.unit_id == self.unit_id).get(self.unit_id, [])
        people = [(f"staff:{o.id}", o.name, o.email) for o in officers]
        unit = self.unit
        if unit.principal_leader_email and unit.principal_leader_email.strip():
            people.append(("leader", unit.principal_leader or "", unit.principal_leader_email))
        return people or [("nobody", unit.principal_leader or "", "")]

    def write_notices(self):
        """Write the notice's messages into the outbox, those not yet there; how many are new.

        Each recipient's key is the notice's and the recipient's: issuing or sending again
        finds the message written and adds nothing."""
        if self.state != "issued":
            raise RuleError(_l("Only an issued notice is sent."))
        drafts = []
        for token, name, email in self.recipients():
            problem = None
            if not email:
                problem = _l("No email address on record for %(unit)s.", unit=self.unit.name)
            drafts.append(
                Draft(
                    kind="criticism",
                    dedupe_key=f"{self.key_prefix()}{token}",
                    unit_id=self.unit_id,
                    recipient_name=name or "",
                    recipient_email=email or "",
                    context=partial(self.mail_context, name or ""),
                    problem=problem,
                )
            )
        return insert_drafts(drafts)

    def mail_context(self, recipient_name):
        return {
            "unit_name": self.unit.name,
            "recipient_name": recipient_name,
            "number": str(self.number),
            "title": self.title,
            "text": self.text,
            "reason": str(office_text(self.reason_label)),
            "issued_on": clock.local_date(self.issued_at),
            "office_name": current_app.config["OFFICE_NAME"],
        }

    def notices(self):
        """The outbox rows of this notice, in the order written."""
        prefix = self.key_prefix()
        return db.session.scalars(
            sa.select(Notice)
            .where(Notice.dedupe_key >= prefix, Notice.dedupe_key < prefix[:-1] + ";")
            .order_by(Notice.id)
        ).all()

    def waiting_notice_ids(self):
        """The ids of its messages waiting to be sent (to hand to the sender after a commit)."""
        return [n.id for n in self.notices() if n.state == "queued"]


def _who(actor):
    if actor is None:
        return None, ""
    return actor.id, (str(actor) or "")[:50]


# ---- the year-end evaluation ----


def issued_counts(year, unit_ids=None, until=None):
    """{unit_id: n} of the criticism notices issued to each unit in `year` (by the year of
    their number), by the end of the day `until` if given; a unit with none is left out."""
    query = (
        sa.select(CriticismNotice.unit_id, sa.func.count())
        .join(DocumentNumber, DocumentNumber.id == CriticismNotice.number_id)
        .where(CriticismNotice.state == "issued", DocumentNumber.year == year)
        .group_by(CriticismNotice.unit_id)
    )
    if until is not None:
        query = query.where(
            CriticismNotice.issued_at < clock.start_of(until + dt.timedelta(days=1))
        )
    if unit_ids is not None:
        query = query.where(CriticismNotice.unit_id.in_(unit_ids))
    return dict(db.session.execute(query).all())


def issued_between(start, end):
    """{unit_id: n} of the criticism notices issued to each unit on the days start..end
    (the office's days); a unit with none is left out."""
    query = (
        sa.select(CriticismNotice.unit_id, sa.func.count())
        .where(
            CriticismNotice.state == "issued",
            CriticismNotice.issued_at >= clock.start_of(start),
            CriticismNotice.issued_at < clock.start_of(end + dt.timedelta(days=1)),
        )
        .group_by(CriticismNotice.unit_id)
    )
    return dict(db.session.execute(query).all())


def issued_count(unit_id, year):
    """How many criticism notices the unit was issued in `year`."""
    return issued_counts(year, [unit_id]).get(unit_id, 0)


# ---- drafting from the records ----


def overdue_threshold():
    """Working days past its due date before an overdue assignment is criticised: the
    setting CRITICISM_OVERDUE_DAYS, held to 0..60 whatever it says."""
    return bounds.setting("CRITICISM_OVERDUE_DAYS")


def overdue_since(today, working_days, calendar):
    """The last due date that is `working_days` working days past by `today`: an
    assignment due on it or before, still the unit's move, is criticised today."""
    working_days = bounds.held("CRITICISM_OVERDUE_DAYS", working_days)
    day = today - dt.timedelta(days=1)
    while working_days_after(day, working_days, calendar) > today:
        day -= dt.timedelta(days=1)
    return day


def overdue_to_criticise(today, working_days, calendar):
    """{unit_id: [assignment]} of the assignments overdue by at least `working_days`
    working days whose move is still the unit's: not a result, objection or extension
    request waiting on the office, not a supporting part the lead units have closed."""
    since = overdue_since(today, working_days, calendar)
    query = (
        sa.select(Assignment)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Assignment.overdue_filter(today),
            Assignment.due_on <= since,
            ~Assignment.office_decides_filter(),
            ~Assignment.settled_by_lead_filter(),
            # The notice is about leaders' instructions (templates/criticism/overdue.txt):
            # a key work item or a rectification is chased and reminded, not drafted here.
            Assignment.of_instruction(),
            Unit.active,
        )
        .options(sa.orm.joinedload(Assignment.directive), sa.orm.joinedload(Assignment.unit))
        .order_by(Assignment.unit_id, Assignment.due_on, Assignment.id)
    )
    found = {}
    for assignment in db.session.scalars(query):
        found.setdefault(assignment.unit_id, []).append(assignment)
    return found


def emergencies_to_criticise(period):
    """{(unit_id, reason): [deduction]} of the emergency reports late or missed in `period`."""
    query = (
        sa.select(Deduction)
        .join(Unit, Unit.id == Deduction.unit_id)
        .where(
            Deduction.kind.in_(EMERGENCY_REASONS),
            Deduction.occurred_on.between(period.start, period.end),
            Unit.active,
        )
        .options(sa.orm.joinedload(Deduction.report), sa.orm.joinedload(Deduction.unit))
        .order_by(Deduction.unit_id, Deduction.occurred_on, Deduction.id)
    )
    found = {}
    for deduction in db.session.scalars(query):
        key = (deduction.unit_id, EMERGENCY_REASONS[deduction.kind])
        found.setdefault(key, []).append(deduction)
    return found


@dataclass
class Drafted:
    """What drafting made, and what it found drafted already (unit, reason, month)."""

    made: list = field(default_factory=list)
    already: list = field(default_factory=list)


def draft_criticisms(today, emergency_month, actor, working_days, calendar):
    """Draft the notices the records call for (not committed): for the assignments overdue
    today by `working_days` working days or more (the month of today), and for the
    emergency reports late or missed in `emergency_month` (a Period). One notice per unit,
    reason and month: one that exists, whatever its state, is not drafted again."""
    if emergency_month.start > today:
        raise RuleError(_l("That month has not begun."), field="month")
    this_month = month(today).key
    wanted = [
        (unit_id, "overdue", this_month, {"assignments": rows})
        for unit_id, rows in overdue_to_criticise(today, working_days, calendar).items()
    ]
    wanted += [
        (unit_id, reason, emergency_month.key, {"deductions": rows})
        for (unit_id, reason), rows in emergencies_to_criticise(emergency_month).items()
    ]
    result = Drafted()
    context = {"today": today, "working_days": working_days}
    for unit_id, reason, period, records in wanted:
        notice = _draft_one(unit_id, reason, period, records, actor, context)
        (result.made if notice else result.already).append((unit_id, reason, period))
    return result


def _draft_one(unit_id, reason, period, records, actor, context):
    """The notice drafted, or None when one for this unit, reason and month exists."""
    if _exists(unit_id, reason, period):
        return None
    unit = db.session.get(Unit, unit_id)
    title, text = draft_text(reason, unit, period, records, context)
    drafted_by_id, drafted_by_name = _who(actor)
    try:
        with db.session.begin_nested():
            notice = CriticismNotice(
                unit=unit,
                reason=reason,
                period=period,
                title=title,
                text=text,
                state="draft",
                drafted_by_id=drafted_by_id,
                drafted_by_name=drafted_by_name,
                **records,
            )
            db.session.add(notice)
    except sa.exc.IntegrityError:  # someone drafted it meanwhile
        return None
    return notice


def _exists(unit_id, reason, period):
    return db.session.scalar(
        sa.select(CriticismNotice.id).filter_by(unit_id=unit_id, reason=reason, period=period)
    )


def draft_text(reason, unit, period, records, context):
    """(title, text) of a draft, from the office's template templates/criticism/<reason>.txt."""
    year, number = (int(part) for part in period.split("-"))
    template = notice_templates().get_template(DRAFT_TEMPLATE.format(reason=reason))
    values = {
        "unit_name": unit.name,
        "year": year,
        "month": number,
        "today": context["today"],
        "working_days": context["working_days"],
        "office_name": current_app.config["OFFICE_NAME"],
        "assignments": [
            _assignment_line(a, context["today"]) for a in records.get("assignments", [])
        ],
        "reports": [_emergency_line(d) for d in records.get("deductions", [])],
    }
    title, text = render_notice(template, values)
    return title[:TITLE_MAX], text.strip()


def _assignment_line(assignment, today):
    directive = assignment.directive
    return {
        "number": directive.number,
        "title": directive.title,
        "leader_name": directive.leader_name,
        "due_on": assignment.due_on,
        "days_overdue": assignment.days_overdue(today),
    }


def _emergency_line(deduction):
    report = deduction.report
    return {
        "occurred_on": deduction.occurred_on,
        "reason": deduction.reason,
        "title": report.title if report is not None else "",
        "event_at": _local_text(report.event_at if report is not None else None),
        "submitted_at": _local_text(report.submitted_at if report is not None else None),
    }


def _local_text(instant):
    local = clock.local(instant)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}" if local else ""


__all__ = [
    "CRITICISM_REASONS",
    "CRITICISM_STATES",
    "CriticismNotice",
    "draft_criticisms",
    "issued_count",
    "issued_counts",
    "overdue_since",
    "overdue_threshold",
]
