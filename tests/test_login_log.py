"""The login log: logins, failed logins and logouts, who, when, from where; admins read it,
and a login changes nothing in the audit trail."""

import re

import pytest

from models import Account, AuditEntry, LoginEvent, db
from models.login_log import login_result
from tests import factories
from tests.helpers import login
from tests.test_bounds import _filter_arg


def _try(client, username, password=factories.PASSWORD, address="10.1.2.3"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _log(app):
    with app.app_context():
        return [
            (e.username, e.event, e.result, e.address, e.account_id)
            for e in LoginEvent.query.order_by(LoginEvent.id)
        ]


def _trail_length(app):
    with app.app_context():
        return AuditEntry.query.count()


def test_a_login_and_a_logout_are_logged_and_write_no_audit_entry(app, world):
    before = _trail_length(app)
    username, account_id = world.usernames["staff"], world.account_ids["staff"]
    client = app.test_client()
    assert _try(client, username).status_code == 302
    client.post("/logout", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert _log(app) == [
        (username, "login", "success", "10.1.2.3", account_id),
        (username, "logout", "success", "10.1.2.3", account_id),
    ]
    assert _trail_length(app) == before  # neither the login time nor the session moved it
    with app.app_context():
        assert db.session.get(Account, account_id).last_login_at is not None  # still kept


def test_failed_logins_are_logged_with_why(app, world):
    client = app.test_client()
    staff, leader = world.usernames["staff"], world.usernames["leader"]
    with app.app_context():
        db.session.get(Account, world.account_ids["leader"]).active = False
        db.session.commit()
    before = _trail_length(app)
    _try(client, staff, "wrong-password")
    _try(client, "nobody-here", "whatever1")
    _try(client, leader)
    results = [(name, result) for name, _event, result, _address, _id in _log(app)]
    assert results == [
        (staff, "wrong_password"),
        ("nobody-here", "unknown_user"),
        (leader, "disabled"),
    ]
    assert _trail_length(app) == before


def test_a_locked_login_is_logged_as_locked(app, world):
    client = app.test_client()
    username = world.usernames["unit"]
    for _ in range(5):
        _try(client, username, "wrong-password", address="10.7.7.7")
    assert _try(client, username, address="10.7.7.8").status_code == 429
    (last,) = _log(app)[-1:]
    assert last == (username, "login", "locked", "10.7.7.8", world.account_ids["unit"])


def test_the_result_of_a_login_is_a_rule_of_the_model(app, world):
    with app.app_context():
        account = db.session.get(Account, world.account_ids["staff"])
        assert login_result(None, "x") == "unknown_user"
        assert login_result(account, "not-it") == "wrong_password"
        assert login_result(account, factories.PASSWORD) == "success"
        account.active = False
        assert login_result(account, factories.PASSWORD) == "disabled"
        assert login_result(account, "not-it") == "wrong_password"  # says no more than that


@pytest.mark.parametrize("role", ["staff", "leader", "unit"])
def test_only_admins_read_the_login_log(app, as_role, world, role):
    assert as_role(role).get("/admin/login_log/").status_code == 403
    assert "/admin/login_log/" not in as_role(role).get("/admin/").get_data(as_text=True)


def test_the_login_log_in_chinese_and_read_only(app, as_role, world):
    _try(app.test_client(), world.usernames["staff"], "wrong-password", address="10.3.3.3")
    admin = as_role("admin")
    page = admin.get("/admin/login_log/").get_data(as_text=True)
    assert "登录日志" in page
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "10.3.3.3" in r)
    assert "密码错误" in row and "wrong_password" not in row
    assert "成功" in page  # the admin's own login
    with app.app_context():
        entry_id = LoginEvent.query.first().id
    assert admin.get(f"/admin/login_log/edit/?id={entry_id}").status_code == 302
    admin.post("/admin/login_log/delete/", data={"id": entry_id})
    with app.app_context():
        assert db.session.get(LoginEvent, entry_id) is not None
    assert admin.get("/admin/login_log/new/").status_code == 302


@pytest.mark.parametrize(
    "column,operation,value",
    [
        ("result", "ChoiceEqualFilter", "hacked"),
        ("at", "DateTimeSmallerFilter", "9999-12-31 23:59:59"),
    ],
)
def test_the_login_logs_filters_out_of_range_are_left_out(
    app, as_role, world, column, operation, value
):
    arg = _filter_arg(app, "login_log", column, operation)
    response = as_role("admin").get("/admin/login_log/", query_string={arg: value})
    assert response.status_code == 200
    assert "不能取值" in response.get_data(as_text=True)


def test_an_admin_login_reaches_the_log_through_the_helper(app, world):
    login(app.test_client(), world.usernames["admin"])
    assert _log(app)[-1][:3] == (world.usernames["admin"], "login", "success")
