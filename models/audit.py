"""The audit trail: every create, update and delete, by whom, when, field by field.

Recorded by a session event, so every way of changing data (forms, batch actions,
jobs, the CLI, imports) is covered without each of them remembering to do it. The trail
holds no foreign keys: it survives the deletion of the record and of the account.
"""

import contextlib
import contextvars
import datetime as dt
import decimal

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info

ACTIONS = Choices(
    create=_l("Record created"), update=_l("Record changed"), delete=_l("Record deleted")
)
# Never written to the trail, whatever table they are in.
SECRET_FIELDS = {"password_hash"}
# Kept by the models from other fields (a row's search index words): not a change of its own.
DERIVED_FIELDS = {"search_words"}
# Tables whose rows are bookkeeping, not records (the trail itself, login attempts, the
# uploaded files of imports and their previews: what an import changes is audited).
UNAUDITED_TABLES = {"audit_log", "login_attempts", "imports", "import_rows"}

_actor = contextvars.ContextVar("audit_actor", default=None)


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("When"))
    )
    actor_id = sa.Column(sa.Integer, index=True, info=info(_l("Account id")))
    actor = sa.Column(sa.String(80), nullable=False, info=info(_l("Who")))
    action = sa.Column(sa.String(10), nullable=False, info=info(_l("Action"), ACTIONS))
    table_name = sa.Column(sa.String(50), nullable=False, info=info(_l("Record type")))
    record_id = sa.Column(sa.Integer, info=info(_l("Record id")))
    record = sa.Column(sa.String(200), nullable=False, default="", info=info(_l("Record")))
    changes = sa.Column(sa.JSON, nullable=False, default=dict, info=info(_l("Changes")))

    __table_args__ = (
        ACTIONS.check("action"),
        sa.Index("ix_audit_log_table_name_record_id", "table_name", "record_id"),
    )

    def __str__(self):
        return f"{self.actor} {self.action} {self.table_name}#{self.record_id}"

    @classmethod
    def visible_to(cls, account):
        return sa.true() if account.role == "admin" else sa.false()


@contextlib.contextmanager
def acting_as(name, account_id=None):
    """Attribute the changes made inside the block (a job, a CLI command) to `name`."""
    token = _actor.set((account_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor():
    """(account id, name) of whoever is making the change now."""
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, "anonymous"
    return None, "system"


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _column_changes(obj, action):
    """{field: [old, new]} from the instance's state; nothing is loaded from the database."""
    state = sa.inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in DERIVED_FIELDS:
            continue
        history = state.attrs[key].history
        if key in SECRET_FIELDS:
            if action == "update" and history.has_changes():
                changes[key] = ["***", "***"]
            continue
        if action == "create":
            changes[key] = [None, _plain(state.dict.get(key))]
        elif action == "delete":
            changes[key] = [_plain(state.dict.get(key)), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _plain(old) != _plain(new):
                changes[key] = [_plain(old), _plain(new)]
    return changes


def _label(obj):
    try:
        return str(obj)[:200]
    except Exception:  # noqa: BLE001 - a broken __str__ must not lose the entry
        return ""


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _write(session, _context):
    """Write the entries in the same transaction as the change itself.

    After a flush the session still lists what was new, dirty and deleted, with the
    attribute history, and new rows have their ids.
    """
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            changes = _column_changes(obj, action)
            if changes or action != "update":
                rows.append(_entry(action, obj, changes))
    if rows:
        actor_id, actor = current_actor()
        for row in rows:
            row.update(actor_id=actor_id, actor=actor[:80])
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def _entry(action, obj, changes):
    state = sa.inspect(obj)
    (record_id,) = state.mapper.primary_key_from_instance(obj)[:1] or (None,)
    return {
        "at": clock.now(),
        "action": action,
        "table_name": obj.__tablename__,
        "record_id": record_id,
        "record": _label(obj),
        "changes": changes,
    }


def _audited(obj):
    return hasattr(obj, "__tablename__") and obj.__tablename__ not in UNAUDITED_TABLES
