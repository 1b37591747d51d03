"""What notices are due: the plan, a pure function of today, the rules and the records it
is given (the scan that reads them and writes the outbox is models/notice_scan.py).

Every planned notice has a dedupe key naming its kind, its step, the record it concerns,
the deadline it counts from and its recipient, e.g.
"chase:2:assignment:81:due:2026-10-01:staff:17". The key is UNIQUE in the outbox, so a
second scan on the same day, or two scans at once, add nothing. A new deadline (an
extension) starts its reminders and chases afresh.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import current_app
from flask_babel import lazy_gettext as _l

from models.bulletins import issued_bulletins
from models.directives import OPEN_STATUSES, ORIGINS
from models.notices import office_text
from models.periods import month
from models.ranking import ranking
from models.steps import office_decides
from models.units import RANKING_GROUPS


@dataclass(frozen=True)
class NoticeRules:
    remind_days: int = 3
    chase_every_days: int = 7
    escalate_after_days: int = 14
    # The monthly bulletin and bottom notice: planned on the first `bulletin_days` days of a
    # month (a scan that missed the 1st catches up), or never when 0.
    bulletin_days: int = 0

    @classmethod
    def from_config(cls, config):
        return cls(
            remind_days=config["NOTICE_REMIND_DAYS"],
            chase_every_days=config["NOTICE_CHASE_EVERY_DAYS"],
            escalate_after_days=config["NOTICE_ESCALATE_AFTER_DAYS"],
            bulletin_days=config["NOTICE_BULLETIN_DAYS"],
        )


@dataclass(frozen=True)
class Step:
    """One notice an assignment needs: its kind and number (chase #2)."""

    kind: str
    number: int
    assignment: object


@dataclass
class Draft:
    """A notice to write: whom it goes to, and (a function giving) what its template is
    given, called only for a notice not yet in the outbox."""

    kind: str
    dedupe_key: str
    unit_id: int
    recipient_name: str
    recipient_email: str
    context: Callable[[], dict]
    assignment_id: int = None
    problem: str = None  # why it cannot be sent (no address): written as failed


# ---- the plan: pure ----


def chases_by(today, due_on, rules):
    """How many chases an assignment due on `due_on` has had by `today`."""
    overdue = (today - due_on).days
    return (overdue - 1) // rules.chase_every_days + 1 if overdue >= 1 else 0


def assignment_steps(today, due_on, rules):
    """The (kind, number) notices an open assignment due on `due_on` needs as of `today`.

    A reminder once it is due within `remind_days` (not yet overdue); a chase on the
    first overdue day and again every `chase_every_days` (the number counts them); one
    escalation once `escalate_after_days` overdue. Only the current chase is planned: a
    scan that missed a day catches up with one notice, not several.
    """
    days_left = (due_on - today).days
    steps = []
    if 0 <= days_left <= rules.remind_days:
        steps.append(("reminder", 1))
    overdue = -days_left
    if overdue >= 1:
        steps.append(("chase", chases_by(today, due_on, rules)))
    if overdue >= rules.escalate_after_days:
        steps.append(("escalation", 1))
    return steps


def plan_assignment_notices(today, assignments, rules):
    """What is due `today` for these assignments (rows with id, status, due_on and
    extension_pending): nothing for one whose next move is the office's."""
    return [
        Step(kind, number, assignment)
        for assignment in assignments
        if assignment.status in OPEN_STATUSES
        and not office_decides(assignment.status, assignment.extension_pending)
        for kind, number in assignment_steps(today, assignment.due_on, rules)
    ]


def recipients(kind, unit, officers):
    """(token, name, email) of whom a notice of `kind` for `unit` goes to.

    Reminders and chases go to the unit's information officers, escalations to its
    principal leader. With no address on record, one recipient "nobody" with no email.
    """
    if kind == "escalation":
        if unit.principal_leader_email:
            return [("leader", unit.principal_leader or "", unit.principal_leader_email)]
    elif officers:
        return [(f"staff:{o.id}", o.name, o.email) for o in officers]
    return [("nobody", unit.principal_leader if kind == "escalation" else "", "")]


def dedupe_key(step, recipient_token):
    a = step.assignment
    return f"{step.kind}:{step.number}:assignment:{a.id}:due:{a.due_on}:{recipient_token}"


def assignment_context(step, today, rules, unit, recipient_name):
    """What the template of an assignment's notice is given."""
    a = step.assignment
    return {
        "unit_name": unit.name,
        "recipient_name": recipient_name,
        "directive_number": a.number,
        "directive_title": a.title,
        "leader_name": a.leader_name,
        # What the unit handles: a leader's instruction, a key work item, a rectification.
        "origin": getattr(a, "origin", None) or "instruction",
        "due_on": a.due_on,
        "days_left": max(0, (a.due_on - today).days),
        "days_overdue": max(0, (today - a.due_on).days),
        "step": step.number,
        "chases": chases_by(today, a.due_on, rules),
        "today": today,
    }


def office_chase_key(today, step, recipient_token):
    """A chase by hand: one a day for an assignment, whatever its number or due date."""
    return f"{step.kind}:{today}:assignment:{step.assignment.id}:{recipient_token}"


def assignment_drafts(step, today, rules, unit, officers, key=dedupe_key):
    """The notices of one step, one per recipient."""
    drafts = []
    for token, name, email in recipients(step.kind, unit, officers):
        problem = None
        if not email:
            problem = _l("No email address on record for %(unit)s.", unit=unit.name)
        drafts.append(
            Draft(
                kind=step.kind,
                dedupe_key=key(step, token),
                unit_id=unit.id,
                assignment_id=step.assignment.id,
                recipient_name=name or "",
                recipient_email=email or "",
                context=partial(assignment_context, step, today, rules, unit, name or ""),
                problem=problem,
            )
        )
    return drafts


def plan_monthly_notices(today, rules, units, officers):
    """The previous month's bulletin and bottom-of-ranking notices, early in a month.

    To each unit's information officers, the unit's line of its group's ranking (key
    "bulletin:2026-10:unit:7:staff:12"); to the principal leader of each unit marked at
    the bottom of its group, a notice of its own ("bottom:2026-10:unit:7:leader").
    """
    if not 1 <= today.day <= rules.bulletin_days:
        return []
    period = month(today.replace(day=1) - dt.timedelta(days=1))
    drafts = []
    for group in RANKING_GROUPS:
        rows = [row for row in ranking(period, group, today) if row.unit_id in units]
        bulletin = bulletin_reference(period, group)
        for row in rows:
            unit = units[row.unit_id]
            context = partial(
                ranking_context, row, period, group, len(rows), today, bulletin=bulletin
            )
            drafts += monthly_drafts("bulletin", period, unit, officers.get(unit.id), context)
            if row.bottom:
                drafts += monthly_drafts("bottom", period, unit, None, context)
    return drafts


# Where an issued bulletin is read, under PUBLIC_URL (views/bulletins.py).
BULLETIN_PATH = "/admin/bulletins/document/?id={id}"


def bulletin_reference(period, group):
    """(number, link) of the period's issued bulletin of the group, the latest: the link
    only where units may read it (RANKING_OPEN_TO_UNITS) and PUBLIC_URL says where the app
    is; ("", "") when none is issued."""
    found = issued_bulletins(period.key, group)
    if not found:
        return "", ""
    config = current_app.config
    base = (config.get("PUBLIC_URL") or "").rstrip("/")
    link = ""
    if base and config.get("RANKING_OPEN_TO_UNITS"):
        link = base + BULLETIN_PATH.format(id=found[0].id)
    return found[0].number_text, link


def ranking_context(row, period, group, size, today, recipient_name="", bulletin=("", "")):
    """What the bulletin and bottom templates are given: the unit's line of the ranking,
    and the issued bulletin's number and link if there is one."""
    movement = row.movement
    return {
        "bulletin_number": bulletin[0],
        "bulletin_url": bulletin[1],
        "period_label": period.label,
        "group_label": str(RANKING_GROUPS.label(group)),
        "unit_name": row.unit,
        "recipient_name": recipient_name,
        "rank": row.rank,
        "size": size,
        "points": row.points,
        "adopted": row.adopted,
        "submitted": row.submitted,
        "previous_rank": row.previous_rank,
        "movement": movement,
        "veto_on": row.veto.on if row.veto else None,
        "veto_reason": row.veto.reason if row.veto else "",
        "today": today,
    }


def monthly_drafts(kind, period, unit, officers, context):
    """One draft per recipient: the officers for a bulletin, the principal leader for the
    bottom notice; with no address on record, one draft written as failed."""
    prefix = f"{kind}:{period.key}:unit:{unit.id}"
    if kind == "bottom":
        people = [("leader", unit.principal_leader or "", unit.principal_leader_email)]
    else:
        people = [(f"staff:{o.id}", o.name, o.email) for o in officers or []]
    people = [p for p in people if p[2]] or [("nobody", people[0][1] if people else "", "")]
    return [
        Draft(
            kind=kind,
            dedupe_key=f"{prefix}:{token}",
            unit_id=unit.id,
            recipient_name=name or "",
            recipient_email=email or "",
            context=lambda name=name: context(recipient_name=name or ""),
            problem=None
            if email
            else _l("No email address on record for %(unit)s.", unit=unit.name),
        )
        for token, name, email in people
    ]


def plan_office_digest(today, waiting, office):
    """The office's daily digest: what waits on its decision (`waiting`, oldest first), to
    each office account with an address (`office`); nothing on a day nothing waits.

    Key "digest:2026-12-03:account:5": one a day for each of them.
    """
    if not waiting:
        return []
    return [
        Draft(
            kind="digest",
            dedupe_key=f"digest:{today}:account:{account.id}",
            unit_id=None,
            recipient_name=account.name or "",
            recipient_email=account.email,
            context=partial(digest_context, waiting, today, account.name or ""),
        )
        for account in office
    ]


DIGEST_LINES = 30  # items listed in a digest; the rest are counted


def digest_context(waiting, today, recipient_name):
    return {
        "recipient_name": recipient_name,
        "items": waiting[:DIGEST_LINES],
        "more": max(0, len(waiting) - DIGEST_LINES),
        "total": len(waiting),
        "today": today,
        # Each item's origin as the screens name it (领导批示, 重要工作项目, 整改事项).
        "origins": {key: office_text(label) for key, label in ORIGINS.pairs()},
    }
