"""The monthly directive report (领导批示件月报表): a page and a printable workbook."""

from flask import flash, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from models import Assignment, bounds, clock
from models.directive_report import month_report, month_start
from models.units import RANKING_GROUPS
from views.export import export_response
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
    return [
        name,
        row.received,
        row.finished,
        row.on_time,
        row.overdue,
        row.in_progress,
        row.completion_rate,
        row.on_time_rate,
    ]


def report_lines(report):
    """The table, top to bottom: each group's units, then the group's subtotal."""
    lines = []
    for group in sorted(report.groups, key=lambda g: RANKING_GROUPS.values.index(g.group)):
        for row in report.units:
            if row.group == group.group:
                lines.append(("unit", _cells(row.name, row)))
        lines.append(("group", _cells(_("Subtotal: %(group)s", group=group.name), group)))
    return lines


class DirectiveReportView(SecureView):
    """Per unit and group for a month: received, finished, on time, overdue, rates."""

    read_roles = frozenset({"admin", "staff", "leader", "unit"})

    def _report(self):
        text = request.args.get("month")
        first = month_start(text)
        if first is not None and not bounds.in_range(first):
            flash(
                _(
                    "%(month)s is outside the years %(first)s to %(last)s: this month is shown.",
                    month=text,
                    first=bounds.FIRST_DAY.year,
                    last=bounds.LAST_DAY.year,
                ),
                "warning",
            )
            first = None
        elif first is None and text:
            flash(
                _("%(month)s is not a month (YYYY-MM): this month is shown.", month=text),
                "warning",
            )
        first = first or clock.today().replace(day=1)
        return month_report(first, scope=Assignment.visible_to(current_user))

    def _title(self, report):
        return _("Monthly directive report, %(month)s", month=report.month.strftime("%Y-%m"))

    @expose("/")
    def index(self):
        report = self._report()
        return self.render(
            "admin/directives/month_report.html",
            report=report,
            title=self._title(report),
            header=_header(),
            lines=report_lines(report),
            total=_cells(_("Total"), report.total),
        )

    @expose("/export.xlsx")
    def export(self):
        """The report as a workbook laid out for printing: title, Chinese headers, A4 landscape."""
        report = self._report()
        title = self._title(report)
        rows = [cells for _kind, cells in report_lines(report)]
        return export_response(
            "xlsx",
            title,
            _header(),
            rows,
            title=_("%(title)s (as of %(day)s)", title=title, day=report.as_of.isoformat()),
            widths=[28, 10, 10, 12, 12, 10, 14, 14],
            totals=_cells(_("Total"), report.total),
        )
