"""The exporter's cells, without HTTP: what a spreadsheet would take for a formula is
written as text, wherever it stands in the row."""

import datetime as dt

import pytest

from views.base.export import csv_safe_row


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_like_cell_anywhere_in_the_row_becomes_text(start):
    row = (1, "报告", f"{start}1+1", dt.date(2026, 11, 26), None, f"{start}A1")
    assert csv_safe_row(row) == [
        1,
        "报告",
        f"'{start}1+1",
        dt.date(2026, 11, 26),
        None,
        f"'{start}A1",
    ]


def test_a_row_without_one_is_left_as_it_is():
    row = (1, "关于=号的说明", "", None, 2.5, dt.date(2026, 11, 26), "a-b")
    assert list(csv_safe_row(row)) == list(row)
