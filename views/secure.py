"""The one base view: who may see and change what, applied wherever Flask-Admin reads rows.

Every model view inherits SecureModelView, and every page of our own SecureView (both
take who may open them from RoleAccess), so a new view cannot forget the rules: list and
count queries, get_one (details, edit, delete, ajax update by id), form dropdowns, ajax
lookups, batch actions and exports all go through `visible_to`. Each concern is a module
of views/base/ (access, forms, listing, export), composed here; the list page is drawn by
our copy of Flask-Admin's (views/fast_list/).
"""

import sqlalchemy as sa
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView

from models.accounts import ADMINS
from views.base import filters
from views.base.access import RoleAccess, RowAccess
from views.base.export import Exports
from views.base.forms import FormRules, form_settings, merge_args
from views.base.listing import TYPE_FORMATTERS, Listing
from views.fast_list import FastList
from views.fields import ModelConverter
from views.forms import BaseForm


class SecureView(RoleAccess, BaseView):
    """A page of our own inside the admin (not a model list): administrators by default."""

    read_roles = ADMINS


class SecureModelView(FastList, Exports, Listing, FormRules, RowAccess, ModelView):
    """Model view that every Ducha screen inherits."""

    can_view_details = True
    details_template = "admin/secure_details.html"
    page_size = 20
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    column_display_pk = False
    filter_converter = filters.FilterConverter()
    model_form_converter = ModelConverter  # dates and numbers within bounds
    form_base_class = BaseForm  # text holding NUL refused
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS

    def __init__(self, model, session, **kwargs):
        self._apply_model_info(model)
        super().__init__(model, session, **kwargs)
        self.check_list_template()

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        # A choice column's empty value reads as nothing, not "None" (Flask-Admin passes a
        # value missing from the choices through as it is); views/fast_list/cells.py alike.
        value = super()._get_list_value(
            context, model, name, column_formatters, column_type_formatters
        )
        return "" if value is None else value

    # ---- labels, choices, fields and filters from the model's column info ----
    def _apply_model_info(self, model):
        found = form_settings(model)
        self.column_labels = {**found.labels, **(self.column_labels or {})}
        self.column_choices = {n: c.pairs() for n, c in found.choices.items()} | dict(
            self.column_choices or {}
        )
        self.form_choices = {n: c.pairs() for n, c in found.choices.items()} | dict(
            self.form_choices or {}
        )
        self.form_overrides = found.overrides | dict(self.form_overrides or {})
        self.form_args = merge_args(found.args, self.form_args)
        for name in self.form_ajax_refs or {}:
            # An ajax field is scoped by its loader (VisibleAjaxLoader), not a query factory.
            self.form_args.get(name, {}).pop("query_factory", None)
        mapper = sa.inspect(model)
        self.column_filters = [
            self._filter_for(mapper, name, found.labels, found.choices)
            for name in (self.column_filters or [])
        ]
