"""催办 now: the office chases assignments by hand, at once, at most once a day each.

A chase is a step of the assignment's history (`Assignment.chase`: only while the move is
the unit's) and a notice to the unit's information officers, written into the outbox
under the key "office_chase:2026-12-06:assignment:81:staff:17": a second chase the same
day adds neither a step nor a notice. The caller commits, then hands the notices to the
sender.
"""

from dataclasses import dataclass, field
from functools import partial

import sqlalchemy as sa

from models import clock
from models.base import RuleError, db
from models.directives import Assignment
from models.notice_plan import NoticeRules, Step, assignment_drafts, office_chase_key
from models.notice_scan import active_units, assignment_rows, info_officers, insert_drafts
from models.notices import Notice
from models.staff import Staff
from models.units import Unit


@dataclass
class Chased:
    """What chasing some assignments did: chased, already chased today, refused (why)."""

    chased: list = field(default_factory=list)
    already: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (assignment, reason)

    def notice_ids(self, today):
        """The outbox rows of today's chases (to hand to the sender after the commit)."""
        if not self.chased:
            return []
        ids = [a.id for a in self.chased]
        return list(
            db.session.scalars(
                sa.select(Notice.id).where(
                    Notice.kind == "office_chase",
                    Notice.assignment_id.in_(ids),
                    Notice.dedupe_key.like(f"office_chase:{today}:%"),
                    Notice.state == "queued",
                )
            )
        )


def chase_now(assignments, actor, comment="", today=None, rules=None):
    """Chase each assignment now: record the step and write its notices (not committed)."""
    today = today or clock.today()
    result = Chased()
    for assignment in _locked(assignments):
        if assignment.chased_on(today):
            result.already.append(assignment)
            continue
        try:
            assignment.chase(actor, comment)
        except RuleError as error:
            result.refused.append((assignment, str(error)))
        else:
            result.chased.append(assignment)
    insert_drafts(_drafts(result.chased, today, rules or NoticeRules()))
    return result


def _locked(assignments):
    """The assignments, their rows locked until the commit (PostgreSQL) so that two people
    chasing at once record one step; SQLite's write transaction already serialises."""
    ids = [a.id for a in assignments]
    if ids and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Assignment.id).where(Assignment.id.in_(ids)).with_for_update())
        for assignment in assignments:
            db.session.refresh(assignment)
    return assignments


def _drafts(assignments, today, rules):
    if not assignments:
        return []
    ids = [a.id for a in assignments]
    unit_ids = {a.unit_id for a in assignments}
    units = active_units(Unit.id.in_(unit_ids))
    officers = info_officers(Staff.unit_id.in_(unit_ids))
    rows = db.session.execute(assignment_rows().where(Assignment.id.in_(ids))).all()
    times = {a.id: sum(e.action == "chase" for e in a.events) for a in assignments}
    key = partial(office_chase_key, today)
    return [
        draft
        for row in rows
        if row.unit_id in units
        for draft in assignment_drafts(
            Step("office_chase", times[row.id], row),
            today,
            rules,
            units[row.unit_id],
            officers.get(row.unit_id),
            key=key,
        )
    ]
