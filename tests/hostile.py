"""Hostile input for tests/test_hostile_input.py: a fixed corpus of bad values, how each
request gets its share of it, and a reader of the form a page shows."""

import hashlib
import html
import re
from html.parser import HTMLParser

HUGE = "99999999999999999999999"

# Values an attacker (or a slip of the keyboard) sends, in groups of a kind. Fixed: a run
# that fails runs again the same way.
GROUPS = {
    "numbers": (HUGE, "-" + HUGE, str(2**31), "9" * 5000),
    "days": ("0001-01-01", "9999-12-31", "2026-02-30", "0001-01-01 to 9999-12-31"),
    "moments": (
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59",
        "0001-01-01 00:00:00 to 9999-12-31 23:59:59",
        "2026-02-30 25:61:00",
    ),
    "periods": ("0001", "0000-Q1", "9999-12", "10000"),
    "text": ("长" * 10_000, "a\x00b", '😀👍🏽<script>alert("x")</script>', "' OR 1=1; --"),
    "odd": ("-1", f"1,{HUGE}", "   ", "1e309"),
}
NUL = "a\x00b"

# What a form field gets: one value of each class a person could type into a form (the
# days with a time of day in a date-and-time field: `form_value`).
FORM_VALUES = {
    "huge": HUGE,
    "huge negative": "-" + HUGE,
    "negative": "-1",
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "impossible day": "2026-02-30",
    "10,000 characters": "长" * 10_000,
    "NUL": NUL,
    "emoji": "😀👍🏽",
    "markup": '<script>alert("x")</script>',
    "SQL": "'; DROP TABLE units; --",
}
TIMES = {"0001-01-01": " 00:00:00", "9999-12-31": " 23:59:59", "2026-02-30": " 10:00:00"}


def form_value(field, value):
    """`value` as it is typed into `field`: a day in a date-and-time field with a time."""
    return value + TIMES[value] if field.kind == "datetime" and value in TIMES else value


def _seed(key):
    return int(hashlib.sha256(key.encode()).hexdigest(), 16)


def share(key, part, parts=4, groups_each=2):
    """The values request `key` (a route and parameter) sends as part `part` of `parts`
    (one part per role): `groups_each` groups, one value of each, the parts together
    sending every group at least once; which part gets which group and value turns
    with the key."""
    names = list(GROUPS)
    seed = _seed(key)
    chosen = []
    for i in range(groups_each):
        group = GROUPS[names[(seed + part * groups_each + i) % len(names)]]
        chosen.append(group[(seed // len(names) + part) % len(group)])
    return chosen


def turn(key, items, part, parts):
    """The items of `items` that part `part` of `parts` takes (every item once in all)."""
    start = _seed(key) % parts
    return [item for i, item in enumerate(items) if (i + start) % parts == part]


class FormReader(HTMLParser):
    """The fields of a page's forms: `values` {name: value, or [values] for a multiple
    select} as a browser sends them untouched, and `fields` {name: Field}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.fields = {}, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            self._input(name, attrs)
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = Field("select", attrs)
            self.values[name] = [] if "multiple" in attrs else ""
        elif tag == "option" and self._select:
            self._option(attrs)
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = Field("text", attrs)
            self.values[name] = ""

    def _option(self, attrs):
        value = attrs.get("value", "")
        self.fields[self._select].options.append(value)
        if "selected" in attrs:
            if isinstance(self.values[self._select], list):
                self.values[self._select].append(value)
            else:
                self.values[self._select] = value

    def _input(self, name, attrs):
        kind = {"datepicker": "date", "datetimepicker": "datetime", "select2-ajax": "select"}.get(
            attrs.get("data-role"), attrs.get("type", "text")
        )
        self.fields[name] = Field(kind, attrs)
        if kind == "checkbox":
            if "checked" in attrs:
                self.values[name] = attrs.get("value", "y")
        elif kind != "file":
            self.values[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


class Field:
    def __init__(self, kind, attrs):
        self.kind = kind  # text, date, datetime, number, select, checkbox, file, hidden
        self.required = "required" in attrs
        self.max_length = int(attrs["maxlength"]) if "maxlength" in attrs else None
        self.options = []


INLINE = re.compile(
    r'<div class="inline-field" id="([\w-]+)">.*?'
    r'<div class="inline-field-template d-none">(.*?)</div>',
    re.S,
)


def read_form(page, new_inline_rows=False):
    """(values, fields) of the forms on an HTML page, without the csrf token (tests run
    without CSRF); with `new_inline_rows`, one new row of each inline form, as its "add"
    button would make it (the row numbered 0: on a create page there are no others)."""
    reader = FormReader()
    reader.feed(page)
    if new_inline_rows:
        for prefix, template in INLINE.findall(page):
            row = FormReader()
            row.feed(html.unescape(template))
            for name, field in row.fields.items():
                if name != "csrf_token":
                    reader.fields[f"{prefix}-0-{name}"] = field
            for name, value in row.values.items():
                reader.values[f"{prefix}-0-{name}"] = value
    reader.values.pop("csrf_token", None)
    reader.fields.pop("csrf_token", None)
    return reader.values, reader.fields


def must_refuse(field, value):
    """Whether a form must refuse `value` in `field`: NUL anywhere; in a date, time,
    number or choice anything of the corpus (none is a date in range, a number within
    INTEGER but -1, or one of the options); text longer than the field takes."""
    if value == NUL:
        return True
    if field.kind in ("date", "datetime", "select"):
        return value not in field.options
    if field.kind == "number":
        return value != "-1"
    if field.kind == "text" and field.max_length:
        return len(value) > field.max_length
    return False
