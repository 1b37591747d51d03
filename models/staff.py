"""People of the units and the office: information officers, leaders, staff."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models.base import Choices, OwnedByUnit, db, info, text_not_blank
from models.words import Searchable

DUTIES = Choices(
    info_officer=_l("Information officer"),
    principal_leader=_l("Principal leader"),
    leader_in_charge=_l("Leader in charge"),
    office_staff=_l("Office staff"),
    other=_l("Other"),
)


class Staff(Searchable, OwnedByUnit, db.Model):
    __tablename__ = "staff"
    search_fields = ("name", "phone", "email")

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False, info=info(_l("Name")))
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    duty = sa.Column(
        sa.String(20), nullable=False, default="info_officer", info=info(_l("Duty"), DUTIES)
    )
    phone = sa.Column(sa.String(30), info=info(_l("Phone")))
    email = sa.Column(sa.String(120), unique=True, info=info(_l("Email")))
    active = sa.Column(sa.Boolean, nullable=False, default=True, info=info(_l("Active")))

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (DUTIES.check("duty"), text_not_blank("name"))

    def __str__(self):
        return self.name

    @property
    def name_and_unit(self):
        """汪洋（城关镇）: the person told apart from another of the same name."""
        unit = self.unit.name if self.unit is not None else ""
        return f"{self.name}（{unit}）" if unit else self.name
