"""Applying a table to the records, row by row, with one outcome per row.

The same code checks a file and imports it: a check applies every row inside the
transaction and rolls it back; an import applies them again and commits, all or
nothing. So the preview shows what the import will do, by the very rules that do it,
down to the database's own constraints.

An importer validates a row before it changes anything, so a refused row leaves nothing
behind; one whose rules can only be known by trying (a directive's lifecycle) runs each
row in a savepoint of its own.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import clock
from models.base import RuleError, db
from models.imports.columns import RowProblem, RowReader, as_text
from models.imports.reading import FileProblem

CHUNK_ROWS = 500


@dataclass
class Outcome:
    row: int
    action: str  # create, update, unchanged, refused
    key: str = ""
    detail: str = ""


class Importer:
    """One kind of template: its columns, and how a row becomes records."""

    kind = ""
    columns = []
    key_columns = ()  # the columns that name the record, for the preview

    def __init__(self, actor, today=None):
        self.actor = actor
        self.today = today or clock.today()

    def begin(self, reader, rows):
        """Called once before the first row, with every parsed row's values."""

    def prepare(self, rows):
        """Load in a few queries what the rows of one chunk refer to."""

    def apply(self, row, values):
        """Create or update the records of one row; its Outcome. Raise RowProblem or
        RuleError, before changing anything, to refuse it."""
        raise NotImplementedError

    def finish(self, outcomes):
        """Called after the last row (e.g. to link units to parents given later)."""

    def key(self, values):
        return " ".join(as_text(values[k]) for k in self.key_columns if values.get(k) is not None)


def apply_table(importer, table, progress=None):
    """Apply every row of `table` to the session; the outcomes, in file order.

    The caller commits or rolls back. FileProblem when the headers are not the
    template's, or when the database refuses a chunk that the rules let through.
    """
    reader = RowReader(importer.columns, table.headers)
    parsed = [_parse(reader, importer, number, cells) for number, cells in table.rows]
    importer.begin(reader, [values for _n, values, _p in parsed if values is not None])
    outcomes = []
    total = len(parsed)
    for start in range(0, total, CHUNK_ROWS):
        chunk = parsed[start : start + CHUNK_ROWS]
        importer.prepare([values for _n, values, _p in chunk if values is not None])
        for number, values, problem in chunk:
            outcomes.append(problem or _apply_row(importer, number, values))
        _flush(chunk)
        if progress:
            progress(min(start + CHUNK_ROWS, total), total)
    importer.finish(outcomes)
    _flush(parsed[-1:] if parsed else [])
    return outcomes


def _parse(reader, importer, number, cells):
    """(row number, values or None, refused Outcome or None)."""
    try:
        return number, reader.read(cells), None
    except RowProblem as problem:
        key = " ".join(reader.raw(cells, k) for k in importer.key_columns).strip()
        return number, None, Outcome(number, "refused", key, str(problem.message))


def _apply_row(importer, number, values):
    try:
        return importer.apply(number, values)
    except (RowProblem, RuleError) as problem:
        return Outcome(number, "refused", importer.key(values), str(problem.message))


def _flush(chunk):
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        first, last = (chunk[0][0], chunk[-1][0]) if chunk else (0, 0)
        raise FileProblem(
            _l(
                "Rows %(first)s to %(last)s break a rule of the records: %(error)s",
                first=first,
                last=last,
                error=str(error.orig).splitlines()[0][:200],
            )
        ) from error


def changes_text(changes):
    """ "field: old → new; ..." for the preview."""
    return "；".join(f"{label}：{_shown(old)} → {_shown(new)}" for label, old, new in changes)


def _shown(value):
    if value is None or value == "":
        return "（空）"
    return as_text(value)[:60]


def set_changed(record, values, fields):
    """Set each of `fields` given in `values` that differs from the record's; the
    changes as (header, old, new)."""
    changes = []
    for column in fields:
        if column.key not in values:
            continue
        old, new = getattr(record, column.key), values[column.key]
        if old != new:
            changes.append((column.header, old, new))
            setattr(record, column.key, new)
    return changes


def in_chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(model, column, wanted):
    """{value: row} of `model` whose `column` is one of `wanted`, a few queries at most."""
    found = {}
    for chunk in in_chunks(set(wanted)):
        for row in db.session.scalars(sa.select(model).where(column.in_(chunk))):
            found[getattr(row, column.key)] = row
    return found
