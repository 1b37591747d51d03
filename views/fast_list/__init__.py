"""Our copy of Flask-Admin's list page, fenced here: its template
(templates/admin/fast_list.html), the row cells and icons drawn a page at a time
(cells.py, icons.py), and the menu drawn once per way of seeing it (menu.py). One more
copy is checked by the same version: the page body of Flask-Admin's bootstrap4
admin/base.html in templates/admin/ducha_base.html (its navbar rearranged so that a
phone's folded bar keeps the site's name and the to-do link).

Why a copy: measured on the benchmark province (1,000,000 reports, PostgreSQL, requests
interleaved with a stock Flask-Admin view of the same table), the report list's first
page is 4.8-5.2 times faster than stock with it, and 2.6-2.8 times with Flask-Admin's own
list template, menu and URLs (our counting and paging kept in both).

It mirrors Flask-Admin MIRRORED: `check_flask_admin()` refuses to start on another
version. On an upgrade: compare Flask-Admin's admin/model/list.html, layout.html and
bootstrap4/admin/base.html (block page_body) with the copies, carry their changes over, run tests/test_list_rows.py (every list as three
roles must be Flask-Admin's own page) and bump MIRRORED.
"""

import flask_admin
from flask_admin.babel import gettext as admin_gettext

from views.fast_list.cells import RowCells
from views.fast_list.icons import RowIcons
from views.fast_list.menu import main_menu

MIRRORED = "2.2.1"
TEMPLATE = "admin/fast_list.html"
STOCK_TEMPLATE = "admin/model/list.html"

__all__ = ["FastList", "check_flask_admin", "main_menu"]


def check_flask_admin(version=None):
    """Refuse to start on a Flask-Admin other than the one the copy mirrors."""
    version = version or flask_admin.__version__
    if version != MIRRORED:
        raise RuntimeError(
            f"views/fast_list mirrors Flask-Admin {MIRRORED}'s list page, not {version}: "
            "see views/fast_list/__init__.py for what to compare before changing MIRRORED"
        )


class FastList:
    """A model view drawn by our copy of the list page."""

    list_template = TEMPLATE

    def check_list_template(self):
        """Our list page draws neither inline editing nor modal forms: a view that wants
        them uses Flask-Admin's own list page."""
        wanted = self.column_editable_list or any(
            (self.create_modal, self.edit_modal, self.details_modal)
        )
        if wanted and self.list_template != STOCK_TEMPLATE:
            raise TypeError(
                f"{type(self).__name__}: {self.list_template} draws no inline editing or "
                f'modal forms; set list_template = "{STOCK_TEMPLATE}"'
            )

    def render(self, template, **kwargs):
        if "list_row_actions" in kwargs:  # the list page
            kwargs["row_icons"] = RowIcons(self, kwargs["list_row_actions"], kwargs["return_url"])
            kwargs["row_cells"] = RowCells(self, kwargs["list_columns"])
            kwargs["select_title"] = admin_gettext("Select record")  # once, not once a row
        return super().render(template, **kwargs)
