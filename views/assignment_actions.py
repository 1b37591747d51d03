"""The small forms on an assignment's page, one per step of its life.

Each form only collects what the step needs and calls the one model method that decides;
the model refuses what the rules refuse (RuleError), and the form shows why.
"""

from flask import current_app, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField, validators

from jobs.notices import dispatch_notices
from models import clock
from models.accounts import ADMINS
from models.chase import chase_now
from models.notice_plan import NoticeRules
from models.steps import OBJECTION_SUBJECTS
from views.fields import DateField
from views.forms import BaseForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _comment(label=_l("Comment")):
    return TextAreaField(label, filters=[_strip], render_kw={"rows": 2})


def _reason(label=_l("Reason")):
    return TextAreaField(
        label, [validators.InputRequired()], filters=[_strip], render_kw={"rows": 2}
    )


def _date(label, required=True):
    check = validators.InputRequired() if required else validators.Optional()
    return DateField(label, [check])


class ActionForm(BaseForm):
    """A step: `permission` is what `Assignment.may` is asked; `run` takes the step.

    A step that cannot simply be taken back declares `confirm`: the question the browser
    asks before sending the form (static/ducha.js reads it from `data-confirm`).
    Flask-Admin's form base, so WTForms' own messages come out in Chinese like the rest.
    """

    permission = None
    title = None
    button = _l("Save")
    confirm = None

    def run(self, assignment, actor):
        raise NotImplementedError

    # Fields only administrators fill (the rule they may override), left out for others.
    admin_fields = ()

    def leave_out_for(self, account):
        """Drop the fields `account` may not fill from the form shown to them."""
        if account.role not in ADMINS:
            for name in self.admin_fields:
                self.form_errors.extend(getattr(self, name).errors)  # said above the form
                delattr(self, name)

    def after_commit(self):
        """What the step starts once it is saved (a chase's notices); and its message."""
        flash(_("Saved: %(step)s.", step=self.title), "success")


class AcknowledgeForm(ActionForm):
    permission = "acknowledge"
    title = _l("Acknowledge (sign for it)")
    button = _l("Acknowledge")
    comment = _comment()

    def run(self, assignment, actor):
        return assignment.acknowledge(actor, self.comment.data)


class ObjectForm(ActionForm):
    permission = "object"
    title = _l("Object to the assignment or its deadline")
    button = _l("Raise the objection")
    subject = SelectField(_l("Objection to"), choices=OBJECTION_SUBJECTS.pairs())
    reason = _reason()

    def run(self, assignment, actor):
        return assignment.raise_objection(actor, self.subject.data, self.reason.data)


class DecideObjectionForm(ActionForm):
    permission = "decide_objection"
    title = _l("Decide the objection")
    decision = SelectField(
        _l("Decision"), choices=[("reject", _l("Reject")), ("uphold", _l("Uphold"))]
    )
    new_due_on = _date(_l("New due date (when upholding an objection to the deadline)"), False)
    comment = _comment()

    def run(self, assignment, actor):
        return assignment.decide_objection(
            actor, self.decision.data == "uphold", self.comment.data, self.new_due_on.data
        )


class RequestExtensionForm(ActionForm):
    permission = "request_extension"
    title = _l("Ask for an extension")
    button = _l("Send the request")
    proposed_due_on = _date(_l("Proposed due date"))
    reason = _reason()

    def run(self, assignment, actor):
        return assignment.request_extension(actor, self.proposed_due_on.data, self.reason.data)


class GrantExtensionForm(ActionForm):
    permission = "decide_extension"
    title = _l("Grant the extension")
    button = _l("Grant")
    confirm = _l("Grant the extension? The due date moves to the new date.")
    granted_due_on = _date(_l("New due date (empty: the proposed one)"), False)
    comment = _comment()
    cap_override_reason = _comment(_l("Reason for going past the one-month limit (administrators)"))
    admin_fields = ("cap_override_reason",)

    def run(self, assignment, actor):
        return assignment.grant_extension(
            actor, self.granted_due_on.data, self.comment.data, self.cap_override_reason.data
        )


class RefuseExtensionForm(ActionForm):
    permission = "decide_extension"
    title = _l("Refuse the extension")
    button = _l("Refuse")
    confirm = _l("Refuse the extension? The due date stays as it is.")
    comment = _reason()

    def run(self, assignment, actor):
        return assignment.refuse_extension(actor, self.comment.data)


class AcceptForm(ActionForm):
    permission = "accept"
    title = _l("Accept the result")
    button = _l("Accept")
    confirm = _l("Accept the result and finish the assignment? It cannot be changed afterwards.")
    comment = _comment()

    def run(self, assignment, actor):
        return assignment.accept(actor, self.comment.data)


class ReturnForm(ActionForm):
    permission = "return_result"
    title = _l("Return the result to be redone")
    button = _l("Return")
    confirm = _l("Return the result to the unit to be redone? The unit must submit it again.")
    reason = _reason(_l("What is missing (facts, causes, measures)"))

    def run(self, assignment, actor):
        return assignment.return_result(actor, self.reason.data)


class ChangeDueDateForm(ActionForm):
    permission = "change_due_date"
    title = _l("Change the due date")
    due_on = _date(_l("New due date"))
    reason = _reason()

    def run(self, assignment, actor):
        return assignment.change_due_date(actor, self.due_on.data, self.reason.data)


class CancelForm(ActionForm):
    permission = "cancel"
    title = _l("Cancel the assignment")
    button = _l("Cancel the assignment")
    confirm = _l("Cancel the assignment? A cancelled assignment cannot be reopened.")
    reason = _reason()

    def run(self, assignment, actor):
        return assignment.cancel(actor, self.reason.data)


class ChaseForm(ActionForm):
    permission = "chase"
    title = _l("Chase the unit now")
    button = _l("Chase now")
    confirm = _l("Chase the unit now? Its information officers get a chase notice at once.")
    comment = _comment(_l("Added to the chase notice (optional)"))

    def run(self, assignment, actor):
        self.chased = chase([assignment], actor, self.comment.data)

    def after_commit(self):
        report_chased(self.chased)


def chase(assignments, actor, comment=""):
    """Chase the assignments now, with the office's notice rules (the caller commits)."""
    rules = NoticeRules.from_config(current_app.config)
    return chase_now(assignments, actor, comment, clock.today(), rules)


def report_chased(chased):
    """Hand the chases' notices to the sender (after the commit) and say what was done."""
    if chased.chased:
        dispatch_notices(chased.notice_ids(clock.today()))
        flash(
            _(
                "Chased %(count)s assignments; the notices are on their way.",
                count=len(chased.chased),
            ),
            "success",
        )
    if chased.already:
        flash(
            _(
                "%(count)s assignments were already chased today: chased once a day at most.",
                count=len(chased.already),
            ),
            "info",
        )
    for assignment, reason in chased.refused:
        flash(
            _(
                "%(number)s %(unit)s was not chased: %(reason)s",
                number=assignment.directive.number,
                unit=assignment.unit,
                reason=reason,
            ),
            "warning",
        )


FORMS = {
    "acknowledge": AcknowledgeForm,
    "object": ObjectForm,
    "decide_objection": DecideObjectionForm,
    "request_extension": RequestExtensionForm,
    "grant_extension": GrantExtensionForm,
    "refuse_extension": RefuseExtensionForm,
    "accept": AcceptForm,
    "return_result": ReturnForm,
    "change_due_date": ChangeDueDateForm,
    "cancel": CancelForm,
    "chase": ChaseForm,
}


def show_error(form, error):
    """Put a model's refusal next to the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
