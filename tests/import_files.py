"""Building import files for tests: CSV in a chosen encoding, XLSX (with formulas if
wanted), and the templates filled with whatever the database holds."""

import csv
import io

import openpyxl

from models.imports import template_cells, template_header


def csv_bytes(header, rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header, rows):
    """A workbook as Excel saves it; a cell text starting with "=" becomes a formula."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filled(kind, fmt="xlsx", encoding="utf-8-sig"):
    """The template of `kind` filled with the records there are (inside an app context)."""
    header, rows = template_header(kind), list(template_cells(kind))
    if fmt == "xlsx":
        return xlsx_bytes(header, rows)
    return csv_bytes(header, rows, encoding)
