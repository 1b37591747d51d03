"""The ranking bulletins (《信息工作通报》): drafted from the ranking page, edited, issued
with their number, listed, printed (A4, static/print.css) and as a printable workbook, all
from the record (models/bulletins.py)."""

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import validators

from models import RuleError, db
from models.accounts import EVERYONE, OFFICE
from models.bulletins import (
    BULLETIN_STATES,
    TEXT_MAX,
    bulletin_group,
    bulletin_period,
    draft_bulletin,
    issue_bulletin,
    redraft,
)
from models.ranking import sees_ranking
from views.base.export import book_response
from views.base.printing import FilingBlock
from views.ranking import _movement, level_columns, printed_columns, veto_label
from views.secure import SecureModelView


def reader_columns(period):
    """(header, value of a row) of the table a reader of the bulletin needs: no unit code."""
    return [
        (_l("Rank"), lambda r: r.rank),
        (_l("Unit"), lambda r: r.unit),
        *level_columns(),
        (_l("Items adopted"), lambda r: r.adopted),
        (_l("Points"), lambda r: r.points),
        (_l("Movement"), _movement),
        (_l("Remarks"), lambda r: remarks(r, period)),
    ]


READER_WIDTHS = [6, 22, 8, 8, 8, 8, 9, 8, 8, 26]


def remarks(row, period):
    """A vetoed unit, a unit at the bottom: what the reader's table says of it."""
    notes = [veto_label(row, period)] if row.veto else []
    if row.bottom:
        notes.append(_("Bottom place"))
    return "；".join(notes)


def full_columns(period):
    """Every column of the ranking's export but the unit code, with widths that keep
    the type readable on A4 landscape."""
    columns = printed_columns(period)
    widths = [5, 18] + [6] * (len(columns) - 2)
    for n, (header, _v, _s) in enumerate(columns):
        if str(header) == str(_l("Veto")):
            widths[n] = 24
    return columns, widths


def _number(view, context, model, name):
    text = model.number_text or BULLETIN_STATES.label("draft")
    return Markup('<a href="{}">{}</a>').format(
        view.get_url(".document", id=model.id), f"{model.title} {text}"
    )


def _period(view, context, model, name):
    try:
        return model.period_of.label
    except ValueError:
        return model.period


class BulletinView(SecureModelView):
    """The bulletins the office drafted and issued: who issued which number, when."""

    read_roles = EVERYONE
    can_create = False  # a draft is made from the ranking page (the period and group shown)
    row_delete = False
    column_list = ["number", "period", "ranking_group", "state", "issued_by_name", "issued_at"]
    column_labels = {"number": _l("Bulletin")}
    column_formatters = {
        "number": _number,
        "period": _period,
        "ranking_group": lambda v, c, m, n: m.group_label or _("All units"),
    }
    column_default_sort = ("created_at", True)
    column_sortable_list = ["period", "state", "issued_at"]
    column_details_list = [
        "period",
        "ranking_group",
        "state",
        "number",
        "text",
        "as_of",
        "created_by_name",
        "created_at",
        "issued_by_name",
        "issued_at",
    ]
    column_formatters_detail = {
        "number": lambda v, c, m, n: m.number_text,
        "period": _period,
        "ranking_group": lambda v, c, m, n: m.group_label or _("All units"),
    }
    form_columns = ["text"]
    form_args = {"text": {"validators": [validators.Length(max=TEXT_MAX)]}}
    form_widget_args = {"text": {"rows": 12}}

    def is_accessible(self):
        return super().is_accessible() and sees_ranking(current_user)

    def row_allows(self, model, action):
        return not model.issued  # an issued bulletin stays as filed

    def get_save_return_url(self, model, is_created=False):
        return self.get_url(".document", id=model.id)

    # ---- drafting and issuing (the office) ----

    @expose("/draft/", methods=("POST",))
    def draft(self):
        """Draft the bulletin of a period and group from the ranking, or open its draft."""
        if current_user.role not in OFFICE:
            return self.inaccessible_callback("draft")
        ranking_url = url_for(
            "ranking.index", **{k: request.form.get(k, "") for k in ("period", "group")}
        )
        try:
            period = bulletin_period(request.form.get("period"))
            group = bulletin_group(request.form.get("group"))
            bulletin = draft_bulletin(period, group, current_user)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(ranking_url)
        return redirect(self.get_url(".document", id=bulletin.id))

    @expose("/redraft/", methods=("POST",))
    def redraft_view(self):
        """Take the draft's rows and text again from the ranking as it is now."""
        bulletin = self._draft()
        try:
            redraft(bulletin)
            db.session.commit()
            flash(_("Drafted again from the ranking as it is now."), "success")
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        return redirect(self.get_url(".document", id=bulletin.id))

    @expose("/issue/", methods=("POST",))
    def issue(self):
        """Issue the draft: it is given the next issue number of the year, once."""
        bulletin = self._draft()
        try:
            issue_bulletin(bulletin, current_user)
            db.session.commit()
            flash(_("Issued as %(number)s.", number=bulletin.number_text), "success")
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        return redirect(self.get_url(".document", id=bulletin.id))

    def _draft(self):
        if current_user.role not in OFFICE:
            return self.inaccessible_callback("issue")
        return self.get_one(request.args.get("id"))

    # ---- the document ----

    @expose("/document/")
    def document(self):
        """The bulletin to print: its number, date, title, text and table."""
        bulletin = self.get_one(request.args.get("id"))
        period = bulletin.period_of
        rows = bulletin.ranked_rows()
        office = current_user.role in OFFICE
        url = lambda endpoint: self.get_url(endpoint, id=bulletin.id)  # noqa: E731
        return self.render(
            "admin/bulletins/print.html",
            bulletin=bulletin,
            issued_alike=bulletin.issued_alike_warning() if office else "",
            office_name=current_app.config["OFFICE_NAME"],
            paragraphs=[p for p in bulletin.text.splitlines() if p.strip()],
            header=[str(h) for h, _v in reader_columns(period)],
            rows=[[value(r) for _h, value in reader_columns(period)] for r in rows],
            marks=[("vetoed" if r.veto else "") + (" bottom" if r.bottom else "") for r in rows],
            xlsx_url=url(".workbook"),
            edit_url=url(".edit_view") if office and not bulletin.issued else None,
            issue_url=url(".issue") if office and not bulletin.issued else None,
            redraft_url=url(".redraft_view") if office and not bulletin.issued else None,
            back_url=self.get_url(".index_view"),
        )

    @expose("/workbook/")
    def workbook(self):
        """The bulletin as a printable workbook: the reader's table, then every column."""
        bulletin = self.get_one(request.args.get("id"))
        period = bulletin.period_of
        rows = bulletin.ranked_rows()
        title = f"{bulletin.title} {bulletin.number_text}".strip()
        subtitle = _(
            "%(office)s, %(day)s (counted as of %(as_of)s)",
            office=current_app.config["OFFICE_NAME"],
            day=bulletin.date_text(),
            as_of=bulletin.as_of.isoformat(),
        )
        reader = reader_columns(period)
        columns, widths = full_columns(period)
        filing = FilingBlock(
            current_app.config["OFFICE_NAME"],
            bulletin.issued_by_name or str(current_user),
            bulletin.dated(),
        )
        sheets = [
            {
                "header": [str(h) for h, _v in reader],
                "rows": [[value(r) for _h, value in reader] for r in rows],
                "title": title,
                "subtitle": subtitle,
                "sheet_name": period.label,
                "widths": READER_WIDTHS,
                "filing": filing,
            },
            {
                "header": [str(h) for h, _v, _s in columns],
                "rows": [[value(r) for _h, value, _s in columns] for r in rows],
                "title": title,
                "subtitle": subtitle,
                "sheet_name": _("%(period)s in full", period=period.label),
                "widths": widths,
            },
        ]
        name = f"{bulletin.title}{bulletin.number_text or _('Draft')}".replace(" ", "")
        return book_response(name + ".xlsx", sheets)
