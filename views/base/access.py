"""Who may see and change what: the roles a screen takes, and the rows every model view
reads through `visible_to` (lists, counts, get_one for details, edit, delete and ajax
updates, dropdowns, ajax lookups, batch actions)."""

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.model import template
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_login import current_user

from models import bounds
from models.accounts import OFFICE, OFFICE_AND_LEADERS

AJAX_LIMIT = 100  # rows a dropdown's lookup answers at most
# Row icons that act on the row: shown only where `row_allows` lets the person act.
GUARDED_ROW_ACTIONS = {
    template.EditRowAction: "edit",
    template.EditPopupRowAction: "edit",
    template.DeleteRowAction: "delete",
}


class VisibleAjaxLoader(QueryAjaxModelLoader):
    """Ajax lookups list only the rows the person may see.

    Options: `joins`, relationships to join, so that `fields` may name their columns;
    `label`, a function giving a row's text in the dropdown (else `str(row)`), with
    `eager`, the loader options that load what it reads in the same query.
    """

    def __init__(self, name, session, model, **options):
        self.joins = options.pop("joins", ())
        self.label = options.pop("label", str)
        self.eager = options.pop("eager", ())
        super().__init__(name, session, model, **options)

    def format(self, model):
        if not model:
            return None
        return getattr(model, self.pk), self.label(model)

    def get_query(self):
        query = super().get_query()
        for join in self.joins:
            query = query.join(join)
        if self.eager:
            query = query.options(*self.eager)
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
    """The ids that are ids the database holds, as numbers, each once, in their order.
    (Numbers, not the posted text: Flask-Admin's delete filters `id IN (...)` with them,
    SQLAlchemy types that list by its values, and PostgreSQL compares no integer with text.)"""
    return list(dict.fromkeys(pk for pk in map(bounds.record_id, ids) if pk is not None))


def with_record_ids(handler):
    return lambda ids: handler(record_ids(ids))


def is_everything(clause):
    return isinstance(clause, sa.sql.elements.True_)


def scoped(model, query):
    """`query` narrowed to the rows of `model` that the logged-in person may see."""
    clause = model.visible_to(current_user)
    return query if is_everything(clause) else query.filter(clause)


def viewer():
    """Whose options a filter shows: the role, and a unit officer's unit."""
    if not current_user.is_authenticated:
        return "nobody"
    return current_user.role, None if current_user.sees_all_units else current_user.unit_id


class RoleAccess:
    """Who may open a screen: the roles in `read_roles`. Anyone else is sent to log in
    (not logged in) or refused (403); the menu shows a screen only to those who may open it.
    """

    read_roles = OFFICE_AND_LEADERS

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


class GuardedRowAction(template.BaseListRowAction):
    """A row's edit or delete icon, left out on rows the person may not change."""

    def __init__(self, action, view, name):
        super().__init__(action.title)
        self.action, self.view, self.name = action, view, name

    def render(self, context, row_id, row):
        if not self.view.row_allows(row, self.name):
            return ""
        return self.action.render(context, row_id, row)


class RowAccess(RoleAccess):
    """A model view's rows: only those the person may see, changed only where they may."""

    read_roles = OFFICE_AND_LEADERS  # may list, see details and export
    write_roles = OFFICE  # may create and edit
    delete_roles = OFFICE  # may delete

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

    def get_query(self):
        return scoped(self.model, super().get_query())

    def init_actions(self):
        # Every batch action (Flask-Admin's delete too) gets only the ticked ids the
        # database can hold: anything else posted as a row id is dropped here.
        super().init_actions()
        self._actions_data = {
            name: (with_record_ids(handler), text, confirmation)
            for name, (handler, text, confirmation) in self._actions_data.items()
        }

    def get_count_query(self):
        return scoped(self.model, super().get_count_query())

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
