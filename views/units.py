"""Units and their staff."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from models import clock
from models.accounts import EVERYONE, OFFICE_AND_UNITS
from models.scoring import quota_progress
from views.criticism import unit_criticisms
from views.secure import SecureModelView


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
        "active",
    ]
    column_searchable_list = ["code", "name"]
    column_filters = ["kind", "ranking_group", "parent", "active"]
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
    column_details_list = [*form_columns, "quota", "criticisms"]
    column_labels = {"quota": _l("This year's quota"), "criticisms": _l("Criticism notices")}
    column_formatters_detail = {
        "quota": lambda v, c, unit, n: quota_line(unit),
        "criticisms": lambda v, c, unit, n: criticism_links(unit),
    }
    column_descriptions = {
        "ranking_group": _l("Units are ranked with the others of their group."),
        "code": _l("A short unique code, used by imports and exports."),
    }

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
