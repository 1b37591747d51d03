"""Leaders' directives and the units' assignments: lists with lights, pages with timelines,
and the steps of an assignment's life."""

from functools import partial
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import DatePickerWidget, Select2Widget
from flask_admin.model.form import InlineFormAdmin
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectField, StringField, validators

from models import (
    RANKING_GROUPS,
    Assignment,
    DeadlineRule,
    Directive,
    RuleError,
    Unit,
    WorkCalendar,
    bounds,
    clock,
    db,
    documents,
)
from models.accounts import EVERYONE, OFFICE
from models.directives import DIRECTIVE_LIGHTS, DIRECTIVE_STAGES, LEADER_LEVELS, PARTS, yellow_days
from models.feedback import SCAN_TYPES, read_upload, remove_files, store_scan
from models.lifecycle import dates_problem, plan_dates, ruled_dates
from views.base.forms import inline_form
from views.bounds import arg_day
from views.documents import send_docx
from views.feedback import UploadField
from views.fields import DateField
from views.secure import SecureModelView

LIGHT_CSS = {
    "red": "danger",
    "yellow": "warning",
    "green": "success",
    "closed": "secondary",
    "unassigned": "light",
}


def request_calendar():
    """One working-day calendar per request, so its warnings can be shown once."""
    if "work_calendar" not in g:
        g.work_calendar = WorkCalendar.load()
    return g.work_calendar


def request_rules():
    if "deadline_rules" not in g:
        g.deadline_rules = DeadlineRule.query.all()
    return g.deadline_rules


def flash_calendar_warning():
    warning = g.get("work_calendar") and g.work_calendar.warning()
    if warning:
        flash(str(warning), "warning")


def light_badge(light, days_overdue=0):
    label = DIRECTIVE_LIGHTS.label(light)
    if light == "red" and days_overdue:
        label = _("Overdue by %(days)s days", days=days_overdue)
    css = LIGHT_CSS.get(light, "light")
    return Markup(f'<span class="badge badge-{css} ducha-light">{escape(str(label))}</span>')


def _directive_light(view, context, model, name):
    return light_badge(model.light or "unassigned")


def light_text(view, context, model, name):
    light = model.light() if isinstance(model, Assignment) else model.light
    return str(DIRECTIVE_LIGHTS.label(light or "unassigned"))


def _content(view, context, model, name):
    if model.shows_content_to(current_user):
        return model.content
    return Markup(f"<em>{escape(_('Confidential: the content is not shown.'))}</em>")


def _scans(view, context, model, name):
    """Links to the scans of the instruction, for those who may read its content."""
    if not model.shows_content_to(current_user):
        return Markup(f"<em>{escape(_('Confidential: the content is not shown.'))}</em>")
    links = [
        Markup('<div><a href="{}">{}</a></div>').format(
            url_for("feedback.download", attachment_id=scan.id), scan.original_name
        )
        for scan in model.scans
    ]
    return Markup("").join(links)


class LightFilter(sqla_filters.FilterEqual):
    """Filter on a light, computed in SQL when the list is asked for."""

    key = "light"

    def __init__(self, column, name, options, expression):
        super().__init__(column, name, options=options)
        self.expression = expression

    def apply(self, query, value, alias=None):
        return query.filter(self.expression() == value)


def _directive_light_sql():
    return Directive.light_expression(clock.today(), yellow_days(), current_user)


class AssignmentInline(InlineFormAdmin):
    """A directive's assignments in its form: deadlines come from the rules."""

    def on_model_change(self, form, model, is_created):
        reason = form.due_reason.data or ""
        if is_created:
            model.assign(current_user, request_calendar(), request_rules(), reason)
            return
        history = sa.inspect(model).attrs.due_on.history
        if history.deleted and history.added and history.deleted[0] != history.added[0]:
            new_due_on, model.due_on = model.due_on, history.deleted[0]
            model.change_due_date(current_user, new_due_on, reason)


def _entry_problems(sub, deleted, current, draft):
    """(field, message) pairs for one assignment row of the directive form."""
    if deleted:
        if current is not None and (current.status != "assigned" or current.feedback):
            return [(sub.unit, _l("An assignment under way cannot be removed: cancel it."))]
        return []
    if current is not None and sub.unit.data is not None and sub.unit.data.id != current.unit_id:
        return [(sub.unit, _l("An assignment's unit cannot be changed: cancel it instead."))]
    due_on, reason = sub.due_on.data, sub.due_reason.data
    problem = dates_problem(sub.assigned_on.data, due_on, draft.received_on)
    if problem:
        return [(sub.due_on, problem)]
    if current is not None:
        if due_on is None:
            return [(sub.due_on, _l("Enter the due date."))]
        if due_on != current.due_on and not (reason or "").strip():
            return [(sub.due_reason, _l("Give the reason for changing the due date."))]
        return []
    try:
        due_on, _progress = plan_dates(draft, request_rules(), request_calendar(), due_on, reason)
    except RuleError as error:
        return [(getattr(sub, error.field, sub.due_on), error.message)]
    problem = dates_problem(sub.assigned_on.data, due_on, draft.received_on)
    return [(sub.due_on, problem)] if problem else []


def scan_problems(form):
    """Read the scans sent with the form (kept in `form._uploads`); why one is refused."""
    form._uploads, problems = [], []
    for upload in form.scan.data or []:
        if getattr(upload, "filename", None):
            try:
                form._uploads.append(read_upload(upload, SCAN_TYPES))
            except ValueError as error:
                problems.append((form.scan, error.args[0]))
    return problems


def active_units():
    return Unit.query.filter_by(active=True).order_by(Unit.code)


def chosen_parts(form):
    """{unit: part} of the units chosen at once: a whole group first, then each chosen
    unit as the field it was chosen in says."""
    parts = {}
    if form.group.data:
        for unit in active_units().filter_by(ranking_group=form.group.data):
            parts[unit] = form.group_part.data
    parts.update(dict.fromkeys(form.support_units.data or [], "support"))
    parts.update(dict.fromkeys(form.lead_units.data or [], "lead"))
    return parts


def parts_problems(form, draft):
    """A unit chosen both to lead and to support; the rules' due date for new units."""
    both = set(form.lead_units.data or []) & set(form.support_units.data or [])
    if both:
        names = "、".join(sorted(unit.name for unit in both))
        return [
            (form.support_units, _l("Chosen both to lead and to support: %(units)s", units=names))
        ]
    if chosen_parts(form):
        try:
            due_on, _progress = plan_dates(draft, request_rules(), request_calendar())
        except RuleError as error:
            return [(form.lead_units, error.message)]
        problem = dates_problem(clock.today(), due_on, draft.received_on)
        if problem:  # assigned today, when the rules' date has passed: say so
            return [(form.lead_units, problem)]
    return []


URGENT_ARGS = {"0": False, "1": True}


def due_dates_args():
    """(leader level, urgent, received on) from the query, or raise ValueError saying
    which one is wrong."""
    level = request.args.get("leader_level", "")
    if level not in LEADER_LEVELS:
        raise ValueError(_("Choose the leader level."))
    urgent = URGENT_ARGS.get(request.args.get("urgent", "0"))
    if urgent is None:
        raise ValueError(_("Urgent is 0 or 1."))
    received_on = arg_day("received_on")
    if received_on is None:
        raise ValueError(bounds.day_message())
    return level, urgent, received_on


def due_dates_answer(due_on, progress_due_on):
    """The dates for the form, with the sentences it shows."""
    if due_on is None:
        lines = [_("No deadline rule applies to this directive: enter the due date.")]
    else:
        lines = [_("By the rules, finish by %(day)s.", day=due_on.isoformat())]
    if progress_due_on is not None:
        lines.append(_("First progress report by %(day)s.", day=progress_due_on.isoformat()))
    warning = request_calendar().warning()
    return {
        "due_on": due_on.isoformat() if due_on else None,
        "progress_due_on": progress_due_on.isoformat() if progress_due_on else None,
        "text": " ".join(lines),
        "warning": str(warning) if warning else None,
    }


class DirectiveView(SecureModelView):
    """Directives: the office records them and hands them to units."""

    read_roles = EVERYONE
    column_list = [
        "light",
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
    ]
    column_labels = {"light": _l("Light"), "stage": _l("Stage")}
    column_searchable_list = ["number", "title", "leader_name"]
    column_filters = [
        LightFilter(Directive.id, _l("Light"), DIRECTIVE_LIGHTS.pairs(), _directive_light_sql),
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
    ]
    column_default_sort = ("received_on", True)
    column_details_list = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
        "stage",
        "content",
        "scans",
    ]
    column_export_list = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
        "light",
        "content",
    ]
    column_formatters = {
        "light": _directive_light,
        "content": _content,
        "scans": _scans,
        "stage": lambda v, c, m, n: DIRECTIVE_STAGES.label(m.stage),
    }
    column_formatters_export = {"light": light_text}
    details_template = "admin/directives/directive_details.html"
    create_template = "admin/directives/directive_create.html"
    edit_template = "admin/directives/directive_edit.html"
    form_columns = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
        "content",
        "scan",
        "lead_units",
        "support_units",
        "group",
        "group_part",
        "assignments",
    ]
    form_extra_fields = {
        "scan": UploadField(
            _l("Scanned instruction"),
            description=_l("The leader's written instruction, scanned: PDF, JPG or PNG."),
        ),
        "lead_units": QuerySelectMultipleField(
            _l("Lead units"),
            query_factory=active_units,
            widget=Select2Widget(multiple=True),
            description=_l("Each handles the matter; their accepted results close it."),
        ),
        "support_units": QuerySelectMultipleField(
            _l("Supporting units"),
            query_factory=active_units,
            widget=Select2Widget(multiple=True),
            description=_l("Each reports its part to the lead units and the office."),
        ),
        "group": SelectField(
            _l("Add a whole ranking group"),
            choices=[("", "—"), *RANKING_GROUPS.pairs()],
            default="",
        ),
        "group_part": SelectField(
            _l("The group's units as"), choices=PARTS.pairs(), default="lead"
        ),
    }
    form_widget_args = {"content": {"rows": 8}}
    form_args = {"received_on": {"default": clock.today}}
    # No level chosen until the clerk chooses one: the deadline depends on it.
    form_choices = {"leader_level": [("", "—"), *LEADER_LEVELS.pairs()]}
    inline_models = [
        inline_form(
            Assignment,
            ["unit", "part", "assigned_on", "due_on", "due_reason"],
            _l("Assignment"),
            admin_class=AssignmentInline,
            extra_fields={
                # Optional here, unlike the column: left empty, the rules give it.
                "due_on": DateField(
                    _l("Due on"),
                    [validators.Optional()],
                    widget=DatePickerWidget(),
                    description=_l("Leave empty: the deadline rules give it."),
                ),
                "due_reason": StringField(
                    _l("Reason for another due date"),
                    description=_l("Needed when the due date differs from the rules."),
                ),
            },
            assigned_on={"default": clock.today},
        )
    ]

    @expose("/due-dates/")
    def due_dates(self):
        """The dates the deadline rules give, as JSON, for the form to show (the office)."""
        if current_user.role not in OFFICE:
            abort(403)
        try:
            level, urgent, received_on = due_dates_args()
        except ValueError as error:
            return jsonify({"error": str(error.args[0])}), 400
        dates = ruled_dates(level, urgent, received_on, request_rules(), request_calendar())
        return jsonify(due_dates_answer(*dates))

    @expose("/notice/")
    def supervision_notice_page(self):
        """The directive's 督办单 to print; the office issues (numbers) it here first."""
        directive = self.get_one(request.args.get("id"))
        number = documents.number_of(directive)
        if number is None and current_user.role not in OFFICE:
            flash(_("The office has not issued this directive's supervision notice yet."))
            return redirect(self.get_url(".details_view", id=directive.id))
        url = partial(self.get_url, id=directive.id)
        return self.render(
            "admin/documents/print.html",
            document=documents.supervision_notice(directive, current_user),
            back_url=url(".details_view"),
            docx_url=url(".supervision_notice_docx") if number else None,
            issue_url=None if number else url(".issue_supervision_notice"),
        )

    @expose("/notice/docx/")
    def supervision_notice_docx(self):
        """The directive's 督办单 as a Word file, once issued."""
        directive = self.get_one(request.args.get("id"))
        if documents.number_of(directive) is None:
            return redirect(self.get_url(".supervision_notice_page", id=directive.id))
        return send_docx(documents.supervision_notice(directive, current_user))

    @expose("/notice/issue/", methods=("POST",))
    def issue_supervision_notice(self):
        """Issue the directive's 督办单: its number is given now, once (the office)."""
        if current_user.role not in OFFICE:
            abort(403)
        directive = self.get_one(request.args.get("id"))
        try:
            number = documents.issue_number(directive, current_user)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(_("Issued as %(number)s.", number=str(number)), "success")
        return redirect(self.get_url(".supervision_notice_page", id=directive.id))

    def get_query(self):
        # Leaders' instructions only: a key work item or a rectification has its own
        # screen, which owns and edits its directive (ORIGINS in models/directives.py).
        light = Directive.light_expression(clock.today(), yellow_days(), current_user)
        query = super().get_query().filter(Directive.is_instruction())
        return query.options(sa.orm.with_expression(Directive.light, light))

    def get_count_query(self):
        return super().get_count_query().filter(Directive.is_instruction())

    def export_query(self, query):
        # A confidential directive is exported only to those who may read its content.
        return query.filter(Directive.content_visible_to(current_user))

    def form_problems(self, form):
        draft = SimpleNamespace(
            received_on=form.received_on.data,
            leader_level=form.leader_level.data,
            urgent=form.urgent.data,
        )
        existing = {a.id: a for a in (form._obj.assignments if form._obj else [])}
        problems = parts_problems(form, draft) + scan_problems(form)
        for entry in form.assignments.entries:
            pk = entry.get_pk()
            current = existing.get(bounds.record_id(pk))  # a posted id: any text
            deleted = form.assignments.should_delete(entry)
            problems += _entry_problems(entry.form, deleted, current, draft)
        return problems

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        for name, content in form._uploads:
            form._written.append(store_scan(model, name, content))
        made = model.hand_to(chosen_parts(form), current_user, request_calendar(), request_rules())
        if made:
            flash(_("Assigned to %(count)s more units.", count=len(made)), "success")

    def create_model(self, form):
        return self._keeping_files(form, super().create_model)

    def update_model(self, form, model):
        return self._keeping_files(
            form, lambda f: super(DirectiveView, self).update_model(f, model)
        )

    @staticmethod
    def _keeping_files(form, save):
        """Save; a scan written for a record that was not saved is removed again."""
        form._written = []
        form._uploads = getattr(form, "_uploads", [])
        saved = save(form)
        if not saved:
            remove_files(form._written)
        return saved

    def after_model_change(self, form, model, is_created):
        flash_calendar_warning()

    def on_model_delete(self, model):
        problem = model.delete_problem()
        if problem:
            raise RuleError(problem)

    def render(self, template, **kwargs):
        model = kwargs.get("model")
        if template == self.details_template and model is not None:
            kwargs["assignments"] = [
                a
                for a in model.assignments
                if current_user.sees_all_units or a.unit_id == current_user.unit_id
            ]
            kwargs["light_badge"] = light_badge
            number = documents.number_of(model)
            kwargs["notice_number"] = number
            kwargs["notice_link"] = number is not None or current_user.role in OFFICE
        return super().render(template, **kwargs)
