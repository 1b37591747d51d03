"""Reading an uploaded spreadsheet into rows of cells: XLSX, or CSV in UTF-8 (with or
without BOM), GBK/GB18030 (what Chinese Excel writes) or UTF-16 (Excel's "Unicode text").

The kind of file is told by its bytes, not its name. Whatever is wrong with the file
raises FileProblem with a sentence for the person who uploaded it.
"""

import codecs
import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, .wps
OTHER_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")
# A workbook that unpacks to more than this many times the limit is refused unread.
MAX_UNPACKED_RATIO = 20
# A text cell starting with one of these a spreadsheet takes for a formula; our exports
# escape it with a leading apostrophe (views/export.py), which a file read back loses.
FORMULA_FIRST = frozenset("=+-@\t\r")


class FileProblem(ValueError):
    """The file as a whole cannot be imported; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: its value is not what the file shows, so it is refused."""

    text: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class CellError:
    """A spreadsheet error value such as #DIV/0!."""

    text: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    headers: list
    rows: list = field(default_factory=list)  # (row number in the file, [cells])


def read_table(content, max_rows):
    """The header row and the data rows of an uploaded file; FileProblem if unreadable."""
    if not content:
        raise FileProblem(_l("The file is empty."))
    if content.startswith(ZIP_MAGIC):
        rows = _xlsx_rows(content, max_rows)
    elif content.startswith(OLE_MAGIC):
        raise FileProblem(
            _l(
                "This is an old Excel (.xls) or Word file: open it in Excel and save it as "
                "an Excel workbook (.xlsx) or as CSV, then upload that."
            )
        )
    elif content.startswith(OTHER_MAGICS):
        raise FileProblem(_not_a_spreadsheet())
    else:
        rows = _csv_rows(content, max_rows)
    return _table(rows, max_rows)


def _not_a_spreadsheet():
    return _l(
        "This file is not a spreadsheet: upload the template filled in, as an Excel "
        "workbook (.xlsx) or CSV."
    )


def _table(rows, max_rows):
    """The first non-blank row is the header; blank rows are skipped."""
    headers, data = None, []
    for number, cells in rows:
        if all(_blank(cell) for cell in cells):
            continue
        if headers is None:
            headers = [_header(cell) for cell in cells]
            continue
        if len(data) >= max_rows:
            raise FileProblem(
                _l(
                    "The file has more than %(max)s rows: split it into several files.",
                    max=max_rows,
                )
            )
        data.append((number, list(cells)))
    if headers is None:
        raise FileProblem(_l("The file is empty."))
    if not data:
        raise FileProblem(_l("The file has a header row but no rows of data."))
    return Table(headers, data)


def _blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header(cell):
    """A header as written, without spaces or the marks of a required column."""
    text = "" if cell is None else str(cell)
    return "".join(text.split()).rstrip("*＊")


# ---- CSV ----


def decode(content):
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (GBK)."""
    if content.startswith(codecs.BOM_UTF8):
        return _decode(content[len(codecs.BOM_UTF8) :], "utf-8")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(content, "utf-16")
    if b"\x00" in content[:4096]:
        raise FileProblem(_not_a_spreadsheet())
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(content, "gb18030")


def _decode(content, encoding):
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise FileProblem(
            _l(
                "The file's text encoding cannot be read (at byte %(at)s): save the CSV as "
                "UTF-8 or GBK (in Excel: Save as, CSV UTF-8), or upload the .xlsx.",
                at=error.start,
            )
        ) from error


def _csv_rows(content, max_rows):
    text = decode(content)
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:4096]):
        raise FileProblem(_not_a_spreadsheet())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, 1):
            if number > max_rows + 50:  # the limit, whatever blank rows there are
                raise FileProblem(
                    _l(
                        "The file has more than %(max)s rows: split it into several files.",
                        max=max_rows,
                    )
                )
            yield number, [_csv_cell(cell) for cell in cells]
    except csv.Error as error:
        raise FileProblem(_l("The CSV file cannot be read: %(error)s", error=str(error))) from error


def _csv_cell(text):
    """A CSV cell: "=..." is a formula Excel would run; "'=..." is our exports' escape."""
    if text.startswith("="):
        return Formula(text)
    if text.startswith("'") and text[1:2] in FORMULA_FIRST:
        return text[1:]
    return text


# ---- XLSX ----


def _xlsx_rows(content, max_rows):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileProblem(_not_a_spreadsheet()) from error
    if "xl/workbook.xml" not in names:
        raise FileProblem(_not_a_spreadsheet())
    if unpacked > MAX_UNPACKED_RATIO * max(len(content), 1024 * 1024):
        raise FileProblem(_l("The workbook is far too large once unpacked."))
    return _sheet_rows(content)


def _sheet_rows(content):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows()
        for number, cells in enumerate(rows, 1):
            yield number, [_xlsx_cell(cell) for cell in cells]
        book.close()
    except FileProblem:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        log.info("unreadable workbook: %r", error)
        raise FileProblem(
            _l("The Excel workbook cannot be read: save it again in Excel and upload it.")
        ) from error


def _xlsx_cell(cell):
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        return Formula(str(value))
    if data_type == "e":
        return CellError(str(value))
    if isinstance(value, dt.time):
        return value.isoformat()
    return value
