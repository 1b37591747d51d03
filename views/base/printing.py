"""The print standards of the documents the office puts its name on (the monthly directive
report, the ranking bulletin): XlsxWriter page setup, fonts and blocks, in one place.

A4 landscape, one page wide and as many tall as it takes (the type stays readable), the
header row repeated on every page, "第 1 页 共 2 页" in the footer, a merged title in 黑体,
the body in 仿宋, headers centred over numbers centred alike, and under the table the
filing block: 填报单位, 填报人, 审核人 (a line to sign) and 填报日期.
"""

import datetime as dt
import re
from collections import namedtuple
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _

# Windows names both fonts in Chinese; LibreOffice maps them to the CJK sans and serif it has.
TITLE_FONT = "黑体"  # fallback: SimHei
BODY_FONT = "仿宋"  # fallback: FangSong
GB2312 = 134  # the font charset that makes Excel take the Chinese font, not a Latin one
A4 = 9  # XlsxWriter's paper code
NO_VALUE = "—"  # a figure with nothing to count (a rate of no finished item), as the home page
SIGN_HERE = "_" * 12

# The formats of a body cell: text (left), numbers (centred, as their headers),
# fractional numbers (one decimal, as the page shows a rate) and sums of money (Decimal:
# two decimals, yuan to the fen).
Style = namedtuple("Style", "text number decimal money", defaults=(None,))


class Subtotal(list):
    """A table row printed in bold: a group's subtotal."""


@dataclass
class FilingBlock:
    """Who files the document: the office, the person, the day (审核人 signs by hand)."""

    office: str
    filed_by: str
    filed_on: dt.date

    def fields(self):
        return [
            _("Reporting office: %(office)s", office=self.office),
            _("Filled in by: %(name)s", name=self.filed_by),
            _("Reviewed by: %(name)s", name=SIGN_HERE),
            _("Date filed: %(day)s", day=format_date(self.filed_on, "long")),
        ]


def formats(book):
    """The workbook's formats for a printed document."""

    def add(**props):
        base = {"font_name": BODY_FONT, "font_charset": GB2312, "font_size": 12}
        return book.add_format({**base, "valign": "vcenter", **props})

    cell = {"border": 1}
    number = {"align": "center", **cell}
    return {
        "title": add(font_name=TITLE_FONT, font_size=18, align="center"),
        "subtitle": add(align="center"),
        "header": add(font_name=TITLE_FONT, align="center", text_wrap=True, **cell),
        "body": Style(
            add(**cell),
            add(**number),
            add(num_format="0.0", **number),
            add(num_format="0.00", **number),
        ),
        "strong": Style(
            add(bold=True, **cell),
            add(bold=True, **number),
            add(bold=True, num_format="0.0", **number),
            add(bold=True, num_format="0.00", **number),
        ),
        "date": add(num_format="yyyy-mm-dd", align="center", **cell),
        "datetime": add(num_format="yyyy-mm-dd hh:mm", align="center", **cell),
        "filing": add(),
    }


def sheet_name(text):
    """A sheet's name from a period's ("2026年11月"): what Excel allows, or None (Sheet1)."""
    name = re.sub(r"[\[\]:*?/\\]", "-", str(text or "")).strip("'")[:31]
    return name or None


def set_up_page(sheet, header_row):
    """A4 landscape, fit to one page wide, the header row on every page, page numbers."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # 0: as many pages tall as it takes
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    sheet.repeat_rows(header_row)
    sheet.set_footer("&C" + _("Page &P of &N"))


def write_heading(sheet, width, title, subtitle, style):
    """The title and the subtitle (or a blank row) merged across the table's `width`
    columns; returns the row its header goes in."""
    sheet.set_row(0, 32)
    _merged(sheet, 0, width, str(title), style["title"])
    if subtitle:
        _merged(sheet, 1, width, str(subtitle), style["subtitle"])
    return 2


def write_filing_block(sheet, row, width, block, cell_format):
    """The filing block from `row`: its fields side by side, each at the start of an equal
    share of the `width` columns (one a row under a narrower table)."""
    fields = block.fields()
    if width < len(fields):
        for n, text in enumerate(fields):
            sheet.write_string(row + n, 0, text, cell_format)
        return
    step = width // len(fields)
    for n, text in enumerate(fields):
        sheet.write_string(row, n * step, text, cell_format)  # flows over the blank cells


def _merged(sheet, row, width, text, cell_format):
    if width > 1:
        sheet.merge_range(row, 0, row, width - 1, text, cell_format)
    else:
        sheet.write_string(row, 0, text, cell_format)
