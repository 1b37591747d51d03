"""The ranking page: monthly, quarterly, yearly or any range; HTML, XLSX, CSV and JSON."""

from flask import abort, flash, jsonify, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import RANKING_GROUPS, Unit, clock, db
from models.accounts import EVERYONE, OFFICE
from models.bulletins import BULLETIN_KINDS, issued_bulletins
from models.on_time import directive_table
from models.periods import PeriodError, closed_month_days, parse_period, shown_month
from models.ranking import Placing, rank_history, ranking, sees_ranking
from views.base.export import export_response
from views.bounds import arg_id
from views.ranking_markup import bar_chart, directive_body, table_body
from views.secure import SecureView

FORMATS = ("html", "xlsx", "csv", "json")


def _movement(row):
    if row.rank is None:
        return ""
    if row.movement is None:
        return _("new")
    if row.movement > 0:
        return f"↑{row.movement}"
    if row.movement < 0:
        return f"↓{-row.movement}"
    return "–"


def veto_label(row, period):
    """What the ranking calls a vetoed unit: for the year, where it is placed; for a
    shorter period, that the year is vetoed."""
    if row.veto is None:
        return ""
    if period.kind != "year":
        return _("Vetoed for the year")
    return _("Vetoed: not ranked") if row.rank is None else _("Vetoed: placed last")


def veto_text(row, period):
    """The label with the day and reason of the missed report (漏报), for exports."""
    if row.veto is None:
        return ""
    return _(
        "%(label)s (%(day)s: %(reason)s)",
        label=veto_label(row, period),
        day=row.veto.on.isoformat(),
        reason=row.veto.reason,
    )


def level_columns():
    """(header, value of a row) of the adoptions by level, from the lowest: the one order
    of the ranking page, its exports and the bulletin's page and sheets."""
    return [
        (_l("County level"), lambda r: r.by_level["county"]),
        (_l("City level"), lambda r: r.by_level["city"]),
        (_l("Provincial level"), lambda r: r.by_level["province"]),
        (_l("Central level"), lambda r: r.by_level["central"]),
    ]


def _columns(period):
    """(header, value of a row, summed in the totals row) in the bulletin's order."""
    columns = [
        (_l("Rank"), lambda r: r.rank, False),
        (_l("Code"), lambda r: r.unit_code, False),
        (_l("Unit"), lambda r: r.unit, False),
        (_l("Submitted"), lambda r: r.submitted, True),
        (_l("Items adopted"), lambda r: r.adopted, True),
        *((header, value, True) for header, value in level_columns()),
        (_l("Adoption points"), lambda r: r.adoption_points, True),
        (_l("Instruction bonus"), lambda r: r.bonus, True),
        (_l("Deducted"), lambda r: r.deducted, True),
        (_l("Points"), lambda r: r.points, True),
        (_l("Previous rank"), lambda r: r.previous_rank, False),
        (_l("Previous points"), lambda r: r.previous_points, False),
        (_l("Movement"), _movement, False),
        (_l("Late reports"), lambda r: r.late, True),
        (_l("Missed reports"), lambda r: r.missed, True),
        (_l("Wrong reports"), lambda r: r.wrong, True),
        (_l("Veto"), lambda r: veto_text(r, period), False),
    ]
    if period.kind == "year":
        columns += [
            (_l("Quota items"), lambda r: r.quota_items, False),
            (_l("Quota points"), lambda r: r.quota_points, False),
            (_l("Points zeroed"), lambda r: _("Zeroed") if r.zeroed else "", False),
        ]
    return columns


def printed_columns(period):
    """The columns of a printed table: every one but the unit code (the CSV's and the
    JSON's, for other systems; a reader knows units by name)."""
    columns = _columns(period)
    return columns[:1] + columns[2:]


def _totals_row(columns, rows):
    totals = [sum(value(r) or 0 for r in rows) if summed else "" for _h, value, summed in columns]
    totals[0] = _("Total")
    return totals


class RankingView(SecureView):
    """Who earned how many points in a period, ranked, with the previous period beside."""

    read_roles = EVERYONE

    def is_accessible(self):
        return super().is_accessible() and sees_ranking(current_user)

    @expose("/")
    def index(self):
        fmt = request.args.get("format", "html")
        if fmt not in FORMATS:
            abort(400)
        group = self._group()
        asked = [request.args.get(name) for name in ("period", "from", "to")]
        try:
            # Nothing asked: the month the clerk is working on (models/periods.shown_month).
            period = parse_period(*asked) if any(asked) else shown_month()
        except PeriodError as error:
            # The page says so and shows the month it opens on; a file or JSON is not made.
            if fmt == "json":
                return jsonify({"error": str(error)}), 400
            if fmt != "html":
                abort(400)
            flash(_("That period cannot be read: %(error)s", error=str(error)), "error")
            period = shown_month()
        placing = Placing(period)
        rows = ranking(period, group, placing=placing)
        if fmt in ("xlsx", "csv"):
            return self._export(fmt, period, group, rows)  # the files hold the ranking only
        directives = directive_table(period, group)
        if fmt == "json":
            return jsonify(self._json(period, group, rows, directives, placing))
        return self._page(period, group, rows, directives, placing)

    def _group(self):
        if self._role() == "unit":
            # A unit officer sees the ranking of their own group only.
            return db.session.get(Unit, current_user.unit_id).ranking_group
        group = request.args.get("group") or None
        return group if group in RANKING_GROUPS else None

    @staticmethod
    def _json(period, group, rows, directives, placing):
        return {
            "period": period.key,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "group": group or "all",
            "closed": placing.closed,
            "rules": vars(placing.rules),
            "rows": [row.as_dict() for row in rows],
            "directives": [vars(d) for d in directives],
        }

    def _title(self, period, group):
        if group:
            return _(
                "Information work bulletin, %(period)s (%(group)s)",
                period=period.display_label,
                group=RANKING_GROUPS.label(group),
            )
        return _("Information work bulletin, %(period)s", period=period.display_label)

    def _export(self, fmt, period, group, rows):
        columns = _columns(period) if fmt == "csv" else printed_columns(period)
        widths = [6, 24] + [9] * (len(columns) - 2)
        header = [str(h) for h, _v, _s in columns]
        body = [[value(r) for _h, value, _s in columns] for r in rows]
        title = self._title(period, group)
        return export_response(
            fmt,
            title.replace(" ", ""),
            header,
            body,
            title=title,
            widths=widths,
            totals=_totals_row(columns, rows),
        )

    def _page(self, period, group, rows, directives, placing):
        unit_id = arg_id("unit") or (rows[0].unit_id if rows else None)
        if self._role() == "unit":
            unit_id = current_user.unit_id
        history = rank_history(unit_id, group, period.end) if unit_id else []
        today = clock.today()
        args = {k: v for k, v in request.args.items() if k not in ("format", "unit")}
        return self.render(
            "admin/ranking.html",
            period=period,
            group=group,
            groups=RANKING_GROUPS.pairs(),
            rows=rows,
            table_body=table_body(rows, period, args, _movement, veto_label),
            bar_chart=bar_chart(rows, max([r.points for r in rows] + [1])),
            directive_body=directive_body(directives),
            placing=placing,
            history=history,
            history_unit=next((r.unit for r in rows if r.unit_id == unit_id), ""),
            unit_id=unit_id,
            title=self._title(period, group),
            closed_days=closed_month_days(),
            shortcuts=self._shortcuts(today),
            args=args,
            may_draft=self._role() in OFFICE and period.kind in BULLETIN_KINDS,
            bulletins=self._bulletins(period, group),
        )

    def _bulletins(self, period, group):
        """The issued bulletins of the period and group the person may read."""
        if period.kind not in BULLETIN_KINDS:
            return []
        return issued_bulletins(period.key, group)

    @staticmethod
    def _shortcuts(today):
        last_month = parse_period(None, today=today)
        return [
            (_("This month"), f"{today:%Y-%m}"),
            (_("Last month"), last_month.key),
            (_("This quarter"), f"{today.year}-Q{(today.month - 1) // 3 + 1}"),
            (_("This year"), str(today.year)),
            (_("Last year"), str(today.year - 1)),
        ]
