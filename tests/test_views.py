"""The generated screens through HTTP: login, language, create/edit/delete, scoping, exports."""

import csv
import datetime as dt
import html
import io
import json
import re

import jinja2
import openpyxl
import pytest
from flask import render_template_string

from models import Assignment, Directive, Report, Staff, Unit, db
from tests import factories
from tests.helpers import login

LIST_URLS = [
    "/admin/",
    "/admin/reports/",
    "/admin/publications/",
    "/admin/directives/",
    "/admin/assignments/",
    "/admin/units/",
    "/admin/staff/",
    "/admin/accounts/",
    "/admin/notices/",
]


def read(app, model, **filters):
    with app.app_context():
        return model.query.filter_by(**filters).all()


def test_every_admin_url_needs_a_login(app, client, world):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert len(rules) > 50
    for rule in rules:
        url = rule.rule.replace("<export_type>", "csv").replace("<path:filename>", "x.css")
        if rule.endpoint.endswith(".static") or "<" in url:
            continue
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        response = client.open(url, method=method)
        assert response.status_code == 302, (url, response.status_code)
        assert "/login" in response.headers["Location"], url


def test_login_and_logout(app, client, world):
    response = client.post(
        "/login", data={"username": world.usernames["staff"], "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    login(client, world.usernames["staff"])
    assert client.get("/admin/reports/").status_code == 200
    client.post("/logout")
    assert client.get("/admin/reports/").status_code == 302


def test_inactive_account_cannot_log_in(app, client, world):
    with app.app_context():
        account = factories.account("staff", active=False)
        db.session.commit()
        username = account.username
    response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(client, world, target):
    response = client.post(
        f"/login?next={target}",
        data={"username": world.usernames["staff"], "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/admin/"


def test_login_follows_a_local_next(client, world):
    response = client.post(
        "/login?next=/admin/units/",
        data={"username": world.usernames["staff"], "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/admin/units/"


def test_interface_is_chinese_by_default_and_english_on_request(as_role):
    client = as_role("admin")
    page = client.get("/admin/reports/").get_data(as_text=True)
    assert "信息稿件" in page and "标题" in page and "添加筛选器" in page
    page = client.get("/admin/reports/?lang=en").get_data(as_text=True)
    assert "Reports" in page and "Title" in page and "信息稿件" not in page
    # the choice sticks for the session
    assert "Title" in client.get("/admin/reports/").get_data(as_text=True)


def test_account_language_setting(app, client, world):
    with app.app_context():
        account = factories.account("staff", locale="en")
        db.session.commit()
        username = account.username
    login(client, username)
    assert "Reports" in client.get("/admin/reports/").get_data(as_text=True)


@pytest.mark.parametrize("url", LIST_URLS)
def test_admin_sees_every_list(as_role, url):
    assert as_role("admin").get(url).status_code == 200


@pytest.mark.parametrize(
    "role,url,expected",
    [
        ("staff", "/admin/accounts/", 403),
        ("leader", "/admin/accounts/", 403),
        ("unit", "/admin/accounts/", 403),
        ("unit", "/admin/publications/", 403),
        ("leader", "/admin/reports/", 200),
        ("unit", "/admin/reports/", 200),
        ("unit", "/admin/directives/", 200),
    ],
)
def test_roles_reach_only_their_screens(as_role, role, url, expected):
    assert as_role(role).get(url).status_code == expected


def test_create_edit_and_delete_a_unit_through_the_forms(app, as_role):
    client = as_role("staff")
    response = client.post(
        "/admin/units/new/",
        data={
            "code": "NEW1",
            "name": "新设镇",
            "kind": "township",
            "ranking_group": "township",
            "principal_leader": "赵镇长",
            "principal_leader_email": "zhao@example.org",
            "active": "y",
        },
    )
    assert response.status_code == 302
    (unit,) = read(app, Unit, code="NEW1")
    assert unit.name == "新设镇" and unit.principal_leader_email == "zhao@example.org"
    response = client.post(
        f"/admin/units/edit/?id={unit.id}",
        data={
            "code": "NEW1",
            "name": "新设街道",
            "kind": "township",
            "ranking_group": "township",
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert read(app, Unit, code="NEW1")[0].name == "新设街道"
    response = client.post("/admin/units/delete/", data={"id": unit.id})
    assert response.status_code == 302
    assert read(app, Unit, code="NEW1") == []


def test_a_unit_in_use_is_not_deleted_and_the_reason_is_shown(app, as_role, world):
    client = as_role("staff")
    response = client.post("/admin/units/delete/", data={"id": world.unit_a}, follow_redirects=True)
    assert response.status_code == 200
    assert "仍被其他记录引用" in response.get_data(as_text=True)
    assert read(app, Unit, id=world.unit_a)


def test_directive_with_an_assignment_through_the_form(app, as_role, world):
    client = as_role("staff")
    received = dt.date(2026, 9, 1)
    response = client.post(
        "/admin/directives/new/",
        data={
            "number": "SW-2026-9",
            "title": "关于防汛工作的批示",
            "leader_name": "李市长",
            "leader_level": "city",
            "received_on": received.isoformat(),
            "content": "请抓紧落实",
            "assignments-0-unit": world.unit_a,
            "assignments-0-assigned_on": "2026-09-01",
            "assignments-0-due_on": "2026-10-01",
            "assignments-0-status": "assigned",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        directive = Directive.query.filter_by(number="SW-2026-9").one()
        (assignment,) = directive.assignments
        assert assignment.unit_id == world.unit_a
        assert assignment.due_on == dt.date(2026, 10, 1)


def test_unit_officer_submits_only_for_their_own_unit(app, as_role, world):
    client = as_role("unit")
    page = client.get("/admin/reports/new/").get_data(as_text=True)
    assert 'name="unit"' not in page and 'name="status"' not in page
    response = client.post(
        "/admin/reports/new/",
        data={
            "title": "甲镇新报",
            "category": "news",
            "author": "李明",
            "submitted_at": "2026-11-02 09:30:00",
            "body": "正文",
            "unit": world.unit_b,
            "unit_id": world.unit_b,
            "status": "adopted",
        },
    )
    assert response.status_code == 302
    (report,) = read(app, Report, title="甲镇新报")
    assert report.unit_id == world.unit_a
    assert report.status == "received"


def test_unit_officer_cannot_reach_another_units_records(as_role, world):
    client = as_role("unit")
    for url in [
        f"/admin/reports/details/?id={world.report_b}",
        f"/admin/reports/edit/?id={world.report_b}",
        f"/admin/staff/details/?id={world.staff_b}",
        f"/admin/units/details/?id={world.unit_b}",
        f"/admin/directives/details/?id={world.directive_b}",
        f"/admin/assignments/details/?id={world.assignment_b}",
        "/admin/reports/details/?id=not-a-number",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/staff/delete/", data={"id": world.staff_b}).status_code == 404
    assert client.get(f"/admin/reports/details/?id={world.report_a}").status_code == 200


def test_unit_officer_lists_and_exports_show_nothing_of_another_unit(as_role, world):
    client = as_role("unit")
    for url in [
        "/admin/reports/",
        "/admin/reports/export/csv/",
        "/admin/directives/",
        "/admin/directives/export/csv/",
        "/admin/staff/",
        "/admin/units/",
    ]:
        page = client.get(url).get_data(as_text=True)
        assert "乙镇" not in page, url
    assert "甲镇信息" in client.get("/admin/reports/").get_data(as_text=True)


def test_unit_dropdowns_and_filters_list_only_the_own_unit(as_role, world):
    page = as_role("unit").get("/admin/staff/").get_data(as_text=True)
    assert "乙镇" not in page
    page = as_role("staff").get("/admin/staff/new/").get_data(as_text=True)
    assert "甲镇" in page and "乙镇" in page


def test_unit_officer_edits_a_report_only_until_it_is_answered(app, as_role, world):
    client = as_role("unit")
    data = {
        "title": "甲镇信息（修改）",
        "category": "news",
        "author": "李明",
        "submitted_at": "2026-11-02 09:30:00",
        "body": "正文",
    }
    assert client.post(f"/admin/reports/edit/?id={world.report_a}", data=data).status_code == 302
    assert read(app, Report, id=world.report_a)[0].title == "甲镇信息（修改）"
    with app.app_context():
        db.session.get(Report, world.report_a).status = "editing"
        db.session.commit()
    assert client.post(f"/admin/reports/edit/?id={world.report_a}", data=data).status_code == 403


def test_edit_links_only_on_reports_the_unit_may_still_change(app, as_role, world):
    edit_link = f"/admin/reports/edit/?id={world.report_a}"
    client = as_role("unit")
    assert edit_link in client.get("/admin/reports/").get_data(as_text=True)
    assert edit_link in client.get(f"/admin/reports/details/?id={world.report_a}").get_data(
        as_text=True
    )
    with app.app_context():
        db.session.get(Report, world.report_a).status = "adopted"
        db.session.commit()
    listing = client.get("/admin/reports/").get_data(as_text=True)
    assert "甲镇信息" in listing and edit_link not in listing
    details = client.get(f"/admin/reports/details/?id={world.report_a}").get_data(as_text=True)
    assert "甲镇信息" in details and edit_link not in details
    assert edit_link in as_role("staff").get("/admin/reports/").get_data(as_text=True)


def test_leader_is_read_only(app, as_role, world):
    client = as_role("leader")
    page = client.get("/admin/reports/").get_data(as_text=True)
    assert "/admin/reports/new/" not in page
    client.post(
        "/admin/units/new/",
        data={"code": "L1", "name": "领导建的", "kind": "township", "ranking_group": "township"},
    )
    client.post("/admin/units/delete/", data={"id": world.unit_b})
    assert read(app, Unit, code="L1") == []
    assert read(app, Unit, id=world.unit_b)


def test_csv_export_has_bom_chinese_headers_and_no_live_formulas(app, as_role, world):
    with app.app_context():
        factories.report(db.session.get(Unit, world.unit_a), title='=HYPERLINK("x")')
        db.session.commit()
    response = as_role("staff").get("/admin/reports/export/csv/")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["标题", "单位"]
    titles = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("x")' in titles and "甲镇信息" in titles
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E4%BF%A1%E6%81%AF%E7%A8%BF%E4%BB%B6" in disposition


def test_xlsx_export_opens_with_typed_cells(app, as_role, world):
    with app.app_context():
        factories.report(db.session.get(Unit, world.unit_a), title="=1+1")
        db.session.commit()
    response = as_role("staff").get("/admin/reports/export/xlsx/")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("标题", "单位", "信息类别")
    formula_row = next(row for row in book.active.iter_rows() if row[0].value == "=1+1")
    assert formula_row[0].data_type == "s"  # a string, not a formula
    assert {row[0] for row in rows[1:]} >= {"甲镇信息", "乙镇机密信息"}


def test_export_respects_the_filter(as_role, world):
    client = as_role("staff")
    list_page = client.get("/admin/reports/").get_data(as_text=True)
    assert "flt" in list_page or "filter" in list_page
    rows = client.get("/admin/reports/export/csv/?search=甲镇").data.decode("utf-8-sig")
    assert "甲镇信息" in rows and "乙镇" not in rows


def test_staff_edits_staff_and_reads_it_back(app, as_role, world):
    client = as_role("unit")
    response = client.post(
        "/admin/staff/new/",
        data={
            "name": "新信息员",
            "duty": "info_officer",
            "phone": "13900000000",
            "email": "new.officer@example.org",
            "active": "y",
            "unit": world.unit_b,
        },
    )
    assert response.status_code == 302
    (person,) = read(app, Staff, email="new.officer@example.org")
    assert person.unit_id == world.unit_a


def test_assignment_cannot_be_created_on_its_own(as_role):
    response = as_role("staff").get("/admin/assignments/new/")
    assert response.status_code == 302
    assert as_role("staff").get("/admin/assignments/").status_code == 200


def test_assignment_list_shows_due_dates(app, as_role, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.due_on = assignment.assigned_on + dt.timedelta(days=45)
        db.session.commit()
        due = assignment.due_on.isoformat()
    page = as_role("staff").get("/admin/assignments/").get_data(as_text=True)
    assert due in page


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_streamed_export_gives_its_connection_back(app, as_role, world, kind):
    response = as_role("staff").get(f"/admin/reports/export/{kind}/")
    assert len(response.data) > 100
    with app.app_context():
        assert db.engine.pool.checkedout() == 0


SAMPLE_FILTER_VALUES = {
    "datepicker": "2026-11-01",
    "daterangepicker": "2026-01-01 to 2026-12-31",
    "datetimepicker": "2026-11-01 08:00:00",
    "datetimerangepicker": "2026-01-01 00:00:00 to 2026-12-31 23:59:59",
}


def _model_views(app):
    return [v for v in app.extensions["admin"][0]._views if hasattr(v, "_filter_args")]


def test_every_filter_of_every_screen_answers(app, as_role, world):
    client = as_role("admin")
    tried = 0
    for view in _model_views(app):
        for arg, (_index, flt) in (view._filter_args or {}).items():
            options = flt.get_options(view)
            value = options[0][0] if options else SAMPLE_FILTER_VALUES.get(flt.data_type, "1")
            url = f"/admin/{view.endpoint}/?flt0_{arg}={value}"
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Invalid" not in response.get_data(as_text=True), url
            tried += 1
    assert tried > 40


def _filter_groups(client, url):
    page = client.get(url).get_data(as_text=True)
    data = re.search(r'id="filter-groups-data"[^>]*>(.*?)</div>', page, re.S)[1]
    return json.loads(html.unescape(data))


def _unit_options(groups):
    return {
        label for items in groups.values() for item in items for _id, label in item["options"] or ()
    } & {"甲镇", "乙镇"}


def test_filter_groups_are_each_viewers_own_though_another_was_kept(app, as_role, world):
    """The groups are kept a while per language and viewer: a unit officer never gets the
    office's unit options, nor English the Chinese operation names."""
    office, unit = as_role("staff"), as_role("unit")
    for _ in range(2):  # the second time from what was kept
        assert _unit_options(_filter_groups(office, "/admin/reports/")) == {"甲镇", "乙镇"}
        assert _unit_options(_filter_groups(unit, "/admin/staff/")) == {"甲镇"}
        assert _unit_options(_filter_groups(office, "/admin/staff/")) == {"甲镇", "乙镇"}
        chinese = _filter_groups(office, "/admin/reports/")
        english = _filter_groups(office, "/admin/reports/?lang=en")
        office.get("/admin/reports/?lang=zh")
        assert chinese.keys() != english.keys()


def test_the_todo_filter_offers_each_role_its_own_todos(app, as_role, world):
    """The assignments' 待办 filter offers the to-dos whose move is the person's: the
    office's decisions, a unit's steps, a leader's red and yellow."""
    from models.desk import LEADER_ASSIGNMENTS, OFFICE_ASSIGNMENTS, UNIT_ASSIGNMENTS

    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "assignments")
    (arg,) = [a for a, (_i, flt) in view._filter_args.items() if getattr(flt, "key", "") == "todo"]

    def todo_options(role):
        groups = _filter_groups(as_role(role), "/admin/assignments/")
        (item,) = [i for items in groups.values() for i in items if i["arg"] == arg]
        return tuple(value for value, _label in item["options"])

    assert todo_options("staff") == todo_options("admin") == OFFICE_ASSIGNMENTS
    assert todo_options("unit") == UNIT_ASSIGNMENTS
    assert todo_options("leader") == LEADER_ASSIGNMENTS


def test_every_screen_opens_its_forms_for_an_admin(app, as_role, world):
    client = as_role("admin")
    opened = set()
    for view in _model_views(app):
        with app.app_context():
            row = view.model.query.first()
        read_only = view.endpoint in {"audit", "login_log", "notices"}
        if row is not None:
            editable = "admin" in view.write_roles and view.endpoint != "feedback"
            for page in ("details", "edit") if editable else ("details",):
                url = f"/admin/{view.endpoint}/{page}/?id={row.id}"
                assert client.get(url).status_code == 200, url
        # Assignments come from directives, criticism notices from drafting the records,
        # bulletins from the ranking page, key work checks from opening a check round.
        drafted = {"assignments", "criticism", "bulletins", "key_work_checks"}
        if not read_only and view.endpoint not in drafted:
            assert client.get(f"/admin/{view.endpoint}/new/").status_code == 200, view.endpoint
        opened.add(view.endpoint)
    assert {"reports", "publications", "directives", "units", "staff", "accounts"} <= opened


def test_a_template_of_ours_that_reads_a_name_nobody_passed_fails(app):
    """The tests' templates are strict (conftest.py), so a typo fails instead of printing nothing."""
    with app.test_request_context():
        assert render_template_string("{{ passed }}", passed="here") == "here"
        with pytest.raises(jinja2.UndefinedError):
            render_template_string("{{ not_passed }}")
