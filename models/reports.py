"""Information reports submitted by units, the publications that adopt them, and adoptions."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, OwnedByUnit, UTCDateTime, db, info, text_not_blank
from models.words import Searchable

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


# Made by the search migration, not by the models: the trigram index (PostgreSQL) and the
# FTS5 table with its shadow tables (SQLite). Schema comparisons leave them alone.
# So are the bigram indexes of models/words.py: the GIN indexes (PostgreSQL) and the FTS5
# tables (SQLite) of the searchable tables.
WORD_TABLES = ("reports", "directives", "units", "staff")
TITLE_SEARCH_OBJECTS = (
    "ix_reports_title_trgm",
    "reports_fts",
    *(f"ix_{table}_search_words" for table in WORD_TABLES),
    *(f"{table}_words" for table in WORD_TABLES),
)


def managed_by_models(name):
    """Whether a table or index of the database is one the models describe."""
    return not (name or "").startswith(TITLE_SEARCH_OBJECTS)


ANSWERED_STATUSES = ("editing", "adopted", "not_adopted", "returned")
# Statuses an office member sets by hand; "adopted" comes from recording an adoption.
ANSWER_CHOICES = ("received", "editing", "not_adopted", "returned")
# The answers the office gives in one click (a report's page, its list row, a batch), to a
# report still waiting for its decision; the edit form remains for anything else.
QUICK_ANSWERS = ("editing", "not_adopted", "returned")
WAITING_STATUSES = ("received", "editing")


class ReportTally(OwnedByUnit, db.Model):
    """How many reports each unit has in each status, kept by the database: triggers on
    "reports" (migration d4f6b8a0c2e5) add and take away as rows come, change status or
    unit, and go. The office's home page counts the waiting reports by unit from it
    (2,000 rows) rather than from 200,000 index entries."""

    __tablename__ = "report_tallies"

    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, info=info(_l("Unit"))
    )
    status = sa.Column(sa.String(20), primary_key=True, info=info(_l("Status"), REPORT_STATUSES))
    n = sa.Column(sa.Integer, nullable=False, default=0)


class Report(Searchable, OwnedByUnit, db.Model):
    __tablename__ = "reports"
    search_fields = ("title",)
    trigram_field = "title"

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
        UTCDateTime, nullable=False, default=clock.now, info=info(_l("Submitted at"))
    )
    submitted_by_id = sa.Column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), info=info(_l("Submitted by"))
    )
    status = sa.Column(
        sa.String(20),
        nullable=False,
        default="received",
        info=info(_l("Status"), REPORT_STATUSES),
    )
    answer_comment = sa.Column(sa.Text, info=info(_l("Office's comment")))
    answered_at = sa.Column(UTCDateTime, info=info(_l("Answered at")))
    answered_by_id = sa.Column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), info=info(_l("Answered by"))
    )
    # Emergency items: when the event happened; the report time is submitted_at.
    event_at = sa.Column(UTCDateTime, info=info(_l("Event time")))
    late = sa.Column(sa.Boolean, nullable=False, default=False, info=info(_l("Late report")))
    solicitation_id = sa.Column(
        sa.ForeignKey("solicitations.id", ondelete="SET NULL"),
        index=True,
        info=info(_l("In answer to")),
    )

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    submitted_by = sa.orm.relationship(
        "Account", foreign_keys=[submitted_by_id], info=info(_l("Submitted by"))
    )
    answered_by = sa.orm.relationship(
        "Account", foreign_keys=[answered_by_id], info=info(_l("Answered by"))
    )
    solicitation = sa.orm.relationship("Solicitation", info=info(_l("In answer to")))
    adoptions = sa.orm.relationship(
        "Adoption",
        back_populates="report",
        cascade="all, delete-orphan",
        info=info(_l("Adoptions")),
    )
    instructions = sa.orm.relationship(
        "Instruction",
        back_populates="report",
        cascade="all, delete-orphan",
        info=info(_l("Leaders' instructions")),
    )
    attachment = sa.orm.relationship(
        "Attachment",
        back_populates="report",
        uselist=False,
        cascade="all, delete-orphan",
        info=info(_l("Report file")),
    )

    __table_args__ = (
        CATEGORIES.check("category"),
        REPORT_STATUSES.check("status"),
        text_not_blank("title"),
        text_not_blank("author"),
        sa.CheckConstraint(
            "category <> 'emergency' OR event_at IS NOT NULL", name="emergency_has_event_time"
        ),
        sa.CheckConstraint(
            "event_at IS NULL OR event_at <= submitted_at", name="event_before_report"
        ),
        sa.CheckConstraint(
            "status <> 'returned' OR trim(coalesce(answer_comment, '')) <> ''",
            name="returned_has_comment",
        ),
        sa.Index("ix_reports_unit_id_submitted_at", "unit_id", "submitted_at"),
        sa.Index("ix_reports_submitted_at_unit_id", "submitted_at", "unit_id"),
        # The home page's reports waiting for an answer (or returned): counted by unit from
        # the index alone, and the oldest few read in order (200,000 waiting in the bench).
        sa.Index("ix_reports_status_unit_id", "status", "unit_id"),
        sa.Index("ix_reports_status_submitted_at", "status", "submitted_at", "id"),
        # How an import finds the reports it names: by unit and title (then the day).
        sa.Index("ix_reports_unit_id_title", "unit_id", "title"),
        # Target of the (report, unit) keys of adoptions and instructions.
        sa.UniqueConstraint("id", "unit_id"),
    )

    def __str__(self):
        return self.title

    @property
    def points(self):
        return sum(a.points for a in self.adoptions) + sum(i.points for i in self.instructions)

    @property
    def answered(self):
        return self.status in ANSWERED_STATUSES

    def answer_problem(self, status, comment, adopting=False):
        """Why the office cannot give this answer, or None."""
        if status == "returned" and not (comment or "").strip():
            return _l("Say why the report is returned.")
        if status == "adopted" and not (adopting or self.status == "adopted"):
            return _l("A report becomes adopted by recording its adoption.")
        if status not in ANSWER_CHOICES and status != "adopted":
            return _l("Unknown answer.")
        return None

    def answer(self, status, by, comment=None):
        """Record the office's answer to the submission: what, who, when."""
        problem = self.answer_problem(status, comment)
        if problem:
            raise ValueError(str(problem))
        self.status = status
        self.answer_comment = (comment or "").strip() or self.answer_comment
        self.answered_by = by
        self.answered_at = clock.now()

    def quick_answers(self):
        """The quick answers this report may take now (read from its status alone, so that
        a list draws them without a query per row)."""
        return [status for status in QUICK_ANSWERS if self._waiting_problem(status) is None]

    def quick_answer_problem(self, status, comment=None):
        """Why the office cannot give this report the quick answer `status` now, or None."""
        if status not in QUICK_ANSWERS:
            return _l("Unknown answer.")
        return self._waiting_problem(status) or self.answer_problem(status, comment)

    def _waiting_problem(self, status):
        if self.status == "adopted":
            return _l("Already adopted: an adopted report keeps its answer.")
        if self.status == "returned":
            return _l("Returned to its unit: it is answered again once submitted again.")
        if self.status == status or self.status not in WAITING_STATUSES:
            return _l("Already answered: %(answer)s.", answer=REPORT_STATUSES.label(self.status))
        return None

    def resubmit(self):
        """A unit sends a returned report again: it waits for a new answer."""
        if self.status == "returned":
            self.status = "received"
            self.answered_at = None
            self.answered_by = None

    def adoption_warning(self):
        """Why the report cannot be adopted whatever the publication and date, or None (the
        batch adoption's preview marks it before anything is chosen)."""
        if self.status == "returned":
            return _l("A returned report must be submitted again before it is adopted.")
        return None

    def adoption_problem(self, publication, adopted_on, today=None):
        """Why this report cannot be adopted by `publication` on `adopted_on`, or None."""
        today = today or clock.today()
        if warning := self.adoption_warning():
            return warning
        if adopted_on > today:
            return _l("The adoption date is in the future.")
        if adopted_on < clock.local_date(self.submitted_at):
            return _l("The adoption date is before the report was submitted.")
        if any(a.publication_id == publication.id for a in self.adoptions):
            return _l("Already adopted by this publication.")
        return None


def adopt(reports, publication, issue_no, adopted_on, today=None):
    """Adopt every report that can be adopted; the rest stay as they were. Returns the
    adopted reports and {report id: problem} for the others."""
    problems = {}
    adopted = []
    for report in reports:
        problem = report.adoption_problem(publication, adopted_on, today)
        if problem:
            problems[report.id] = problem
            continue
        report.adoptions.append(
            Adoption(publication=publication, issue_no=issue_no, adopted_on=adopted_on)
        )
        report.status = "adopted"
        adopted.append(report)
    return adopted, problems


def answer_reports(reports, status, by, comment=None):
    """Give every report that may take it the quick answer `status`; the rest stay as they
    were. Returns the answered reports and {report id: problem} for the others."""
    problems = {}
    answered = []
    for report in reports:
        problem = report.quick_answer_problem(status, comment)
        if problem:
            problems[report.id] = problem
            continue
        report.answer(status, by, comment)
        answered.append(report)
    return answered, problems


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


class Adoption(OwnedByUnit, db.Model):
    """A report adopted by a publication; the points are those of the table on that day
    (stored at insert by models/scoring.py)."""

    __tablename__ = "adoptions"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(sa.Integer, nullable=False, index=True, info=info(_l("Report")))
    # The report's unit, kept in step by the database (see the foreign key below), so that
    # rankings sum adoptions by unit without reading a million reports.
    unit_id = sa.Column(sa.Integer, nullable=False, info=info(_l("Unit")))
    publication_id = sa.Column(
        sa.ForeignKey("publications.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Publication")),
    )
    issue_no = sa.Column(sa.Integer, nullable=False, info=info(_l("Issue number")))
    adopted_on = sa.Column(sa.Date, nullable=False, info=info(_l("Adopted on")))
    points = sa.Column(sa.Integer, nullable=False, info=info(_l("Points")))

    report = sa.orm.relationship("Report", back_populates="adoptions", info=info(_l("Report")))
    publication = sa.orm.relationship("Publication", info=info(_l("Publication")))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["report_id", "unit_id"],
            ["reports.id", "reports.unit_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        # The ranking reads a period's adoptions from this index alone.
        sa.Index(
            "ix_adoptions_adopted_on_unit_id", "adopted_on", "unit_id", "publication_id", "points"
        ),
        sa.UniqueConstraint("report_id", "publication_id"),
        sa.CheckConstraint("issue_no > 0", name="issue_no_positive"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __str__(self):
        return f"{self.publication} #{self.issue_no}"
