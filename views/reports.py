"""Information reports and the publications that adopt them (the scoring table)."""

from flask_babel import lazy_gettext as _l

from models import Adoption
from views.secure import SecureModelView, inline_form

OFFICE_AND_UNIT = frozenset({"admin", "staff", "unit"})


class ReportView(SecureModelView):
    """Reports: units submit their own; the office answers and records adoptions."""

    read_roles = frozenset({"admin", "staff", "leader", "unit"})
    write_roles = OFFICE_AND_UNIT
    unit_field = "unit"
    office_only_fields = ("status", "adoptions")
    column_list = ["title", "unit", "category", "author", "submitted_at", "status"]
    column_searchable_list = ["title"]
    column_filters = ["unit", "category", "status", "submitted_at"]
    column_sortable_list = ["title", ("unit", "unit.name"), "category", "submitted_at", "status"]
    column_default_sort = ("submitted_at", True)
    column_details_list = [
        "title",
        "unit",
        "category",
        "author",
        "submitted_at",
        "status",
        "body",
        "adoptions",
    ]
    form_columns = [
        "title",
        "unit",
        "category",
        "author",
        "submitted_at",
        "status",
        "body",
        "adoptions",
    ]
    form_widget_args = {"body": {"rows": 12}}
    inline_models = [
        inline_form(Adoption, ["publication", "issue_no", "adopted_on"], _l("Adoption"))
    ]

    def row_allows(self, model, action):
        # A unit officer may change a report until the office has answered it.
        if self._role() == "unit":
            return action == "edit" and model.status == "received"
        return True


class PublicationView(SecureModelView):
    """Publications and their points per adopted item: the office's scoring table."""

    read_roles = frozenset({"admin", "staff", "leader"})
    write_roles = frozenset({"admin"})
    delete_roles = frozenset({"admin"})
    column_list = ["name", "level", "edition", "points", "active"]
    column_filters = ["level", "edition", "active"]
    column_searchable_list = ["name"]
    column_default_sort = "name"
    form_columns = ["name", "level", "edition", "points", "active"]
    column_descriptions = {
        "points": _l(
            "Points a report earns when adopted. Changing them applies to later adoptions only."
        ),
    }
