"""Special supervision (专项督查) and on-site supervision (实地督办).

A special supervision project is a matter the office takes up on its own (a campaign, a
hot issue): its scope, the units it looks at, its dates and what it found. A site visit
is the office going to a unit, often on a long-stalled matter: who went, when, where,
what was found, and what must be rectified by when. The rectification is tracked like
any unit's part: the visit owns a Directive of origin "rectification" with one
assignment for the unit, due on the deadline, on the one lifecycle of assignments
(lights, progress and result reports, chases, reminders, the to-do list); it is not
counted among the leaders' instructions (`Directive.is_instruction()`).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.accounts import OFFICE
from models.base import OwnedByUnit, RuleError, UTCDateTime, db, info, text_not_blank
from models.directives import Directive
from models.keywork import KEY_WORK_LEADER_LEVEL, NO_CALENDAR
from models.notices import office_text

project_units = sa.Table(
    "supervision_project_units",
    db.metadata,
    sa.Column(
        "project_id",
        sa.ForeignKey("supervision_projects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "unit_id", sa.ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class SupervisionProject(db.Model):
    """A special supervision project (专项督查): scope, units, dates and findings."""

    __tablename__ = "supervision_projects"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(200), nullable=False, info=info(_l("Title")))
    scope = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Scope")))
    started_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Started on")))
    ended_on = sa.Column(sa.Date, info=info(_l("Ended on")))
    findings = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Findings")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    units = sa.orm.relationship(
        "Unit", secondary=project_units, order_by="Unit.code", info=info(_l("Units"))
    )
    visits = sa.orm.relationship(
        "SiteVisit", back_populates="project", order_by="SiteVisit.visited_on"
    )

    __table_args__ = (
        text_not_blank("title"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
    )

    def __str__(self):
        return self.title

    @property
    def unit_names(self):
        return "、".join(unit.name for unit in self.units)

    @classmethod
    def visible_to(cls, account):
        """The office and leaders see every project; a unit those it is among."""
        if account.sees_all_units:
            return sa.true()
        return cls.id.in_(
            sa.select(project_units.c.project_id).where(project_units.c.unit_id == account.unit_id)
        )


def dates_problem(started_on, ended_on):
    if started_on and ended_on and ended_on < started_on:
        return _l("The last day is before the first.")
    return None


class SiteVisit(OwnedByUnit, db.Model):
    """An on-site visit (实地督办) to a unit: who went, when, where, what was found, and
    what must be rectified by when (tracked as the unit's assignment)."""

    __tablename__ = "site_visits"

    id = sa.Column(sa.Integer, primary_key=True)
    project_id = sa.Column(
        sa.ForeignKey("supervision_projects.id", ondelete="SET NULL"),
        index=True,
        info=info(_l("Special supervision")),
    )
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=info(_l("Unit")),
    )
    # The long-stalled matter the visit was about, if it was one.
    stalled_assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL"), info=info(_l("Stalled matter"))
    )
    visited_on = sa.Column(sa.Date, nullable=False, index=True, info=info(_l("Visited on")))
    place = sa.Column(sa.String(200), nullable=False, info=info(_l("Place")))
    members = sa.Column(sa.String(200), nullable=False, info=info(_l("Who went")))
    findings = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Findings")))
    rectification = sa.Column(sa.Text, nullable=False, default="", info=info(_l("To be rectified")))
    rectify_by = sa.Column(sa.Date, info=info(_l("Rectify by")))
    directive_id = sa.Column(sa.ForeignKey("directives.id", ondelete="RESTRICT"), unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    project = sa.orm.relationship(
        "SupervisionProject", back_populates="visits", info=info(_l("Special supervision"))
    )
    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))
    stalled_assignment = sa.orm.relationship(
        "Assignment", foreign_keys=[stalled_assignment_id], info=info(_l("Stalled matter"))
    )
    directive = sa.orm.relationship(
        "Directive",
        backref=sa.orm.backref("site_visit", uselist=False),
        cascade="all",
        single_parent=True,
    )

    __table_args__ = (
        text_not_blank("place"),
        text_not_blank("members"),
        sa.CheckConstraint(
            "rectify_by IS NULL OR rectify_by >= visited_on", name="rectify_after_visit"
        ),
    )

    def __str__(self):
        return f"{self.unit or ''} · {self.visited_on.isoformat() if self.visited_on else ''}"

    @property
    def rectification_assignment(self):
        return (
            self.directive.assignments[0] if self.directive and self.directive.assignments else None
        )

    def rectification_problem(self, today=None):
        """Why the rectification cannot be required as written, or None."""
        wants = bool((self.rectification or "").strip())
        if wants and self.rectify_by is None:
            return "rectify_by", _l("Give the date it must be rectified by.")
        if self.rectify_by is not None and not wants:
            return "rectification", _l("Say what must be rectified.")
        if self.rectify_by is not None and self.visited_on and self.rectify_by < self.visited_on:
            return "rectify_by", _l("The deadline is before the visit.")
        if (
            self.rectify_by is not None
            and self.directive is None
            and self.rectify_by < (today or clock.today())
        ):
            return "rectify_by", _l("The deadline %(day)s has passed.", day=self.rectify_by)
        return None

    def require_rectification(self, actor, at=None):
        """Track the rectification as the unit's assignment, due on `rectify_by` (once;
        later edits change the text and, through the assignment's own step, the date)."""
        if actor is not None and actor.role not in OFFICE:
            raise RuleError(_l("Only the office requires a rectification."))
        problem = self.rectification_problem(clock.local_date(at) if at else None)
        if problem:
            raise RuleError(problem[1], field=problem[0])
        if self.rectify_by is None:
            return None
        if self.id is None:
            db.session.add(self)
            db.session.flush()  # its id names the carrier
        title = office_text(_l("Rectification after the site visit: %(place)s", place=self.place))
        if self.directive is None:
            self.directive = Directive(
                origin="rectification",
                number=office_text(
                    _l(
                        "Site visit %(serial)s of %(year)s",
                        serial=self.id,
                        year=self.visited_on.year,
                    )
                ),
                leader_level=KEY_WORK_LEADER_LEVEL,
                # Assigned today: a visit entered ahead of its day is received today.
                received_on=min(self.visited_on, clock.local_date(at) if at else clock.today()),
            )
            self.directive.title, self.directive.content = title[:200], self.rectification
            self.directive.leader_name = self.members[:50]
            return self.directive.hand_to(
                {self.unit: "lead"}, actor, NO_CALENDAR, [], at=at, due_on=self.rectify_by
            )[0]
        self.directive.title, self.directive.content = title[:200], self.rectification
        assignment = self.rectification_assignment
        if assignment is not None and assignment.due_on != self.rectify_by:
            assignment.change_due_date(
                actor, self.rectify_by, office_text(_l("Deadline changed on the site visit")), at
            )
        return assignment
