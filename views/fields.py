"""Form fields that Flask-Admin lacks: dates and whole numbers within bounds, timestamps
shown and entered in the office's time, and the converter that gives model forms them."""

import wtforms
from flask_admin import form as admin_form
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.form import converts

from models import bounds, clock


class InRange:
    """A date or date-and-time field that takes only days in the office's years
    (models/bounds.py): 0001-01-01 or 9999-12-31 is refused with a message."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not bounds.in_range(self.data):
            self.data = None
            raise ValueError(bounds.day_message())


class DateField(InRange, wtforms.DateField):
    """A date from 2000-01-01 to 2099-12-31."""


class DateTimeField(InRange, admin_form.DateTimeField):
    """A date and time on a day from 2000-01-01 to 2099-12-31."""


class LocalDateTimeField(DateTimeField):
    """Shows a UTC timestamp in the office's zone; what is typed is taken as local time."""

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return clock.local(self.data).strftime(self.format[0])

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=clock.office_zone())


NO_CHOICE = "—"


class IntegerField(wtforms.IntegerField):
    """A whole number the database's INTEGER holds."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and bounds.whole_number(self.data) is None:
            self.data = None
            raise ValueError(bounds.number_message())


class ModelConverter(AdminModelConverter):
    """Flask-Admin's fields for a model's columns, with the bounded ones above for dates,
    timestamps (UTCDateTime: in the office's time) and whole numbers, and a dash for the
    empty choice of an optional dropdown (WTForms shows an empty label as its value, __None)."""

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        if not multiple:
            kwargs.setdefault("blank_text", NO_CHOICE)
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)

    # The names of AdminModelConverter's own methods, so that these replace them.
    @converts("Date")
    def convert_date(self, field_args, **extra):
        field_args.setdefault("widget", admin_form.DatePickerWidget())
        return DateField(**field_args)

    @converts("DateTime")
    def convert_datetime(self, field_args, **extra):
        return DateTimeField(**field_args)

    @converts("UTCDateTime")
    def convert_utc_datetime(self, field_args, **extra):
        return LocalDateTimeField(**field_args)

    @converts("Integer")
    def handle_integer_types(self, column, field_args, **extra):
        if getattr(column.type, "unsigned", False):
            field_args["validators"].append(wtforms.validators.NumberRange(min=0))
        return IntegerField(**field_args)
