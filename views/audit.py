"""The audit trail and the login log: administrators read who changed what, and who
logged in and out, when and from where."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from models.accounts import ADMINS
from models.audit_text import changed_fields, changes_of, missing_record
from views.secure import SecureModelView

ARROW = Markup(' <span class="text-muted">→</span> ')


def _change_line(change):
    if change.old is None:
        values = Markup("{}").format(change.new)
    elif change.new is None:
        values = Markup("<del>{}</del>").format(change.old)
    else:
        values = Markup("{}{}{}").format(change.old, ARROW, change.new)
    return Markup("<li><strong>{}</strong>{}{}</li>").format(change.field, _(": "), values)


def _changes(view, context, entry, name):
    lines = [_change_line(change) for change in changes_of(entry)]
    return Markup('<ul class="list-unstyled mb-0 ducha-changes">{}</ul>').format(
        Markup("").join(lines)
    )


def _changed_fields(view, context, entry, name):
    return _(", ").join(changed_fields(entry))


def _record(view, context, entry, name):
    if entry.record:
        return entry.record
    return missing_record(entry.table_name, entry.record_id) if entry.record_id else ""


class ReadOnlyLog(SecureModelView):
    """A log administrators read; nothing in it can be edited or deleted."""

    read_roles = ADMINS
    write_roles = frozenset()
    delete_roles = frozenset()
    column_default_sort = ("at", True)


class AuditView(ReadOnlyLog):
    """Every change made through the app, field by field."""

    column_list = ["at", "actor", "action", "table_name", "record", "changed_fields"]
    column_details_list = [
        "at",
        "actor",
        "actor_id",
        "action",
        "table_name",
        "record_id",
        "record",
        "changes",
    ]
    column_labels = {"changed_fields": _l("Changed fields")}
    column_filters = ["action", "table_name", "record_id", "actor", "at"]
    column_searchable_list = ["record", "actor"]
    column_formatters = {"record": _record, "changed_fields": _changed_fields}
    column_formatters_detail = {"record": _record, "changes": _changes}
    column_export_list = ["at", "actor", "action", "table_name", "record_id", "record"]
    column_descriptions = {"record": _l("The record as it was named at the time.")}


class LoginLogView(ReadOnlyLog):
    """Every login, failed login and logout: who, when, from which address."""

    column_list = ["at", "username", "event", "result", "address"]
    column_details_list = ["at", "username", "account_id", "event", "result", "address"]
    column_filters = ["event", "result", "username", "address", "at"]
    column_searchable_list = ["username", "address"]
