"""The one base view: who may see and change what, applied wherever Flask-Admin reads rows.

Every model view inherits SecureModelView, and every page of our own SecureView (both
take who may open them from RoleAccess), so a new view cannot forget the rules:
list and count queries, get_one (details, edit, delete, ajax update by id), form
dropdowns, ajax lookups, batch actions and exports all go through `visible_to`.
"""

import datetime as dt
import re
from collections import OrderedDict
from types import SimpleNamespace
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_admin.model import template, typefmt
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_admin.model.fields import AjaxSelectField
from flask_admin.model.form import InlineFormAdmin
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import iter_multi_items
from wtforms import validators

from models import RuleError, bounds, clock, db
from models.base import UTCDateTime
from views import filters
from views.export import export_response, plan_columns, planned_rows, query_rows
from views.fields import ModelConverter
from views.forms import BaseForm, leaf_fields
from views.keeping import kept
from views.paging import count_rows, few_to_sort, page_rows, sorted_not_walked
from views.row_cells import RowCells
from views.row_icons import GUARDED_ROW_ACTIONS, GuardedRowAction, RowIcons

# The characters Werkzeug leaves as they are in a URL's query (werkzeug.urls._urlencode).
URL_SAFE = "!$'()*,/:;?@"
QUERY_EXPRESSION = (("query_expression", True),)  # how SQLAlchemy marks a query_expression

AJAX_LIMIT = 100  # rows a dropdown's lookup answers at most
OFFICE_ROLES = frozenset({"admin", "staff"})
READ_ALL_ROLES = frozenset({"admin", "staff", "leader"})


def _local_minute(value, zone):
    """A timestamp as the office reads it: local time to the minute, 2026-10-01 08:30."""
    return value.astimezone(zone).isoformat(" ", "minutes")[:16]


def _format_datetime(view, value, name=None):
    return _local_minute(value, clock.office_zone())


def _datetime_cell(zone):
    """_format_datetime for an export's millions of cells: the zone looked up once."""
    return lambda value: _local_minute(value, zone) if value else ""


def _format_bool(view, value, name=None):
    return _("Yes") if value else _("No")


TYPE_FORMATTERS = dict(typefmt.BASE_FORMATTERS)
TYPE_FORMATTERS.update(
    {dt.datetime: _format_datetime, dt.date: lambda v, value, n=None: value.isoformat()}
)
EXPORT_TYPE_FORMATTERS = dict(TYPE_FORMATTERS)
EXPORT_TYPE_FORMATTERS.update({bool: _format_bool, type(None): lambda v, value, n=None: ""})


class VisibleRelatedFilter(filters.IntEqualFilter):
    """ "Unit is ..." with a dropdown of what the person may see.

    The options are kept for OPTIONS_SECONDS per kind of viewer: a list page then costs no
    query for them, and a unit added meanwhile appears in the dropdown a little later.
    """

    OPTIONS_SECONDS = 30

    def __init__(self, column, name, remote_model):
        super().__init__(column, name)
        self.remote_model = remote_model
        self._kept = {}

    def get_options(self, view):
        if not current_user or not current_user.is_authenticated:
            return None
        return kept(self._kept, _viewer(), self.OPTIONS_SECONDS, self._read_options)

    def _read_options(self):
        remote = self.remote_model
        label = getattr(remote, "name", None) or getattr(remote, "title", None)
        if label is None:
            query = scoped(remote, remote.query).order_by(remote.id)
            return [(str(row.id), str(row)) for row in query]
        # Two columns, not whole rows: a province has thousands of units.
        query = scoped(remote, sa.select(remote.id, label)).order_by(remote.id)
        return [(str(id_), text) for id_, text in db.session.execute(query)]


def _viewer():
    """Whose options a filter shows: the role, and a unit officer's unit."""
    if not current_user.is_authenticated:
        return "nobody"
    return current_user.role, None if current_user.sees_all_units else current_user.unit_id


class FilterGroups(OrderedDict):
    """A list's filter groups as Flask-Admin hands them to its page, and their JSON."""

    json = None


class VisibleAjaxLoader(QueryAjaxModelLoader):
    """Ajax lookups list only the rows the person may see.

    Option `joins`: relationships to join, so that `fields` may name their columns.
    """

    def __init__(self, name, session, model, **options):
        self.joins = options.pop("joins", ())
        super().__init__(name, session, model, **options)

    def get_query(self):
        query = super().get_query()
        for join in self.joins:
            query = query.join(join)
        if hasattr(self.model, "visible_to"):
            query = query.filter(self.model.visible_to(current_user))
        return query

    def get_list(self, term, offset=0, limit=DEFAULT_PAGE_SIZE):
        # The lookup URL's offset and limit, as a person's scrolling can give them.
        offset = bounds.whole_number(offset, 0) or 0
        limit = bounds.whole_number(limit, 1, AJAX_LIMIT) or DEFAULT_PAGE_SIZE
        return super().get_list(term, offset, limit)

    def get_one(self, pk):
        pk = bounds.record_id(pk)  # the form posts text; PostgreSQL will not compare it
        if pk is None:
            return None
        query = self.get_query()
        with query.session.no_autoflush:
            return query.filter(getattr(self.model, self.pk) == pk).one_or_none()


def record_ids(ids):
    """The ids that are ids the database holds, as text, each once, in their order."""
    return list(dict.fromkeys(str(pk) for pk in map(bounds.record_id, ids) if pk is not None))


def _with_record_ids(handler):
    return lambda ids: handler(record_ids(ids))


def _is_everything(clause):
    return isinstance(clause, sa.sql.elements.True_)


def scoped(model, query):
    """`query` narrowed to the rows of `model` that the logged-in person may see."""
    clause = model.visible_to(current_user)
    return query if _is_everything(clause) else query.filter(clause)


CONSTRAINT_MESSAGES = (
    (re.compile(r"unique", re.I), _l("A record with the same %(field)s already exists.")),
    (re.compile(r"foreign key", re.I), _l("This record is still used by other records.")),
    (re.compile(r"not.null", re.I), _l("A required field is empty.")),
    (re.compile(r"check", re.I), _l("A value breaks a rule of the records (%(field)s).")),
)


def integrity_message(error, labels):
    """A sentence for the person at the form, from the database's complaint."""
    text = str(error.orig)
    field = next(
        (str(label) for name, label in labels.items() if re.search(rf"\b{name}\b", text)), ""
    )
    for pattern, message in CONSTRAINT_MESSAGES:
        if pattern.search(text):
            return str(message) % {"field": field or "-"}
    return _("The record could not be saved.")


def _scoped_factory(remote):
    return lambda: scoped(remote, remote.query).order_by(remote.id)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text_args(name, column):
    """Text is trimmed; required text may not be blank; email columns hold an address."""
    args = {"filters": [_strip], "validators": []}
    if not column.nullable and column.default is None and not column.info.get("choices"):
        args["validators"].append(validators.DataRequired())
    if name.endswith("email"):
        args["validators"] += [validators.Optional(), validators.Email()]
    return args


def form_settings(model):
    """Labels, choices, field types and field arguments of a model, from its column info.

    Dropdowns of related rows list only what the logged-in person may see.
    """
    mapper = sa.inspect(model)
    found = SimpleNamespace(labels={}, choices={}, overrides={}, args={})
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if not isinstance(column, sa.Column):
            continue  # a query expression, not a stored column
        meta = column.info or {}
        if meta.get("label"):
            found.labels[attr.key] = meta["label"]
        if meta.get("choices"):
            found.choices[attr.key] = meta["choices"]
        if isinstance(column.type, sa.String):
            found.args[attr.key] = _text_args(attr.key, column)
    for rel in mapper.relationships:
        if rel.info.get("label"):
            found.labels[rel.key] = rel.info["label"]
        remote = rel.mapper.class_
        if rel.direction.name in ("MANYTOONE", "MANYTOMANY") and hasattr(remote, "visible_to"):
            found.args[rel.key] = {"query_factory": _scoped_factory(remote)}
    return found


def merge_args(found, given):
    """Field arguments from the model, with a view's own arguments taking precedence."""
    args = {name: dict(values) for name, values in found.items()}
    for name, extra in (given or {}).items():
        args[name] = {**args.get(name, {}), **extra}
    return args


def inline_form(model, columns, label, admin_class=InlineFormAdmin, extra_fields=None, **form_args):
    """An inline form (e.g. a directive's assignments) labelled and scoped like the views.

    `admin_class` may be an InlineFormAdmin subclass (e.g. with its own on_model_change);
    `extra_fields` are form fields that are not columns, placed where `columns` names them.
    """
    found = form_settings(model)
    return admin_class(
        model,
        form_base_class=BaseForm,
        form_columns=["id", *columns],
        form_label=label,
        column_labels=found.labels,
        form_choices={n: c.pairs() for n, c in found.choices.items()},
        form_overrides=found.overrides,
        form_args=merge_args(found.args, form_args),
        form_extra_fields=extra_fields,
    )


def _unknown_choices(form):
    """A dropdown of records (ajax or not, inline forms' too) whose posted id is unknown
    or not visible: refuse it. (An optional one would take it for "none" and clear it.)"""
    for field in leaf_fields(form):
        choosing = isinstance(field, AjaxSelectField) or type(field) is QuerySelectField
        if choosing and field.data is None and field._formdata:
            yield field, _l("Not a valid choice.")


class RoleAccess:
    """Who may open a screen: the roles in `read_roles`. Anyone else is sent to log in
    (not logged in) or refused (403); the menu shows a screen only to those who may open it.
    """

    read_roles = READ_ALL_ROLES

    def _role(self):
        user = current_user._get_current_object()  # one lookup: a list page asks ~70 times
        return user.role if user.is_authenticated else None

    def is_accessible(self):
        return self._role() in self.read_roles

    def is_visible(self):
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def get_url(self, endpoint, **kwargs):
        # Flask-Admin's layout asks for some twenty static files' URLs on every page, and a
        # list links to itself a dozen times (sort headers, pager, page sizes): such paths
        # are built once a view, for each path the app is served under, and a list's link
        # adds its query as url_for would. (_external and the like go to url_for each time.)
        if any(name.startswith("_") for name in kwargs):
            return super().get_url(endpoint, **kwargs)
        if endpoint.endswith(".static"):
            return self._kept_url(endpoint, **kwargs)
        if endpoint == ".index_view" and request.blueprint == self.endpoint:
            query = urlencode(
                [item for item in iter_multi_items(kwargs) if item[1] is not None],
                safe=URL_SAFE,
            )
            path = self._kept_url(endpoint)
            return f"{path}?{query}" if query else path
        return super().get_url(endpoint, **kwargs)

    def _kept_url(self, endpoint, **kwargs):
        key = (endpoint, request.script_root, tuple(sorted(kwargs.items())))
        urls = self.__dict__.setdefault("_kept_urls", {})
        url = urls.get(key)
        if url is None:
            url = urls[key] = super().get_url(endpoint, **kwargs)
        return url


class SecureView(RoleAccess, BaseView):
    """A page of our own inside the admin (not a model list): administrators by default."""

    read_roles = frozenset({"admin"})


class SecureModelView(RoleAccess, ModelView):
    """Model view that every Ducha screen inherits."""

    read_roles = READ_ALL_ROLES  # may list, see details and export
    write_roles = OFFICE_ROLES  # may create and edit
    delete_roles = OFFICE_ROLES  # may delete
    # The relationship to the owning unit: set from the login for unit officers, never
    # from what the form posts, and not shown to them.
    unit_field = None
    # Fields only office staff may set; left out of the form for everyone else.
    office_only_fields = ()

    list_template = "admin/rows_list.html"
    can_view_details = True
    details_template = "admin/secure_details.html"
    can_export = True
    export_types = ["xlsx", "csv"]
    page_size = 20
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    column_display_pk = False
    filter_converter = filters.FilterConverter()
    model_form_converter = ModelConverter  # dates and numbers within bounds
    form_base_class = BaseForm  # text holding NUL refused
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS

    def __init__(self, model, session, **kwargs):
        self._apply_model_info(model)
        super().__init__(model, session, **kwargs)
        self._check_list_template()

    def _check_list_template(self):
        """Our list page draws neither inline editing nor modal forms: a view that wants
        them uses Flask-Admin's own list page."""
        wanted = self.column_editable_list or any(
            (self.create_modal, self.edit_modal, self.details_modal)
        )
        if wanted and self.list_template != "admin/model/list.html":
            raise TypeError(
                f"{type(self).__name__}: {self.list_template} draws no inline editing or "
                'modal forms; set list_template = "admin/model/list.html"'
            )

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

    def scaffold_sortable_columns(self):
        # A query_expression (a directive's light) is NULL unless a query fills it in:
        # sorting on it sends ORDER BY NULL, which PostgreSQL refuses.
        mapper = sa.inspect(self.model)
        return {
            name: column
            for name, column in super().scaffold_sortable_columns().items()
            if mapper.attrs[name].strategy_key != QUERY_EXPRESSION
        }

    def _filter_for(self, mapper, name, labels, choices):
        if not isinstance(name, str):
            return name
        if name in choices:
            return sqla_filters.FilterEqual(
                getattr(mapper.class_, name), labels.get(name, name), options=choices[name].pairs()
            )
        rel = mapper.relationships.get(name)
        if rel is not None and rel.direction.name == "MANYTOONE":
            (local,) = rel.local_columns
            return VisibleRelatedFilter(
                getattr(mapper.class_, local.key), labels.get(name, name), rel.mapper.class_
            )
        return name

    def _get_filter_groups(self):
        # Flask-Admin reads filter options once at start; ours depend on who is looking.
        # The groups and their JSON (a province's units: some 60 KB a page) are kept for
        # each language and kind of viewer as long as the options are: a unit added shows
        # in the dropdown within a minute.
        if not self._filter_groups:
            return None
        key = (str(get_locale()), _viewer())
        store = self.__dict__.setdefault("_kept_filter_groups", {})  # bounded by the units
        return kept(store, key, VisibleRelatedFilter.OPTIONS_SECONDS, self._make_filter_groups)

    def _make_filter_groups(self):
        groups = FilterGroups(super()._get_filter_groups())
        for flt_list in groups.values():
            for item in flt_list:
                _, flt = self._filter_args[item["arg"]]
                if isinstance(flt, VisibleRelatedFilter):
                    item["options"] = flt.get_options(self)
        policies = current_app.jinja_env.policies  # as the page's `tojson` would write it
        groups.json = htmlsafe_json_dumps(
            groups, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]
        )
        return groups

    # ---- access ----
    @property
    def can_create(self):
        return self._role() in self.write_roles

    @property
    def can_edit(self):
        return self._role() in self.write_roles

    @property
    def can_delete(self):
        return self._role() in self.delete_roles

    def is_action_allowed(self, name):
        if name == "delete":
            return self.can_delete
        return super().is_action_allowed(name)

    def row_allows(self, model, action):
        """Whether the logged-in person may `action` ('edit' or 'delete') this row."""
        return True

    # A delete button on every row costs half the list's rendering; where deleting is
    # rare, the batch "delete" action is enough.
    row_delete = True
    # Long columns a list does not show, left unread there (e.g. a report's body).
    list_defer = ()

    def render(self, template, **kwargs):
        if "list_row_actions" in kwargs:  # the list page
            kwargs["row_icons"] = RowIcons(self, kwargs["list_row_actions"], kwargs["return_url"])
            kwargs["row_cells"] = RowCells(self, kwargs["list_columns"])
            kwargs["select_title"] = admin_gettext("Select record")  # once, not once a row
        return super().render(template, **kwargs)

    def get_list_row_actions(self):
        actions = super().get_list_row_actions()
        if not self.row_delete:
            actions = [a for a in actions if not isinstance(a, template.DeleteRowAction)]
        # Edit and delete icons only on rows the person may change.
        return [
            GuardedRowAction(action, self, GUARDED_ROW_ACTIONS[type(action)])
            if type(action) in GUARDED_ROW_ACTIONS
            else action
            for action in actions
        ]

    # ---- rows ----
    def get_query(self):
        return scoped(self.model, super().get_query())

    def _get_list_extra_args(self):
        # A page number no list reaches (negative, or its offset beyond an integer) is
        # read as Flask-Admin reads one that is not a number: the first page.
        args = super()._get_list_extra_args()
        last = bounds.INT_MAX // max(self.page_size_options)
        args.page = bounds.whole_number(args.page, 0, last) or 0
        return args

    def get_invalid_value_msg(self, value, filter):
        shown = value if len(value) <= 30 else value[:30] + "…"  # the message goes in a cookie
        return _(
            "The filter “%(filter)s %(operation)s” cannot take %(value)s: it is left out.",
            filter=filter.name,
            operation=filter.operation(),
            value=shown,
        )

    def init_actions(self):
        # Every batch action (Flask-Admin's delete too) gets only the ticked ids the
        # database can hold: anything else posted as a row id is dropped here.
        super().init_actions()
        self._actions_data = {
            name: (_with_record_ids(handler), text, confirmation)
            for name, (handler, text, confirmation) in self._actions_data.items()
        }

    def get_count_query(self):
        return scoped(self.model, super().get_count_query())

    # Flask-Admin would count every list exactly and page with OFFSET: get_list does both
    # cheaply instead (views/paging.py).
    simple_list_pager = True

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        _none, query = super().get_list(
            page, sort_column, sort_desc, search, filters, execute=False, page_size=page_size
        )
        if self.list_defer:
            query = query.options(*(sa.orm.defer(getattr(self.model, n)) for n in self.list_defer))
        page_size = self.page_size if page_size is None else page_size
        if not page_size:  # everything (exports): neither counted nor paged
            return None, query.all() if execute else query
        filtered = bool(search or filters) or not _is_everything(
            self.model.visible_to(current_user)
        )
        count = count_rows(query, self.model.__tablename__, filtered)
        if search and few_to_sort(count):
            query = sorted_not_walked(query)
        if not execute:
            return count, query.limit(page_size).offset((page or 0) * page_size)
        return count, page_rows(query, page or 0, page_size, count)

    def _apply_pagination(self, query, page, page_size):
        return query  # paged in get_list

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        # The id last: rows that tie on the sort keep one order, so pages never repeat
        # or skip a row (and a page can be read from the end).
        if sort_column is None:
            order = self._get_default_order()
            order = list(order)
            sort_desc = bool(order and order[0][2])
        pk = self.model.id
        return query.order_by(pk.desc() if sort_desc else pk.asc()), joins

    def get_one(self, id):
        """The row by id, only if visible; anything else answers 404."""
        pk = bounds.record_id(id)
        if pk is None:
            abort(404)
        row = self.get_query().filter(self.model.id == pk).one_or_none()
        if row is None:
            abort(404)
        action = {"edit_view": "edit", "ajax_update": "edit", "delete_view": "delete"}.get(
            (request.endpoint or "").rsplit(".", 1)[-1]
        )
        if action and not self.row_allows(row, action):
            abort(403)
        return row

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        # A row the person may not see answers 404 even where they may not edit at all
        # (Flask-Admin would redirect before looking): the answer never tells it exists.
        if not self.can_edit and request.args.get("id") is not None:
            self.get_one(request.args.get("id"))
        return super().edit_view()

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        if not self.can_delete and request.form.get("id") is not None:
            self.get_one(request.form.get("id"))
        return super().delete_view()

    def _create_ajax_loader(self, name, options):
        remote = getattr(self.model, name).property.mapper.class_
        return VisibleAjaxLoader(name, self.session, remote, **options)

    # ---- forms ----
    def hidden_fields(self):
        """Form fields the logged-in person may not set."""
        hidden = set()
        if current_user.is_authenticated and current_user.is_unit_officer:
            if self.unit_field:
                hidden.add(self.unit_field)
            hidden.update(self.office_only_fields)
        return hidden

    def _strip(self, form):
        for name in self.hidden_fields():
            if name in form:
                del form[name]
        return form

    def create_form(self, obj=None):
        form = self._strip(super().create_form(obj))
        form._obj = None  # the row being edited, for form_problems; none when creating
        return form

    def edit_form(self, obj=None):
        form = self._strip(super().edit_form(obj))
        form._obj = obj
        return form

    def on_model_change(self, form, model, is_created):
        if self.unit_field and current_user.is_unit_officer:
            (local,) = sa.inspect(self.model).relationships[self.unit_field].local_columns
            setattr(model, local.key, current_user.unit_id)

    def form_problems(self, form):
        """Cross-field rules of the model, as (field, message) pairs; none by default."""
        return []

    def validate_form(self, form):
        valid = super().validate_form(form)
        action = (request.endpoint or "").rsplit(".", 1)[-1]
        if valid and action in {"create_view", "edit_view"}:
            for field, message in [*_unknown_choices(form), *self.form_problems(form)]:
                field.errors = [*field.errors, str(message)]
                valid = False
        return valid

    def handle_view_exception(self, exc):
        if isinstance(exc, RuleError):
            db.session.rollback()
            flash(str(exc), "error")
            return True
        if isinstance(exc, IntegrityError):
            # Roll back first: building the message may load the logged-in account.
            db.session.rollback()
            flash(integrity_message(exc, self.column_labels), "error")
            return True
        return super().handle_view_exception(exc)

    # ---- export: ours, streamed, formula-safe, Chinese file name ----
    def export_value(self, row, name):
        value = self._get_list_value(
            None, row, name, self.column_formatters_export, self.column_type_formatters_export
        )
        if isinstance(value, Markup):
            value = Markup(value).striptags()
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            return value
        return "" if value is None else str(value)

    def export_query(self, query):
        """The rows to export; a view may leave out more than the list does."""
        return query

    def export_filename(self):
        return f"{self.name}-{clock.today().isoformat()}"

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if not self.can_export or export_type not in self.export_types:
            flash(admin_gettext("Permission denied."), "error")
            return redirect(self.get_url(".index_view"))
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        _count, query = self.get_list(
            0,
            sort[0] if sort else None,
            view_args.sort_desc,
            view_args.search,
            view_args.filters,
            execute=False,
            page_size=0,
        )
        query = self.export_query(query)
        columns = self._export_columns
        plan = self.export_plan([name for name, _label in columns])
        if plan is not None:
            rows = planned_rows(query, plan)
        else:  # a column needs the objects: the slower way
            rows = query_rows(
                query, lambda row: [self.export_value(row, name) for name, _label in columns]
            )
        header = [str(label) for _name, label in columns]
        return export_response(export_type, self.export_filename(), header, rows)

    def export_plan(self, names):
        """Plain column reads for the export, or None if a column needs the ORM objects."""
        if any(name in (self.column_formatters_export or {}) for name in names):
            return None
        return plan_columns(
            self.model,
            names,
            self.column_choices or {},
            {
                UTCDateTime: _datetime_cell(clock.office_zone()),
                sa.Boolean: lambda v: "" if v is None else _format_bool(None, v),
            },
        )
