"""A list row's cells drawn in one pass: what Flask-Admin's `get_list_value` shows, with the
work that is the same for every row done once a page.

Flask-Admin formats each cell on its own: it looks up the column's formatter, translates
a choice's label (twice: once to test it, once to write it) and tries each type formatter
in turn, twenty rows by every column. Here the choices are translated and escaped once a
page, and the type formatter is found once for each type of value a column holds.
"""

from functools import partial

from jinja2 import pass_context
from markupsafe import Markup, escape


class RowCells:
    """All of a row's cells: `row_cells.bind()` in the list template."""

    def __init__(self, view, columns):
        self.view = view
        self.columns = [(name, f'<td class="col-{escape(name)}">') for name, _label in columns]
        choice_maps = view._column_choices_map
        self.choices = {
            name: {value: escape(label) for value, label in choice_maps[name].items()}
            for name, _td in self.columns
            if name in choice_maps
        }
        self.type_formatters = {}

    @pass_context
    def bind(self, context):
        """`row_cells.bind()` before the rows: a function of a row drawing its cells with
        the page's context, bound once (inside a loop Jinja derives a new context for
        every call of a function that takes one)."""
        return partial(self.draw, context)

    def draw(self, context, row):
        return Markup(
            "".join(f"{td}{self.cell(context, row, name)}</td>" for name, td in self.columns)
        )

    def cell(self, context, row, name):
        view = self.view
        formatter = view.column_formatters.get(name)
        if formatter is not None:
            value = formatter(view, context, row, name)
        else:
            value = view._get_field_value(row, name)
        choices = self.choices.get(name)
        if choices:
            return choices.get(value) or escape("" if value is None else value)
        formatter = self._type_formatter(value)
        if formatter is not None:
            value = formatter(view, value, name)
        return escape(value)

    def _type_formatter(self, value):
        kind = type(value)
        try:
            return self.type_formatters[kind]
        except KeyError:
            found = next(
                (f for t, f in self.view.column_type_formatters.items() if isinstance(value, t)),
                None,
            )
            self.type_formatters[kind] = found
            return found
