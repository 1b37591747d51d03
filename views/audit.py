"""The audit trail screen: administrators read who changed what, and when."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from models import db
from models.accounts import ADMINS
from views.secure import SecureModelView


def _model_for(table_name):
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name:
            return mapper.class_
    return None


def _field_label(table_name, field):
    model = _model_for(table_name)
    column = getattr(model, "__table__", None)
    info = column.c[field].info if column is not None and field in column.c else {}
    return str(info.get("label") or field)


def _changes(view, context, entry, name):
    rows = [
        Markup("<tr><th>{}</th><td>{}</td><td>→</td><td>{}</td></tr>").format(
            _field_label(entry.table_name, field),
            "" if old is None else old,
            "" if new is None else new,
        )
        for field, (old, new) in sorted((entry.changes or {}).items())
    ]
    return Markup('<table class="table table-sm mb-0 ducha-changes">{}</table>').format(
        Markup("").join(rows)
    )


def _table_choices():
    return sorted(
        (m.class_.__tablename__, m.class_.__tablename__)
        for m in db.Model.registry.mappers
        if hasattr(m.class_, "__tablename__")
    )


class AuditView(SecureModelView):
    """Every change made through the app; nothing here can be edited or deleted."""

    read_roles = ADMINS
    write_roles = frozenset()
    delete_roles = frozenset()
    column_list = ["at", "actor", "action", "table_name", "record_id", "record"]
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
    column_filters = ["action", "table_name", "record_id", "actor", "at"]
    column_searchable_list = ["record", "actor"]
    column_default_sort = ("at", True)
    column_formatters_detail = {"changes": _changes}
    column_export_exclude_list = ["changes"]
    column_descriptions = {"record": _l("The record as it was named at the time.")}
