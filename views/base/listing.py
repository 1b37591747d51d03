"""A model view's list: cells formatted as the office reads them, filters whose options
depend on who is looking, sorting that never repeats a row, counting and paging that
cost the same at a million rows (views/base/paging.py)."""

import datetime as dt
from collections import OrderedDict

import sqlalchemy as sa
from flask import current_app, g
from flask_admin.model import typefmt
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy.orm import MANYTOONE

from models import bounds, clock, db
from models.words import narrowed
from views.base import filters
from views.base.access import is_everything, scoped, viewer
from views.base.cache import cache
from views.base.paging import (
    count_rows,
    few_to_sort,
    page_rows,
    sorted_not_walked,
    walked_not_narrowed,
)

QUERY_EXPRESSION = (("query_expression", True),)  # how SQLAlchemy marks a query_expression
FILTER_GROUPS_SECONDS = 30
FILTER_GROUPS_KEPT_AT_MOST = 4096  # lists x languages x viewers (roles and units)


def local_minute(value, zone):
    """A timestamp as the office reads it: local time to the minute, 2026-10-01 08:30."""
    return value.astimezone(zone).isoformat(" ", "minutes")[:16]


def _format_datetime(view, value, name=None):
    return local_minute(value, clock.office_zone())


def _format_bool(view, value, name):
    """Flask-Admin's check or minus icon, whose tooltip says the column and yes or no in
    the page's language ("紧急：是"), not "urgent: true"."""
    glyph, icon = ("ok-circle", "fa-check-circle") if value else ("minus-sign", "fa-minus-circle")
    title = _(
        "%(column)s: %(answer)s",
        column=view.get_column_name(name),
        answer=_("Yes") if value else _("No"),
    )
    return Markup('<span class="fa {} glyphicon glyphicon-{} icon-{}" title="{}"></span>').format(
        icon, glyph, glyph, title
    )


TYPE_FORMATTERS = dict(typefmt.BASE_FORMATTERS)
TYPE_FORMATTERS.update(
    {
        bool: _format_bool,
        dt.datetime: _format_datetime,
        dt.date: lambda v, value, n=None: value.isoformat(),
    }
)


class VisibleRelatedFilter(filters.ViewerOptions, filters.IntEqualFilter):
    """ "Unit is ..." with a dropdown of what the person may see (read with the list's
    filter groups, which are kept a while)."""

    def __init__(self, column, name, remote_model):
        super().__init__(column, name)
        self.remote_model = remote_model

    def get_options(self, view):
        if not current_user or not current_user.is_authenticated:
            return None
        return self._read_options()

    def _read_options(self):
        remote = self.remote_model
        label = getattr(remote, "name", None) or getattr(remote, "title", None)
        if label is None:
            query = scoped(remote, remote.query).order_by(remote.id)
            return [(str(row.id), str(row)) for row in query]
        # Two columns, not whole rows: a province has thousands of units.
        query = scoped(remote, sa.select(remote.id, label)).order_by(remote.id)
        return [(str(id_), text) for id_, text in db.session.execute(query)]


class FilterGroups(OrderedDict):
    """A list's filter groups as Flask-Admin hands them to its page, and their JSON."""

    json = None


class Listing:
    """A model view's list page: its filters, sorting, counting and paging."""

    # Long columns a list does not show, left unread there (e.g. a report's body).
    list_defer = ()

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
            return filters.ChoiceEqualFilter(
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
        # each list, language and viewer for FILTER_GROUPS_SECONDS: a unit added shows in
        # the dropdown within that.
        if not self._filter_groups:
            return None
        key = (self.endpoint, str(get_locale()), viewer())
        groups = cache("filter groups", FILTER_GROUPS_KEPT_AT_MOST, FILTER_GROUPS_SECONDS)
        return groups.get(key, self._make_filter_groups)

    def _make_filter_groups(self):
        groups = FilterGroups(super()._get_filter_groups())
        for flt_list in groups.values():
            for item in flt_list:
                _, flt = self._filter_args[item["arg"]]
                if isinstance(flt, filters.ViewerOptions):
                    item["options"] = flt.get_options(self)
        policies = current_app.jinja_env.policies  # as the page's `tojson` would write it
        groups.json = htmlsafe_json_dumps(
            groups, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]
        )
        return groups

    def scaffold_list_columns(self):
        # A row's search index words are the database's, not a column to show or export.
        return [name for name in super().scaffold_list_columns() if name != "search_words"]

    def _apply_search(self, query, count_query, joins, count_joins, search):
        # Flask-Admin's own search (every term in one of the columns, by ILIKE) confirms
        # the rows; on a model with a bigram index (models/words.py) covering every column
        # searched (the list's own, or one related model's, as an assignment's directive),
        # the terms' character pairs first narrow them through the index.
        query, count_query, joins, count_joins = super()._apply_search(
            query, count_query, joins, count_joins, search
        )
        words_model, relation = self._searched_through_words()
        if words_model is not None and not g.get("search_walked"):
            terms = [term.lstrip("^=") for term in search.split(" ") if term]
            narrowing, scanned = narrowed(words_model, terms)
            if relation is not None and narrowing:
                # The related rows narrowed, then the list's rows that point at them.
                ((local, remote),) = relation.property.local_remote_pairs
                narrowing = [local.in_(sa.select(remote).where(*narrowing))]
            query = query.filter(*narrowing)
            if count_query is not None:
                count_query = count_query.filter(*narrowing)
            if scanned:
                g.search_scanned = scanned  # the page says so
        return query, count_query, joins, count_joins

    def _searched_through_words(self):
        """(model, relation): the model whose bigram index covers every column searched,
        and the many-to-one relation that leads to it (None: the list's own model);
        (None, None) where no index covers them."""
        paths = {tuple(path or ()) for _column, path in self._search_fields or ()}
        if len(paths) != 1:
            return None, None
        (path,) = paths
        relation = path[0] if len(path) == 1 else None
        if path and (relation is None or relation.property.direction is not MANYTOONE):
            return None, None
        model = relation.property.mapper.class_ if relation is not None else self.model
        fields = getattr(model, "search_fields", ())
        covered = all(
            column.table is model.__table__ and column.key in fields
            for column, _path in self._search_fields
        )
        return (model, relation) if covered else (None, None)

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

    # Flask-Admin would count every list exactly and page with OFFSET: get_list does both
    # cheaply instead (views/paging.py).
    simple_list_pager = True

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        args = (page, sort_column, sort_desc, search, filters)
        query = self._list_query(*args, page_size)
        page_size = self.page_size if page_size is None else page_size
        if not page_size:  # everything (exports): neither counted nor paged
            return None, query.all() if execute else query
        filtered = bool(search or filters) or not is_everything(self.model.visible_to(current_user))
        count = count_rows(query, self.model.__tablename__, filtered)
        if search and few_to_sort(count):
            query = sorted_not_walked(query)
        elif search and walked_not_narrowed(count, ((page or 0) + 1) * page_size):
            query = self._walked_query(args, page_size)
        if not execute:
            return count, query.limit(page_size).offset((page or 0) * page_size)
        return count, page_rows(query, page or 0, page_size, count)

    def _walked_query(self, args, page_size):
        """The same list query, its search without the index's narrowing (the flag that
        tells `_apply_search` so lives only while the query is made)."""
        g.search_walked = True
        try:
            return self._list_query(*args, page_size)
        finally:
            g.pop("search_walked")

    def _list_query(self, page, sort_column, sort_desc, search, filters, page_size):
        _none, query = super().get_list(
            page, sort_column, sort_desc, search, filters, execute=False, page_size=page_size
        )
        if self.list_defer:
            query = query.options(*(sa.orm.defer(getattr(self.model, n)) for n in self.list_defer))
        return query

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
