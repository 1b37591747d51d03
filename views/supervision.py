"""Special supervision (专项督查) and site visits (实地督办): the office keeps them; a unit
reads those it is among. A visit's rectification is the unit's assignment, reported on and
answered on the assignment's own page."""

from types import SimpleNamespace

import sqlalchemy as sa
from flask import flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from models import Assignment, Directive, SiteVisit, SupervisionProject, Unit
from models.accounts import EVERYONE
from models.steps import ASSIGNMENT_STATUSES
from models.supervision import dates_problem
from views.directives import light_badge
from views.secure import SecureModelView


def _units(view, context, model, name):
    return "、".join(u.name for u in model.units)


def _visits(view, context, model, name):
    """The project's site visits the reader may see, each linked to its page."""
    visits = (
        SiteVisit.query.filter(SiteVisit.project_id == model.id, SiteVisit.visible_to(current_user))
        .options(sa.orm.joinedload(SiteVisit.unit))
        .order_by(SiteVisit.visited_on, SiteVisit.id)
        .all()
    )
    if not visits:
        return Markup('<span class="text-muted">{}</span>').format(_("No site visits recorded."))
    return Markup("<br>").join(
        Markup('<a href="{}">{} {} · {}</a>').format(
            url_for("site_visits.details_view", id=visit.id),
            visit.visited_on.isoformat(),
            visit.unit.name,
            visit.place,
        )
        for visit in visits
    )


def _rectification(view, context, model, name):
    """The rectification's assignment: status, due date, light, linked to its page."""
    assignment = model.rectification_assignment
    if assignment is None:
        return Markup('<span class="text-muted">{}</span>').format(_("No rectification required."))
    return Markup('<a href="{}">{}</a> {} {}').format(
        url_for("assignments.details_view", id=assignment.id),
        ASSIGNMENT_STATUSES.label(assignment.status),
        _("Due on %(day)s", day=assignment.due_on.isoformat()),
        light_badge(assignment.light(), assignment.days_overdue()),
    )


def _rectification_text(view, context, model, name):
    assignment = model.rectification_assignment
    return str(ASSIGNMENT_STATUSES.label(assignment.status)) if assignment else ""


class SupervisionProjectView(SecureModelView):
    """Special supervision projects: scope, units, dates and findings."""

    read_roles = EVERYONE
    # The units by name, not the relationship: a list or export would join the collection.
    column_list = ["title", "started_on", "ended_on", "unit_names"]
    column_details_list = [
        "title",
        "scope",
        "started_on",
        "ended_on",
        "units",
        "findings",
        "visits",
    ]
    column_export_list = ["title", "scope", "started_on", "ended_on", "unit_names", "findings"]
    column_labels = {"unit_names": _l("Units"), "visits": _l("Site visits")}
    column_formatters = {"units": _units, "visits": _visits}
    column_searchable_list = ["title"]
    column_filters = ["started_on"]
    column_default_sort = ("started_on", True)
    form_columns = ["title", "scope", "started_on", "ended_on", "units", "findings"]
    form_args = {"units": {"query_factory": lambda: Unit.query.order_by(Unit.code)}}
    form_widget_args = {"scope": {"rows": 4}, "findings": {"rows": 6}}

    def get_query(self):
        return super().get_query().options(sa.orm.selectinload(SupervisionProject.units))

    def form_problems(self, form):
        problem = dates_problem(form.started_on.data, form.ended_on.data)
        return [(form.ended_on, problem)] if problem else []


class SiteVisitView(SecureModelView):
    """Site visits: who went, when, where, what was found, and what must be rectified by
    when (tracked as the unit's assignment)."""

    read_roles = EVERYONE
    column_list = ["visited_on", "unit", "place", "members", "rectify_by", "rectification_state"]
    column_labels = {
        "rectification_state": _l("Rectification"),
        "project": _l("Special supervision"),
    }
    column_details_list = [
        "project",
        "unit",
        "stalled_assignment",
        "visited_on",
        "place",
        "members",
        "findings",
        "rectification",
        "rectify_by",
        "rectification_state",
    ]
    column_export_list = [
        "visited_on",
        "unit",
        "place",
        "members",
        "findings",
        "rectification",
        "rectify_by",
        "rectification_state",
    ]
    column_formatters = {"rectification_state": _rectification}
    column_formatters_export = {"rectification_state": _rectification_text}
    column_searchable_list = ["place", "members"]
    column_filters = ["unit", "visited_on", "rectify_by"]
    column_default_sort = ("visited_on", True)
    form_columns = [
        "project",
        "unit",
        "stalled_assignment",
        "visited_on",
        "place",
        "members",
        "findings",
        "rectification",
        "rectify_by",
    ]
    form_ajax_refs = {
        "stalled_assignment": {
            "fields": (Directive.number, Directive.title, Unit.name),
            "joins": (Assignment.directive, Assignment.unit),
            "placeholder": _l("Directive number, title or unit"),
            "minimum_input_length": 0,
        },
    }
    form_widget_args = {"findings": {"rows": 6}, "rectification": {"rows": 4}}
    column_descriptions = {
        "rectify_by": _l("With what must be rectified: the unit's assignment, due on this day."),
    }

    def get_query(self):
        # Each row's rectification is its directive's assignment.
        return (
            super()
            .get_query()
            .options(sa.orm.selectinload(SiteVisit.directive).selectinload(Directive.assignments))
        )

    def form_problems(self, form):
        obj = form._obj
        unit = form.unit.data
        if obj is not None and unit is not None and unit.id != obj.unit_id and obj.directive:
            return [(form.unit, _l("A rectification under way keeps its unit."))]
        draft = SimpleNamespace(
            rectification=form.rectification.data,
            rectify_by=form.rectify_by.data,
            visited_on=form.visited_on.data,
            directive=obj.directive if obj is not None else None,
        )
        problem = SiteVisit.rectification_problem(draft)
        return [(getattr(form, problem[0]), problem[1])] if problem else []

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if model.require_rectification(current_user) is not None and is_created:
            flash(_("The rectification is tracked as the unit's assignment."), "success")
