"""Leaders' directives and the units' assignments."""

from flask_babel import lazy_gettext as _l

from models import Assignment, clock
from views.secure import SecureModelView, inline_form


class DirectiveView(SecureModelView):
    """Directives: the office records them and hands them to units."""

    read_roles = frozenset({"admin", "staff", "leader", "unit"})
    column_list = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
    ]
    column_searchable_list = ["number", "title", "leader_name"]
    column_filters = ["leader_level", "urgent", "confidential", "received_on"]
    column_default_sort = ("received_on", True)
    column_details_list = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
        "content",
        "assignments",
    ]
    form_columns = [
        "number",
        "title",
        "leader_name",
        "leader_level",
        "urgent",
        "confidential",
        "received_on",
        "content",
        "assignments",
    ]
    form_widget_args = {"content": {"rows": 8}}
    form_args = {"received_on": {"default": clock.today}}
    inline_models = [
        inline_form(
            Assignment,
            ["unit", "assigned_on", "due_on", "status"],
            _l("Assignment"),
            assigned_on={"default": clock.today},
        )
    ]

    def form_problems(self, form):
        received_on = form.received_on.data
        problems = []
        for entry in form.assignments.entries:
            sub = entry.form
            if getattr(entry, "_should_delete", False):
                continue
            draft = Assignment(assigned_on=sub.assigned_on.data, due_on=sub.due_on.data)
            message = draft.date_problem(received_on)
            if message:
                problems.append((sub.due_on, message))
        return problems


class AssignmentView(SecureModelView):
    """Each unit's part of a directive, with its deadline."""

    read_roles = frozenset({"admin", "staff", "leader", "unit"})
    column_list = ["directive", "unit", "assigned_on", "due_on", "status", "finished_on"]
    column_filters = ["unit", "status", "due_on", "assigned_on"]
    column_sortable_list = [
        ("directive", "directive.number"),
        ("unit", "unit.name"),
        "assigned_on",
        "due_on",
        "status",
        "finished_on",
    ]
    column_searchable_list = ["directive.number", "directive.title"]
    column_default_sort = ("due_on", False)
    form_columns = ["unit", "assigned_on", "due_on", "status", "finished_on"]

    @property
    def can_create(self):
        return False

    def form_problems(self, form):
        model = form._obj
        draft = Assignment(assigned_on=form.assigned_on.data, due_on=form.due_on.data)
        message = draft.date_problem(model.directive.received_on if model else None)
        return [(form.due_on, message)] if message else []
