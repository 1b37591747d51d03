"""The base classes of every form: a field whose posted text holds a NUL character is
refused with a message (PostgreSQL cannot store one in text, and no person types one),
on every database alike."""

from flask_admin import form as admin_form
from flask_wtf import FlaskForm
from wtforms.fields import FieldList, FormField
from wtforms.validators import StopValidation

from models import bounds


def refuse_nul(form, field):
    """A validator: no NUL in what was posted (an upload: in its file name)."""
    for value in getattr(field, "raw_data", None) or ():
        if bounds.has_nul(getattr(value, "filename", value)):
            raise StopValidation(str(bounds.NUL_MESSAGE))


class RefusesNul:
    """A form mixin: every field's first validator is `refuse_nul`, so that no other
    sees such a value (Flask-Admin's Unique asks the database with it)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.validators = [refuse_nul, *field.validators]
            return field


class BaseForm(RefusesNul, admin_form.BaseForm):
    """Flask-Admin's form base (WTForms' messages in the interface's language), for
    model views, their inline forms and an assignment's steps."""


class Form(RefusesNul, FlaskForm):
    """Flask-WTF's form (with its CSRF token), for the pages of our own."""


def leaf_fields(form):
    """The form's fields, those of its inline forms (a directive's assignments) included."""
    for field in form:
        if isinstance(field, FormField):
            yield from leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from leaf_fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field
