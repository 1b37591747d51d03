"""Forms from the model: labels, choices, field arguments and scoped dropdowns from the
columns' info, the fields a unit officer may not set, cross-field rules, and the
database's refusals said in words."""

import re
from types import SimpleNamespace

import sqlalchemy as sa
from flask import flash, request
from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_admin.model.fields import AjaxSelectField
from flask_admin.model.form import InlineFormAdmin
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import validators

from models import RuleError, db
from views.base.access import scoped
from views.forms import BaseForm, leaf_fields

CONSTRAINT_MESSAGES = (
    (re.compile(r"unique", re.I), _l("A record with the same %(field)s already exists.")),
    (re.compile(r"foreign key", re.I), _l("This record is still used by other records.")),
    (re.compile(r"not.null", re.I), _l("A required field is empty.")),
    (re.compile(r"check", re.I), _l("A value breaks a rule of the records (%(field)s).")),
)


def integrity_message(error, labels):
    """A sentence for the person at the form, from the database's complaint."""
    text = str(error.orig)
    field = next(
        (str(label) for name, label in labels.items() if re.search(rf"\b{name}\b", text)), ""
    )
    for pattern, message in CONSTRAINT_MESSAGES:
        if pattern.search(text):
            return str(message) % {"field": field or "-"}
    return _("The record could not be saved.")


def _scoped_factory(remote):
    return lambda: scoped(remote, remote.query).order_by(remote.id)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text_args(name, column):
    """Text is trimmed; required text may not be blank; email columns hold an address."""
    args = {"filters": [_strip], "validators": []}
    if not column.nullable and column.default is None and not column.info.get("choices"):
        args["validators"].append(validators.DataRequired())
    if name.endswith("email"):
        args["validators"] += [validators.Optional(), validators.Email()]
    return args


def form_settings(model):
    """Labels, choices, field types and field arguments of a model, from its column info.

    Dropdowns of related rows list only what the logged-in person may see.
    """
    mapper = sa.inspect(model)
    found = SimpleNamespace(labels={}, choices={}, overrides={}, args={})
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if not isinstance(column, sa.Column):
            continue  # a query expression, not a stored column
        meta = column.info or {}
        if meta.get("label"):
            found.labels[attr.key] = meta["label"]
        if meta.get("choices"):
            found.choices[attr.key] = meta["choices"]
        if isinstance(column.type, sa.String):
            found.args[attr.key] = _text_args(attr.key, column)
    for rel in mapper.relationships:
        if rel.info.get("label"):
            found.labels[rel.key] = rel.info["label"]
        remote = rel.mapper.class_
        if rel.direction.name in ("MANYTOONE", "MANYTOMANY") and hasattr(remote, "visible_to"):
            found.args[rel.key] = {"query_factory": _scoped_factory(remote)}
    return found


def merge_args(found, given):
    """Field arguments from the model, with a view's own arguments taking precedence."""
    args = {name: dict(values) for name, values in found.items()}
    for name, extra in (given or {}).items():
        args[name] = {**args.get(name, {}), **extra}
    return args


def inline_form(model, columns, label, admin_class=InlineFormAdmin, extra_fields=None, **form_args):
    """An inline form (e.g. a directive's assignments) labelled and scoped like the views.

    `admin_class` may be an InlineFormAdmin subclass (e.g. with its own on_model_change);
    `extra_fields` are form fields that are not columns, placed where `columns` names them.
    """
    found = form_settings(model)
    return admin_class(
        model,
        form_base_class=BaseForm,
        form_columns=["id", *columns],
        form_label=label,
        column_labels=found.labels,
        form_choices={n: c.pairs() for n, c in found.choices.items()},
        form_overrides=found.overrides,
        form_args=merge_args(found.args, form_args),
        form_extra_fields=extra_fields,
    )


def _unknown_choices(form):
    """A dropdown of records (ajax or not, inline forms' too) whose posted id is unknown
    or not visible: refuse it. (An optional one would take it for "none" and clear it.)

    A multiple choice drops the ids it does not know, and Flask-Admin 2.2's own check
    looks before it has read them: its flag, set by the reading, is read here."""
    for field in leaf_fields(form):
        choosing = isinstance(field, AjaxSelectField) or type(field) is QuerySelectField
        if choosing and field.data is None and field._formdata:
            yield field, _l("Not a valid choice.")
        multiple = isinstance(field, QuerySelectMultipleField)
        if multiple and field.data is not None and field._invalid_formdata:  # data reads first
            yield field, _l("Not a valid choice.")


class FormRules:
    """A model view's forms: what the person may set, and the model's rules on saving."""

    # The relationship to the owning unit: set from the login for unit officers, never
    # from what the form posts, and not shown to them.
    unit_field = None
    # Fields only office staff may set; left out of the form for everyone else.
    office_only_fields = ()

    def hidden_fields(self):
        """Form fields the logged-in person may not set."""
        hidden = set()
        if current_user.is_authenticated and current_user.is_unit_officer:
            if self.unit_field:
                hidden.add(self.unit_field)
            hidden.update(self.office_only_fields)
        return hidden

    def _strip(self, form):
        for name in self.hidden_fields():
            if name in form:
                del form[name]
        return form

    def create_form(self, obj=None):
        form = self._strip(super().create_form(obj))
        form._obj = None  # the row being edited, for form_problems; none when creating
        return form

    def edit_form(self, obj=None):
        form = self._strip(super().edit_form(obj))
        form._obj = obj
        return form

    def on_model_change(self, form, model, is_created):
        if self.unit_field and current_user.is_unit_officer:
            (local,) = sa.inspect(self.model).relationships[self.unit_field].local_columns
            setattr(model, local.key, current_user.unit_id)

    def form_problems(self, form):
        """Cross-field rules of the model, as (field, message) pairs; none by default."""
        return []

    def validate_form(self, form):
        valid = super().validate_form(form)
        action = (request.endpoint or "").rsplit(".", 1)[-1]
        if valid and action in {"create_view", "edit_view"}:
            for field, message in [*_unknown_choices(form), *self.form_problems(form)]:
                field.errors = [*field.errors, str(message)]
                valid = False
        return valid

    def handle_view_exception(self, exc):
        if isinstance(exc, RuleError):
            db.session.rollback()
            flash(str(exc), "error")
            return True
        if isinstance(exc, IntegrityError):
            # Roll back first: building the message may load the logged-in account.
            db.session.rollback()
            flash(integrity_message(exc, self.column_labels), "error")
            return True
        return super().handle_view_exception(exc)
