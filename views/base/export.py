"""The one exporter: lists and report pages stream CSV (with BOM) or XLSX, safe to open;
a model view's export reads its list's query, plain columns where it can."""

import csv
import datetime as dt
import decimal
import io
import itertools
import os
import tempfile

import sqlalchemy as sa
import xlsxwriter
from flask import flash, redirect, send_file, stream_with_context
from flask_admin import expose
from flask_admin.babel import gettext as admin_gettext
from flask_babel import gettext as _
from markupsafe import Markup

from models import clock
from models.base import UTCDateTime
from models.imports.reading import FORMULA_FIRST
from views.base import printing
from views.base.listing import local_minute

CHUNK_ROWS = 1000
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def query_rows(query, to_row, chunk=500):
    """Rows of a query read in chunks, closing its session when done.

    A streamed response outlives the request's own teardown: the session the query
    belongs to would otherwise keep its connection open in a transaction.
    """
    try:
        for item in query.yield_per(chunk):
            yield to_row(item)
    finally:
        query.session.close()


def csv_safe_row(row):
    """A row for CSV: a formula-like text cell gets a leading apostrophe (None is written
    as an empty cell by the csv module). Runs for every row of a million-row export: a row
    without such a cell, nearly all, is returned as it is."""
    for value in row:  # the test written out: a call per cell costs 0.4 s a million rows
        if isinstance(value, str) and value[:1] in FORMULA_FIRST:
            return ["'" + v if _formula_like(v) else v for v in row]
    return row


def _formula_like(value):
    return isinstance(value, str) and value[:1] in FORMULA_FIRST


def _csv_chunks(header, rows, totals=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # writes None as an empty cell
    buffer.write("\ufeff")  # Excel reads UTF-8 Chinese only with a BOM
    writer.writerow(csv_safe_row(header))
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        writer.writerows(map(csv_safe_row, chunk))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if totals:
        writer.writerow(csv_safe_row(totals))
    yield buffer.getvalue()


class ChunkReader(io.RawIOBase):
    """Text chunks as they are made, read as a binary file: what send_file streams."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.pending = chunk.encode("utf-8")
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size

    def close(self):
        self.chunks.close()  # a download broken off: the query's session closes too
        super().close()


def download(file, filename, mimetype, size=None):
    """A download of `file` (binary, read once) named `filename`, Chinese kept: Flask's
    send_file writes the RFC 5987 `filename*` and an ASCII fallback."""
    response = send_file(
        file, mimetype=mimetype, as_attachment=True, download_name=filename, conditional=False
    )
    if size is not None:
        response.content_length = size
    return response


def csv_response(filename, header, rows, totals=None):
    """Stream rows as CSV while the query is still being read."""
    chunks = stream_with_context(_csv_chunks(header, rows, totals))
    return download(ChunkReader(chunks), filename, MIMETYPES["csv"])


def write_cell(sheet, row, col, value, formats, style):
    """Write one value with its type in the row's `style`; text is always text, never a
    formula."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, style.text)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, style.text)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, style.number)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, style.decimal)
    elif isinstance(value, decimal.Decimal):  # money: yuan to the fen
        sheet.write_number(row, col, float(value), style.money or style.decimal)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    else:
        value = str(value)
        sheet.write_string(
            row, col, value, style.number if value == printing.NO_VALUE else style.text
        )


def _list_formats(book):
    """A list's workbook: Excel's own fonts, a shaded header."""
    total = book.add_format({"bold": True, "top": 1})
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "body": printing.Style(None, None, None),
        "strong": printing.Style(total, total, total),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }


def write_xlsx(path, header, rows, **layout):
    """Write a printable workbook of one sheet (see write_book)."""
    write_book(path, [{"header": header, "rows": rows, **layout}])


def write_book(path, sheets):
    """Write a workbook of `sheets` (each the keyword arguments of write_sheet) row by row,
    in constant memory."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    made = {}
    for sheet in sheets:
        kind = "document" if sheet.get("title") else "list"
        if kind not in made:
            made[kind] = printing.formats(book) if sheet.get("title") else _list_formats(book)
        write_sheet(book, made[kind], **sheet)
    book.close()


def write_sheet(book, formats, header, rows, title=None, widths=None, totals=None, **document):
    """One sheet of rows. A titled one is a document in the office's print standards
    (views/base/printing.py), with the `subtitle`, `sheet_name` and `filing` block given in
    `document`; a row may be a printing.Subtotal."""
    sheet = book.add_worksheet(printing.sheet_name(document.get("sheet_name")))
    for col, width in enumerate(widths or [max(10, len(str(h)) * 2 + 2) for h in header]):
        sheet.set_column(col, col, width)
    first = 0
    if title:
        sheet.set_default_row(20)  # room for 12-point type
        first = printing.write_heading(sheet, len(header), title, document.get("subtitle"), formats)
        sheet.set_row(first, 36)  # two lines of a wrapped header
    printing.set_up_page(sheet, first)
    for col, name in enumerate(header):
        sheet.write_string(first, col, str(name), formats["header"])
    sheet.freeze_panes(first + 1, 0)
    row_no = first
    for row_no, row in enumerate(rows, first + 1):
        style = formats["strong" if isinstance(row, printing.Subtotal) else "body"]
        for col, value in enumerate(row):
            write_cell(sheet, row_no, col, value, formats, style)
    if totals:
        row_no += 1
        for col, value in enumerate(totals):
            write_cell(sheet, row_no, col, value, formats, formats["strong"])
    if document.get("filing"):
        printing.write_filing_block(
            sheet, row_no + 2, len(header), document["filing"], formats["filing"]
        )


def xlsx_response(filename, header, rows, **layout):
    """A workbook of one sheet as a download (see book_response)."""
    return book_response(filename, [{"header": header, "rows": rows, **layout}])


def book_response(filename, sheets):
    """Build the workbook in a temporary file, then stream it; the file is gone once read
    (its name is removed as soon as it is open)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_book(path, sheets)
        book = open(path, "rb")  # noqa: SIM115 - send_file closes it
    finally:
        os.unlink(path)
    return download(book, filename, MIMETYPES["xlsx"], os.fstat(book.fileno()).st_size)


def export_response(export_type, filename, header, rows, **layout):
    if export_type == "csv":
        return csv_response(filename + ".csv", header, rows, layout.get("totals"))
    return xlsx_response(filename + ".xlsx", header, rows, **layout)


# ---- reading a list's rows for export: plain columns, not ORM objects ----


class LabelLookup:
    """Names of related rows (a report's unit), read a chunk at a time and kept."""

    def __init__(self, model, options=()):
        self.model = model
        self.options = options  # loader options for what the name reads (its area)
        self.known = {}

    def fetch(self, ids):
        from models import db

        missing = {i for i in ids if i is not None and i not in self.known}
        if missing:
            query = sa.select(self.model).where(self.model.id.in_(missing)).options(*self.options)
            rows = db.session.scalars(query)
            self.known.update({row.id: str(row) for row in rows})

    def __call__(self, value):
        return "" if value is None else self.known.get(value, "")


class Cell:
    """What a value becomes in an export's cell, whichever way the rows are read: numbers
    and dates typed, a timestamp as the office reads it (local, to the minute), yes or no,
    anything else text (markup without its tags), nothing a blank."""

    def __init__(self):
        self.zone = clock.office_zone()  # looked up once: an export has millions of cells
        self.yes, self.no = _("Yes"), _("No")

    def __call__(self, value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.boolean(value)
        if isinstance(value, dt.datetime):
            return self.timestamp(value)
        if isinstance(value, (int, float, dt.date)):
            return value
        return Markup(value).striptags() if isinstance(value, Markup) else str(value)

    def boolean(self, value):
        return "" if value is None else self.yes if value else self.no

    def timestamp(self, value):
        return local_minute(value, self.zone) if value else ""


# Column types whose values are cells as the driver returns them (None is a blank cell).
AS_READ = (sa.String, sa.Integer, sa.Date)


def plan_columns(model, names, choices, cell, label_options=None):
    """For each export column, (the SQL column to read, how to turn its value into a cell,
    None when as read), or None when a column needs the ORM objects (a custom formatter,
    a computed value). `label_options`: a related model's loader options for its name."""
    mapper = sa.inspect(model)
    converters = {UTCDateTime: cell.timestamp, sa.Boolean: cell.boolean}
    plan = []
    for name in names:
        attr = mapper.attrs.get(name)
        if isinstance(attr, sa.orm.ColumnProperty):
            column = getattr(model, name)
            if name in choices:
                labels = {value: str(label) for value, label in choices[name]}
                plan.append((column, lambda v, labels=labels: labels.get(v, v or "")))
            elif type(column.type) in converters:
                plan.append((column, converters[type(column.type)]))
            elif isinstance(column.type, AS_READ):
                plan.append((column, None))  # the driver's value is the cell's
            else:
                plan.append((column, cell))
        elif isinstance(attr, sa.orm.RelationshipProperty) and attr.direction.name == "MANYTOONE":
            (local,) = attr.local_columns
            related = attr.mapper.class_
            lookup = LabelLookup(related, (label_options or {}).get(related, ()))
            plan.append((getattr(model, local.key), lookup))
        else:
            return None
    return plan


def planned_rows(query, plan, chunk=2000):
    """The export rows, read as plain column values in chunks; the session closes at the end.

    The columns are read with a Core result, a partition at a time (the ORM's per-row
    iteration cost more than the CSV writing itself), each row a tuple of cells.
    """
    columns = [column for column, _convert in plan]
    converts = [convert for _column, convert in plan]
    lookups = [(n, c) for n, c in enumerate(converts) if isinstance(c, LabelLookup)]
    statement = query.enable_eagerloads(False).with_entities(*columns).statement
    session = query.session
    try:
        result = session.connection().execute(statement, execution_options={"yield_per": chunk})
        for rows in result.partitions():
            for n, lookup in lookups:
                lookup.fetch(row[n] for row in rows)
            # Converted a column at a time: a column read as is costs nothing.
            cells = [
                values if convert is None else list(map(convert, values))
                for convert, values in zip(converts, zip(*rows, strict=True), strict=True)
            ]
            yield from zip(*cells, strict=True)
    finally:
        session.close()


# ---- a model view's export ----


class Exports:
    """A model view's export: the rows its list shows (all pages), streamed."""

    can_export = True
    export_types = ["xlsx", "csv"]
    # A related model's loader options for what its name reads, {Model: (options, ...)}.
    export_label_options = {}

    def export_value(self, row, name, cell):
        """A cell from the row object: the view's export formatter or the value (a choice
        by its label), made a cell as the plain column reads make theirs."""
        return cell(self._get_list_value(None, row, name, self.column_formatters_export, {}))

    def export_query(self, query):
        """The rows to export; a view may leave out more than the list does."""
        return query

    def export_filename(self):
        return f"{self.name}-{clock.today().isoformat()}"

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if not self.can_export or export_type not in self.export_types:
            flash(admin_gettext("Permission denied."), "error")
            return redirect(self.get_url(".index_view"))
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        _count, query = self.get_list(
            0,
            sort[0] if sort else None,
            view_args.sort_desc,
            view_args.search,
            view_args.filters,
            execute=False,
            page_size=0,
        )
        query = self.export_query(query)
        columns = self._export_columns
        cell = Cell()
        plan = self.export_plan([name for name, _label in columns], cell)
        if plan is not None:
            rows = planned_rows(query, plan)
        else:  # a column needs the objects: the slower way
            rows = query_rows(
                query, lambda row: [self.export_value(row, name, cell) for name, _label in columns]
            )
        header = [str(label) for _name, label in columns]
        return export_response(export_type, self.export_filename(), header, rows)

    def export_plan(self, names, cell):
        """Plain column reads for the export, or None if a column needs the ORM objects."""
        if any(name in (self.column_formatters_export or {}) for name in names):
            return None
        return plan_columns(
            self.model, names, self.column_choices or {}, cell, self.export_label_options
        )
