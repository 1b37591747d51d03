"""The to-do list (待办) of each role on the home page: what waits on the person, each
count equal to the rows of the list it links to, each item one click from its page, the
same statements whatever the size of the records, and the count beside the menu."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from models import (
    Assignment,
    CheckRound,
    Report,
    Solicitation,
    Unit,
    WorkCalendar,
    clock,
    db,
)
from models.desk import (
    LEADER_ASSIGNMENTS,
    TODO_ITEMS,
    leader_kind,
    leader_todos,
    todos,
    unsigned_since,
)
from models.directives import yellow_days
from models.periods import month
from tests import factories
from tests.helpers import count_statements
from tests.test_home import listed_ids, numbers
from tests.test_keywork import key_work

D = dt.date


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 12, 10), D(2026, 12, 7)),  # Thu: Monday's had Tue and Wed
        (D(2026, 12, 14), D(2026, 12, 9)),  # Mon: Thursday's had only Friday by then
        (D(2026, 12, 12), D(2026, 12, 9)),  # Sat: Wednesday's had Thu and Fri
    ],
)
def test_an_assignment_is_late_to_sign_for_once_its_working_days_have_passed(today, expected):
    assert unsigned_since(today, 2, WorkCalendar()) == expected


def test_a_setting_out_of_range_for_the_days_to_sign_is_held_to_one_a_person_can_mean():
    today = D(2026, 12, 10)
    assert unsigned_since(today, -5, WorkCalendar()) == unsigned_since(today, 0, WorkCalendar())
    assert unsigned_since(today, 10**9, WorkCalendar()) == unsigned_since(today, 60, WorkCalendar())


def _at(day):
    return clock.start_of(day) + dt.timedelta(hours=10)


def _of_each_kind(unit, today):
    """One assignment of `unit` on each to-do, and some on none; their ids by kind."""

    def due(days, status="assigned"):
        return factories.assignment_due(unit, today + dt.timedelta(days=days), status)

    objected = due(29)  # assigned yesterday: still within the days to object
    objected.raise_objection(None, "deadline", "期限太短", at=_at(objected.assigned_on))
    extension = due(10, "acknowledged")
    extension.request_extension(None, extension.due_on + dt.timedelta(days=10), "需要调研")
    returned = due(5, "submitted")
    returned.return_result(None, "缺少整改措施")
    progress = due(20, "acknowledged")
    progress.progress_due_on = today - dt.timedelta(days=1)
    unsigned = due(15)  # assigned 15 days ago
    return {
        "result": due(-2, "submitted").id,
        "objection": objected.id,
        "extension": extension.id,
        "unsigned": unsigned.id,
        "returned": returned.id,
        "progress": progress.id,
        "fresh": due(30).id,  # assigned today: to sign for, not yet late
        "red": due(-4, "acknowledged").id,
        "yellow": due(1, "in_progress").id,
        "done": due(3, "accepted").id,
    }


@pytest.fixture
def desk(app, world):
    with app.app_context():
        today = clock.today()
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        for assignment_id in (world.assignment_a, world.assignment_b):  # out of the way
            db.session.get(Assignment, assignment_id).cancel(None, "测试撤销")
        ids = SimpleNamespace(a=_of_each_kind(a, today), b=_of_each_kind(b, today))
        factories.report(a, title="甲镇退稿").answer("returned", None, "请补充数据")
        factories.report(b, title="乙镇待回音")
        asked = Solicitation(topic="冬季防火", issued_on=today, due_on=today, units=[a, b])
        answered = Solicitation(topic="秋收进度", issued_on=today, due_on=today, units=[a])
        past = Solicitation(
            topic="汛期总结",
            issued_on=today - dt.timedelta(days=9),
            due_on=today - dt.timedelta(days=1),
            units=[a],
        )
        db.session.add_all([asked, answered, past])
        db.session.flush()
        factories.report(a, title="秋收进度信息", solicitation_id=answered.id)
        db.session.commit()
        ids.asked = asked.id
        return ids


def _todos(client):
    """{kind: (count shown, its link)} of the person's to-do list on the home page."""
    page = client.get("/admin/").get_data(as_text=True)
    return {
        key.split(":", 1)[1]: (int(value), link)
        for key, (value, link) in numbers(page).items()
        if key.startswith("todo:")
    }, page


def _ids(*values):
    return {str(v) for v in values}


def test_the_office_sees_what_waits_on_its_decision(app, world, desk, as_role):
    client = as_role("staff")
    todos, page = _todos(client)
    a, b = desk.a, desk.b
    expected = {
        kind: _ids(a[kind], b[kind]) for kind in ("result", "objection", "extension", "unsigned")
    }
    with app.app_context():
        expected["waiting"] = _ids(*(r.id for r in Report.query.filter_by(status="received")))
    assert set(todos) == set(expected)
    for kind, rows in expected.items():
        count, link = todos[kind]
        assert count == len(rows) and listed_ids(client, link) == rows, kind
    assert f"/admin/assignments/details/?id={a['extension']}" in page  # one click away


def test_a_unit_officer_sees_what_waits_on_their_unit_only(app, world, desk, as_role):
    client = as_role("unit")
    todos, page = _todos(client)
    a = desk.a
    expected = {
        "sign": _ids(a["unsigned"], a["fresh"]),
        "returned": _ids(a["returned"]),
        "progress": _ids(a["progress"]),
    }
    assert {k: todos[k][0] for k in expected} == {k: len(v) for k, v in expected.items()}
    for kind, rows in expected.items():
        assert listed_ids(client, todos[kind][1]) == rows, kind
    assert todos["returned_reports"][0] == 1 and "甲镇退稿" in page
    assert todos["solicitations"][0] == 1 and "冬季防火" in page
    assert listed_ids(client, todos["solicitations"][1]) == _ids(desk.asked)
    assert "乙镇" not in page
    assert "result" not in todos and "unsigned" not in todos  # the office's, not theirs


def test_a_leader_sees_the_overdue_and_nearly_due(app, world, desk, as_role):
    client = as_role("leader")
    todos, _page = _todos(client)
    for kind in ("red", "yellow"):
        count, link = todos[kind]
        rows = listed_ids(client, link)
        assert count == len(rows) and _ids(desk.a[kind], desk.b[kind]) <= rows


def test_a_leaders_red_and_yellow_are_each_assignments_own_light(app, world):
    """The leader's to-do counts each light by its own condition (`leader_todos`): over
    every status the lifecycle's steps reach, due dates about today, first progress
    reports late or not, and supporting parts settled by their lead units or not, its
    counts and first items are those of the assignments' own `light` and
    `settled_by_lead`, and its counts those of the list's filter (`leader_kind`)."""
    with app.app_context():
        today, yellow = clock.today(), yellow_days()
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        for status in factories.STEPS_TO:
            for days in (-3, -1, 0, 1, yellow, yellow + 1, 9):
                assignment = factories.assignment_due(a, today + dt.timedelta(days=days), status)
                if days % 2:
                    assignment.progress_due_on = today - dt.timedelta(days=1)
        received = today - dt.timedelta(days=40)  # both parts overdue
        for lead_status in ("accepted", "in_progress"):  # settled, and not yet
            directive = factories.directive(received_on=received)
            calendar, rules = WorkCalendar(), factories.rules()
            at = clock.start_of(received)
            directive.hand_to({a: "lead", b: "support"}, None, calendar, rules, at=at)
            factories.bring_to(directive.assignments[0], lead_status)
        db.session.commit()
        leader = factories.account("leader")
        found = {todo.kind: todo for todo in leader_todos(leader, today, yellow)}
        seen = Assignment.query.filter(Assignment.visible_to(leader)).all()
        for kind in LEADER_ASSIGNMENTS:
            expected = sorted(  # in due-date order, then by unit
                (x.due_on, x.unit_id, x.id)
                for x in seen
                if x.light(today, yellow) == kind and not x.settled_by_lead()
            )
            assert found[kind].count == len(expected) > TODO_ITEMS, kind
            assert [item.record_id for item in found[kind].items] == [
                record_id for *_order, record_id in expected[:TODO_ITEMS]
            ]
            listed = sa.select(sa.func.count()).where(
                leader_kind(today, yellow) == kind, Assignment.visible_to(leader)
            )
            assert db.session.scalar(listed) == len(expected)
        settled = [x for x in seen if x.settled_by_lead()]
        assert settled and settled[0].light(today, yellow) == "red"  # left out all the same


def test_the_menu_shows_how_many_things_wait(app, world, desk, as_role):
    client = as_role("unit")
    todos, _page = _todos(client)
    total = sum(count for count, _link in todos.values())
    listing = client.get("/admin/reports/").get_data(as_text=True)
    assert 'data-todo-count="/admin/todo-count/"' in listing and "ducha.js" in listing
    assert client.get("/admin/todo-count/").get_json() == {"count": total} and total == 6


@pytest.mark.parametrize("role", ["staff", "unit", "leader"])
def test_the_to_do_list_costs_the_same_statements_whatever_the_data(app, world, as_role, role):
    client = as_role(role)

    def home_statements():
        client.get("/admin/")
        with count_statements(app) as statements:
            assert client.get("/admin/").status_code == 200
        return len(statements)

    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        _of_each_kind(a, clock.today())
        _more_steps(a, b, range(1, 3))
        db.session.commit()
    before = home_statements()
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        for _ in range(4):
            _of_each_kind(a, clock.today())
            _of_each_kind(b, clock.today())
        _more_steps(a, b, range(3, 12))
        db.session.commit()
    assert home_statements() == before


def _more_steps(a, b, seqs):
    """More criticism notices waiting (drafts, approved) and key work checks (B's
    self-assessed, A's not) of this year's year-end round, on its last day: the
    self-assessments are still the units' to write."""
    for seq in seqs:
        factories.criticism(factories.unit())
        factories.criticism(factories.unit(), "approved")
        item = key_work(a, support=[b], seq=seq)
    check_round = CheckRound.query.filter_by(year=item.year, half="h2").one_or_none()
    if check_round is None:
        check_round = CheckRound(year=item.year, half="h2", checked_on=dt.date(item.year, 12, 31))
        db.session.add(check_round)
    for check in check_round.open():
        if check.unit_id == b.id:
            check.assess(None, "推进中", "on_schedule")


def test_the_reports_waiting_open_oldest_first_as_the_home_page_lists_them(
    app, world, desk, as_role
):
    with app.app_context():
        unit_a = db.session.get(Unit, world.unit_a)
        for days in (9, 3, 6, 1, 12, 7):  # submitted that many days ago
            factories.report(unit_a, submitted_at=clock.now() - dt.timedelta(days=days))
        db.session.commit()
    client = as_role("staff")
    todos, page = _todos(client)
    home = re.findall(r'href="/admin/reports/details/\?id=(\d+)"', page)
    listing = client.get(todos["waiting"][1]).get_data(as_text=True)
    listed = list(dict.fromkeys(re.findall(r"/admin/reports/details/\?id=(\d+)", listing)))
    assert len(home) == 5 and listed[:5] == home


def test_only_an_administrator_is_offered_the_reason_to_pass_the_extension_cap(
    app, world, desk, as_role
):
    url = f"/admin/assignments/details/?id={desk.a['extension']}"
    assert "cap_override_reason" in as_role("admin").get(url).get_data(as_text=True)
    staff_page = as_role("staff").get(url).get_data(as_text=True)
    assert "grant_extension-granted_due_on" in staff_page
    assert "cap_override_reason" not in staff_page


def test_a_leader_is_shown_last_months_bulletin_once_it_went_out(app, world, desk, as_role):
    client = as_role("leader")
    assert "月度排名通报" not in client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        last_month = month(clock.today().replace(day=1) - dt.timedelta(days=1))
        unit_a = db.session.get(Unit, world.unit_a)
        factories.notice(unit_a, kind="bulletin", dedupe_key=f"bulletin:{last_month.key}:x")
        db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "月度排名通报" in page and f"period={last_month.key}" in page
    assert str(last_month.label) in page


# ---- criticism notices and key work checks: on the to-do of whoever's move it is ----

NEW_KINDS = ("criticism_approve", "criticism_issue", "checks_to_judge", "checks_to_assess")


def _kinds(account):
    return {t.kind: t for t in todos(account, clock.today(), 2, WorkCalendar(), 3)}


def _listed(todo):
    return [item.record_id for item in todo.items]


def _notices():
    """A criticism notice in each state (each of a unit of its own); their ids by state."""
    found = {}
    for state in ("draft", "approved", "issued", "dropped_draft", "dropped_approved"):
        notice = factories.criticism(factories.unit(), state.removeprefix("dropped_"))
        if state.startswith("dropped"):
            notice.drop(None, "已整改到位")
        found[state] = notice
    db.session.flush()
    return found


def test_the_office_approves_the_drafts_and_issues_the_approved(app):
    with app.app_context():
        notices = _notices()
        for role in ("admin", "staff"):
            kinds = _kinds(factories.account(role))
            approve, issue = kinds["criticism_approve"], kinds["criticism_issue"]
            assert (approve.count, _listed(approve)) == (1, [notices["draft"].id]), role
            assert (issue.count, _listed(issue)) == (1, [notices["approved"].id]), role
            assert approve.items[0].day == clock.local_date(notices["draft"].drafted_at)
            assert issue.items[0].day == clock.local_date(notices["approved"].approved_at)
        office = factories.account("staff")
        notices["draft"].approve(office)  # approved: now waiting to be issued
        db.session.flush()
        kinds = _kinds(office)
        assert kinds["criticism_approve"].count == 0
        assert set(_listed(kinds["criticism_issue"])) == {
            notices["draft"].id,
            notices["approved"].id,
        }
        notices["approved"].issue(office)  # issued: nothing more waits on it
        db.session.flush()
        assert _listed(_kinds(office)["criticism_issue"]) == [notices["draft"].id]
        db.session.rollback()


def test_criticism_notices_are_on_no_ones_to_do_but_the_offices(app):
    with app.app_context():
        notices = _notices()
        own = factories.account("unit", notices["draft"].unit)  # its unit's draft
        for account in (own, factories.account("leader")):
            assert not {"criticism_approve", "criticism_issue"} & set(_kinds(account))
        db.session.rollback()


def _by_item_and_unit(checks):
    db.session.flush()
    return {(c.item.seq, c.unit_id): c for c in checks}


def _checks():
    """Two units' checks of this year's round, one in each stage; them by name."""
    a, b = factories.unit(), factories.unit()
    first = key_work(a, support=[b], seq=1)
    key_work(a, seq=2)
    key_work(b, seq=3)
    key_work(b, seq=5)
    check_round = CheckRound(year=first.year, half="h2", checked_on=dt.date(first.year, 12, 31))
    db.session.add(check_round)
    made = _by_item_and_unit(check_round.open())
    checks = SimpleNamespace(
        a=a,
        b=b,
        round=check_round,
        assessed=made[(1, a.id)],  # self-assessed: the office's verdict to give
        to_assess_a=made[(2, a.id)],
        judged=made[(1, b.id)],  # self-assessed and judged: closed
        to_assess_b=made[(3, b.id)],
        judged_unassessed=made[(5, b.id)],  # judged without one: closed too
    )
    checks.assessed.assess(factories.account("unit", a), "按计划推进", "on_schedule")
    checks.judged.assess(None, "已完成", "done")
    checks.judged.judge(None, "good")
    checks.judged_unassessed.judge(None, "poor", "未报送自评")
    db.session.flush()
    return checks


def test_the_office_judges_what_the_units_have_self_assessed(app):
    with app.app_context():
        checks = _checks()
        for role in ("admin", "staff"):
            kinds = _kinds(factories.account(role))
            judge = kinds["checks_to_judge"]
            assert (judge.count, _listed(judge)) == (1, [checks.assessed.id]), role
            assert judge.items[0].text == "1-1 重点项目1-1"
            assert judge.items[0].unit_name == checks.a.name
            assert judge.items[0].day == clock.local_date(checks.assessed.assessed_at)
            assert "checks_to_assess" not in kinds  # the units' move, not the office's
        checks.assessed.judge(None, "fairly_good")
        db.session.flush()
        assert _kinds(factories.account("staff"))["checks_to_judge"].count == 0
        db.session.rollback()


def test_a_unit_self_assesses_its_own_checks_until_the_office_judges(app):
    with app.app_context():
        checks = _checks()
        officer_a = factories.account("unit", checks.a)
        officer_b = factories.account("unit", checks.b)
        kinds = _kinds(officer_a)
        assert _listed(kinds["checks_to_assess"]) == [checks.to_assess_a.id]
        assert kinds["checks_to_assess"].items[0].day == checks.round.checked_on
        assert "checks_to_judge" not in kinds
        # B's judged checks, self-assessed or not, are closed: only its open one waits.
        assert _listed(_kinds(officer_b)["checks_to_assess"]) == [checks.to_assess_b.id]
        checks.to_assess_a.assess(officer_a, "正在推进", "behind")
        db.session.flush()
        assert _kinds(officer_a)["checks_to_assess"].count == 0
        assert _listed(_kinds(factories.account("staff"))["checks_to_judge"]) == [
            checks.assessed.id,
            checks.to_assess_a.id,
        ]
        leader = _kinds(factories.account("leader"))
        assert not set(NEW_KINDS) & set(leader)
        db.session.rollback()


def test_past_the_checks_day_an_unassessed_check_is_the_offices_move(app):
    with app.app_context():
        checks = _checks()
        officer_a, staff = factories.account("unit", checks.a), factories.account("staff")
        day = checks.round.checked_on

        def kinds(account, today):
            return {t.kind: t for t in todos(account, today, 2, WorkCalendar(), 3)}

        # On the check's day the self-assessment is still the unit's to write.
        assert _listed(kinds(officer_a, day)["checks_to_assess"]) == [checks.to_assess_a.id]
        assert _listed(kinds(staff, day)["checks_to_judge"]) == [checks.assessed.id]
        # The day after, it waits on the office's verdict, beside the self-assessed one.
        after = day + dt.timedelta(days=1)
        assert kinds(officer_a, after)["checks_to_assess"].count == 0
        judge = kinds(staff, after)["checks_to_judge"]
        assert sorted(_listed(judge)) == sorted(
            [checks.assessed.id, checks.to_assess_a.id, checks.to_assess_b.id]
        )
        db.session.rollback()


def test_a_part_given_after_the_round_opened_waits_until_it_is_opened_again(app):
    with app.app_context():
        checks = _checks()
        officer_a = factories.account("unit", checks.a)
        later = key_work(checks.a, seq=7)  # no check of it in the round yet
        db.session.flush()
        assert _kinds(officer_a)["checks_to_assess"].count == 1
        (made,) = checks.round.open()
        db.session.flush()
        assert made.item_id == later.id
        assert _listed(_kinds(officer_a)["checks_to_assess"]) == [checks.to_assess_a.id, made.id]
        db.session.rollback()


@pytest.fixture
def steps(app, world):
    """Criticism notices in each state, and world's units' key work checks in each stage."""
    with app.app_context():
        notices = _notices()
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        item = key_work(a, support=[b], seq=1)
        key_work(a, seq=2)
        check_round = CheckRound(year=item.year, half="h2", checked_on=dt.date(item.year, 12, 31))
        db.session.add(check_round)
        made = _by_item_and_unit(check_round.open())
        made[(1, a.id)].assess(None, "按计划推进", "on_schedule")
        db.session.commit()
        return SimpleNamespace(
            draft=notices["draft"].id,
            approved=notices["approved"].id,
            assessed=made[(1, a.id)].id,
            to_assess_a=made[(2, a.id)].id,
            to_assess_b=made[(1, b.id)].id,
        )


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_the_home_page_shows_the_office_its_notices_and_verdicts_to_give(
    app, world, steps, as_role, role
):
    client = as_role(role)
    todos_shown, page = _todos(client)
    expected = {
        "criticism_approve": _ids(steps.draft),
        "criticism_issue": _ids(steps.approved),
        "checks_to_judge": _ids(steps.assessed),
    }
    for kind, rows in expected.items():
        count, link = todos_shown[kind]
        assert count == len(rows) and listed_ids(client, link) == rows, kind
    assert "checks_to_assess" not in todos_shown
    assert f"/admin/criticism/details/?id={steps.draft}" in page
    assert f"/admin/key_work_checks/details/?id={steps.assessed}" in page
    assert "待审核的通报批评" in page and "待印发的通报批评" in page
    today = clock.today().isoformat()  # each item's day, said in the page's language
    for words in ("起草", "审核通过", "自评"):
        assert f"{today} {words}" in page, words


def test_the_home_page_shows_a_unit_its_own_checks_to_self_assess_only(app, world, steps, as_role):
    client = as_role("unit")
    todos_shown, page = _todos(client)
    count, link = todos_shown["checks_to_assess"]
    assert count == 1 and listed_ids(client, link) == _ids(steps.to_assess_a)
    assert f"/admin/key_work_checks/details/?id={steps.to_assess_b}" not in page
    assert not {"criticism_approve", "criticism_issue", "checks_to_judge"} & set(todos_shown)
    assert "待填写自评的重要工作督查" in page
    assert f"{dt.date(clock.today().year, 12, 31).isoformat()} 督查" in page  # the round's day
    assert client.get("/admin/todo-count/").get_json()["count"] == sum(
        n for n, _link in todos_shown.values()
    )
    leader_todos, _page = _todos(as_role("leader"))
    assert not set(NEW_KINDS) & set(leader_todos)
