"""Error pages in the interface's language: a record that is not yours is "not found"."""

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

PAGES = {
    400: (
        _l("The request could not be read"),
        _l("If you were filling in a form, go back, reload the page and try again."),
    ),
    403: (_l("No access"), _l("Your account may not open this page.")),
    404: (
        _l("The page or record does not exist"),
        _l("Check the address, or go back to the list: it may also be a record you may not see."),
    ),
}


def error_page(error):
    """The error's page, with its status kept."""
    title, text = PAGES[error.code]
    return render_template("error.html", code=error.code, title=title, text=text), error.code


def init_errors(app):
    for error in (BadRequest, Forbidden, NotFound):
        app.register_error_handler(error, error_page)
