"""The office's quick answers to a report (回音): the form they post, and the icons on a
report's list row. Which answers a report may take is the model's (Report.quick_answers,
models.reports.answer_reports); this only draws and collects them.
"""

from urllib.parse import quote

from flask_admin.model.template import BaseListRowAction
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import SelectField, TextAreaField, validators

from models.reports import QUICK_ANSWERS
from views.forms import BaseForm

ROW_ID = "ROWID"  # stands for the row's id in a link built once a page
# What each quick answer is called on a button (the statuses' labels name the result).
BUTTONS = {
    "editing": _l("Being edited"),
    "not_adopted": _l("Do not adopt"),
    "returned": _l("Return to the unit"),
}
ICONS = {"editing": "fa fa-hourglass-half", "not_adopted": "fa fa-ban"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AnswerForm(BaseForm):
    """A quick answer: which, and for a returned report the reason (the model requires it)."""

    status = SelectField(
        _l("Answer"), [validators.InputRequired()], choices=[(s, BUTTONS[s]) for s in QUICK_ANSWERS]
    )
    comment = TextAreaField(_l("Reason for returning"), filters=[_strip])


def form_errors(form):
    """The form's messages, each with its field's label."""
    return [f"{field.label.text}: {error}" for field in form for error in field.errors]


class _Link:
    """A URL built once with ROW_ID for the id (which url_for puts first), then per row."""

    def __init__(self, url, anchor=""):
        url = str(escape(url))
        self.before, self.after = url.split(ROW_ID, 1)
        self.after += anchor

    def __call__(self, row_id):
        return f"{self.before}{quote(str(row_id), safe='')}{self.after}"


class AnswerRowAction(BaseListRowAction):
    """A report's quick answers on its list row: 编辑中 and 不采用 post at once; 退稿 opens
    the report's page for the reason, 采用 the batch adoption page for this one report.
    The links are built at the first row, and the row's status alone decides which are
    drawn (no query per row); Flask-Admin's list page and ours draw it alike."""

    def __init__(self, view):
        super().__init__(_l("Answer"))
        self.view = view
        self.links = None

    def _build(self, context):
        get_url, return_url = self.view.get_url, context.resolve("return_url")
        self.links = {
            "answer": _Link(get_url(".answer_view", id=ROW_ID, url=return_url)),
            "returned": _Link(get_url(".details_view", id=ROW_ID, url=return_url), "#answer"),
            "adopt": _Link(get_url(".adopt_view", ids=ROW_ID)),
        }
        token = escape(generate_csrf())
        self.token = f'<input type="hidden" name="csrf_token" value="{token}">'
        self.buttons = {
            status: f'<button name="status" value="{status}" title="{_title(BUTTONS[status])}">'
            f'<span class="{icon}"></span></button>'
            for status, icon in ICONS.items()
        }
        self.titles = {"returned": _title(BUTTONS["returned"]), "adopt": _title(_l("Adopt..."))}

    def render(self, context, row_id, row):
        if self.links is None:
            self._build(context)
        offered = row.quick_answers()
        html = []
        posted = "".join(self.buttons[s] for s in offered if s in self.buttons)
        if posted:
            action = self.links["answer"](row_id)
            html.append(
                f'<form class="icon" method="POST" action="{action}">{self.token}{posted}</form>'
            )
        if "returned" in offered:
            html.append(self._icon("returned", row_id, "fa fa-reply"))
        if row.adoption_warning() is None:
            html.append(self._icon("adopt", row_id, "fa fa-check"))
        return Markup(f'<span class="ducha-answers">{"".join(html)}</span>') if html else ""

    def _icon(self, name, row_id, icon):
        url, title = self.links[name](row_id), self.titles[name]
        return f'<a class="icon" href="{url}" title="{title}"><span class="{icon}"></span></a>'


def _title(label):
    return escape(str(label))
