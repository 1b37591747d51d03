"""The year-end evaluation (年终总评) and the quarterly summary (季度小结): pages, filing
(报送) and printable workbooks; the grade rules the office keeps."""

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from wtforms import validators

from models import Unit, bounds, clock, db
from models.accounts import ADMINS, EVERYONE, OFFICE, OFFICE_AND_LEADERS
from models.evaluation import (
    GRADE_RULES,
    GRADES,
    GradeRule,
    changed_quarter_units,
    changed_units,
    evaluate,
    evaluation_filings,
    file_evaluation,
    file_quarter,
    quarter_filings,
    quarter_summary,
    reason_text,
)
from models.periods import PeriodError, parse_period, quarter, shown_month
from models.periods import year as year_period
from models.ranking import sees_ranking
from models.units import RANKING_GROUPS
from views.base.export import export_response
from views.base.filing import ShownFiling, file_and_flash
from views.ranking import _totals_row, printed_columns
from views.secure import SecureModelView, SecureView


class GradeRuleView(SecureModelView):
    """The grade rules of the year-end evaluation: each line holds from its day."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["key", "value", "valid_from"]
    column_filters = ["key", "valid_from"]
    column_default_sort = [("key", False), ("valid_from", True)]
    form_columns = ["key", "value", "valid_from"]
    form_args = {
        "value": {"validators": [validators.NumberRange(min=0, max=100000)]},
        "valid_from": {"default": clock.today},
    }
    column_descriptions = {
        "value": _l(
            "Shares in per cent of the units ranked (0: nobody gets the grade); points and "
            "counts as numbers (0: the rule is not applied); yes or no as 1 or 0. A "
            "missed emergency report always makes the year 较差 (一票否决)."
        ),
        "valid_from": _l(
            "The value holds from this day until a later line of the same rule: a year is "
            "graded by the lines holding on its last day. A filed evaluation keeps its rules."
        ),
    }

    def form_problems(self, form):
        key, value = form.key.data, form.value.data
        problems = []
        if problem := GradeRule.value_problem(key, value):
            problems.append((form.value, problem))
        same = GradeRule.query.filter_by(key=key, valid_from=form.valid_from.data)
        if form._obj is not None:
            same = same.filter(GradeRule.id != form._obj.id)
        if form.valid_from.data and same.first() is not None:
            problems.append((form.valid_from, _l("This rule already has a line from that day.")))
        return problems


def _header():
    return [
        _("Rank"),
        _("Unit"),
        _("Items adopted"),
        _("Points"),
        _("Quota items"),
        _("Quota points"),
        _("Criticism notices"),
        _("Grade"),
        _("Grounds for the grade"),
    ]


def _cells(line):
    """A line of the evaluation, on the page and on paper alike: no unit code."""
    return [
        line.rank,
        line.unit,
        line.adopted,
        line.points,
        line.quota_items,
        line.quota_points,
        line.criticisms,
        str(line.grade_label),
        _("; ").join(reason_text(r) for r in line.reasons),
    ]


def _counts_text(evaluation):
    return pgettext("counts", ", ").join(
        _("%(grade)s %(count)s", grade=GRADES.label(grade), count=count)
        for grade, count in evaluation.counts().items()
    )


class ShownEvaluation(ShownFiling):
    """The year's evaluation the page shows, within what the person may see: the latest
    filing if there is one (with the units a recount as of the same day now grades or
    places differently), else, or when asked for, counted today."""

    def __init__(self, year, group, want_current=False):
        super().__init__(evaluation_filings(year, group), want_current)
        own = None if current_user.sees_all_units else {current_user.unit_id}
        if self.filing is None:
            self.evaluation = evaluate(year, group).only(own)
            return
        self.evaluation = self.filing.evaluation().only(own)
        again = evaluate(year, group, as_of=self.filing.as_of).only(own)
        self.changed = changed_units(self.evaluation, again)


class ShownQuarter(ShownFiling):
    """The quarter's summary the page shows, like ShownEvaluation: the latest filing if
    there is one, else, or when asked for, counted today; a unit officer's line alone."""

    def __init__(self, period, group, want_current=False):
        super().__init__(quarter_filings(period, group), want_current)
        if self.filing is None:
            self.as_of = clock.today()
            self.lines = _own(quarter_summary(period, group))
            return
        self.as_of = self.filing.as_of
        self.lines = _own(self.filing.lines())
        again = _own(quarter_summary(period, group, today=self.filing.as_of))
        self.changed = changed_quarter_units(self.lines, again)


def _own(lines):
    if current_user.sees_all_units:
        return lines
    return [line for line in lines if line.row.unit_id == current_user.unit_id]


class EvaluationView(SecureView):
    """The year-end evaluation of a ranking group, and the quarterly summaries."""

    read_roles = EVERYONE

    def is_accessible(self):
        return super().is_accessible() and sees_ranking(current_user)

    # ---- what was asked ----

    def _group(self):
        """The ranking group: a unit officer's own; else the one asked, or the first."""
        if current_user.role == "unit":
            return db.session.get(Unit, current_user.unit_id).ranking_group
        asked = request.values.get("group")
        if asked and asked not in RANKING_GROUPS:
            flash(_("No such ranking group: the first is shown."), "warning")
        return asked if asked in RANKING_GROUPS else RANKING_GROUPS.values[0]

    def _year(self):
        text = (request.values.get("year") or "").strip()
        default = shown_month().start.year
        if not text:
            return default
        number = bounds.whole_number(text, bounds.FIRST_DAY.year, bounds.LAST_DAY.year)
        if number is None:
            flash(
                _(
                    "%(year)s is not a year from %(first)s to %(last)s: %(shown)s is shown.",
                    year=text,
                    first=bounds.FIRST_DAY.year,
                    last=bounds.LAST_DAY.year,
                    shown=default,
                ),
                "warning",
            )
            return default
        return number

    def _quarter(self):
        text = (request.args.get("period") or "").strip()
        default = quarter(shown_month().start)
        if not text:
            return default
        try:
            period = parse_period(text)
        except PeriodError:
            period = None
        if period is None or period.kind != "quarter":
            flash(
                _("%(period)s is not a quarter (2026-Q3): %(shown)s is shown.", period=text,
                  shown=default.display_label),
                "warning",
            )  # fmt: skip
            return default
        return period

    def _title(self, year, group):
        return _(
            "Year-end evaluation of information work, %(year)s (%(group)s)",
            year=year,
            group=RANKING_GROUPS.label(group),
        )

    def _quarter_title(self, period, group):
        return _(
            "Quarterly summary of information work, %(period)s (%(group)s)",
            period=period.display_label,
            group=RANKING_GROUPS.label(group),
        )

    # ---- the year ----

    @expose("/")
    def index(self):
        year, group = self._year(), self._group()
        shown = ShownEvaluation(year, group, request.args.get("show") == "current")
        evaluation = shown.evaluation
        return self.render(
            "admin/evaluation/year.html",
            shown=shown,
            evaluation=evaluation,
            year=year,
            group=group,
            groups=RANKING_GROUPS.pairs() if current_user.role != "unit" else [],
            title=self._title(year, group),
            header=_header(),
            lines=[(line.grade, _cells(line)) for line in evaluation.lines],
            counts=_counts_text(evaluation),
            rules=self._rules(evaluation.rules),
            filing_block=shown.filing_block(),
            may_file=current_user.role in OFFICE,
            today=clock.today(),
            local=clock.local,
            quarters=[f"{year}-Q{n}" for n in range(1, 5)],
        )

    @staticmethod
    def _rules(values):
        return [(GRADE_RULES.label(key), values.get(key)) for key in GRADE_RULES]

    @expose("/file/", methods=["POST"])
    def file(self):
        """File (报送) the year's evaluation as it stands: kept as it is now."""
        if current_user.role not in OFFICE:
            abort(403)
        # What is filed is exactly what was posted: no year or group put in its place.
        year = bounds.whole_number(
            request.form.get("year"), bounds.FIRST_DAY.year, bounds.LAST_DAY.year
        )
        group = request.form.get("group") or ""
        if year is None or group not in RANKING_GROUPS:
            flash(_("Say which year and ranking group to file."), "error")
            return redirect(self.get_url(".index"))
        file_and_flash(
            lambda: file_evaluation(year, group, current_user, request.form.get("note")),
            _l("Filed: the evaluation as of %(day)s is kept."),
        )
        return redirect(self.get_url(".index", year=year, group=group))

    @expose("/export.xlsx")
    def export(self):
        """The year's evaluation as the office prints and files it."""
        year, group = self._year(), self._group()
        shown = ShownEvaluation(year, group, request.args.get("show") == "current")
        evaluation = shown.evaluation
        title = self._title(year, group)
        return export_response(
            "xlsx",
            title.replace(" ", ""),
            _header(),
            [_cells(line) for line in evaluation.lines],
            title=title,
            subtitle=_(
                "Counted as of %(day)s. %(counts)s",
                day=evaluation.as_of.isoformat(),
                counts=_counts_text(evaluation),
            ),
            sheet_name=year_period(year).label,  # 2026年
            widths=[6, 24, 9, 9, 9, 9, 9, 8, 60],
            filing=shown.filing_block(),
        )

    # ---- the quarter ----

    @staticmethod
    def _quarter_table(period, lines):
        """(header, rows, totals) of the quarter's lines: the ranking's printed columns
        and the criticism notices issued in the quarter."""
        columns = printed_columns(period)
        header = [str(h) for h, _v, _s in columns] + [_("Criticism notices")]
        rows = [
            [value(line.row) for _h, value, _s in columns] + [line.criticisms] for line in lines
        ]
        totals = _totals_row(columns, [line.row for line in lines])
        totals.append(sum(line.criticisms for line in lines))
        return header, rows, totals

    @expose("/quarter/")
    def quarter_view(self):
        period, group = self._quarter(), self._group()
        shown = ShownQuarter(period, group, request.args.get("show") == "current")
        header, rows, totals = self._quarter_table(period, shown.lines)
        return self.render(
            "admin/evaluation/quarter.html",
            shown=shown,
            filing_block=shown.filing_block(),
            may_file=current_user.role in OFFICE and period.start <= clock.today(),
            local=clock.local,
            period=period,
            group=group,
            groups=RANKING_GROUPS.pairs() if current_user.role != "unit" else [],
            title=self._quarter_title(period, group),
            header=header,
            rows=rows,
            totals=totals,
            year=period.start.year,
        )

    @expose("/quarter/export.xlsx")
    def quarter_export(self):
        """The quarter's summary as the office prints it."""
        period, group = self._quarter(), self._group()
        shown = ShownQuarter(period, group, request.args.get("show") == "current")
        header, rows, totals = self._quarter_table(period, shown.lines)
        title = self._quarter_title(period, group)
        return export_response(
            "xlsx",
            title.replace(" ", ""),
            header,
            rows,
            title=title,
            subtitle=_("Counted as of %(day)s", day=shown.as_of.isoformat()),
            sheet_name=period.label,
            widths=[6, 24] + [9] * (len(header) - 2),
            totals=totals,
            filing=shown.filing_block(),
        )

    @expose("/quarter/file/", methods=["POST"])
    def quarter_file(self):
        """File (报送) the quarter's summary as it stands: kept as it is now."""
        if current_user.role not in OFFICE:
            abort(403)
        # What is filed is exactly what was posted: no quarter or group put in its place.
        try:
            period = parse_period(request.form.get("period") or "")
        except PeriodError:
            period = None
        group = request.form.get("group") or ""
        if period is None or period.kind != "quarter" or group not in RANKING_GROUPS:
            flash(_("Say which quarter and ranking group to file."), "error")
            return redirect(self.get_url(".quarter_view"))
        file_and_flash(
            lambda: file_quarter(period, group, current_user, request.form.get("note")),
            _l("Filed: the quarterly summary as of %(day)s is kept."),
        )
        return redirect(self.get_url(".quarter_view", period=period.key, group=group))
