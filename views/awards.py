"""Awards: the pay table (稿酬标准), the year's payment sheet (稿酬发放表) with its filing
and printable workbook, and commendations (表彰), with what a unit's and a person's
details pages show of them."""

import datetime as dt
import decimal

import wtforms
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import validators

from models import LEVELS, Commendation, bounds, clock
from models.accounts import EVERYONE, OFFICE, OFFICE_AND_LEADERS
from models.awards import (
    MAX_RATE,
    NOTE_MAX,
    amount_problem,
    award_filings,
    award_sheet,
    changed_units,
    commendation_problems,
    file_year,
    person_lines,
    rate_problems,
)
from views.base.access import scoped
from views.base.export import book_response
from views.base.filing import ShownFiling, file_and_flash
from views.base.printing import Subtotal
from views.secure import SecureModelView, SecureView


class MoneyField(wtforms.StringField):
    """A sum in yuan, to the fen, from 0 to MAX_RATE: anything else is refused with a
    message (not-a-number, infinities, a third decimal, a minus)."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        text = valuelist[0].strip()
        try:
            value = decimal.Decimal(text) if len(text) <= 20 else None
        except decimal.InvalidOperation:
            value = None
        if value is None or amount_problem(value):
            raise ValueError(str(amount_problem(None)))
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"


def _amount(view, context, row, name):
    return f"{row.amount:.2f}"


class PayRateView(SecureModelView):
    """The pay table: what one adopted item of each level, and one leader's instruction,
    is paid; a new rate is a new line from its day."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = OFFICE
    delete_roles = OFFICE
    column_list = ["kind", "level", "amount", "valid_from"]
    column_filters = ["kind", "level", "valid_from"]
    column_sortable_list = ["kind", "level", "amount", "valid_from"]
    column_default_sort = [("kind", False), ("level", False), ("valid_from", True)]
    form_columns = ["kind", "level", "amount", "valid_from"]
    form_overrides = {"amount": MoneyField}
    form_args = {
        "amount": {"validators": [validators.InputRequired()]},
        "valid_from": {"default": clock.today},
    }
    column_formatters = {"amount": _amount}
    column_formatters_detail = {"amount": _amount}
    column_descriptions = {
        "amount": _l("Yuan per item, to the fen, from 0.00 to %(most)s.", most=MAX_RATE),
        "valid_from": _l(
            "The rate holds from this day until a later line of the same kind and level: a "
            "new rate is a new line. An item is paid at the rate of its adoption day (an "
            "instruction at that of the day it was given); a filed sheet keeps its figures."
        ),
    }

    def form_problems(self, form):
        line_id = form._obj.id if form._obj is not None else None
        return [
            (getattr(form, name), message)
            for name, message in rate_problems(
                form.kind.data, form.level.data, form.amount.data, form.valid_from.data, line_id
            )
            if name != "amount"  # the field said it already
        ]


# ---- the year's payment sheet ----


def _header():
    return [
        _("Unit"),
        _("Author"),
        *[_("%(level)s items", level=label) for label in (LEVELS.label(v) for v in LEVELS)],
        _("Leaders' instructions"),
        _("Amount (yuan)"),
    ]


def _unit_header():
    return [_("Unit"), *_header()[2:]]


def _cells(line, with_author=True):
    first = [line.unit, line.author] if with_author else [line.unit]
    return [*first, *[line.items[level] for level in LEVELS], line.instructions, line.amount]


def sheet_lines(sheet):
    """The authors' table, top to bottom: each unit's authors, then the unit's subtotal."""
    lines = []
    for unit in sheet.units:
        for line in sheet.authors:
            if line.unit_id == unit.unit_id:
                lines.append(("author", _cells(line)))
        lines.append(("unit", [_("Subtotal: %(unit)s", unit=unit.unit), "", *_cells(unit)[2:]]))
    return lines


def _total(sheet, with_author=True):
    cells = _cells(sheet.total, with_author)
    cells[0] = _("Total")
    return cells


def _money_text(value):
    return f"{value:.2f}" if isinstance(value, decimal.Decimal) else value


class ShownSheet(ShownFiling):
    """The year's sheet the page shows, within what the person may see: the latest filing
    of the year if there is one (with the units counted differently now), else, or when
    asked for (or as of another day), counted now."""

    def __init__(self, year, as_of=None, want_current=False):
        super().__init__(award_filings(year), want_current or as_of is not None)
        own = None if current_user.sees_all_units else {current_user.unit_id}
        if self.filing is None:
            self.sheet = award_sheet(year, as_of=as_of, unit_ids=own)
            return
        self.sheet = self.filing.sheet(own)
        again = award_sheet(year, as_of=self.filing.as_of, unit_ids=own)
        self.changed = changed_units(self.sheet, again)


class AwardSheetView(SecureView):
    """The year's payments per unit and per author: items by level, instructions, amount."""

    read_roles = EVERYONE

    def _year(self):
        text = request.values.get("year")
        year = bounds.whole_number(text, bounds.FIRST_DAY.year, clock.today().year)
        if year is None and text:
            flash(
                _(
                    "%(year)s is not a year from %(first)s to %(last)s: this year is shown.",
                    year=text[:20],
                    first=bounds.FIRST_DAY.year,
                    last=clock.today().year,
                ),
                "warning",
            )
        return year or clock.today().year

    def _as_of(self, year):
        text = request.values.get("as_of")
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text[:10]) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None or day.year != year:
            flash(
                _("%(day)s is not a day of %(year)s: counted to date.", day=text[:20], year=year),
                "warning",
            )
            return None
        return day

    def _shown(self):
        year = self._year()
        return ShownSheet(year, self._as_of(year), request.args.get("show") == "current")

    def _title(self, sheet):
        return _("Payments for adopted information, %(year)s", year=sheet.year)

    @expose("/")
    def index(self):
        shown = self._shown()
        sheet = shown.sheet
        return self.render(
            "admin/awards/sheet.html",
            shown=shown,
            sheet=sheet,
            title=self._title(sheet),
            header=_header(),
            lines=[(kind, list(map(_money_text, cells))) for kind, cells in sheet_lines(sheet)],
            total=list(map(_money_text, _total(sheet))),
            filing_block=shown.filing_block(),
            may_file=current_user.role in OFFICE,
            today=clock.today(),
            local=clock.local,
            as_of_asked=request.args.get("as_of") or "",
        )

    @expose("/file/", methods=["POST"])
    def file(self):
        """File (报送) the year's sheet as counted now: its figures are kept as they are."""
        if current_user.role not in OFFICE:
            abort(403)  # leaders and units read the sheet; the office files it
        year = self._year()
        as_of = self._as_of(year)
        file_and_flash(
            lambda: file_year(year, current_user, request.form.get("note"), as_of=as_of),
            _l("Filed: the sheet as of %(day)s is kept."),
        )
        return redirect(self.get_url(".index", year=year))

    @expose("/export.xlsx")
    def export(self):
        """The sheet on paper: by unit on the first sheet, by author on the second, in the
        office's print standards (title, 填报单位, date, totals; no unit codes)."""
        shown = self._shown()
        sheet = shown.sheet
        title = self._title(sheet)
        subtitle = _("Counted as of %(day)s", day=sheet.as_of.isoformat())
        if shown.filing is not None:
            subtitle += " · " + _("as filed")
        common = {"title": title, "subtitle": subtitle, "filing": shown.filing_block()}
        levels = [12] * len(LEVELS.values)
        return book_response(
            f"{title}.xlsx",
            [
                {
                    "header": _unit_header(),
                    "rows": [_cells(unit, with_author=False) for unit in sheet.units],
                    "totals": _total(sheet, with_author=False),
                    "sheet_name": _("By unit"),
                    "widths": [30, *levels, 14, 16],
                    **common,
                },
                {
                    "header": _header(),
                    "rows": [
                        Subtotal(cells) if kind == "unit" else cells
                        for kind, cells in sheet_lines(sheet)
                    ],
                    "totals": _total(sheet),
                    "sheet_name": _("By author"),
                    "widths": [30, 14, *levels, 14, 16],
                    **common,
                },
            ],
        )


# ---- commendations ----


class CommendationView(SecureModelView):
    """Honours of the year (表彰): to a unit, or to one of its people; the office records
    them, leaders read them, a unit sees its own."""

    read_roles = EVERYONE
    write_roles = OFFICE
    delete_roles = OFFICE
    column_list = ["year", "title", "unit", "staff", "document_no", "awarded_on"]
    column_details_list = [*column_list, "note"]
    column_export_list = column_details_list
    column_searchable_list = ["title", "document_no"]
    column_filters = ["year", "unit", "title", "awarded_on"]
    column_sortable_list = ["year", ("unit", "unit.name"), "title", "awarded_on"]
    column_default_sort = [("year", True), ("awarded_on", True), ("id", True)]
    form_columns = ["year", "title", "unit", "staff", "document_no", "awarded_on", "note"]
    form_ajax_refs = {"staff": {"fields": ["name"], "page_size": 10}}
    form_args = {
        "year": {
            "default": lambda: clock.today().year - 1,
            "validators": [validators.InputRequired()],
        },
        "title": {"validators": [validators.DataRequired(), validators.Length(max=100)]},
        "document_no": {"validators": [validators.DataRequired(), validators.Length(max=50)]},
        "awarded_on": {"default": clock.today, "validators": [validators.InputRequired()]},
        "unit": {"validators": [validators.InputRequired()]},
        "note": {"validators": [validators.Length(max=NOTE_MAX)]},
    }
    column_labels = {"staff": _l("Person honoured")}
    column_descriptions = {
        "title": _l("As the document says, e.g. 信息工作先进单位, 优秀信息员."),
        "staff": _l("Empty for the unit's own honour; a person of the unit for theirs."),
        "document_no": _l("The number of the document that gave it, e.g. ×委办〔2026〕3号."),
        "year": _l("The year the honour is for; the document may be dated the year after."),
    }

    def form_problems(self, form):
        return [
            (getattr(form, name), message)
            for name, message in commendation_problems(
                form.year.data, form.awarded_on.data, form.unit.data, form.staff.data
            )
        ]


def commendations_table(rows, with_recipient=True):
    """A small table of commendations for a details page."""
    if not rows:
        return Markup('<span class="text-muted">{}</span>').format(_("No commendation on record."))
    head = [_("Year"), _("Honour")]
    head += [_("Honoured")] if with_recipient else []
    head += [_("Document number"), _("Date of the document")]
    body = []
    for row in rows:
        cells = [str(row.year), row.title]
        cells += [str(row.recipient)] if with_recipient else []
        cells += [row.document_no, row.awarded_on.isoformat()]
        link = url_for("commendations.details_view", id=row.id)
        first, *rest = cells
        body.append(
            Markup('<tr><td><a href="{}">{}</a></td>').format(link, first)
            + Markup("").join(Markup("<td>{}</td>").format(cell) for cell in rest)
            + Markup("</tr>")
        )
    header = Markup("").join(Markup("<th>{}</th>").format(h) for h in head)
    return Markup(
        '<table class="table table-sm ducha-commendations"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(header, Markup("").join(body))


def _commendations(condition):
    query = scoped(Commendation, Commendation.query.filter(condition))
    return query.order_by(
        Commendation.year.desc(), Commendation.awarded_on.desc(), Commendation.id.desc()
    ).limit(200)


def unit_commendations(view, context, unit, name):
    """The unit's honours and its people's, latest first."""
    return commendations_table(_commendations(Commendation.unit_id == unit.id).all())


def person_commendations(view, context, person, name):
    return commendations_table(
        _commendations(Commendation.staff_id == person.id).all(), with_recipient=False
    )


def _payment_text(items, instructions, amount, year):
    return _(
        "%(year)s: %(items)s items adopted, %(instructions)s leaders' instructions, "
        "%(amount)s yuan so far",
        year=year,
        items=items,
        instructions=instructions,
        amount=f"{amount:.2f}",
    )


def _sheet_link(text, unit_year):
    if not current_user.is_authenticated:
        return text
    return Markup('{} <a href="{}">{}</a>').format(
        text, url_for("award_sheet.index", year=unit_year), _("Payment sheet")
    )


def unit_payments(view, context, unit, name):
    """This year's payments of the unit so far, counted now (the sheet has the detail)."""
    year = clock.today().year
    sheet = award_sheet(year, unit_ids=[unit.id])
    total = sheet.total
    return _sheet_link(_payment_text(total.adopted, total.instructions, total.amount, year), year)


def person_payments(view, context, person, name):
    """This year's payments for the items the person wrote (撰稿人 of their unit)."""
    year = clock.today().year
    lines = person_lines(award_sheet(year, unit_ids=[person.unit_id]), person)
    adopted = sum(line.adopted for line in lines)
    instructions = sum(line.instructions for line in lines)
    amount = sum((line.amount for line in lines), decimal.Decimal("0.00"))
    return _sheet_link(_payment_text(adopted, instructions, amount, year), year)
