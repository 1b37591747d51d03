"""Criticism notices (通报批评) as the models keep them: drafted from the records only past
the threshold and only where the move is the unit's, once per unit, reason and month;
approved, issued with the year's next number (never given twice), and sent once."""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from jobs.notices import dispatch_notices
from models import AuditEntry, CriticismNotice, Deduction, Notice, RuleError, WorkCalendar, db
from models.criticism import (
    draft_criticisms,
    issued_count,
    issued_counts,
    overdue_since,
    overdue_threshold,
)
from models.periods import month
from tests import factories

# Monday 2 November 2026: an ordinary week (no holiday in chinese_calendar) follows.
DUE = dt.date(2026, 11, 2)
THRESHOLD = 3
CALENDAR = WorkCalendar()
LAST_MONTH = month(dt.date(2026, 10, 1))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def office(ctx):
    unit = factories.unit(name="甲镇")
    return {
        "unit": unit,
        "officers": [factories.staff(unit), factories.staff(unit)],
        "staff": factories.account("staff"),
    }


def _draft(today, staff, emergency_month=LAST_MONTH):
    return draft_criticisms(today, emergency_month, staff, THRESHOLD, CALENDAR)


def _notices(unit, reason=None):
    query = sa.select(CriticismNotice).where(CriticismNotice.unit_id == unit.id)
    if reason:
        query = query.where(CriticismNotice.reason == reason)
    return db.session.scalars(query).all()


def test_the_threshold_counts_working_days_past_the_due_date():
    # Tue 3, Wed 4, Thu 5 November are the 1st, 2nd and 3rd working days past Monday 2.
    assert overdue_since(dt.date(2026, 11, 5), THRESHOLD, CALENDAR) == DUE
    assert overdue_since(dt.date(2026, 11, 4), THRESHOLD, CALENDAR) < DUE
    # A weekend is not counted: on Monday 9, three working days back is Wednesday 4.
    assert overdue_since(dt.date(2026, 11, 9), THRESHOLD, CALENDAR) == dt.date(2026, 11, 4)
    # National Day week (1-7 October 2026) is a holiday: due 30 September (or on a day of
    # the holiday), the third working day past is Saturday 10 October, a make-up working day.
    assert overdue_since(dt.date(2026, 10, 10), THRESHOLD, CALENDAR) == dt.date(2026, 10, 7)
    assert overdue_since(dt.date(2026, 10, 9), THRESHOLD, CALENDAR) == dt.date(2026, 9, 29)


@pytest.mark.parametrize(
    ("today", "working_days_past", "drafted"),
    [
        (dt.date(2026, 11, 4), THRESHOLD - 1, False),
        (dt.date(2026, 11, 5), THRESHOLD, True),
        (dt.date(2026, 11, 6), THRESHOLD + 1, True),
    ],
)
def test_an_overdue_assignment_is_drafted_only_past_the_threshold(
    office, today, working_days_past, drafted
):
    assignment = factories.assignment_due(office["unit"], DUE)
    result = _draft(today, office["staff"])
    found = _notices(office["unit"], "overdue")
    assert bool(found) is drafted, working_days_past
    if drafted:
        (notice,) = found
        assert result.made == [(office["unit"].id, "overdue", "2026-11")]
        assert notice.assignments == [assignment] and notice.state == "draft"
        assert notice.title == "关于对甲镇领导批示件办理超期的通报批评"
        assert assignment.directive.number in notice.text
        assert f"已超期{(today - DUE).days}天" in notice.text
        assert f"超过办理期限{THRESHOLD}个工作日以上" in notice.text
        assert notice.drafted_by_id == office["staff"].id


def _office_moves(unit):
    """Assignments overdue by weeks whose move is the office's, or nobody's."""
    submitted = factories.assignment_due(unit, DUE, "submitted")
    objected = factories.assignment_due(unit, DUE)
    objected.raise_objection(None, "deadline", "期限太短", CALENDAR, at=_at(DUE - dt.timedelta(30)))
    extension = factories.assignment_due(unit, DUE, "acknowledged")
    extension.request_extension(None, DUE + dt.timedelta(20), "需要调查", at=_at(DUE))
    # A supporting part of a directive its lead unit has finished.
    lead_unit = factories.unit()
    directive = factories.directive(
        lead_unit, unit, received_on=DUE - dt.timedelta(days=30), due_on=DUE
    )
    lead, support = directive.assignments
    support.part = "support"
    lead.acknowledge(None)
    lead.submit_result(None, factories.leaders(lead_unit)[0])
    lead.accept(None)
    db.session.flush()
    return [submitted, objected, extension, support]


def _at(day):
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def test_not_drafted_when_the_move_is_the_offices_or_settled_by_the_lead_unit(office):
    moves = _office_moves(office["unit"])
    assert [a.status for a in moves] == ["submitted", "objected", "acknowledged", "assigned"]
    assert moves[2].pending_extension() is not None and moves[3].settled_by_lead()
    _draft(dt.date(2026, 11, 30), office["staff"])
    assert _notices(office["unit"]) == []

    # The same unit with one assignment whose move is its own: drafted for that one only.
    own = factories.assignment_due(office["unit"], DUE, "in_progress")
    _draft(dt.date(2026, 11, 30), office["staff"])
    (notice,) = _notices(office["unit"])
    assert notice.assignments == [own]


def test_one_draft_per_unit_reason_and_month_never_twice(office):
    factories.assignment_due(office["unit"], DUE)
    first = _draft(dt.date(2026, 11, 10), office["staff"])
    db.session.commit()
    (notice,) = _notices(office["unit"])
    notice.drop(office["staff"], "已当面督办")
    db.session.commit()
    factories.assignment_due(office["unit"], DUE + dt.timedelta(days=1))
    again = _draft(dt.date(2026, 11, 20), office["staff"])
    assert first.made and not again.made
    assert again.already == [(office["unit"].id, "overdue", "2026-11")]
    assert len(_notices(office["unit"])) == 1
    # Next month it is a new month's notice.
    later = _draft(dt.date(2026, 12, 1), office["staff"])
    assert later.made == [(office["unit"].id, "overdue", "2026-12")]


def test_late_and_missed_emergency_reports_of_the_month(office):
    unit, other = office["unit"], factories.unit(name="乙镇")
    event = dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC)
    late = factories.report(
        unit,
        title="某村山体滑坡",
        category="emergency",
        event_at=event,
        submitted_at=event + dt.timedelta(hours=5),
    )
    missed = Deduction(
        unit=unit,
        kind="missed_emergency",
        occurred_on=dt.date(2026, 10, 20),
        reason="化工厂火灾未报",
    )
    elsewhere = Deduction(
        unit=other, kind="missed_emergency", occurred_on=dt.date(2026, 11, 2), reason="下月的漏报"
    )
    db.session.add_all([missed, elsewhere])
    db.session.flush()
    assert late.late

    _draft(dt.date(2026, 11, 3), office["staff"])
    (late_notice,) = _notices(unit, "late_emergency")
    (missed_notice,) = _notices(unit, "missed_emergency")
    assert late_notice.period == missed_notice.period == "2026-10"
    assert [d.report for d in late_notice.deductions] == [late]
    assert "某村山体滑坡" in late_notice.text and "2026年10月12日09:00" in late_notice.text
    assert missed_notice.deductions == [missed] and "化工厂火灾未报" in missed_notice.text
    assert "一票否决" in missed_notice.text
    assert _notices(other) == []  # its 漏报 is in November


def test_a_month_not_begun_is_refused(office):
    with pytest.raises(RuleError):
        _draft(dt.date(2026, 11, 3), office["staff"], month(dt.date(2026, 12, 1)))


def _issued(office, today=dt.date(2026, 11, 10)):
    factories.assignment_due(office["unit"], DUE)
    _draft(today, office["staff"])
    (notice,) = _notices(office["unit"])
    notice.approve(office["staff"])
    notice.issue(office["staff"])
    db.session.commit()
    return notice


def test_approved_then_issued_with_the_years_next_number_never_reused(office):
    staff = office["staff"]
    factories.assignment_due(office["unit"], DUE)
    _draft(dt.date(2026, 11, 10), staff)
    (notice,) = _notices(office["unit"])
    with pytest.raises(RuleError):
        notice.issue(staff)  # not approved yet
    with pytest.raises(RuleError):
        notice.approve(factories.account("unit", office["unit"]))  # not the office
    notice.approve(staff)
    notice.issue(staff)
    db.session.commit()
    assert notice.state == "issued" and notice.issued_by_id == staff.id
    assert notice.approved_at is not None and notice.issued_at is not None
    year = notice.number.year
    assert str(notice.number) == f"通报〔{year}〕1号"
    with pytest.raises(RuleError):
        notice.issue(staff)  # issued once

    # Another unit's notice takes the next number; the supervision notices count apart.
    other = factories.unit(name="乙镇")
    factories.assignment_due(other, DUE)
    _draft(dt.date(2026, 11, 10), staff)
    (second,) = _notices(other)
    second.approve(staff)
    second.issue(staff)
    db.session.commit()
    assert str(second.number) == f"通报〔{year}〕2号"
    # A draft deleted, a number never given back: the third takes 3.
    third_unit = factories.unit()
    factories.assignment_due(third_unit, DUE)
    _draft(dt.date(2026, 11, 10), staff)
    (third,) = _notices(third_unit)
    third.approve(staff)
    third.issue(staff)
    db.session.commit()
    assert third.number.serial == 3
    assert issued_counts(year) == {office["unit"].id: 1, other.id: 1, third_unit.id: 1}
    assert issued_count(office["unit"].id, year) == 1 and issued_count(other.id, year - 1) == 0


def test_sent_once_to_officers_and_principal_leader_even_if_issued_or_sent_twice(app, office):
    notice = _issued(office)
    expected = sorted(
        [o.email for o in office["officers"]] + [office["unit"].principal_leader_email]
    )
    notices = notice.notices()
    assert sorted(n.recipient_email for n in notices) == expected
    assert {n.kind for n in notices} == {"criticism"}
    assert "通报批评" in notices[0].subject and str(notice.number) in notices[0].subject
    assert notice.title in notices[0].body

    with pytest.raises(RuleError):
        notice.issue(office["staff"])
    assert notice.write_notices() == 0  # sending again writes nothing new
    db.session.commit()
    dispatch_notices(notice.waiting_notice_ids())
    dispatch_notices(notice.waiting_notice_ids())  # nothing waits any more
    assert notice.write_notices() == 0
    db.session.commit()
    db.session.expire_all()
    assert [n.state for n in notice.notices()] == ["sent"] * 3
    sent = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(sent) == 3
    assert Notice.query.count() == 3


def test_the_audit_trail_keeps_each_step(office):
    notice = _issued(office)
    changes = [
        e.changes.get("state")
        for e in AuditEntry.query.filter_by(table_name="criticism_notices", record_id=notice.id)
        .order_by(AuditEntry.id)
        .all()
    ]
    assert changes == [[None, "draft"], ["draft", "approved"], ["approved", "issued"]]


def test_a_unit_sees_its_own_notices_once_issued(office):
    notice = _issued(office)
    other = factories.unit(name="乙镇")
    factories.assignment_due(other, DUE)
    _draft(dt.date(2026, 11, 10), office["staff"])
    db.session.commit()

    def seen(account):
        query = sa.select(CriticismNotice.id).where(CriticismNotice.visible_to(account))
        return set(db.session.scalars(query))

    own = factories.account("unit", office["unit"])
    theirs = factories.account("unit", other)
    assert seen(own) == {notice.id}
    assert seen(theirs) == set()  # their draft is not theirs to see yet
    assert seen(factories.account("leader")) == {notice.id}  # a draft is the office's
    assert len(seen(office["staff"])) == 2


@pytest.mark.parametrize(("setting", "held"), [(-5, 0), (7, 7), (10**9, 60), ("x", 10)])
def test_the_threshold_setting_is_held_in_range(app, setting, held):
    app.config["CRITICISM_OVERDUE_DAYS"] = setting
    with app.app_context():
        assert overdue_threshold() == held
