"""The main menu, drawn once for each way of seeing it.

Flask-Admin draws the menu on every page: for each item a macro, an access check and a
url_for. What it draws depends only on the language, the path the app is served under
(SCRIPT_NAME: every link starts with it), the screen being shown (the active item) and
which items the person may see (their role's), so the HTML is kept per those and reused.
"""

from flask import request
from flask_babel import get_locale

from views.base.cache import cache

MENUS_KEPT_AT_MOST = 2000  # languages x prefixes x screens x the sets of items roles see


def main_menu(admin_view, draw):
    """The menu's HTML for this page; `draw` (Flask-Admin's menu macro) makes it when it
    is not kept yet."""
    key = (
        str(get_locale()),
        request.script_root,
        admin_view.endpoint,
        tuple(_shown(admin_view.admin.menu())),
    )
    return cache("menu", MENUS_KEPT_AT_MOST).get(key, draw)


def _shown(items, checked=False):
    """The items (by identity) the person may see, those in categories included (a
    category's children come checked: get_children leaves out the others)."""
    for item in items:
        if item.is_category():
            yield from _shown(item.get_children(), checked=True)
        elif checked or (item.is_accessible() and item.is_visible()):
            yield id(item)
