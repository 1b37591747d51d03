"""Form fields that Flask-Admin lacks: timestamps shown and entered in the office's time."""

from flask_admin.form import DateTimeField

from models import clock


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
