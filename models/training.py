"""Training of the units' people (跟班培训, 顶岗培训, 以会代训), and how many information
officers each kind of unit must have (at least 1 per department, 2 per township).

A training record belongs to a person: a unit officer sees their own unit's people's
records; the office keeps them (it runs the training).
"""

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.base import Choices, UTCDateTime, db, info
from models.staff import Staff
from models.units import Unit

TRAINING_KINDS = Choices(
    alongside=_l("Training alongside the office"),  # 跟班培训
    on_post=_l("Training on a post"),  # 顶岗培训
    by_meeting=_l("Training through meetings"),  # 以会代训
)
MAX_HOURS = 2000  # a year of full working days; more is a typing error
MAX_HOURS_A_DAY = 24


class Training(db.Model):
    """One training a person took: its kind, days, hours, place and a note."""

    __tablename__ = "trainings"

    id = sa.Column(sa.Integer, primary_key=True)
    staff_id = sa.Column(
        sa.ForeignKey("staff.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=info(_l("Person")),
    )
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Training kind"), TRAINING_KINDS))
    started_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Started on")))
    ended_on = sa.Column(sa.Date, nullable=False, info=info(_l("Ended on")))
    hours = sa.Column(sa.Integer, nullable=False, info=info(_l("Hours")))
    place = sa.Column(sa.String(100), nullable=False, default="", info=info(_l("Place")))
    note = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Note")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    staff = sa.orm.relationship(
        "Staff",
        # Deleted with the person, each through the session, so the trail keeps them.
        backref=sa.orm.backref(
            "trainings", cascade="all, delete-orphan", order_by="Training.started_on"
        ),
        info=info(_l("Person")),
    )

    __table_args__ = (
        TRAINING_KINDS.check("kind"),
        sa.CheckConstraint("ended_on >= started_on", name="ends_after_start"),
        sa.CheckConstraint(f"hours BETWEEN 1 AND {MAX_HOURS}", name="hours_in_range"),
    )

    def __str__(self):
        return f"{self.staff} {TRAINING_KINDS.label(self.kind)} {self.started_on}"

    @classmethod
    def visible_to(cls, account):
        """The office sees every record; a unit officer those of their unit's people."""
        if account.sees_all_units:
            return sa.true()
        return cls.staff_id.in_(sa.select(Staff.id).where(Staff.unit_id == account.unit_id))

    @property
    def days(self):
        if self.started_on is None or self.ended_on is None:
            return None
        return (self.ended_on - self.started_on).days + 1

    def problems(self):
        """[(field, message)] of what breaks the rules; empty when the record may be kept."""
        return training_problems(self.started_on, self.ended_on, self.hours)


def training_problems(started_on, ended_on, hours):
    """[(field, message)]: dates in the office's years, the end not before the start, hours
    from 1 to the days' worth (24 a day, at most MAX_HOURS)."""
    found = []
    for name, day in (("started_on", started_on), ("ended_on", ended_on)):
        if day is not None and not bounds.in_range(day):
            found.append((name, bounds.day_message()))
    if found:
        return found
    if started_on and ended_on and ended_on < started_on:
        found.append(("ended_on", _l("The training cannot end before it starts.")))
        return found
    if hours is not None:
        days = (ended_on - started_on).days + 1 if started_on and ended_on else None
        most = min(MAX_HOURS, days * MAX_HOURS_A_DAY) if days else MAX_HOURS
        if not 1 <= hours <= most:
            found.append(("hours", _l("Enter hours from 1 to %(most)s for these days.", most=most)))
    return found


# ---- how many information officers a unit needs ----

# From the rules: at least 1 per department, 2 to 3 per township; none is set for a county.
DEFAULT_OFFICER_MINIMUM = {"township": 2, "county_dept": 1, "city_dept": 1, "county": 0}


def officer_minimum():
    """{unit kind: the fewest active information officers it must have}: the rule's
    figures, each replaceable by the setting INFO_OFFICER_MINIMUM ("township=3,county_dept=1")."""
    minimum = dict(DEFAULT_OFFICER_MINIMUM)
    if has_app_context():
        minimum |= current_app.config.get("INFO_OFFICER_MINIMUM") or {}
    return minimum


def officer_count():
    """SQL: the unit's active information officers (a correlated count, one per row of a
    list's single query)."""
    return (
        sa.select(sa.func.count(Staff.id))
        .where(Staff.unit_id == Unit.id, Staff.duty == "info_officer", Staff.active.is_(True))
        .correlate(Unit)
        .scalar_subquery()
    )


def required_officers(minimum=None):
    """SQL: how many information officers the unit's kind needs."""
    minimum = minimum or officer_minimum()
    return sa.case(*[(Unit.kind == kind, n) for kind, n in minimum.items()], else_=sa.literal(0))


def officers_short(minimum=None):
    """SQL: the information officers the unit lacks (0 when it has enough)."""
    lack = required_officers(minimum) - officer_count()
    return sa.case((lack > 0, lack), else_=sa.literal(0))


def lacks_officers(kind, officers, minimum=None):
    """Whether a unit of `kind` with `officers` active information officers has too few:
    the same rule as `officers_short`, for one unit in Python."""
    return officers < (minimum or officer_minimum()).get(kind, 0)
