"""Training records of the units' people: kept by the office, read by the units."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from models import Staff, Training, Unit
from models.accounts import EVERYONE
from models.training import TRAINING_KINDS, training_problems
from views.base.access import scoped
from views.base.listing import VisibleRelatedFilter
from views.secure import SecureModelView


class UnitOfPersonFilter(VisibleRelatedFilter):
    """ "Unit is ...": the records of the unit's people."""

    def apply(self, query, value, alias=None):
        people = sa.select(Staff.id).where(Staff.unit_id == value)
        return query.filter(Training.staff_id.in_(people))


class TrainingView(SecureModelView):
    """Who was trained how (跟班培训, 顶岗培训, 以会代训): the office keeps the records;
    a unit officer reads those of their own unit's people."""

    read_roles = EVERYONE
    column_list = ["staff", "unit", "kind", "started_on", "ended_on", "hours", "place"]
    column_details_list = [*column_list, "note"]
    column_labels = {"unit": _l("Unit")}
    # The export uses the same (Flask-Admin's column_formatters_export falls back to it).
    column_formatters = {"unit": lambda v, c, m, n: m.staff.unit.name}
    # The unit too: a sheet printed and filed says whose people were trained.
    column_export_list = [
        "staff",
        "unit",
        "kind",
        "started_on",
        "ended_on",
        "hours",
        "place",
        "note",
    ]
    column_searchable_list = ["place"]
    column_filters = [
        "staff",
        UnitOfPersonFilter(Training.staff_id, _l("Unit"), Unit),
        "kind",
        "started_on",
    ]
    column_sortable_list = ["kind", "started_on", "ended_on", "hours"]
    column_default_sort = [("started_on", True), ("id", True)]
    form_columns = ["staff", "kind", "started_on", "ended_on", "hours", "place", "note"]
    form_ajax_refs = {
        "staff": {
            "fields": ["name"],
            "page_size": 10,
            "label": lambda person: person.name_and_unit,
            "eager": (sa.orm.joinedload(Staff.unit),),
        }
    }
    column_descriptions = {
        "hours": _l("Whole hours, from 1 to 24 a day of the training."),
        "ended_on": _l("The last day; the same as the first for a one-day training."),
    }

    def get_query(self):
        # The unit column: each person's unit in the list's own query.
        return super().get_query().options(sa.orm.joinedload(Training.staff).joinedload(Staff.unit))

    def form_problems(self, form):
        return [
            (getattr(form, name), message)
            for name, message in training_problems(
                form.started_on.data, form.ended_on.data, form.hours.data
            )
        ]


def trainings_table(trainings, with_person=False):
    """A small table of training records for a details page."""
    if not trainings:
        return Markup('<span class="text-muted">{}</span>').format(_("No training on record."))
    head = [_("Person")] if with_person else []
    head += [_("Training kind"), _("Started on"), _("Ended on"), _("Hours"), _("Place")]
    rows = []
    for training in trainings:
        cells = [str(training.staff)] if with_person else []
        cells += [
            str(TRAINING_KINDS.label(training.kind)),
            training.started_on.isoformat(),
            training.ended_on.isoformat(),
            str(training.hours),
            training.place,
        ]
        link = url_for("trainings.details_view", id=training.id)
        first, *rest = cells
        rows.append(
            Markup('<tr><td><a href="{}">{}</a></td>').format(link, first)
            + Markup("").join(Markup("<td>{}</td>").format(cell) for cell in rest)
            + Markup("</tr>")
        )
    header = Markup("").join(Markup("<th>{}</th>").format(h) for h in head)
    return Markup(
        '<table class="table table-sm ducha-trainings"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(header, Markup("").join(rows))


def person_trainings(view, context, person, name):
    """The person's training records (as the viewer may see them), latest first."""
    query = scoped(Training, Training.query.filter(Training.staff_id == person.id))
    return trainings_table(query.order_by(Training.started_on.desc(), Training.id.desc()).all())


def unit_trainings(view, context, unit, name):
    """The training records of the unit's people, latest first, in one query."""
    query = scoped(
        Training,
        Training.query.join(Staff, Staff.id == Training.staff_id)
        .filter(Staff.unit_id == unit.id)
        .options(sa.orm.contains_eager(Training.staff)),
    )
    rows = query.order_by(Training.started_on.desc(), Training.id.desc()).limit(200).all()
    return trainings_table(rows, with_person=True)
