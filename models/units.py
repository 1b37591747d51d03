"""Units that report to the office, and how they are grouped for ranking."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, db, info, plain_rows, text_not_blank
from models.words import Searchable

UNIT_KINDS = Choices(
    township=_l("Township / street"),
    county_dept=_l("County department"),
    county=_l("County / district"),
    city_dept=_l("City department"),
)
RANKING_GROUPS = Choices(
    township=_l("Townships and streets"),
    department=_l("Departments"),
    county=_l("Counties and districts"),
)
# The ranking group a unit of each kind normally belongs to.
DEFAULT_GROUP = {
    "township": "township",
    "county_dept": "department",
    "city_dept": "department",
    "county": "county",
}


class Unit(Searchable, db.Model):
    __tablename__ = "units"
    search_fields = ("code", "name")

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(32), nullable=False, unique=True, info=info(_l("Code")))
    name = sa.Column(sa.String(100), nullable=False, info=info(_l("Unit name")))
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Unit kind"), UNIT_KINDS))
    ranking_group = sa.Column(
        sa.String(20), nullable=False, index=True, info=info(_l("Ranking group"), RANKING_GROUPS)
    )
    parent_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True, info=info(_l("Parent unit"))
    )
    principal_leader = sa.Column(sa.String(50), info=info(_l("Principal leader")))
    principal_leader_email = sa.Column(sa.String(120), info=info(_l("Principal leader's email")))
    leader_in_charge = sa.Column(sa.String(50), info=info(_l("Leader in charge")))
    leader_in_charge_email = sa.Column(sa.String(120), info=info(_l("Leader in charge's email")))
    active = sa.Column(sa.Boolean, nullable=False, default=True, info=info(_l("Active")))
    # Rankings show a unit as new in its first period.
    created_on = sa.Column(
        sa.Date, nullable=False, default=clock.today, info=info(_l("In the records since"))
    )

    parent = sa.orm.relationship("Unit", remote_side=[id], info=info(_l("Parent unit")))
    # The unit's active information officers, when a query asks for them
    # (models/training.py: officer_count).
    info_officers = sa.orm.query_expression()

    __table_args__ = (
        UNIT_KINDS.check("kind"),
        RANKING_GROUPS.check("ranking_group"),
        text_not_blank("code"),
        text_not_blank("name"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    def __str__(self):
        return self.name

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.id == account.unit_id

    @classmethod
    def named(cls, counts):
        """Rows (unit id, unit name, count, ...) of `counts`, a subquery of (unit_id, count,
        ...) grouped by unit: counted by unit id alone (from an index, where one serves),
        then the units named, as plain rows (2,000 names joined before the grouping cost
        the count twice)."""
        figures = [column for column in counts.c if column.key != "unit_id"]
        query = sa.select(cls.id, cls.name, *figures).join(counts, counts.c.unit_id == cls.id)
        return plain_rows(query).all()

    def ancestors(self):
        """The units above this one, nearest first; stops at a cycle."""
        seen, unit = {self.id}, self.parent
        while unit is not None and unit.id not in seen:
            seen.add(unit.id)
            yield unit
            unit = unit.parent
