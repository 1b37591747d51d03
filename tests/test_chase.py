"""催办 now: the office chases an assignment by hand, at once. One chase a day for an
assignment (one step of its history, one notice per officer), only while the move is the
unit's; from the assignment's page and as a batch action on the list."""

import datetime as dt

import pytest
import sqlalchemy as sa

from models import Assignment, AssignmentEvent, Notice, RuleError, Unit, clock, db
from models.chase import chase_now
from tests import factories


@pytest.fixture
def today():
    """The office's real date: a chase's step is dated when it is taken, and counted by
    the office's day (a date written here failed once that day had passed)."""
    return clock.today()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def office(ctx):
    unit = factories.unit()
    officers = [factories.staff(unit), factories.staff(unit)]
    return {
        "unit": unit,
        "officers": officers,
        "staff": factories.account("staff"),
        "officer": factories.account("unit", unit),
    }


def _steps(assignment):
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            AssignmentEvent.assignment_id == assignment.id, AssignmentEvent.action == "chase"
        )
    )


def _notices(assignment):
    return db.session.scalars(
        sa.select(Notice).where(Notice.assignment_id == assignment.id).order_by(Notice.id)
    ).all()


def test_a_second_chase_the_same_day_does_nothing_the_next_day_chases_again(office, today):
    overdue = factories.assignment_due(office["unit"], today - dt.timedelta(days=5))
    first = chase_now([overdue], office["staff"], "请今天报送", today)
    db.session.commit()
    assert first.chased == [overdue] and not first.already
    again = chase_now([overdue], office["staff"], "", today)
    db.session.commit()
    assert again.already == [overdue] and not again.chased
    assert _steps(overdue) == 1
    notices = _notices(overdue)
    assert sorted(n.recipient_email for n in notices) == sorted(o.email for o in office["officers"])
    assert {n.kind for n in notices} == {"office_chase"}
    assert "已超期5天" in notices[0].subject and "第1次" in notices[0].body
    assert first.notice_ids(today) == [n.id for n in notices]

    tomorrow = today + dt.timedelta(days=1)
    chase_now([overdue], office["staff"], "", tomorrow)
    db.session.commit()
    assert len(_notices(overdue)) == 4
    assert "第2次" in _notices(overdue)[-1].body


def test_the_step_keeps_who_and_why_and_the_status_stays(office, today):
    assignment = factories.assignment_due(office["unit"], today + dt.timedelta(days=3))
    chase_now([assignment], office["staff"], "请抓紧", today)
    event = assignment.events[-1]
    assert (event.action, event.from_status, event.to_status) == ("chase", "assigned", "assigned")
    assert event.comment == "请抓紧" and event.account_id == office["staff"].id
    assert assignment.status == "assigned"
    assert "请抓紧办理" in _notices(assignment)[0].subject  # not overdue: no days counted


@pytest.mark.parametrize("status", ["submitted", "accepted", "cancelled"])
def test_not_chased_when_the_move_is_not_the_units(office, today, status):
    assignment = factories.assignment_due(office["unit"], today - dt.timedelta(days=2), status)
    result = chase_now([assignment], office["staff"], "", today)
    assert result.refused and result.refused[0][0] is assignment
    assert _steps(assignment) == 0 and _notices(assignment) == []


def test_not_chased_while_an_extension_request_waits_for_the_office(office):
    assignment = factories.assignment_due(office["unit"], clock.today() + dt.timedelta(days=2))
    assignment.acknowledge(None)
    assignment.request_extension(None, assignment.due_on + dt.timedelta(days=10), "需要调研")
    assert not assignment.may(office["staff"], "chase")
    result = chase_now([assignment], office["staff"])
    assert "extension" in result.refused[0][1].lower() or "延期" in result.refused[0][1]
    assert _notices(assignment) == []


def test_a_unit_officer_may_not_chase(office, today):
    assignment = factories.assignment_due(office["unit"], today - dt.timedelta(days=2))
    assert not assignment.may(office["officer"], "chase")
    with pytest.raises(RuleError):
        assignment.chase(office["officer"])


def test_a_unit_with_no_officer_address_gets_a_failed_notice_the_office_sees(ctx, today):
    unit = factories.unit()
    staff = factories.account("staff")
    assignment = factories.assignment_due(unit, today - dt.timedelta(days=1))
    chase_now([assignment], staff, "", today)
    (notice,) = _notices(assignment)
    assert notice.state == "failed" and unit.name in notice.last_error


# ---- over HTTP ----


def _chase(client, assignment_id, comment=""):
    return client.post(
        f"/admin/assignments/act/chase/?id={assignment_id}",
        data={"comment": comment},
        follow_redirects=True,
    )


def _overdue(app, world):
    """An assignment of unit A (whose information officer has an address), 10 days overdue."""
    with app.app_context():
        unit_a = db.session.get(Unit, world.unit_a)
        assignment = factories.assignment_due(unit_a, clock.today() - dt.timedelta(days=10))
        db.session.commit()
        return assignment.id


def test_chase_twice_in_a_day_from_the_page_writes_one_notice_and_one_step(app, world, as_role):
    assignment_id = _overdue(app, world)
    staff = as_role("staff")
    page = staff.get(f"/admin/assignments/details/?id={assignment_id}").get_data(as_text=True)
    assert "act/chase/" in page and "确定催办？" in page
    first = _chase(staff, assignment_id, "请说明超期原因").get_data(as_text=True)
    assert "已催办 1 项" in first
    assert "act/chase/" not in first and "今天已催办" in first
    second = _chase(staff, assignment_id).get_data(as_text=True)
    assert "今天已催办过" in second
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert _steps(assignment) == 1
        notices = _notices(assignment)
        assert len(notices) == 1 and notices[0].state == "sent"  # inline, to .eml files
    listing = staff.get("/admin/notices/?flt0_kind=office_chase").get_data(as_text=True)
    assert "督查室催办" in listing


def test_a_unit_officer_posting_a_chase_is_refused(app, world, as_role):
    assignment_id = _overdue(app, world)
    officer = as_role("unit")
    page = officer.get(f"/admin/assignments/details/?id={assignment_id}").get_data(as_text=True)
    assert "act/chase/" not in page
    _chase(officer, assignment_id)
    with app.app_context():
        assert _notices(db.session.get(Assignment, assignment_id)) == []


def test_batch_chase_chases_the_units_moves_and_names_the_rest(app, world, as_role):
    assignment_id = _overdue(app, world)
    with app.app_context():
        unit_a = db.session.get(Unit, world.unit_a)
        submitted = factories.assignment_due(
            unit_a, clock.today() - dt.timedelta(days=3), "submitted"
        )
        db.session.commit()
        submitted_id = submitted.id
    staff = as_role("staff")
    page = staff.post(
        "/admin/assignments/action/",
        data={"action": "chase", "rowid": [assignment_id, submitted_id, world.assignment_b]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已催办 2 项" in page  # A and B; the submitted result waits on the office
    assert "未催办：交办事项处于“已报结”状态" in page
    with app.app_context():
        assert _steps(db.session.get(Assignment, submitted_id)) == 0
        for chased in (assignment_id, world.assignment_b):
            assert _steps(db.session.get(Assignment, chased)) == 1


def test_the_batch_chase_is_not_offered_to_a_unit_officer_or_a_leader(app, world, as_role):
    for role in ("unit", "leader"):
        client = as_role(role)
        assert 'value="chase"' not in client.get("/admin/assignments/").get_data(as_text=True)
        client.post(
            "/admin/assignments/action/", data={"action": "chase", "rowid": [world.assignment_a]}
        )
    with app.app_context():
        assert _steps(db.session.get(Assignment, world.assignment_a)) == 0
