"""Solicitations (约稿): the office asks chosen units for reports on a topic by a date."""

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info, text_not_blank
from models.reports import Report

solicitation_units = sa.Table(
    "solicitation_units",
    db.metadata,
    sa.Column(
        "solicitation_id", sa.ForeignKey("solicitations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)

ANSWER_STATES = Choices(
    on_time=_l("Answered on time"), late=_l("Answered late"), missing=_l("Not answered")
)


class Solicitation(db.Model):
    __tablename__ = "solicitations"

    id = sa.Column(sa.Integer, primary_key=True)
    topic = sa.Column(sa.String(200), nullable=False, info=info(_l("Topic")))
    description = sa.Column(sa.Text, nullable=False, default="", info=info(_l("What is wanted")))
    issued_on = sa.Column(sa.Date, nullable=False, default=clock.today, info=info(_l("Issued on")))
    due_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Due on")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    units = sa.orm.relationship(
        "Unit", secondary=solicitation_units, order_by="Unit.code", info=info(_l("Units asked"))
    )

    __table_args__ = (
        text_not_blank("topic"),
        sa.CheckConstraint("due_on >= issued_on", name="due_after_issued"),
    )

    def __str__(self):
        return self.topic

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.units.any(id=account.unit_id)

    def answers(self):
        """For each unit asked: (unit, state, first report or None), in unit order."""
        first = {}
        for report in sorted(
            Report.query.filter_by(solicitation_id=self.id), key=lambda r: r.submitted_at
        ):
            first.setdefault(report.unit_id, report)
        result = []
        for unit in self.units:
            report = first.get(unit.id)
            if report is None:
                state = "missing"
            elif clock.local_date(report.submitted_at) <= self.due_on:
                state = "on_time"
            else:
                state = "late"
            result.append((unit, state, report))
        return result


def missed_solicitations(year, today=None):
    """{unit_id: count} of solicitations due in the year (and past) a unit never answered."""
    today = today or clock.today()
    end = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
    answered = (
        sa.select(Report.id)
        .where(
            Report.solicitation_id == solicitation_units.c.solicitation_id,
            Report.unit_id == solicitation_units.c.unit_id,
        )
        .exists()
    )
    query = (
        sa.select(solicitation_units.c.unit_id, sa.func.count())
        .join(Solicitation, Solicitation.id == solicitation_units.c.solicitation_id)
        .where(Solicitation.due_on.between(dt.date(year, 1, 1), end), ~answered)
        .group_by(solicitation_units.c.unit_id)
    )
    return dict(db.session.execute(query).all())


def zeroed_units(year, today=None):
    """Units whose year's score is zeroed: too many solicitations never answered."""
    from models.scoring import rule_value

    limit = rule_value("limit", "missed_solicitations")
    missed = missed_solicitations(year, today)
    return {unit_id for unit_id, count in missed.items() if limit and count >= limit}
