"""The units' assignments: each one's light, timeline and the steps of its life."""

import sqlalchemy as sa
from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from models import (
    LEADER_LEVELS,
    LIGHTS,
    Assignment,
    Directive,
    RuleError,
    WorkCalendar,
    bounds,
    clock,
    db,
    documents,
)
from models.accounts import EVERYONE, OFFICE
from models.desk import (
    LEADER_ASSIGNMENTS,
    OFFICE_ASSIGNMENTS,
    TODO_KINDS,
    UNIT_ASSIGNMENTS,
    assignment_kinds,
    leader_kind,
    office_kind,
    unit_kind,
    unsigned_days,
    unsigned_since,
)
from models.directives import ORIGINS, yellow_days
from models.feedback import FEEDBACK_KINDS, signer_rule
from models.steps import (
    ACTIONS,
    ASSIGNMENT_STATUSES,
    EXTENSION_STATES,
    OBJECTION_STATES,
    OBJECTION_SUBJECTS,
)
from views.assignment_actions import FORMS, StepsMixin, chase, report_chased
from views.base.filters import ViewerOptions
from views.directives import LightFilter, light_badge, light_text
from views.documents import send_docx
from views.secure import SecureModelView


def _assignment_light(view, context, model, name):
    return light_badge(model.light(), model.days_overdue())


# A key work item's or a rectification's directive has no page of its own: its owner's.
OWNER_PAGES = {
    "key_work": ("key_work_items.details_view", "key_work_item"),
    "rectification": ("site_visits.details_view", "site_visit"),
}


def _directive_link(view, context, model, name):
    endpoint, owner = OWNER_PAGES.get(model.directive.origin, ("directives.details_view", None))
    record_id = getattr(model.directive, owner).id if owner else model.directive_id
    url = view.get_url(endpoint, id=record_id)
    return Markup(f'<a href="{escape(url)}">{escape(str(model.directive))}</a>')


class DueWithinFilter(sqla_filters.BaseSQLAFilter):
    """Waiting on the unit and due within so many days from today (not yet overdue)."""

    key = "due_within"

    def apply(self, query, value, alias=None):
        return query.filter(Assignment.due_within_filter(clock.today(), value))

    def validate(self, value):
        return bounds.whole_number(value, 0, 366) is not None

    def clean(self, value):
        return int(value)

    def operation(self):
        return _l("days")


class OriginFilter(sqla_filters.FilterEqual):
    """Whose part it is: a leader's instruction, a key work item or a rectification."""

    key = "origin"

    def apply(self, query, value, alias=None):
        return query.filter(Assignment.directive.has(Directive.origin == value))

    def validate(self, value):
        return value in ORIGINS


class TodoFilter(ViewerOptions, sqla_filters.FilterEqual):
    """On a to-do list of the home page (待办): the same SQL condition that counts it. The
    options are the to-dos of the person's own role, whose move each is; a link may still
    name another's (the office reading a leader's red), and lists what it counts."""

    key = "todo"

    def get_options(self, view):
        if not current_user or not current_user.is_authenticated:
            return super().get_options(view)  # at start: every kind
        return [(kind, TODO_KINDS.label(kind)) for kind in assignment_kinds(current_user)]

    def apply(self, query, value, alias=None):
        return query.filter(todo_kind(value) == value)


def todo_kind(kind):
    """The SQL naming which to-do an assignment is on, for the audience of `kind`."""
    if kind in OFFICE_ASSIGNMENTS:
        return office_kind(unsigned_since(clock.today(), unsigned_days(), WorkCalendar.load()))
    if kind in LEADER_ASSIGNMENTS:
        return leader_kind(clock.today(), yellow_days())
    return unit_kind()


def _assignment_light_sql():
    return Assignment.light_expression(clock.today(), yellow_days())


class AssignmentView(StepsMixin, SecureModelView):
    """Each unit's part of a directive: its light, its timeline, and its next steps."""

    read_roles = EVERYONE
    step_forms = FORMS
    write_roles = frozenset()
    delete_roles = frozenset()
    column_list = [
        "light",
        "directive",
        "unit",
        "part",
        "assigned_on",
        "due_on",
        "status",
        "finished_on",
    ]
    column_labels = {
        "light": _l("Light"),
        "directive.number": _l("Number"),
        "directive.title": _l("Title"),
    }
    column_filters = [
        LightFilter(Assignment.id, _l("Light"), LIGHTS.pairs(), _assignment_light_sql),
        DueWithinFilter(Assignment.due_on, _l("Due within")),
        OriginFilter(Assignment.directive_id, _l("Origin"), options=ORIGINS.pairs()),
        TodoFilter(
            Assignment.id,
            _l("To do"),
            options=[
                (k, TODO_KINDS.label(k))
                for k in OFFICE_ASSIGNMENTS + UNIT_ASSIGNMENTS + LEADER_ASSIGNMENTS
            ],
        ),
        "unit",
        "status",
        "due_on",
        "assigned_on",
    ]
    column_sortable_list = [
        ("directive", "directive.number"),
        ("unit", "unit.name"),
        "assigned_on",
        "due_on",
        "status",
        "finished_on",
    ]
    column_searchable_list = ["directive.number", "directive.title"]
    column_default_sort = ("due_on", True)
    column_details_list = [
        "directive",
        "unit",
        "part",
        "status",
        "light",
        "assigned_on",
        "due_on",
        "original_due_on",
        "progress_due_on",
        "last_progress_on",
        "finished_on",
    ]
    column_formatters = {"light": _assignment_light}
    column_formatters_detail = {"light": _assignment_light, "directive": _directive_link}
    column_formatters_export = {"light": light_text}
    details_template = "admin/directives/assignment_details.html"

    def is_action_allowed(self, name):
        if name == "chase":
            return self._role() in OFFICE
        return super().is_action_allowed(name)

    @action(
        "chase",
        _l("Chase now"),
        _l(
            "Chase the selected assignments now? Each unit's information officers get a chase notice (once a day at most)."
        ),
    )
    def action_chase(self, ids):
        """Chase the ticked assignments the person may see, in one transaction."""
        wanted = [int(i) for i in ids]  # ids the database holds (SecureModelView.init_actions)
        query = (
            self.get_query()
            .filter(Assignment.id.in_(wanted))
            .options(
                sa.orm.selectinload(Assignment.events),
                sa.orm.selectinload(Assignment.extension_requests),
                sa.orm.joinedload(Assignment.directive),
                sa.orm.joinedload(Assignment.unit),
            )
            .order_by(Assignment.id)
        )
        chased = chase(query.all(), current_user)
        db.session.commit()
        report_chased(chased)

    def export_query(self, query):
        return query.filter(Assignment.directive.has(Directive.content_visible_to(current_user)))

    @expose("/chase-notice/")
    def chase_notice_page(self):
        """The 催办单 of an overdue assignment, to print."""
        assignment = self.get_one(request.args.get("id"))
        document = self._chase_notice(assignment)
        if document is None:
            return redirect(self.get_url(".details_view", id=assignment.id))
        return self.render(
            "admin/documents/print.html",
            document=document,
            back_url=self.get_url(".details_view", id=assignment.id),
            docx_url=self.get_url(".chase_notice_docx", id=assignment.id),
            issue_url=None,
        )

    @expose("/chase-notice/docx/")
    def chase_notice_docx(self):
        """The 催办单 of an overdue assignment as a Word file."""
        assignment = self.get_one(request.args.get("id"))
        document = self._chase_notice(assignment)
        if document is None:
            return redirect(self.get_url(".details_view", id=assignment.id))
        return send_docx(document)

    @staticmethod
    def _chase_notice(assignment):
        """The chase notice, or None with the reason flashed (not overdue)."""
        try:
            return documents.chase_notice(assignment)
        except RuleError as error:
            flash(str(error), "warning")
            return None

    def step_page(self, assignment, forms):
        return self.render(
            self.details_template,
            model=assignment,
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=self.get_url(".index_view"),
            forms=forms,
            shows_content=assignment.directive.shows_content_to(current_user),
            may_file=assignment.may(current_user, "progress"),
            chased_today=assignment.chased_on(clock.today()),
            overdue=assignment.is_overdue(),
            notice_number=documents.number_of(assignment.directive),
            partners=assignment.partners(),
            actions=ACTIONS,
            statuses=ASSIGNMENT_STATUSES,
            objection_subjects=OBJECTION_SUBJECTS,
            objection_states=OBJECTION_STATES,
            extension_states=EXTENSION_STATES,
            feedback_kinds=FEEDBACK_KINDS,
            leader_levels=LEADER_LEVELS,
            signer_rule=signer_rule(assignment.directive.leader_level),
            local=clock.local,
        )
