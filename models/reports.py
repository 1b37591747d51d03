"""Information reports submitted by units, the publications that adopt them, and adoptions."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info, text_not_blank

CATEGORIES = Choices(
    news=_l("Dynamic news"),
    comprehensive=_l("Comprehensive / analytical"),
    research=_l("Research"),
    problem=_l("Problems"),
    sentiment=_l("Public sentiment"),
    experience=_l("Experience and practice"),
    emergency=_l("Emergency"),
)
REPORT_STATUSES = Choices(
    received=_l("Received"),
    editing=_l("Being edited"),
    adopted=_l("Adopted"),
    not_adopted=_l("Not adopted"),
    returned=_l("Returned"),
)
LEVELS = Choices(
    county=_l("County"),
    city=_l("City"),
    province=_l("Province"),
    central=_l("Central"),
)
EDITIONS = Choices(
    main=_l("Main issue"),
    supplement=_l("Supplement"),
    leaders=_l("Leaders' edition"),
    special=_l("Special report"),
)


class Report(db.Model):
    __tablename__ = "reports"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(200), nullable=False, info=info(_l("Title")))
    body = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Body")))
    category = sa.Column(sa.String(20), nullable=False, info=info(_l("Category"), CATEGORIES))
    # Indexed by ix_reports_unit_id_submitted_at (unit first).
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, info=info(_l("Unit"))
    )
    author = sa.Column(sa.String(100), nullable=False, info=info(_l("Author")))
    submitted_at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("Submitted at"))
    )
    status = sa.Column(
        sa.String(20),
        nullable=False,
        default="received",
        index=True,
        info=info(_l("Status"), REPORT_STATUSES),
    )

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    adoptions = sa.orm.relationship(
        "Adoption",
        back_populates="report",
        cascade="all, delete-orphan",
        info=info(_l("Adoptions")),
    )

    __table_args__ = (
        CATEGORIES.check("category"),
        REPORT_STATUSES.check("status"),
        text_not_blank("title"),
        text_not_blank("author"),
        sa.Index("ix_reports_unit_id_submitted_at", "unit_id", "submitted_at"),
    )

    def __str__(self):
        return self.title

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.unit_id == account.unit_id

    @property
    def points(self):
        return sum(adoption.points for adoption in self.adoptions)


class Publication(db.Model):
    """A publication that adopts reports; its points are the office's scoring table."""

    __tablename__ = "publications"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False, unique=True, info=info(_l("Publication")))
    level = sa.Column(sa.String(20), nullable=False, info=info(_l("Level"), LEVELS))
    edition = sa.Column(
        sa.String(20), nullable=False, default="main", info=info(_l("Edition"), EDITIONS)
    )
    points = sa.Column(sa.Integer, nullable=False, info=info(_l("Points per item")))
    active = sa.Column(sa.Boolean, nullable=False, default=True, info=info(_l("Active")))

    __table_args__ = (
        LEVELS.check("level"),
        EDITIONS.check("edition"),
        text_not_blank("name"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __str__(self):
        return self.name

    @classmethod
    def visible_to(cls, account):
        # The scoring table is the office's and public to every role that has the screen.
        return sa.true()


class Adoption(db.Model):
    """A report adopted by a publication; the points are those of the table on that day."""

    __tablename__ = "adoptions"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=info(_l("Report")),
    )
    publication_id = sa.Column(
        sa.ForeignKey("publications.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Publication")),
    )
    issue_no = sa.Column(sa.Integer, nullable=False, info=info(_l("Issue number")))
    adopted_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Adopted on")))
    points = sa.Column(sa.Integer, nullable=False, info=info(_l("Points")))

    report = sa.orm.relationship("Report", back_populates="adoptions", info=info(_l("Report")))
    publication = sa.orm.relationship("Publication", info=info(_l("Publication")))

    __table_args__ = (
        sa.UniqueConstraint("report_id", "publication_id"),
        sa.CheckConstraint("issue_no > 0", name="issue_no_positive"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __str__(self):
        return f"{self.publication} #{self.issue_no}"

    def award_points(self):
        """Store the points the publication gives today: later table edits leave them."""
        if self.points is None and self.publication is not None:
            self.points = self.publication.points
        return self.points

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.report.has(Report.unit_id == account.unit_id)


@sa.event.listens_for(Adoption, "before_insert")
def _award_points_on_insert(mapper, connection, adoption):
    """Every way of recording an adoption stores the points the table gives now."""
    if adoption.points is None:
        adoption.points = connection.scalar(
            sa.select(Publication.points).where(Publication.id == adoption.publication_id)
        )
