"""The audit trail in people's words: each change as 字段：旧值 → 新值.

Fields by their form labels, choices by their labels, foreign keys by the name of the
record they point to (or, once it is gone, the last name the trail knows), dates and
times as the office reads them, yes and no, long text cut short. Secrets say only that
they changed. What only the machinery reads (ids, stored file names) is left out.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _

from models import clock
from models.audit import (
    SECRET_FIELDS,
    UNAUDITED_FIELDS,
    AuditEntry,
    kind_label,
    record_label,
)
from models.base import db

MAX_TEXT = 60  # characters of a text value shown; the rest is "…"
BEFORE_CHANGE = 15  # characters shown before the first difference of two long texts


@dataclass(frozen=True)
class Change:
    """One field's change. `old` is None for a creation, `new` None for a deletion."""

    field: str
    old: str | None
    new: str | None


@cache
def model_for(table_name):
    """The mapped class of a table, or None."""
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name:
            return mapper.class_
    return None


def _column(table_name, field):
    model = model_for(table_name)
    return None if model is None else model.__table__.c.get(field)


def _target(column):
    """The table a foreign key column points to, or None."""
    key = next(iter(column.foreign_keys), None)
    return None if key is None else key.column.table.name


def field_label(table_name, field):
    """The field's form label; None for a field people do not read (not shown)."""
    column = _column(table_name, field)
    if column is None or (table_name, field) in UNAUDITED_FIELDS:
        return None
    if column.info.get("label"):
        return str(column.info["label"])
    if field in SECRET_FIELDS:
        return _("Password")
    target = _target(column)
    return kind_label(target) if target else None


def shorten(text, limit=MAX_TEXT):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def windows(old, new, limit=MAX_TEXT):
    """Two long texts cut to the same window around their first difference (…前后文…),
    so that an edit past the first characters shows; short ones as they are."""
    old, new = (" ".join(str(text).split()) for text in (old, new))
    if len(old) <= limit and len(new) <= limit:
        return old, new
    same = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        same += 1
    start = max(0, same - BEFORE_CHANGE)

    def cut(text):
        head = "…" if start else ""
        room = limit - len(head)
        if len(text) - start > room:
            return head + text[start : start + room - 1] + "…"
        return head + text[start:]

    return cut(old), cut(new)


def _plain_text(column):
    """Whether the column holds text people wrote (not a choice, a link or a date)."""
    kind = column.type
    return isinstance(kind, sa.String) and not column.info.get("choices") and not _target(column)


def value_text(column, value, names):
    """A stored value as people read it; `names` holds the foreign keys' record names."""
    if value is None or value == "":
        return _("(empty)")
    choices = column.info.get("choices")
    if choices:
        return str(choices.label(value))
    target = _target(column)
    if target:
        return names.get((target, value)) or missing_record(target, value)
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):  # a UTC timestamp is a DateTime
        kind = kind.impl_instance
    if isinstance(kind, sa.Boolean):
        return _("Yes") if value else _("No")
    if isinstance(kind, sa.DateTime):
        try:
            instant = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return shorten(value)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=dt.UTC)
        return f"{clock.local(instant):%Y-%m-%d %H:%M}"
    if isinstance(kind, sa.Date):
        return str(value)[:10]
    if isinstance(kind, sa.JSON):
        return shorten(json.dumps(value, ensure_ascii=False))
    return shorten(value)


def missing_record(table_name, record_id):
    return _("%(kind)s (id %(id)s)", kind=kind_label(table_name), id=record_id)


def _shown(entry):
    """(column, old, new) of the fields people read, in the table's column order."""
    model = model_for(entry.table_name)
    changes = entry.changes or {}
    if model is None:
        return []
    return [
        (column, *changes[column.key])
        for column in model.__table__.columns
        if column.key in changes and field_label(entry.table_name, column.key)
    ]


def record_names(pairs):
    """{(table, id): name} of the records that foreign keys point to: the record's name
    now, or the last name the trail knows of a record since deleted."""
    wanted = defaultdict(set)
    for table, record_id in pairs:
        if isinstance(record_id, int) and model_for(table) is not None:
            wanted[table].add(record_id)
    names = {}
    for table, ids in wanted.items():
        model = model_for(table)
        (key,) = sa.inspect(model).primary_key[:1]
        for row in db.session.scalars(sa.select(model).where(key.in_(ids))):
            names[(table, getattr(row, key.key))] = record_label(row)
        gone = ids - {record_id for t, record_id in names if t == table}
        if gone:
            known = db.session.execute(
                sa.select(AuditEntry.record_id, AuditEntry.record)
                .where(AuditEntry.table_name == table, AuditEntry.record_id.in_(gone))
                .where(AuditEntry.record != "")
                .order_by(AuditEntry.id)
            )
            names.update({(table, record_id): record for record_id, record in known})
    return names


def changes_of(entry):
    """The entry's changes as people read them: a list of Change."""
    shown = _shown(entry)
    names = record_names(
        (_target(column), value)
        for column, old, new in shown
        if _target(column)
        for value in (old, new)
        if value is not None
    )
    found = []
    for column, old, new in shown:
        label = field_label(entry.table_name, column.key)
        if column.key in SECRET_FIELDS:
            found.append(Change(label, None, _("changed")))
        elif entry.action == "create":
            if new not in (None, ""):
                found.append(Change(label, None, value_text(column, new, names)))
        elif entry.action == "delete":
            if old not in (None, ""):
                found.append(Change(label, value_text(column, old, names), None))
        elif _plain_text(column) and old not in (None, "") and new not in (None, ""):
            found.append(Change(label, *windows(old, new)))
        else:
            found.append(
                Change(label, value_text(column, old, names), value_text(column, new, names))
            )
    return found


def changed_fields(entry):
    """The labels of the fields an update changed (no lookups: for a list's rows)."""
    if entry.action != "update":
        return []
    return [field_label(entry.table_name, column.key) for column, _old, _new in _shown(entry)]
