"""The small forms on an assignment's page, one per step of its life, and the page itself.

Each form only collects what the step needs and calls the one model method that decides;
the model refuses what the rules refuse (RuleError), and the form shows why. `StepsMixin`
is the page that offers them and takes one (assignments, criticism notices).
"""

from flask import abort, current_app, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField, validators

from jobs.notices import dispatch_notices
from models import RuleError, clock, db
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


class StepsMixin:
    """A record's details page with the forms of the steps the person may take, and the
    endpoint that takes one: valid and allowed, it is saved and the page shown again;
    refused, the page comes back with the reason in the form.

    The view names its forms in `step_forms` and renders the page in `step_page`.
    """

    step_forms = {}

    def may_take_steps(self):
        """Whether the person may send a step at all, asked before the record is read."""
        return True

    def offers(self, record, form_class):
        """Whether the record's page offers the form to the person."""
        return record.may(current_user, form_class.permission)

    def step_page(self, record, forms):
        raise NotImplementedError

    @expose("/details/")
    def details_view(self):
        row_id = request.args.get("id")
        if row_id is None:
            return redirect(self.get_url(".index_view"))
        return self._page(self.get_one(row_id))

    @expose("/act/<step>/", methods=("POST",))
    def act(self, step):
        """Take one step of the record's life; a refusal is shown in its form."""
        if not self.may_take_steps():
            abort(403)
        record = self.get_one(request.args.get("id"))
        if step not in self.step_forms:
            abort(404)
        form = self.step_forms[step](request.form)
        if form.validate():
            try:
                form.run(record, current_user)
                db.session.commit()
            except RuleError as error:
                db.session.rollback()
                record = self.get_one(record.id)  # as it is, not as the step left it
                show_error(form, error)
            else:
                form.after_commit()
                return redirect(self.get_url(".details_view", id=record.id))
        return self._page(record, step, form)

    def _page(self, record, failed_name=None, failed_form=None):
        offered = {
            name: form_class()
            for name, form_class in self.step_forms.items()
            if self.offers(record, form_class)
        }
        if failed_name:
            offered[failed_name] = failed_form
        for form in offered.values():
            form.leave_out_for(current_user)
        return self.step_page(record, offered)
