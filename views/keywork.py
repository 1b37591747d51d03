"""Key work (重要工作分工负责制): areas, items with their units' parts, the two yearly check
rounds with each unit's self-assessment and the office's verdict, and the summary per area
to print and as a workbook. The units' parts are assignments: their pages, steps and
reports are the assignments' own (views/assignments.py)."""

from functools import partial

import sqlalchemy as sa
from flask import current_app, flash, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import DatePickerWidget, Select2Widget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup
from wtforms import validators

from models import (
    Assignment,
    Directive,
    KeyWorkCheck,
    KeyWorkItem,
    RuleError,
    bounds,
    clock,
    db,
)
from models.accounts import EVERYONE, OFFICE
from models.desk import CHECK_TODOS, TODO_KINDS
from models.directives import DIRECTIVE_LIGHTS, LIGHT_RANKS, PARTS
from models.keywork import HALVES, PROGRESS, VERDICTS, check_date_problem, round_summary
from models.steps import ASSIGNMENT_STATUSES
from views.base.export import export_response
from views.base.printing import FilingBlock, Subtotal
from views.bounds import arg_id
from views.directives import active_units, light_badge
from views.fields import DateField
from views.secure import SecureModelView

YEAR_RANGE = validators.NumberRange(bounds.FIRST_DAY.year, bounds.LAST_DAY.year)
SEQ_RANGE = validators.NumberRange(1, 999)


def visible_parts(item):
    """The item's assignments the logged-in person may see (a unit: its own)."""
    return [
        a
        for a in item.assignments
        if current_user.sees_all_units or a.unit_id == current_user.unit_id
    ]


def _units(part):
    def format_units(view, context, model, name):
        return "、".join(u.name for u in model.units_of(part))

    return format_units


def _worst_light(item):
    lights = [a.light() for a in visible_parts(item)]
    return max(lights, key=LIGHT_RANKS.get) if lights else "unassigned"


def _light(view, context, model, name):
    return light_badge(_worst_light(model))


def _light_text(view, context, model, name):
    return str(DIRECTIVE_LIGHTS.label(_worst_light(model)))


def _parts_table(view, context, model, name):
    """Each unit's part the reader may see: its part, status, due date, light, linked to
    the assignment's page (where the unit reports and the office answers)."""
    rows = []
    for a in visible_parts(model):
        link = url_for("assignments.details_view", id=a.id)
        rows.append(
            Markup(
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
            ).format(
                link,
                a.unit.name,
                PARTS.label(a.part),
                ASSIGNMENT_STATUSES.label(a.status),
                a.due_on.isoformat(),
                light_badge(a.light(), a.days_overdue()),
            )
        )
    if not rows:
        return Markup('<span class="text-muted">{}</span>').format(_("No unit yet."))
    head = [_("Unit"), _("Part"), _("Status"), _("Due on"), _("Light")]
    return Markup(
        '<table class="table table-sm ducha-key-work-parts"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
    ).format(Markup("").join(Markup("<th>{}</th>").format(h) for h in head), Markup("").join(rows))


class KeyWorkAreaView(SecureModelView):
    """The year's areas of key work (e.g. 8 areas): the office keeps them, all read them."""

    read_roles = EVERYONE
    column_list = ["year", "seq", "name"]
    column_default_sort = [("year", True), ("seq", False)]
    column_filters = ["year"]
    column_searchable_list = ["name"]
    form_columns = ["year", "seq", "name"]
    form_args = {"year": {"validators": [YEAR_RANGE]}, "seq": {"validators": [SEQ_RANGE]}}

    def on_model_delete(self, model):
        if model.items:
            raise RuleError(_l("An area with items cannot be deleted."))


class KeyWorkItemView(SecureModelView):
    """Key work items: the leader in charge, lead and supporting units, the year's targets;
    each unit's part is an assignment, reported on and answered on its own page."""

    read_roles = EVERYONE
    column_list = ["light", "area", "seq", "title", "leader_name", "lead_units", "support_units"]
    column_labels = {
        "light": _l("Light"),
        "lead_units": _l("Lead units"),
        "support_units": _l("Supporting units"),
        "parts": _l("The units' parts"),
    }
    column_details_list = [
        "area",
        "seq",
        "title",
        "leader_name",
        "targets",
        "light",
        "parts",
    ]
    column_export_list = [
        "area",
        "seq",
        "title",
        "leader_name",
        "lead_units",
        "support_units",
        "targets",
        "light",
    ]
    column_formatters = {
        "light": _light,
        "lead_units": _units("lead"),
        "support_units": _units("support"),
        "parts": _parts_table,
    }
    column_formatters_export = {
        "light": _light_text,
        "lead_units": _units("lead"),
        "support_units": _units("support"),
    }
    column_searchable_list = ["title", "leader_name"]
    column_filters = ["area", "leader_name"]
    column_sortable_list = ["seq", "title", "leader_name"]
    column_default_sort = [("area_id", True), ("seq", False)]
    form_columns = [
        "area",
        "seq",
        "title",
        "leader_name",
        "targets",
        "lead_units",
        "support_units",
        "due_on",
    ]
    form_args = {"seq": {"validators": [SEQ_RANGE]}}
    form_widget_args = {"targets": {"rows": 6}}
    form_extra_fields = {
        "lead_units": QuerySelectMultipleField(
            _l("Lead units"),
            query_factory=active_units,
            widget=Select2Widget(multiple=True),
            description=_l("Units to add; a unit's part is cancelled on its assignment's page."),
        ),
        "support_units": QuerySelectMultipleField(
            _l("Supporting units"),
            query_factory=active_units,
            widget=Select2Widget(multiple=True),
        ),
        "due_on": DateField(
            _l("Due on"),
            [validators.Optional()],
            widget=DatePickerWidget(),
            description=_l("For the units added now; left empty, the year's last day."),
        ),
    }

    def get_query(self):
        return (
            super()
            .get_query()
            .options(
                sa.orm.joinedload(KeyWorkItem.area),
                sa.orm.joinedload(KeyWorkItem.directive)
                .selectinload(Directive.assignments)
                .joinedload(Assignment.unit),
            )
        )

    def form_problems(self, form):
        lead, support = set(form.lead_units.data or []), set(form.support_units.data or [])
        if lead & support:
            names = "、".join(sorted(u.name for u in lead & support))
            return [
                (
                    form.support_units,
                    _l("Chosen both to lead and to support: %(units)s", units=names),
                )
            ]
        if form._obj is None and not lead:
            return [(form.lead_units, _l("Choose at least one lead unit."))]
        area, due_on = form.area.data, form.due_on.data
        if area is not None and due_on is not None and due_on.year != area.year:
            return [(form.due_on, _l("The due date is in the item's year."))]
        if due_on is not None and due_on < clock.today():
            return [(form.due_on, _l("The due date %(day)s has passed.", day=due_on.isoformat()))]
        return []

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.write_carrier()
        parts = dict.fromkeys(form.support_units.data or [], "support")
        parts.update(dict.fromkeys(form.lead_units.data or [], "lead"))
        made = model.hand_to(parts, current_user, due_on=form.due_on.data)
        if made:
            flash(_("Assigned to %(count)s more units.", count=len(made)), "success")

    def on_model_delete(self, model):
        problem = model.directive.delete_problem() if model.directive else None
        if problem:
            raise RuleError(problem)


class CheckRoundView(SecureModelView):
    """The two yearly checks (early July, end of December): opening one makes a check per
    item and unit; its summary per area prints and downloads as a workbook."""

    read_roles = EVERYONE
    column_list = ["year", "half", "checked_on", "note"]
    column_default_sort = [("year", True), ("half", True)]
    column_filters = ["year", "half"]
    column_details_list = ["year", "half", "checked_on", "note", "summary"]
    column_labels = {"summary": _l("Summary by area")}
    column_formatters_detail = {
        "summary": lambda v, c, m, n: Markup(
            '<a class="btn btn-outline-primary btn-sm ducha-summary" href="{}">{}</a>'
        ).format(url_for("key_work_rounds.summary", id=m.id), _("Summary by area"))
    }
    form_columns = ["year", "half", "checked_on", "note"]
    form_args = {"year": {"validators": [YEAR_RANGE]}}
    column_descriptions = {
        "checked_on": _l("Mid-year: 1 to 10 July; year-end: 21 to 31 December."),
    }

    def form_problems(self, form):
        problem = check_date_problem(form.year.data, form.half.data, form.checked_on.data)
        return [(form.checked_on, problem)] if problem else []

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        made = model.open()
        if made:
            flash(_("%(count)s checks made for the units.", count=len(made)), "success")

    def _round(self):
        return self.get_one(request.args.get("id"))

    def _summary(self, check_round):
        area_id = arg_id("area")
        scope = KeyWorkCheck.visible_to(current_user)
        return round_summary(check_round, scope=scope, area_id=area_id)

    def _title(self, check_round):
        return _(
            "Key work %(year)s, %(check)s: summary by area",
            year=check_round.year,
            check=HALVES.label(check_round.half),
        )

    @expose("/summary/")
    def summary(self):
        """The round's checks by area, to print with the browser."""
        check_round = self._round()
        areas = self._summary(check_round)
        return self.render(
            "admin/keywork/summary.html",
            check_round=check_round,
            areas=areas,
            header=summary_header(),
            rows=partial(area_rows, with_area=False),
            verdicts=VERDICTS,
            title=self._title(check_round),
            office_name=current_app.config["OFFICE_NAME"],
            xlsx_url=self.get_url(".summary_xlsx", **request.args),
            back_url=self.get_url(".details_view", id=check_round.id),
        )

    @expose("/summary.xlsx")
    def summary_xlsx(self):
        """The summary as a workbook printed to the office's standards."""
        check_round = self._round()
        rows = []
        for area in self._summary(check_round):
            rows.append(Subtotal([area_heading(area), *[""] * (len(summary_header()) - 1)]))
            rows.extend(area_rows(area))
        title = self._title(check_round)
        return export_response(
            "xlsx",
            title,
            summary_header(),
            rows,
            title=title,
            subtitle=_("Checked on %(day)s", day=check_round.checked_on.isoformat()),
            sheet_name=str(check_round.year),
            widths=[8, 30, 12, 16, 10, 12, 12, 40, 10, 30],
            filing=FilingBlock(current_app.config["OFFICE_NAME"], str(current_user), clock.today()),
        )


def summary_header():
    return [
        _("No."),
        _("Key work item"),
        _("Leader in charge"),
        _("Unit"),
        _("Part"),
        _("Status"),
        _("Progress"),
        _("Self-assessment"),
        _("Verdict"),
        _("Office's opinion"),
    ]


def area_heading(area):
    counts = area.counts()
    tally = pgettext("counts", ", ").join(
        _("%(verdict)s %(count)s", verdict=VERDICTS.label(value), count=counts[value])
        for value in VERDICTS
        if counts[value]
    )
    text = f"{area.area.seq}. {area.area.name}"
    return _("%(area)s (%(tally)s)", area=text, tally=tally) if tally else text


def area_rows(area, with_area=False):
    """The area's checks as rows of plain text, the same on the page and the workbook."""
    rows = []
    for check in area.checks:
        assignment = check.assignment
        rows.append(
            [
                check.item.number,
                check.item.title,
                check.item.leader_name,
                check.unit.name,
                str(PARTS.label(assignment.part)) if assignment else "",
                str(ASSIGNMENT_STATUSES.label(assignment.status)) if assignment else "",
                str(PROGRESS.label(check.progress)) if check.progress else "",
                check.self_assessment,
                str(VERDICTS.label(check.verdict)) if check.verdict else "",
                check.office_comment,
            ]
        )
    return rows


class CheckTodoFilter(sqla_filters.FilterEqual):
    """On a to-do list of the home page (待办): the same SQL condition that counts it."""

    key = "todo"

    def apply(self, query, value, alias=None):
        return query.filter(CHECK_TODOS[value](clock.today()))

    def validate(self, value):
        return value in CHECK_TODOS


class KeyWorkCheckView(SecureModelView):
    """Each unit's part at a check: the unit writes its self-assessment until the office
    gives its verdict (好, 较好, 一般, 差); a unit sees and writes its own only."""

    read_roles = EVERYONE
    write_roles = OFFICE | {"unit"}  # leaders read only
    can_create = False  # made by opening a round, never by hand
    row_delete = False
    delete_roles = frozenset()
    unit_field = "unit"
    office_only_fields = ("verdict", "office_comment")
    column_list = ["round", "item", "unit", "progress", "verdict", "assessed_at"]
    column_details_list = [
        "round",
        "item",
        "unit",
        "progress",
        "self_assessment",
        "assessed_at",
        "verdict",
        "office_comment",
        "judged_by_name",
        "judged_at",
    ]
    column_export_list = [
        "round",
        "item",
        "unit",
        "progress",
        "self_assessment",
        "verdict",
        "office_comment",
    ]
    column_filters = [
        "round",
        "unit",
        "verdict",
        "progress",
        CheckTodoFilter(
            KeyWorkCheck.id, _l("To do"), options=[(k, TODO_KINDS.label(k)) for k in CHECK_TODOS]
        ),
    ]
    column_sortable_list = ["progress", "verdict", "assessed_at"]
    column_default_sort = [("id", False)]
    form_columns = ["progress", "self_assessment", "verdict", "office_comment"]
    form_widget_args = {"self_assessment": {"rows": 6}}
    export_label_options = {KeyWorkItem: (sa.orm.joinedload(KeyWorkItem.area),)}

    def row_allows(self, model, action):
        if action == "edit" and current_user.is_unit_officer:
            return model.verdict is None  # the verdict closes the self-assessment
        return True

    def get_query(self):
        return (
            super()
            .get_query()
            .options(
                sa.orm.joinedload(KeyWorkCheck.round),
                # The item is shown by its number, which is its area's too.
                sa.orm.joinedload(KeyWorkCheck.item).joinedload(KeyWorkItem.area),
                sa.orm.joinedload(KeyWorkCheck.unit),
            )
        )

    def update_model(self, form, model):
        """The form's values through the check's rules (assess, judge), never set directly."""
        try:
            text, progress = form.self_assessment.data, form.progress.data or None
            if text != model.self_assessment or progress != model.progress:
                model.assess(current_user, text, progress)
            if "verdict" in form and form.verdict.data:
                verdict, comment = form.verdict.data, form.office_comment.data or ""
                if verdict != model.verdict or comment != model.office_comment:
                    model.judge(current_user, verdict, comment)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*field.errors, str(error)]
            flash(str(error), "error")
            return False
        self.after_model_change(form, model, False)
        return True
