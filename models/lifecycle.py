"""The life of an assignment, enforced by the model.

`Assignment.status` only changes along TRANSITIONS: any other change raises
IllegalTransition, whoever makes it (the `validates` hook on the column). Every change
goes through `_record`, which keeps who, when, from, to and why as an AssignmentEvent;
a flush of a status change that skipped it is refused too. Each public method below is
one rule: who may do it, in which state, with what, and what it changes.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock, deadlines
from models.accounts import OFFICE
from models.assignment_records import AssignmentEvent, ExtensionRequest, Objection
from models.base import RuleError
from models.deadlines import DeadlineRule, WorkCalendar, add_months, working_days_after
from models.feedback import signer_problem
from models.steps import (
    ASSIGNMENT_STATUSES,
    CLOSED_STATUSES,
    OBJECTION_SUBJECTS,
    STEPS,
    TRANSITIONS,
    IllegalTransition,
)

OBJECTION_WORKING_DAYS = 2
EXTENSION_CAP_MONTHS = 1


def _blank(text):
    return not (text or "").strip()


class AssignmentLifecycle:
    """The rules of an assignment's life (mixed into Assignment)."""

    # ---- the one way a status changes ----
    @sa.orm.validates("status")
    def _check_transition(self, key, new):
        old = self.status
        if old is None and new != "assigned":
            raise IllegalTransition(_l("A new assignment starts as assigned."))
        if old is not None and old != new and (old, new) not in TRANSITIONS:
            raise IllegalTransition(
                _l(
                    "An assignment cannot go from %(old)s to %(new)s.",
                    old=ASSIGNMENT_STATUSES.label(old),
                    new=ASSIGNMENT_STATUSES.label(new),
                )
            )
        return new

    def _record(self, action, actor, to_status=None, comment="", at=None):
        to_status = to_status or self.status
        from_status = self.status
        self.status = to_status  # checked by _check_transition
        self._recorded_status = to_status
        at = at or clock.now()
        if to_status in CLOSED_STATUSES and from_status not in CLOSED_STATUSES:
            self.closed_at = at
        event = AssignmentEvent(
            action=action,
            from_status=from_status,
            to_status=to_status,
            due_on=self.due_on,
            account=actor,
            actor_name=(str(actor) if actor is not None else "")[:50],
            comment=(comment or "").strip(),
            at=at,
        )
        self.events.append(event)
        return event

    def _require(self, actor, action):
        """Refuse unless `actor` may take the step `action` (STEPS) in the current status."""
        step = STEPS[action]
        if actor is not None:
            unit_id = self.unit_id if self.unit_id is not None else getattr(self.unit, "id", None)
            own_unit = actor.role == "unit" and actor.unit_id == unit_id
            if not (actor.role in OFFICE or (step.by_unit and own_unit)):
                raise RuleError(_l("You may not do this on this assignment."))
        if self.status not in step.statuses:
            raise IllegalTransition(
                _l(
                    "This cannot be done while the assignment is %(status)s.",
                    status=ASSIGNMENT_STATUSES.label(self.status),
                )
            )

    @staticmethod
    def _day(at):
        return clock.local_date(at) if at is not None else clock.today()

    def may(self, actor, action):
        """Whether `actor` may take `action` now (for offering it on the screen)."""
        try:
            self._require(actor, action)
        except RuleError:
            return False
        if action == "object":
            last_day = self.objection_deadline(WorkCalendar.load())
            return self.objection is None and clock.today() <= last_day
        if action == "request_extension":
            return self.pending_extension() is None
        if action == "decide_extension":
            return self.pending_extension() is not None
        if action == "chase":
            waiting = self.pending_extension() is None and not self.settled_by_lead()
            return waiting and not self.chased_on(clock.today())
        return True

    # ---- assignment and signing for it ----
    def assign(self, actor, calendar=None, rules=None, reason="", at=None):
        """Start the assignment: deadlines from the rules unless staff gave one with a reason."""
        if actor is not None and actor.role not in OFFICE:
            raise RuleError(_l("Only the office assigns directives."))
        calendar = calendar or WorkCalendar.load()
        rules = DeadlineRule.query.all() if rules is None else rules
        self.assigned_on = self.assigned_on or self._day(at)
        due, progress_due = plan_dates(self.directive, rules, calendar, self.due_on, reason)
        self.due_on = self.original_due_on = due
        self.progress_due_on = progress_due
        problem = self.date_problem(self.directive.received_on)
        if problem:
            raise RuleError(problem, field="due_on")
        return self._record("assign", actor, "assigned", reason, at)

    def acknowledge(self, actor, comment="", at=None):
        self._require(actor, "acknowledge")
        return self._record("acknowledge", actor, "acknowledged", comment, at)

    # ---- objection ----
    def objection_deadline(self, calendar):
        """The last day a unit may object: two working days after the assignment."""
        return working_days_after(self.assigned_on, OBJECTION_WORKING_DAYS, calendar)

    def raise_objection(self, actor, subject, reason, calendar=None, at=None):
        self._require(actor, "object")
        if subject not in OBJECTION_SUBJECTS:
            raise RuleError(_l("Choose what the objection is about."), field="subject")
        if _blank(reason):
            raise RuleError(_l("Give the reason for the objection."), field="reason")
        if self.objection is not None:
            raise RuleError(_l("An objection was already raised on this assignment."))
        today = self._day(at)
        last_day = self.objection_deadline(calendar or WorkCalendar.load())
        if today > last_day:
            raise RuleError(
                _l(
                    "Objections are taken within %(days)s working days of the assignment, "
                    "that is until %(day)s.",
                    days=OBJECTION_WORKING_DAYS,
                    day=last_day.isoformat(),
                )
            )
        self.objection = Objection(
            raised_on=today, subject=subject, reason=reason.strip(), state="pending"
        )
        return self._record("object", actor, "objected", reason, at)

    def decide_objection(self, actor, uphold, comment="", new_due_on=None, at=None):
        """Uphold (cancel the assignment, or set a new due date) or reject the objection."""
        self._require(actor, "decide_objection")
        objection = self.objection
        if not uphold:
            objection.state, objection.decision_comment = "rejected", (comment or "").strip()
            return self._record("reject_objection", actor, "acknowledged", comment, at)
        if objection.subject == "assignment":
            objection.state, objection.decision_comment = "upheld", (comment or "").strip()
            self._lapse_pending()
            return self._record("uphold_objection", actor, "cancelled", comment, at)
        if new_due_on is None:
            raise RuleError(_l("Give the new due date."), field="new_due_on")
        old = self.due_on
        self._set_due_date(new_due_on, field="new_due_on")
        objection.state, objection.decision_comment = "upheld", (comment or "").strip()
        note = _due_change_note(old, new_due_on, comment)
        return self._record("uphold_objection", actor, "acknowledged", note, at)

    # ---- the unit's work ----
    def report_progress(self, actor, at=None):
        """A progress report was filed: the work is in progress."""
        self._require(actor, "progress")
        self.last_progress_on = self._day(at)
        return self._record("progress", actor, "in_progress", "", at)

    def submit_result(self, actor, signer, at=None):
        """The result report was filed, signed by the right leader of the unit."""
        self._require(actor, "submit_result")
        problem = signer_problem(self, signer)
        if problem:
            raise RuleError(problem, field="signer")
        if self.status == "returned":
            self._record("resume", actor, "in_progress", "", at)
        self._lapse_pending(extensions_only=True)
        return self._record("submit_result", actor, "submitted", "", at)

    # ---- the office's answer ----
    def accept(self, actor, comment="", at=None):
        """Accept the result: finished on the day the accepted result was submitted."""
        self._require(actor, "accept")
        results = [f.submitted_at for f in self.feedback if f.kind == "result"]
        self.finished_on = clock.local_date(max(results)) if results else self._day(at)
        return self._record("accept", actor, "accepted", comment, at)

    def return_result(self, actor, reason, at=None):
        self._require(actor, "return_result")
        if _blank(reason):
            raise RuleError(_l("Say what is missing: facts, causes or measures."), field="reason")
        return self._record("return_result", actor, "returned", reason, at)

    def cancel(self, actor, reason, at=None):
        self._require(actor, "cancel")
        if _blank(reason):
            raise RuleError(_l("Give the reason for cancelling."), field="reason")
        self._lapse_pending()
        return self._record("cancel", actor, "cancelled", reason, at)

    # ---- chasing now (催办) ----
    def chased_on(self, day):
        """Whether the office chased the assignment by hand on `day` (office time)."""
        return any(e.action == "chase" and clock.local_date(e.at) == day for e in self.events)

    def chase(self, actor, comment="", at=None):
        """The office chases the unit now: a step of the history, the status unchanged.

        Only while the move is the unit's: not while a result, an objection or an
        extension request waits for the office's own decision.
        """
        self._require(actor, "chase")
        if self.settled_by_lead():
            raise RuleError(
                _l("The lead units' result has closed the directive: nothing to chase.")
            )
        if self.pending_extension() is not None:
            raise RuleError(
                _l("An extension request waits for the office's decision: decide it first.")
            )
        return self._record("chase", actor, None, comment, at)

    def change_due_date(self, actor, new_due_on, reason, at=None):
        """Staff set a different due date, with a reason; extensions count from it."""
        self._require(actor, "change_due_date")
        if _blank(reason):
            raise RuleError(_l("Give the reason for changing the due date."), field="reason")
        old = self.due_on
        self._set_due_date(new_due_on, field="due_on")
        note = _due_change_note(old, new_due_on, reason)
        return self._record("change_due_date", actor, None, note, at)

    def _set_due_date(self, new_due_on, field):
        problem = dates_problem(self.assigned_on, new_due_on, self.directive.received_on)
        if problem:
            raise RuleError(problem, field=field)
        self.due_on = self.original_due_on = new_due_on

    def _lapse_pending(self, extensions_only=False):
        pending = self.pending_extension()
        if pending is not None:
            pending.state = "lapsed"
        if not extensions_only and self.objection and self.objection.state == "pending":
            self.objection.state = "lapsed"

    # ---- extensions ----
    def pending_extension(self):
        return next((r for r in self.extension_requests if r.state == "requested"), None)

    def extension_cap(self):
        """All grants together end at most one month after the original due date."""
        return add_months(self.original_due_on, EXTENSION_CAP_MONTHS)

    def request_extension(self, actor, proposed_due_on, reason, at=None):
        self._require(actor, "request_extension")
        today = self._day(at)
        if today > self.due_on:
            raise RuleError(
                _l("An extension must be asked by the due date (%(day)s).", day=self.due_on),
                field="proposed_due_on",
            )
        if proposed_due_on is None or proposed_due_on <= self.due_on:
            raise RuleError(
                _l("The proposed date must be after the due date (%(day)s).", day=self.due_on),
                field="proposed_due_on",
            )
        if _blank(reason):
            raise RuleError(_l("Give the reason for the extension."), field="reason")
        if self.pending_extension() is not None:
            raise RuleError(_l("An extension request is already waiting for a decision."))
        self.extension_requests.append(
            ExtensionRequest(
                requested_on=today,
                due_on_before=self.due_on,
                proposed_due_on=proposed_due_on,
                reason=reason.strip(),
                state="requested",
            )
        )
        return self._record("request_extension", actor, None, reason, at)

    def grant_extension(
        self, actor, granted_due_on=None, comment="", cap_override_reason="", at=None
    ):
        """Grant the pending request, maybe with another date; the cap binds unless an
        administrator gives a reason."""
        self._require(actor, "decide_extension")
        request = self._pending_or_refuse()
        day = granted_due_on or request.proposed_due_on
        if day <= self.due_on:
            raise RuleError(
                _l("The new due date must be after %(day)s.", day=self.due_on),
                field="granted_due_on",
            )
        cap = self.extension_cap()
        if day > cap:
            is_admin = actor is None or actor.role == "admin"
            if not is_admin:
                raise RuleError(
                    _l(
                        "Extensions end at most one month after the original due date, "
                        "that is %(day)s; only an administrator may go further, with a reason.",
                        day=cap,
                    ),
                    field="granted_due_on",
                )
            if _blank(cap_override_reason):
                raise RuleError(
                    _l(
                        "%(day)s is past the one-month limit (%(cap)s): give the reason.",
                        day=day,
                        cap=cap,
                    ),
                    field="cap_override_reason",
                )
        old = self.due_on
        request.state, request.granted_due_on = "granted", day
        request.decision_comment = (comment or "").strip()
        request.cap_override_reason = (cap_override_reason or "").strip() if day > cap else ""
        self.due_on = day
        note = _due_change_note(old, day, comment)
        return self._record("grant_extension", actor, None, note, at)

    def refuse_extension(self, actor, comment, at=None):
        self._require(actor, "decide_extension")
        request = self._pending_or_refuse()
        if _blank(comment):
            raise RuleError(_l("Give the reason for refusing."), field="comment")
        request.state, request.decision_comment = "refused", comment.strip()
        return self._record("refuse_extension", actor, None, comment, at)

    def _pending_or_refuse(self):
        request = self.pending_extension()
        if request is None:
            raise RuleError(_l("No extension request is waiting for a decision."))
        return request


def _due_change_note(old, new, comment):
    """What the history says of a due date change: the dates, then the reason."""
    return f"{old.isoformat()} → {new.isoformat()} {(comment or '').strip()}".strip()


def dates_problem(assigned_on, due_on, received_on):
    if assigned_on and received_on and assigned_on < received_on:
        return _l("The assignment date is before the directive was received.")
    if due_on and received_on and due_on < received_on:
        return _l("The due date is before the directive was received.")
    if due_on and assigned_on and due_on < assigned_on:
        return _l("The due date is before the assignment date.")
    return None


def ruled_dates(leader_level, urgent, received_on, rules, calendar):
    """(due date, first-progress date) the rules give a directive received on
    `received_on`; None for a date no rule gives."""
    dates = []
    for target in ("result", "first_progress"):
        rule = deadlines.pick_rule(rules, target, leader_level, bool(urgent))
        known = received_on is not None and rule is not None
        dates.append(deadlines.due_on(received_on, rule, calendar) if known else None)
    return tuple(dates)


def plan_dates(directive, rules, calendar, given_due_on=None, reason=""):
    """The due date and first-progress date of a new assignment of `directive`.

    The rules give both; staff may give another due date, with a reason.
    Raises RuleError when no rule applies and no date is given, or a date is given
    without a reason.
    """
    # A directive not yet saved has no origin until its INSERT: an instruction.
    if (getattr(directive, "origin", None) or "instruction") != "instruction":
        # A key work item or a rectification is due when the office says (the year's end,
        # the rectification's deadline): the instruction deadline rules do not apply.
        if given_due_on is None:
            raise RuleError(_l("Enter the due date."), field="due_on")
        return given_due_on, None
    ruled, progress = ruled_dates(
        directive.leader_level, directive.urgent, directive.received_on, rules, calendar
    )
    if given_due_on is None:
        if ruled is None:
            raise RuleError(
                _l("No deadline rule applies to this directive: enter the due date."),
                field="due_on",
            )
        return ruled, progress
    if ruled is not None and given_due_on != ruled and _blank(reason):
        raise RuleError(
            _l("The rules give %(day)s; give the reason for another due date.", day=ruled),
            field="due_reason",
        )
    return given_due_on, progress


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _history_is_kept(session, flush_context, instances):
    """Refuse to save a status change that did not go through `_record`."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, AssignmentLifecycle):
            continue
        changed = obj in session.new or sa.inspect(obj).attrs.status.history.has_changes()
        if changed and (obj.status is None or getattr(obj, "_recorded_status", None) != obj.status):
            raise IllegalTransition(
                _l("An assignment's state changes only through its recorded steps.")
            )
