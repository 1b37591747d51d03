"""Test data: small builders with sensible defaults, used inside an app context."""

import datetime as dt
import itertools
from types import SimpleNamespace

from models import (
    Account,
    Adoption,
    Assignment,
    CriticismNotice,
    DeadlineRule,
    Directive,
    Feedback,
    Notice,
    Publication,
    Report,
    Staff,
    Training,
    Unit,
    WorkCalendar,
    clock,
    db,
)
from models.deadlines import DEFAULT_RULES

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


def unit(**kw):
    n = next(_seq)
    values = {
        "code": f"U{n:03d}",
        "name": f"测试单位{n}",
        "kind": "township",
        "ranking_group": "township",
        "principal_leader": "王主任",
        "principal_leader_email": f"head{n}@example.org",
        "created_on": dt.date(2000, 1, 1),
    }
    values.update(kw)
    row = Unit(**values)
    db.session.add(row)
    db.session.flush()
    return row


def staff(unit, **kw):
    n = next(_seq)
    row = Staff(
        **{
            "name": f"信息员{n}",
            "unit": unit,
            "duty": "info_officer",
            "email": f"officer{n}@example.org",
            **kw,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def training(person, **kw):
    values = {
        "staff": person,
        "kind": "alongside",
        "started_on": dt.date(2026, 3, 2),
        "ended_on": dt.date(2026, 3, 6),
        "hours": 40,
        "place": "县委办信息科",
        **kw,
    }
    row = Training(**values)
    db.session.add(row)
    db.session.flush()
    return row


def publication(**kw):
    n = next(_seq)
    row = Publication(
        **{"name": f"测试刊物{n}", "level": "city", "edition": "main", "points": 10, **kw}
    )
    db.session.add(row)
    db.session.flush()
    return row


def report(unit, **kw):
    n = next(_seq)
    row = Report(
        **{
            "title": f"{unit.name}信息{n}",
            "body": "正文",
            "category": "news",
            "unit": unit,
            "author": "李明",
            "submitted_at": clock.now(),
            **kw,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def adoption(report, publication, **kw):
    row = Adoption(
        **{
            "report": report,
            "publication": publication,
            "issue_no": next(_seq),
            "adopted_on": clock.today(),
            **kw,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def directive(*units, received_on=None, due_on=None, **kw):
    """A directive assigned to `units`, due 30 days after receipt unless `due_on` is given."""
    n = next(_seq)
    received_on = received_on or clock.today() - dt.timedelta(days=3)
    row = Directive(
        **{
            "number": f"PS-{n:04d}",
            "title": f"关于事项{n}的批示",
            "content": f"批示内容{n}",
            "leader_name": "张书记",
            "leader_level": "city",
            "received_on": received_on,
            **kw,
        }
    )
    for u in units:
        assignment = Assignment(
            unit=u,
            assigned_on=received_on,
            due_on=due_on or received_on + dt.timedelta(days=30),
        )
        row.assignments.append(assignment)
        assignment.assign(None, WorkCalendar(), rules=[], at=clock.start_of(received_on))
    db.session.add(row)
    db.session.flush()
    return row


def rules():
    """The office's default deadline rules (in place of any there are)."""
    DeadlineRule.query.delete()
    keys = ("leader_level", "urgent_only", "target", "counting", "amount", "note")
    made = [DeadlineRule(**dict(zip(keys, values, strict=True))) for values in DEFAULT_RULES]
    db.session.add_all(made)
    db.session.flush()
    return made


def leaders(unit):
    """The unit's principal leader and leader in charge, as staff who may sign results."""
    return (
        staff(unit, name="王主要", duty="principal_leader"),
        staff(unit, name="李分管", duty="leader_in_charge"),
    )


def feedback(assignment, kind="progress", signer=None, actor=None, at=None, **kw):
    """A report filed on `assignment` (moving it along, as filing does)."""
    row = Feedback(assignment=assignment, kind=kind, text=kw.pop("text", "办理情况"), signer=signer)
    row.file(actor, at=at)
    db.session.flush()
    return row


def account(role, unit=None, password=PASSWORD, **kw):
    n = next(_seq)
    row = Account(
        **{"username": f"{role}{n}", "name": f"{role} {n}", "role": role, "unit": unit, **kw}
    )
    row.set_password(password)
    db.session.add(row)
    db.session.flush()
    return row


def world():
    """Units A and B, each with staff, a report and a directive; an account per role;
    the default deadline rules."""
    a = unit(name="甲镇", code="A")
    b = unit(name="乙镇", code="B")
    pub = publication()
    accounts = {
        "admin": account("admin"),
        "staff": account("staff"),
        "leader": account("leader"),
        "unit": account("unit", a),
        "unit_b": account("unit", b),
    }
    rules()
    ns = SimpleNamespace(
        unit_a=a.id,
        unit_b=b.id,
        publication=pub.id,
        staff_a=staff(a).id,
        staff_b=staff(b).id,
        report_a=report(a, title="甲镇信息").id,
        report_b=report(b, title="乙镇机密信息").id,
        directive_a=directive(a, title="甲镇批示").id,
        directive_b=directive(b, title="乙镇批示", content="乙镇的批示内容").id,
        usernames={role: acc.username for role, acc in accounts.items()},
        account_ids={role: acc.id for role, acc in accounts.items()},
    )
    db.session.commit()
    ns.assignment_a = Assignment.query.filter_by(directive_id=ns.directive_a).one().id
    ns.assignment_b = Assignment.query.filter_by(directive_id=ns.directive_b).one().id
    return ns


# The recorded steps that bring a new assignment to each state.
STEPS_TO = {
    "assigned": (),
    "acknowledged": ("acknowledge",),
    "in_progress": ("acknowledge", "progress"),
    "submitted": ("acknowledge", "submit"),
    "accepted": ("acknowledge", "submit", "accept"),
    "cancelled": ("cancel",),
}


def assignment_due(unit, due_on, status="assigned", **directive_kw):
    """A directive with one assignment for `unit`, due on `due_on`, brought to `status`
    through the lifecycle's own steps; returns the assignment."""
    received_on = due_on - dt.timedelta(days=30)
    assignment = directive(
        unit, received_on=received_on, due_on=due_on, **directive_kw
    ).assignments[0]
    bring_to(assignment, status)
    db.session.flush()
    return assignment


def bring_to(assignment, status):
    """Take an assigned `assignment` to `status` through the lifecycle's own steps."""
    for step in STEPS_TO[status]:
        if step == "acknowledge":
            assignment.acknowledge(None)
        elif step == "progress":
            assignment.report_progress(None)
        elif step == "submit":
            assignment.submit_result(None, leaders(assignment.unit)[0])
        elif step == "accept":
            assignment.accept(None)
        else:
            assignment.cancel(None, "测试撤销")


def notice(unit, **kw):
    """An outbox row, queued and due now unless told otherwise."""
    n = next(_seq)
    row = Notice(
        **{
            "kind": "chase",
            "unit": unit,
            "recipient_name": f"信息员{n}",
            "recipient_email": f"notice{n}@example.org",
            "subject": f"催办通知{n}",
            "body": "请抓紧办理。",
            "dedupe_key": f"test:{n}",
            "message_id": f"<test-{n}@example.org>",
            "state": "queued",
            "next_attempt_at": clock.now(),
            **kw,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def criticism(unit, state="draft", actor=None):
    """A criticism notice of `unit` for an overdue assignment, brought to `state`."""
    assignment = assignment_due(unit, clock.today() - dt.timedelta(days=40))
    row = CriticismNotice(
        unit=unit,
        reason="overdue",
        period=clock.today().strftime("%Y-%m"),
        title=f"关于对{unit.name}领导批示件办理超期的通报批评",
        text=f"{unit.name}：\n经查，你单位承办的领导批示件已超期。",
        assignments=[assignment],
    )
    db.session.add(row)
    db.session.flush()
    if state in ("approved", "issued"):
        row.approve(actor)
    if state == "issued":
        row.issue(actor)
    return row
