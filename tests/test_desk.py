"""The to-do list (待办) of each role on the home page: what waits on the person, each
count equal to the rows of the list it links to, each item one click from its page, the
same statements whatever the size of the records, and the count beside the menu."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from models import Assignment, Report, Solicitation, Unit, WorkCalendar, clock, db
from models.desk import unsigned_since
from models.periods import month
from tests import factories
from tests.helpers import count_statements
from tests.test_home import listed_ids, numbers

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
        _of_each_kind(db.session.get(Unit, world.unit_a), clock.today())
        db.session.commit()
    before = home_statements()
    with app.app_context():
        for _ in range(4):
            _of_each_kind(db.session.get(Unit, world.unit_a), clock.today())
            _of_each_kind(db.session.get(Unit, world.unit_b), clock.today())
        db.session.commit()
    assert home_statements() == before


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
