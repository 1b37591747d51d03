"""Units and their staff."""

import sqlalchemy as sa
from flask import url_for
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from models import Unit, clock
from models.accounts import EVERYONE, OFFICE_AND_UNITS
from models.scoring import quota_progress
from models.training import lacks_officers, officer_count, officer_minimum, officers_short
from views.awards import (
    person_commendations,
    person_payments,
    unit_commendations,
    unit_payments,
)
from views.criticism import unit_criticisms
from views.secure import SecureModelView
from views.training import person_trainings, unit_trainings


class OfficersShortFilter(sqla_filters.FilterEqual):
    """ "Information officers: too few / enough", by the rule of the unit's kind, in SQL."""

    def __init__(self):
        super().__init__(
            Unit.id,
            _l("Information officers"),
            options=[("short", _l("Too few")), ("enough", _l("Enough"))],
        )

    def apply(self, query, value, alias=None):
        short = officers_short() > 0
        return query.filter(short if value == "short" else sa.not_(short))


def officers_cell(view, context, unit, name):
    """ "1" or, where the unit's kind needs more, "1 · 缺 1 名" as a warning."""
    count = unit.info_officers or 0
    needed = officer_minimum().get(unit.kind, 0)
    if not lacks_officers(unit.kind, count):
        return str(count)
    return Markup('{} <span class="badge badge-warning ducha-officers-short">{}</span>').format(
        count, _("%(missing)s short of %(needed)s", missing=needed - count, needed=needed)
    )


def officers_text(view, context, unit, name):
    count = unit.info_officers or 0
    if not lacks_officers(unit.kind, count):
        return str(count)
    needed = officer_minimum().get(unit.kind, 0)
    return (
        f"{count} ({_('%(missing)s short of %(needed)s', missing=needed - count, needed=needed)})"
    )


class UnitView(SecureModelView):
    """Units: the office keeps them; a unit officer sees only their own."""

    read_roles = EVERYONE
    column_list = [
        "code",
        "name",
        "kind",
        "ranking_group",
        "parent",
        "principal_leader",
        "leader_in_charge",
        "info_officers",
        "active",
    ]
    column_searchable_list = ["code", "name"]
    column_filters = ["kind", "ranking_group", "parent", "active", OfficersShortFilter()]
    column_sortable_list = [
        "code",
        "name",
        "kind",
        "ranking_group",
        ("parent", "parent.name"),
        "active",
    ]
    column_default_sort = "code"
    form_columns = [
        "code",
        "name",
        "kind",
        "ranking_group",
        "parent",
        "principal_leader",
        "principal_leader_email",
        "leader_in_charge",
        "leader_in_charge_email",
        "active",
    ]
    column_details_list = [
        *form_columns,
        "info_officers",
        "quota",
        "payments",
        "commendations",
        "trainings",
        "criticisms",
    ]
    column_labels = {
        "quota": _l("This year's quota"),
        "payments": _l("Payments for adopted information"),
        "commendations": _l("Commendations"),
        "info_officers": _l("Information officers"),
        "trainings": _l("Training records"),
        "criticisms": _l("Criticism notices"),
    }
    column_formatters = {"info_officers": officers_cell}
    column_formatters_export = {"info_officers": officers_text}
    column_formatters_detail = {
        "quota": lambda v, c, unit, n: quota_line(unit),
        "info_officers": officers_cell,
        "trainings": unit_trainings,
        "criticisms": lambda v, c, unit, n: criticism_links(unit),
        "payments": unit_payments,
        "commendations": unit_commendations,
    }
    column_descriptions = {
        "info_officers": _l(
            "Active information officers; a township needs at least 2, a department 1."
        ),
        "ranking_group": _l("Units are ranked with the others of their group."),
        "code": _l("A short unique code, used by imports and exports."),
    }

    def get_query(self):
        return (
            super().get_query().options(sa.orm.with_expression(Unit.info_officers, officer_count()))
        )

    def form_problems(self, form):
        parent = form.parent.data if "parent" in form else None
        if parent is not None and form._obj is not None and parent.id == form._obj.id:
            return [(form.parent, _l("A unit cannot be its own parent."))]
        return []


class StaffView(SecureModelView):
    """People of the units; a unit officer keeps their own unit's list."""

    read_roles = EVERYONE
    write_roles = OFFICE_AND_UNITS
    delete_roles = OFFICE_AND_UNITS
    unit_field = "unit"
    column_list = ["name", "unit", "duty", "phone", "email", "active"]
    column_searchable_list = ["name", "phone", "email"]
    column_filters = ["unit", "duty", "active"]
    column_sortable_list = ["name", ("unit", "unit.name"), "duty", "active"]
    column_default_sort = "name"
    form_columns = ["name", "unit", "duty", "phone", "email", "active"]
    column_details_list = [*form_columns, "payments", "commendations", "trainings"]
    column_labels = {
        "trainings": _l("Training records"),
        "payments": _l("Payments for adopted information"),
        "commendations": _l("Commendations"),
    }
    column_formatters_detail = {
        "trainings": person_trainings,
        "payments": person_payments,
        "commendations": person_commendations,
    }


def quota_line(unit):
    """ "12 / 24 items · 40 / 98 points" for the unit's quota this year."""
    year = clock.today().year
    quota, totals = quota_progress(year, [unit.id])[unit.id]
    if quota is None:
        return _(
            "No quota for %(year)s; adopted %(items)s items, %(points)s points so far.",
            year=year,
            items=totals["adopted"],
            points=totals["points"],
        )
    return _(
        "%(items)s / %(target_items)s items · %(points)s / %(target_points)s points",
        items=totals["adopted"],
        target_items=quota.items,
        points=totals["points"],
        target_points=quota.points,
    )


def criticism_links(unit):
    """The unit's criticism notices the reader may see, one link a line (none: a dash)."""
    notices = unit_criticisms(unit, current_user)
    if not notices:
        return "—"
    lines = [
        Markup(
            '<a class="ducha-criticism" href="{}">{}</a> <span class="text-muted">{}</span>'
        ).format(url_for("criticism.details_view", id=notice.id), str(notice), notice.state_label)
        for notice in notices
    ]
    return Markup("<br>").join(lines)
