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


@pytest.mark.parametrize("endpoint", ["reports", "assignments", "units", "accounts"])
def test_both_ways_of_reading_a_list_make_the_same_cells(app, as_role, world, endpoint):
    # Plain column reads where they can, the row objects where a column needs them: a
    # date, a timestamp, a yes/no and a choice come out the same either way.
    import io

    import openpyxl

    from views.base.export import Exports

    client = as_role("admin")
    url = f"/admin/{endpoint}/export/xlsx/"

    def cells():
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).data)).active
        return [[c.value for c in row] for row in sheet.iter_rows()]

    planned = cells()
    original = Exports.export_plan
    try:
        Exports.export_plan = lambda self, names, cell: None  # every column from the objects
        objects = cells()
    finally:
        Exports.export_plan = original
    assert len(planned) > 1 and planned == objects
