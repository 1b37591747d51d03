"""Solicitations (约稿): topics the office asks chosen units to report on by a date."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField

from models import RANKING_GROUPS, Unit, clock
from models.accounts import EVERYONE
from models.desk import open_solicitations
from models.solicitations import ANSWER_STATES, Solicitation
from views.secure import SecureModelView

STATE_CLASS = {"on_time": "text-success", "late": "text-warning", "missing": "text-danger"}


def _answers(view, context, solicitation, name):
    rows = []
    for unit, state, report in solicitation.answers():
        when = report.submitted_at.strftime("%Y-%m-%d") if report else ""
        rows.append(
            Markup('<tr><td>{}</td><td class="{}">{}</td><td>{}</td></tr>').format(
                unit.name, STATE_CLASS[state], ANSWER_STATES.label(state), when
            )
        )
    return Markup('<table class="table table-sm mb-0">{}</table>').format(Markup("").join(rows))


class OpenFilter(sqla_filters.FilterEqual):
    """Still open: not yet due, and for a unit officer not yet answered by their unit."""

    key = "open"

    def apply(self, query, value, alias=None):
        today = clock.today()
        if current_user.unit_id is not None and not current_user.sees_all_units:
            return query.filter(open_solicitations(current_user.unit_id, today))
        return query.filter(Solicitation.due_on >= today)


class SolicitationView(SecureModelView):
    """The office asks units for reports; it sees who answered, late or not at all."""

    read_roles = EVERYONE
    column_list = ["topic", "issued_on", "due_on"]
    column_searchable_list = ["topic"]
    column_filters = [
        OpenFilter(Solicitation.id, _l("Open"), options=[("1", _l("Yes"))]),
        "due_on",
        "issued_on",
    ]
    column_default_sort = ("due_on", True)
    column_details_list = ["topic", "description", "issued_on", "due_on", "units", "answers"]
    column_labels = {"answers": _l("Answers"), "group": _l("Add a whole ranking group")}
    column_formatters_detail = {"answers": _answers}
    form_columns = ["topic", "description", "issued_on", "due_on", "units", "group"]
    form_extra_fields = {
        "group": SelectField(
            _l("Add a whole ranking group"),
            choices=[("", "—")] + RANKING_GROUPS.pairs(),
            default="",
        ),
    }
    form_args = {"issued_on": {"default": clock.today}}

    def form_problems(self, form):
        problems = []
        if form.due_on.data and form.issued_on.data and form.due_on.data < form.issued_on.data:
            problems.append((form.due_on, _l("The due date is before the issue date.")))
        if not form.units.data and not form.group.data:
            problems.append((form.units, _l("Choose the units asked, or a ranking group.")))
        return problems

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if form.group.data:
            chosen = {u.id for u in model.units}
            group = Unit.query.filter_by(ranking_group=form.group.data, active=True)
            model.units.extend(u for u in group.order_by(Unit.code) if u.id not in chosen)
