"""Criticism notices (通报批评): the office drafts them from the records, reviews, approves and
issues them; a unit reads its own once issued; leaders read them all."""

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField

from jobs.notices import dispatch_notices
from models import CriticismNotice, RuleError, WorkCalendar, clock, db
from models.accounts import EVERYONE, OFFICE
from models.criticism import CRITICISM_STATES, draft_criticisms, overdue_threshold
from models.notices import NOTICE_STATES
from models.periods import month
from models.scoring import DEDUCTION_KINDS
from views.assignment_actions import ActionForm, StepsMixin, _reason, show_error
from views.documents import send_docx
from views.forms import Form
from views.secure import SecureModelView

DRAFT_MONTHS = 12  # the months the drafting form offers, this one and those before
STATE_BADGES = {"draft": "secondary", "approved": "info", "issued": "danger", "dropped": "light"}


def month_choices(today):
    """(key, label) of this month and the eleven before, newest first."""
    first = today.replace(day=1)
    choices = []
    for _n in range(DRAFT_MONTHS):
        period = month(first)
        choices.append((period.key, period.display_label))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return choices


class DraftForm(Form):
    """What drafting asks: the month whose late and missed emergency reports to criticise
    (overdue assignments are counted as of today)."""

    month = SelectField(_l("Month of the emergency reports"))

    def __init__(self, formdata, today):
        super().__init__(formdata)
        self.month.choices = month_choices(today)
        if formdata is None:
            self.month.data = self.month.choices[1][0]  # last month, the one ended


class ApproveForm(ActionForm):
    permission = "approve"
    title = _l("Approve the notice")
    button = _l("Approve")
    confirm = _l("Approve the notice as it stands? Its text cannot be edited afterwards.")

    def run(self, notice, actor):
        notice.approve(actor)


class IssueForm(ActionForm):
    permission = "issue"
    title = _l("Issue and send")
    button = _l("Issue and number")
    confirm = _l(
        "Issue the criticism notice? It is given the next number of the year, which it "
        "keeps, and sent to the unit's information officers and principal leader."
    )

    def run(self, notice, actor):
        notice.issue(actor)
        self.notice = notice

    def after_commit(self):
        dispatch_notices(self.notice.waiting_notice_ids())
        flash(_("Issued as %(number)s.", number=str(self.notice.number)), "success")


class SendForm(ActionForm):
    permission = "send"
    title = _l("Send to anyone not yet sent")
    button = _l("Send")
    confirm = _l(
        "Send the notice to those of the unit who have not had it (an officer added since)? "
        "No one gets it twice."
    )

    def run(self, notice, actor):
        self.notice = notice
        self.written = notice.write_notices()

    def after_commit(self):
        dispatch_notices(self.notice.waiting_notice_ids())
        flash(_("%(count)s more messages written.", count=self.written), "success")


class DropForm(ActionForm):
    permission = "drop"
    title = _l("Drop the notice")
    button = _l("Drop")
    confirm = _l("Drop the notice? It is kept as dropped and not drafted again this month.")
    reason = _reason()

    def run(self, notice, actor):
        notice.drop(actor, self.reason.data)


FORMS = {"approve": ApproveForm, "issue": IssueForm, "send": SendForm, "drop": DropForm}


def _text(view, context, model, name):
    return Markup('<div class="ducha-text">{}</div>').format(model.text)


def _state_badge(view, context, model, name):
    badge = STATE_BADGES.get(model.state, "secondary")
    return Markup('<span class="badge badge-{}">{}</span>').format(
        badge, CRITICISM_STATES.label(model.state)
    )


class CriticismView(StepsMixin, SecureModelView):
    """Criticism notices: drafted from the records, approved and issued by the office."""

    read_roles = EVERYONE
    step_forms = FORMS
    write_roles = OFFICE
    delete_roles = OFFICE
    row_delete = False
    column_list = ["period", "unit", "reason", "title", "state", "number", "issued_at"]
    column_details_list = [
        "unit",
        "reason",
        "period",
        "state",
        "number",
        "title",
        "text",
        "drafted_at",
        "drafted_by_name",
        "approved_at",
        "approved_by_name",
        "issued_at",
        "issued_by_name",
        "dropped_at",
        "drop_reason",
    ]
    column_filters = ["unit", "reason", "state", "period", "issued_at"]
    column_searchable_list = ["title"]
    column_sortable_list = [
        "period",
        ("unit", "unit.name"),
        "reason",
        "state",
        "issued_at",
    ]
    column_default_sort = [("period", True), ("id", True)]
    column_formatters = {"state": _state_badge, "period": lambda v, c, m, n: m.period_label}
    column_formatters_detail = {
        "state": _state_badge,
        "text": _text,
        "period": lambda v, c, m, n: m.period_label,
    }
    form_columns = ["title", "text"]
    form_widget_args = {"text": {"rows": 14}}
    details_template = "admin/criticism/details.html"
    list_template = "admin/criticism/list.html"
    list_defer = ("text",)

    @property
    def can_create(self):
        return False  # drafted from the records (the 起草 page), never typed from nothing

    def may_draft(self):
        return self._role() in OFFICE

    def row_allows(self, model, action):
        return model.state == "draft"  # only a draft is edited or deleted

    def get_query(self):
        return super().get_query().options(sa.orm.joinedload(CriticismNotice.number))

    def is_action_allowed(self, name):
        if name in ("approve", "issue"):
            return self._role() in OFFICE
        return super().is_action_allowed(name)

    @action(
        "approve",
        _l("Approve"),
        _l("Approve the selected drafts as they stand? Their text cannot be edited afterwards."),
    )
    def action_approve(self, ids):
        """Approve the ticked drafts the person may see, in one transaction."""
        done, refused = self._each(ids, lambda notice: notice.approve(current_user))
        db.session.commit()
        self._report(done, refused, _("%(count)s notices approved."))

    @action(
        "issue",
        _l("Issue and send"),
        _l(
            "Issue the selected approved notices? Each is given the next number of the year "
            "and sent to its unit's information officers and principal leader."
        ),
    )
    def action_issue(self, ids):
        """Issue the ticked approved notices, in one transaction, then send them."""
        done, refused = self._each(ids, lambda notice: notice.issue(current_user))
        db.session.commit()
        dispatch_notices([i for notice in done for i in notice.waiting_notice_ids()])
        self._report(done, refused, _("%(count)s notices issued."))

    def _each(self, ids, step):
        wanted = [int(i) for i in ids]  # ids the database holds (SecureModelView.init_actions)
        query = self.get_query().filter(CriticismNotice.id.in_(wanted)).order_by(CriticismNotice.id)
        done, refused = [], []
        for notice in query:
            try:
                with db.session.begin_nested():
                    step(notice)
            except RuleError as error:
                refused.append((notice, str(error)))
            else:
                done.append(notice)
        return done, refused

    @staticmethod
    def _report(done, refused, message):
        if done:
            flash(message % {"count": len(done)}, "success")
        for notice, reason in refused:
            flash(_("%(title)s: %(reason)s", title=notice.title, reason=reason), "warning")

    # ---- drafting ----
    @expose("/draft/", methods=("GET", "POST"))
    def draft_view(self):
        """Draft the notices the records call for (the office)."""
        if self._role() not in OFFICE:
            abort(403)
        today = clock.today()
        form = DraftForm(request.form if request.method == "POST" else None, today)
        if request.method == "POST" and form.validate():
            period = month(dt.date.fromisoformat(form.month.data + "-01"))
            try:
                drafted = draft_criticisms(
                    today, period, current_user, overdue_threshold(), WorkCalendar.load()
                )
                db.session.commit()
            except RuleError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                flash(
                    _(
                        "%(made)s notices drafted; %(already)s had been drafted before.",
                        made=len(drafted.made),
                        already=len(drafted.already),
                    ),
                    "success" if drafted.made else "info",
                )
                return redirect(self.get_url(".index_view", flt0_state_equals="draft"))
        return self.render(
            "admin/criticism/draft.html",
            form=form,
            threshold=overdue_threshold(),
            today=today,
        )

    # ---- a notice's page, its steps and its print page ----
    def may_take_steps(self):
        return self._role() in OFFICE

    def offers(self, notice, form_class):
        return super().offers(notice, form_class) and current_user.role in OFFICE

    def step_page(self, notice, forms):
        office = current_user.role in OFFICE
        return self.render(
            self.details_template,
            model=notice,
            # The steps not taken yet (who approved, why dropped) are left out.
            details_columns=[
                (name, label)
                for name, label in self._details_columns
                if getattr(notice, name) not in (None, "")
            ],
            get_value=self.get_detail_value,
            return_url=self.get_url(".index_view"),
            forms=forms,
            sent=notice.notices() if office else [],
            notice_states=NOTICE_STATES,
            deduction_kinds=DEDUCTION_KINDS,
        )

    @expose("/print/")
    def print_view(self):
        """The notice to print: a unit its own once issued; the office any, a draft marked."""
        notice = self.get_one(request.args.get("id"))
        return self.render(
            "admin/documents/print.html",
            document=notice.document(),
            back_url=self.get_url(".details_view", id=notice.id),
            docx_url=self.get_url(".docx_view", id=notice.id),
            issue_url=None,
        )

    @expose("/print/docx/")
    def docx_view(self):
        """The notice as a Word file."""
        return send_docx(self.get_one(request.args.get("id")).document())


def unit_criticisms(unit, account):
    """The unit's criticism notices `account` may see, newest first (its details page)."""
    query = (
        sa.select(CriticismNotice)
        .where(CriticismNotice.unit_id == unit.id, CriticismNotice.visible_to(account))
        .options(sa.orm.joinedload(CriticismNotice.number))
        .order_by(CriticismNotice.period.desc(), CriticismNotice.id.desc())
    )
    return db.session.scalars(query).all()
