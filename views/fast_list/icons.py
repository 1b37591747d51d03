"""The icons at the start of a list row (see, edit, delete), drawn without a template macro
and a url_for per icon: the link (or the delete form) is built once per page and each row
only adds its id. Any other row action of a view's own is drawn by its template as before.
"""

from functools import partial
from types import SimpleNamespace
from urllib.parse import quote

from flask_admin.model import template
from jinja2 import pass_context
from markupsafe import Markup, escape

from views.base.access import GuardedRowAction

# The link icons Flask-Admin draws with its row_actions macros: endpoint and icon.
LINKS = {
    template.ViewRowAction: (".details_view", "fa fa-eye glyphicon glyphicon-eye-open"),
    template.EditRowAction: (".edit_view", "fa fa-pencil glyphicon glyphicon-pencil"),
}
ROW_ID = "ROWID"  # stands for the row's id in a link built once
ROW_ACTIONS = "admin/model/row_actions.html"


class RowLink:
    """One link icon, its URL built for every row of the page at once."""

    def __init__(self, view, action, return_url):
        endpoint, icon = LINKS[type(action)]
        url = str(escape(view.get_url(endpoint, id=ROW_ID, url=return_url)))
        before, after = url.split(ROW_ID, 1)  # the id comes first in the query
        self.start = f'<a class="icon" href="{before}'
        self.end = f'{after}" title="{escape(action.title or "")}"><span class="{icon}"></span></a>'

    def draw(self, row_id):
        return f"{self.start}{quote(str(row_id), safe='')}{self.end}"


class RowForm:
    """The delete form, drawn by Flask-Admin's macro once a page for a stand-in row."""

    def __init__(self, view, action):
        self.view, self.action = view, action
        self.parts = None

    def draw(self, context, row_id):
        if self.parts is None:
            stand_in = SimpleNamespace(**{self.view._primary_key: ROW_ID})
            html = str(self.action.render(context, ROW_ID, stand_in))
            self.parts = html.split(ROW_ID, 1)  # the id's field comes first in the form
        before, after = self.parts
        return f"{before}{escape(row_id)}{after}"


class RowIcons:
    """All of a row's action icons: `row_icons.bind()` in the list template."""

    def __init__(self, view, actions, return_url):
        self.view = view
        self.parts = [self._part(action, return_url) for action in actions]
        self.macros = None

    def _part(self, action, return_url):
        guard, inner = None, action
        if isinstance(action, GuardedRowAction):
            guard, inner = action.name, action.action
        if type(inner) in LINKS:
            return guard, RowLink(self.view, inner, return_url)
        if type(inner) is template.DeleteRowAction and isinstance(self.view._primary_key, str):
            return guard, RowForm(self.view, inner)
        return None, action  # drawn by its own template

    @pass_context
    def bind(self, context):
        """`row_icons.bind()` before the rows: a function of a row's id and the row
        drawing its icons with the page's context (see RowCells.bind)."""
        return partial(self.draw, context)

    def draw(self, context, row_id, row):
        html = []
        for guard, part in self.parts:
            if guard is not None and not self.view.row_allows(row, guard):
                continue
            if isinstance(part, RowLink):
                html.append(part.draw(row_id))
            elif isinstance(part, RowForm):
                html.append(part.draw(self._with_macros(context), row_id))
            else:
                html.append(str(part.render(self._with_macros(context), row_id, row)))
        return Markup("".join(html))

    def _with_macros(self, context):
        """The page's context with Flask-Admin's row action macros (`row_actions`), which
        its row actions draw with; imported once a page, when a row first needs them."""
        if self.macros is None:
            module = context.environment.get_template(ROW_ACTIONS).make_module(context.get_all())
            self.macros = context.derived({"row_actions": module})
        return self.macros
