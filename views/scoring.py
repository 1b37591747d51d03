"""Deductions and yearly quotas: the rows besides adoptions that make a unit's score."""

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import validators

from models import clock
from models.accounts import EVERYONE
from models.scoring import quota_progress
from views.secure import SecureModelView


class DeductionView(SecureModelView):
    """Deductions: late reports are recorded by themselves; the office records the rest."""

    read_roles = EVERYONE
    column_list = ["occurred_on", "unit", "kind", "points", "reason", "report"]
    column_filters = ["unit", "kind", "occurred_on"]
    column_sortable_list = ["occurred_on", ("unit", "unit.name"), "kind", "points"]
    column_default_sort = ("occurred_on", True)
    form_columns = ["unit", "kind", "occurred_on", "reason", "report"]
    form_args = {
        "reason": {"validators": [validators.DataRequired()]},
        "occurred_on": {"default": clock.today},
    }
    form_ajax_refs = {"report": {"fields": ["title"], "page_size": 10}}
    column_descriptions = {
        "kind": _l("A missed emergency report (漏报) vetoes the unit's yearly evaluation."),
        "points": _l("Taken from the scoring table at the rate of the day it happened on."),
    }

    def form_problems(self, form):
        report, unit = form.report.data, form.unit.data
        problems = []
        if report is not None and unit is not None and report.unit_id != unit.id:
            problems.append((form.report, _l("The report belongs to another unit.")))
        if form.occurred_on.data and form.occurred_on.data > clock.today():
            problems.append((form.occurred_on, _l("The date is in the future.")))
        return problems


def _progress(view, context, quota, name):
    _quota, totals = g.quota_progress.get((quota.unit_id, quota.year), (quota, None))
    if totals is None:
        return ""
    return _(
        "%(items)s / %(target_items)s items · %(points)s / %(target_points)s points",
        items=totals["adopted"],
        target_items=quota.items,
        points=totals["points"],
        target_points=quota.points,
    )


class QuotaView(SecureModelView):
    """Yearly targets per unit, with the progress so far."""

    read_roles = EVERYONE
    column_list = ["year", "unit", "items", "points", "progress"]
    column_labels = {"progress": _l("Progress (items · points)")}
    column_filters = ["year", "unit"]
    column_sortable_list = ["year", ("unit", "unit.name"), "items", "points"]
    column_default_sort = [("year", True), ("unit_id", False)]
    column_formatters = {"progress": _progress}
    column_formatters_detail = {"progress": _progress}
    column_details_list = ["year", "unit", "items", "points", "progress"]
    column_export_list = ["year", "unit", "items", "points"]
    form_columns = ["unit", "year", "items", "points"]
    form_args = {
        "year": {
            "default": lambda: clock.today().year,
            "validators": [validators.NumberRange(min=2000, max=2100)],
        },
        "items": {"validators": [validators.NumberRange(min=0)]},
        "points": {"validators": [validators.NumberRange(min=0)]},
    }

    def get_list(self, *args, **kwargs):
        count, data = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True):
            self._load_progress(data)
        return count, data

    def get_one(self, id):
        quota = super().get_one(id)
        self._load_progress([quota])
        return quota

    @staticmethod
    def _load_progress(quotas):
        """Progress for the quotas on the page: grouped queries per year, not per row."""
        g.quota_progress = {}
        for year in {q.year for q in quotas}:
            ids = [q.unit_id for q in quotas if q.year == year]
            for unit_id, pair in quota_progress(year, ids).items():
                g.quota_progress[(unit_id, year)] = pair
