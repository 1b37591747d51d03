"""The deadline rules and the working-day calendar: administrators keep them."""

from flask_babel import lazy_gettext as _l

from models import clock
from models.accounts import ADMINS, OFFICE_AND_LEADERS
from models.deadlines import WorkCalendar, package_years
from views.secure import SecureModelView


class DeadlineRuleView(SecureModelView):
    """How long units have, by the leader's level and urgency: the office's rules."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["target", "leader_level", "urgent_only", "counting", "amount", "note"]
    column_filters = ["target", "leader_level", "counting"]
    column_default_sort = "id"
    form_columns = ["target", "leader_level", "urgent_only", "counting", "amount", "note"]
    column_descriptions = {
        "leader_level": _l("A rule for one level beats a rule for any level."),
        "urgent_only": _l("An urgent-only rule beats the general one for urgent directives."),
        "amount": _l("Counted from the day after the directive was received."),
    }
    form_args = {"amount": {"default": 15}}


class CalendarDayView(SecureModelView):
    """Public holidays and make-up working days beyond (or instead of) the built-in table."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["day", "kind", "name"]
    column_filters = ["day", "kind"]
    column_searchable_list = ["name"]
    column_default_sort = ("day", True)
    form_columns = ["day", "kind", "name"]
    list_template = "admin/directives/calendar_list.html"

    def render(self, template, **kwargs):
        if template == self.list_template:
            kwargs["coverage"] = calendar_coverage()
        return super().render(template, **kwargs)


def calendar_coverage():
    """What the calendar knows: the built-in years, and this year and next if not covered."""
    calendar = WorkCalendar.load()
    this_year = clock.today().year
    years = package_years()
    return {
        "built_in": f"{years.start}–{years.stop - 1}",
        "kept": sorted(calendar.kept_years),
        "missing": [y for y in (this_year, this_year + 1) if not calendar.covers(y)],
    }
