"""The columns of an import template and how each cell is read.

A template's headers are Chinese, as the office writes them; the values of enumerations
may be written as the screens show them (乡镇/街道), as stored (township), or in English.
A blank cell means "not given": a new record takes the default, an existing one keeps
its value.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models import bounds, glossary
from models.imports.reading import CellError, Formula

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无"}
DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d+)?)?)?"
)


class RowProblem(ValueError):
    """A row cannot be imported; `message` says why (a sentence for the office)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Column:
    # The model attribute the column fills, whose label (models/glossary.py) is the header,
    # or, for a column of the import alone (a unit's code, a reason), the header in Chinese.
    name: object
    key: str
    kind: str = "text"  # text, email, date, datetime, int, bool, choice
    required: bool = False
    max_length: int | None = None
    choices: object = None  # a models.base.Choices for kind "choice"
    note: str = ""  # what the template's notes say about the column (Chinese)
    aliases: tuple = ()  # headers older templates used: still read, never written

    @property
    def header(self):
        """The header as the template writes it: the field's name, in Chinese."""
        return glossary.in_chinese(self.name)


class Headers(Mapping):
    """{key: header} of a template's columns, read when asked: a header is a name
    translated into Chinese, which needs the app."""

    def __init__(self, columns):
        self.columns = {c.key: c for c in columns}

    def __getitem__(self, key):
        return self.columns[key].header

    def __iter__(self):
        return iter(self.columns)

    def __len__(self):
        return len(self.columns)


def zh_labels(choices):
    """{value: Chinese label} of an enumeration, whatever the language of the request."""
    with force_locale("zh_Hans_CN"):
        return {value: str(label) for value, label in choices.labels.items()}


def choice_lookup(choices):
    """Every way of writing each value: the Chinese label, the English one, the value."""
    lookup = {}
    with force_locale("en"):
        english = {value: str(label) for value, label in choices.labels.items()}
    for value in choices:
        for text in (value, english[value], zh_labels(choices)[value]):
            lookup[_fold(text)] = value
    return lookup


def _fold(text):
    return "".join(str(text).split()).lower()


class RowReader:
    """Reads the cells of one kind of template, given the file's header row."""

    def __init__(self, columns, headers):
        self.columns = columns
        self.positions = header_positions(columns, headers)
        self.lookups = {c.key: choice_lookup(c.choices) for c in columns if c.kind == "choice"}

    def given(self, key):
        """Whether the file has the column at all."""
        return key in self.positions

    def raw(self, cells, key):
        """The cell of column `key` as text, however bad ("" when absent)."""
        index = self.positions.get(key)
        if index is None or index >= len(cells) or cells[index] is None:
            return ""
        return as_text(cells[index])

    def read(self, cells):
        """{key: value} of the row's non-blank cells; RowProblem on the first bad cell."""
        values, problems = {}, []
        for column in self.columns:
            index = self.positions.get(column.key)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                value = self.value(column, raw)
            except RowProblem as problem:
                problems.append(str(problem.message))
                continue
            if value is None and column.required:
                problems.append(str(_l("“%(column)s” is required.", column=column.header)))
            elif value is not None:
                values[column.key] = value
        if problems:
            raise RowProblem("；".join(problems))
        return values

    def value(self, column, raw):
        if isinstance(raw, Formula):
            raise RowProblem(
                _l(
                    "“%(column)s” holds a formula (%(formula)s): paste it as a value.",
                    column=column.header,
                    formula=str(raw)[:40],
                )
            )
        if isinstance(raw, CellError):
            raise RowProblem(
                _l("“%(column)s” holds an error (%(error)s).", column=column.header, error=raw)
            )
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        reader = getattr(self, f"_{column.kind}")
        return reader(column, raw)

    # ---- one reader per kind of column ----
    def _text(self, column, raw):
        text = as_text(raw)
        if bounds.has_nul(text):
            raise RowProblem(_l("“%(column)s” holds a NUL character.", column=column.header))
        if column.max_length and len(text) > column.max_length:
            raise RowProblem(
                _l(
                    "“%(column)s” is longer than %(max)s characters.",
                    column=column.header,
                    max=column.max_length,
                )
            )
        return text

    def _email(self, column, raw):
        text = self._text(column, raw)
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError as error:
            raise RowProblem(
                _l(
                    "“%(column)s” is not an email address: %(value)s",
                    column=column.header,
                    value=text,
                )
            ) from error
        return text

    def _date(self, column, raw):
        value = self._datetime(column, raw)
        return value.date() if isinstance(value, dt.datetime) else value

    def _datetime(self, column, raw):
        """A date, or a date and time (a datetime) when the cell gives a time; a day
        in the office's years (models/bounds.py)."""
        value = parse_moment(raw)
        if value is None:
            raise RowProblem(
                _l(
                    "“%(column)s” is not a date: %(value)s",
                    column=column.header,
                    value=as_text(raw)[:40],
                )
            )
        if not bounds.in_range(value):
            raise RowProblem(
                _l(
                    "“%(column)s” is outside the years %(first)s to %(last)s: %(value)s",
                    column=column.header,
                    first=bounds.FIRST_DAY.year,
                    last=bounds.LAST_DAY.year,
                    value=as_text(raw)[:40],
                )
            )
        return value

    def _int(self, column, raw):
        """A whole number, not negative, that the database's INTEGER holds."""
        number = None
        if isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, int) or (isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw)):
            number = raw
        number = bounds.whole_number(number, 0)
        if number is None:
            raise RowProblem(
                _l(
                    "“%(column)s” is not a whole number from 0 to %(high)s: %(value)s",
                    column=column.header,
                    high=bounds.INT_MAX,
                    value=as_text(raw)[:40],
                )
            )
        return number

    def _bool(self, column, raw):
        if isinstance(raw, bool):
            return raw
        word = _fold(as_text(raw))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise RowProblem(
            _l("“%(column)s” must be 是 or 否, not %(value)s", column=column.header, value=raw)
        )

    def _choice(self, column, raw):
        value = self.lookups[column.key].get(_fold(as_text(raw)))
        if value is None:
            allowed = "、".join(zh_labels(column.choices).values())
            raise RowProblem(
                _l(
                    "“%(column)s” cannot be %(value)s: write one of %(allowed)s.",
                    column=column.header,
                    value=as_text(raw),
                    allowed=allowed,
                )
            )
        return value


def header_positions(columns, headers):
    """{key: column index}; RowProblem-free, FileProblem-raising check of the headers."""
    from models.imports.reading import FileProblem

    known = {alias: c for c in columns for alias in c.aliases}
    known.update({c.header: c for c in columns})
    positions, unknown, seen = {}, [], set()
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in seen:
            raise FileProblem(_l("The column “%(column)s” appears twice.", column=header))
        seen.add(header)
        if header in known:
            if known[header].key in positions:  # the header and an older one of the same column
                raise FileProblem(
                    _l("The column “%(column)s” appears twice.", column=known[header].header)
                )
            positions[known[header].key] = index
        else:
            unknown.append(header)
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing or unknown:
        raise FileProblem(_header_message(missing, unknown, positions))
    return positions


def _header_message(missing, unknown, positions):
    parts = []
    if missing:
        parts.append(str(_l("missing columns: %(columns)s", columns="、".join(missing))))
    if unknown:
        parts.append(str(_l("unknown columns: %(columns)s", columns="、".join(unknown[:10]))))
    message = str(
        _l(
            "The headers are not those of the template (%(problems)s). Download the template "
            "and keep its first row as it is.",
            problems="；".join(parts),
        )
    )
    if not positions:
        message += str(
            _l(
                " If the headers look garbled, the file's encoding is neither UTF-8 nor GBK: "
                "save it again as CSV UTF-8 or as .xlsx."
            )
        )
    return message


def as_text(raw):
    """A cell as text: whole numbers without ".0", dates as YYYY-MM-DD, trimmed."""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S") if raw.time() else raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def parse_moment(raw):
    """A date, or a datetime to the second when a time is given; None if not a date."""
    if isinstance(raw, dt.datetime):
        moment = (raw + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return moment if moment.time() != dt.time() else moment.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        return None
    match = DATE_RE.fullmatch(raw.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    try:
        if hour is None:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, hour, minute, second or 0)
    except ValueError:
        return None
