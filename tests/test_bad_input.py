"""Bad input gets a clear Chinese message in the form (HTTP 200), never a 500, and nothing
is half-saved or lost."""

import pytest

from models import Directive, Report, Unit
from tests.test_views import read

UNIT = {
    "code": "NEW",
    "name": "新单位",
    "kind": "township",
    "ranking_group": "township",
    "active": "y",
}


def _post(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_empty_required_field(app, as_role, world):
    page = _post(as_role("staff"), "/admin/units/new/", {**UNIT, "name": ""})
    assert "该字段是必填字段" in page and "创建记录失败" in page
    assert read(app, Unit, code="NEW") == []


def test_blank_required_field(app, as_role, world):
    page = _post(as_role("staff"), "/admin/units/new/", {**UNIT, "name": "   "})
    assert "该字段是必填字段" in page
    assert read(app, Unit, code="NEW") == []


def test_duplicate_unit_code(app, as_role, world):
    page = _post(as_role("staff"), "/admin/units/new/", {**UNIT, "code": "A"})
    assert "已经存在" in page
    assert [u.name for u in read(app, Unit, code="A")] == ["甲镇"]


def test_malformed_email(app, as_role, world):
    page = _post(
        as_role("staff"), "/admin/units/new/", {**UNIT, "principal_leader_email": "not-an-email"}
    )
    assert "无效的 Email 地址" in page
    assert read(app, Unit, code="NEW") == []


def test_over_long_title(app, as_role, world):
    page = _post(
        as_role("staff"),
        "/admin/reports/new/",
        {
            "title": "长" * 201,
            "category": "news",
            "author": "周长文",
            "unit": world.unit_a,
            "submitted_at": "2026-11-01 10:00:00",
            "status": "received",
        },
    )
    assert "字段长度不能超过 200 个字符" in page
    assert read(app, Report, author="周长文") == []


def test_a_choice_that_is_not_offered(app, as_role, world):
    page = _post(as_role("staff"), "/admin/units/new/", {**UNIT, "kind": "village"})
    assert "创建记录失败" in page
    assert read(app, Unit, code="NEW") == []


def test_a_date_that_is_not_a_date(app, as_role, world):
    page = _post(
        as_role("staff"),
        "/admin/directives/new/",
        {
            "number": "BAD-1",
            "title": "批示",
            "leader_name": "李市长",
            "leader_level": "city",
            "received_on": "2026-13-45",
        },
    )
    assert "创建记录失败" in page
    assert read(app, Directive, number="BAD-1") == []


@pytest.mark.parametrize(
    "assigned_on,due_on,message",
    [
        ("2026-09-10", "2026-09-01", "办理时限早于批示件收件日期"),
        ("2026-09-01", "2026-09-20", "交办日期早于批示件收件日期"),
    ],
)
def test_due_date_before_the_received_date(app, as_role, world, assigned_on, due_on, message):
    page = _post(
        as_role("staff"),
        "/admin/directives/new/",
        {
            "number": "BAD-2",
            "title": "批示",
            "leader_name": "李市长",
            "leader_level": "city",
            "received_on": "2026-09-10",
            "assignments-0-unit": world.unit_a,
            "assignments-0-assigned_on": assigned_on,
            "assignments-0-due_on": due_on,
            "assignments-0-status": "assigned",
        },
    )
    assert message in page
    assert read(app, Directive, number="BAD-2") == []


def test_bad_edit_keeps_what_was_saved(app, as_role, world):
    page = _post(
        as_role("staff"), f"/admin/units/edit/?id={world.unit_a}", {**UNIT, "code": "A", "name": ""}
    )
    assert "该字段是必填字段" in page and "保存记录失败" in page
    (unit,) = read(app, Unit, id=world.unit_a)
    assert unit.name == "甲镇" and unit.code == "A"


def test_a_unit_cannot_be_its_own_parent(app, as_role, world):
    page = _post(
        as_role("staff"),
        f"/admin/units/edit/?id={world.unit_a}",
        {**UNIT, "code": "A", "name": "甲镇", "parent": world.unit_a},
    )
    assert "单位不能以自身为上级单位" in page
    assert read(app, Unit, id=world.unit_a)[0].parent_id is None


def test_account_role_and_unit_must_agree(app, as_role, world):
    client = as_role("admin")
    page = _post(
        client,
        "/admin/accounts/new/",
        {
            "username": "officer9",
            "name": "信息员",
            "role": "unit",
            "active": "y",
            "new_password": "long-enough-password",
        },
    )
    assert "单位信息员必须指定所属单位" in page
    page = _post(
        client,
        "/admin/accounts/new/",
        {
            "username": "officer9",
            "name": "信息员",
            "role": "unit",
            "active": "y",
            "unit": world.unit_a,
            "new_password": "short",
        },
    )
    assert "字段长度必须至少 8 个字符" in page
    page = _post(
        client,
        "/admin/accounts/new/",
        {"username": "officer9", "name": "信息员", "role": "staff", "active": "y"},
    )
    assert "新账户必须设置密码" in page


def test_one_report_adopted_twice_by_a_publication_in_one_form(app, as_role, world):
    page = _post(
        as_role("staff"),
        f"/admin/reports/edit/?id={world.report_a}",
        {
            "title": "甲镇信息",
            "category": "news",
            "author": "李明",
            "unit": world.unit_a,
            "submitted_at": "2026-11-01 10:00:00",
            "status": "adopted",
            "adoptions-0-publication": world.publication,
            "adoptions-0-issue_no": "3",
            "adoptions-0-adopted_on": "2026-11-02",
            "adoptions-1-publication": world.publication,
            "adoptions-1-issue_no": "4",
            "adoptions-1-adopted_on": "2026-11-02",
        },
    )
    assert "已被该刊物采用" in page
    with app.app_context():
        from models import db

        assert db.session.get(Report, world.report_a).adoptions == []
