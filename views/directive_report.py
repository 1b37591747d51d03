"""The monthly directive report (领导批示件月报表): a page, filing (报送) and a printable workbook."""

from babel.dates import format_skeleton
from flask import flash, redirect, request
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Assignment, bounds, clock
from models.accounts import EVERYONE, OFFICE
from models.directive_report import (
    changed_units,
    file_month,
    filings,
    month_report,
    month_start,
)
from models.periods import closed_month_days, month, shown_month
from models.units import RANKING_GROUPS
from views.base.export import export_response
from views.base.filing import ShownFiling, file_and_flash
from views.base.printing import NO_VALUE, Subtotal
from views.secure import SecureView


def _header():
    return [
        _("Unit"),
        _("Received in the month"),
        _("Finished"),
        _("Finished on time"),
        _("Overdue"),
        _("In progress"),
        _("Completion rate (%)"),
        _("On-time rate (%)"),
    ]


def _cells(name, row):
    """A row of the table, on the page and on paper alike: no unit code, "—" for a rate
    with nothing to count."""
    return [
        name,
        row.received,
        row.finished,
        row.on_time,
        row.overdue,
        row.in_progress,
        _rate(row.completion_rate),
        _rate(row.on_time_rate),
    ]


def _rate(value):
    return NO_VALUE if value is None else value


def report_lines(report):
    """The table, top to bottom: each group's units, then the group's subtotal."""
    lines = []
    for group in sorted(report.groups, key=lambda g: RANKING_GROUPS.values.index(g.group)):
        for row in report.units:
            if row.group == group.group:
                lines.append(("unit", _cells(row.name, row)))
        lines.append(("group", _cells(_("Subtotal: %(group)s", group=group.name), group)))
    return lines


class Shown(ShownFiling):
    """The month's report the page shows, within what the person may see: the latest
    filing if the month was filed (with the units a recomputation as of the same day now
    counts differently), else, or when asked for, computed now."""

    def __init__(self, first, want_current=False):
        super().__init__(filings(first), want_current)
        own = None if current_user.sees_all_units else {current_user.unit_id}
        scope = None if own is None else Assignment.unit_id.in_(own)
        if self.filing is None:
            self.report = month_report(first, scope=scope)
            return
        self.report = self.filing.report(own)
        again = month_report(first, scope=scope, today=self.filing.as_of)
        self.changed = changed_units(self.report, again)


class DirectiveReportView(SecureView):
    """Per unit and group for a month: received, finished, on time, overdue, rates."""

    read_roles = EVERYONE

    def _month(self):
        text = request.args.get("month") or request.form.get("month")
        first = month_start(text)
        if first is not None and not bounds.in_range(first):
            flash(
                _(
                    "%(month)s is outside the years %(first)s to %(last)s: the month this page opens on is shown.",
                    month=text,
                    first=bounds.FIRST_DAY.year,
                    last=bounds.LAST_DAY.year,
                ),
                "warning",
            )
            first = None
        elif first is None and text:
            flash(
                _(
                    "%(month)s is not a month (YYYY-MM): the month this page opens on is shown.",
                    month=text,
                ),
                "warning",
            )
        # Nothing (readable) asked: the month the clerk is working on.
        return first or shown_month().start

    def _title(self, report):
        return _("Monthly directive report, %(month)s", month=report.month.strftime("%Y-%m"))

    @expose("/")
    def index(self):
        shown = Shown(self._month(), request.args.get("show") == "current")
        return self.render(
            "admin/directives/month_report.html",
            shown=shown,
            report=shown.report,
            today=clock.today(),
            local=clock.local,
            may_file=current_user.role in OFFICE,
            title=self._title(shown.report),
            header=_header(),
            lines=report_lines(shown.report),
            total=_cells(_("Total"), shown.report.total),
            filing_block=shown.filing_block(),
            shown_label=month(shown.report.month).display_label,
            closed_days=closed_month_days(),
        )

    @expose("/file/", methods=["POST"])
    def file(self):
        """File (报送) the month as it stands: its figures are kept as they are now."""
        first = self._month()
        if current_user.role not in OFFICE:
            flash(_("Only the office files the monthly report."), "error")
        else:
            file_and_flash(
                lambda: file_month(first, current_user, request.form.get("note")),
                _l("Filed: the report as of %(day)s is kept."),
            )
        return redirect(self.get_url(".index", month=first.strftime("%Y-%m")))

    @expose("/export.xlsx")
    def export(self):
        """The report as the form the office files: printed to its standards, the rows of
        the page, the filing block under them."""
        shown = Shown(self._month(), request.args.get("show") == "current")
        report = shown.report
        return export_response(
            "xlsx",
            self._title(report),
            _header(),
            [Subtotal(cells) if kind == "group" else cells for kind, cells in report_lines(report)],
            title=self._title(report),
            subtitle=_("Counted as of %(day)s", day=report.as_of.isoformat()),
            sheet_name=format_skeleton("yMMM", report.month, locale=get_locale()),
            widths=[30, 10, 10, 12, 10, 10, 14, 14],
            totals=_cells(_("Total"), report.total),
            filing=shown.filing_block(),
        )
