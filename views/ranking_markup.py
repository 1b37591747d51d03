"""The ranking page's table body and bar chart, made once in Python from the rows.

At a province's size (2,000 units) the template's loops cost more than the ranking itself:
some forty expressions a row, each escaped, and a url_for a row (860 ms of a 1.2 s page
under the profiler). Here a row is one format string: text is escaped, numbers are written
as they are, and the link is built once and given each unit's id.
"""

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

UNIT_MARK = "__unit__"  # stands for the unit's id in the link built once

ROW = (
    '<tr class="{css}" data-unit="{code}"><td>{rank}</td>'
    '<td><a href="{href}">{unit}</a></td>'
    "<td>{r.submitted}</td><td>{r.adopted}</td>"
    "<td>{county}</td><td>{city}</td><td>{province}</td><td>{central}</td>"
    "<td>{r.adoption_points}</td><td>{r.bonus}</td><td>{r.deducted}</td>"
    '<td class="font-weight-bold">{r.points}</td><td>{previous}</td>'
    '<td class="{moved}">{movement}</td>'
    "<td>{late}</td><td>{missed}</td><td>{wrong}</td>{quota}<td>{marks}</td></tr>\n"
)


def _blank_zero(value):
    return value or ""


def _moved(row):
    movement = row.movement
    if movement and movement > 0:
        return "text-success"
    if movement and movement < 0:
        return "text-danger"
    return ""


def table_body(rows, period, args, movement, veto_label):
    """The <tbody> rows of the ranking table, as markup."""
    href = str(escape(url_for(".index", unit=UNIT_MARK, **args)))
    year = period.kind == "year"
    labels = {"zeroed": escape(_("Zeroed")), "bottom": escape(_("Bottom"))}
    parts = []
    for row in rows:
        levels = row.by_level
        parts.append(
            ROW.format(
                r=row,
                css="table-warning" if row.bottom else "",
                code=escape(row.unit_code),
                rank=row.rank if row.rank is not None else "—",
                href=href.replace(UNIT_MARK, str(row.unit_id)),
                unit=escape(row.unit),
                county=levels["county"],
                city=levels["city"],
                province=levels["province"],
                central=levels["central"],
                previous=_blank_zero(row.previous_rank),
                moved=_moved(row),
                movement=escape(movement(row)),
                late=_blank_zero(row.late),
                missed=_blank_zero(row.missed),
                wrong=_blank_zero(row.wrong),
                quota=_quota(row) if year else "",
                marks=_marks(row, period, veto_label, labels),
            )
        )
    return Markup("".join(parts))


def _quota(row):
    if row.quota_items is None:
        return "<td></td>"
    return f"<td>{row.adopted}/{row.quota_items} · {row.points}/{'' if row.quota_points is None else row.quota_points}</td>"


def _marks(row, period, veto_label, labels):
    marks = []
    if row.veto:
        marks.append(
            f'<span class="badge badge-danger ducha-veto">{escape(veto_label(row, period))}</span>'
            f'<div class="small text-muted ducha-veto-reason">{row.veto.on.isoformat()} '
            f"{escape(row.veto.reason)}</div>"
        )
    if row.zeroed:
        marks.append(f'<span class="badge badge-dark">{labels["zeroed"]}</span>')
    if row.bottom:
        marks.append(f'<span class="badge badge-warning">{labels["bottom"]}</span>')
    return "".join(marks)


def bar_chart(rows, max_points, label_width=170, bar_width=420, row_height=20):
    """Points by unit as an SVG bar chart (drawn on the server: no script, printable)."""
    width = label_width + bar_width + 60
    label = escape(_("Points by unit"))
    parts = [
        f'<svg class="ducha-chart" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {len(rows) * row_height + 10}" width="100%" '
        f'style="max-width: {width}px" xmlns="http://www.w3.org/2000/svg">\n'
    ]
    scale = bar_width / max_points
    for n, row in enumerate(rows):
        y = n * row_height + 4
        bar = round(max(row.points, 0) * scale, 1)
        unit = escape(row.unit)
        css = "bar-bottom" if row.bottom else "bar"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{unit}</text>"
            f'<rect x="{label_width}" y="{y}" width="{bar}" height="{row_height - 6}" '
            f'class="{css}"><title>{unit}: {row.points}</title></rect>'
            f'<text x="{label_width + bar + 4}" y="{y + 13}" font-size="12">{row.points}</text>\n'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def directive_body(directives):
    """The <tbody> rows of the directive on-time table (units with something due)."""
    parts = [
        f"<tr><td>{row.rank}</td><td>{escape(row.unit)}</td><td>{row.due}</td>"
        f"<td>{row.on_time}</td>"
        f'<td class="{"text-danger" if row.overdue else ""}">{row.overdue}</td>'
        f"<td>{row.on_time_rate}%</td></tr>\n"
        for row in directives
        if row.due
    ]
    if not parts:
        empty = escape(_("No directive was due in this period."))
        parts.append(f'<tr><td colspan="6" class="text-muted">{empty}</td></tr>')
    return Markup("".join(parts))
