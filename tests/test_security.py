"""Sessions, lockout, CSRF, headers, escaping and production settings."""

import datetime as dt
import logging
import re

import pytest
import sqlalchemy as sa

from app import create_app
from models import Account, LoginAttempt, Publication, Report, Staff, Unit, db
from tests import factories
from tests.helpers import StrictUndefinedInOurTemplates, base_config, login
from tests.test_views import read

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _session_cookie(client):
    return client.get_cookie("session").value


def _replay(app, cookie):
    """A new browser that presents an old copy of the session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/admin/reports/")


def test_a_cookie_copied_before_logout_is_dead_after_it(app, as_role, world):
    client = as_role("staff")
    cookie = _session_cookie(client)
    assert _replay(app, cookie).status_code == 200
    client.post("/logout")
    assert _replay(app, cookie).status_code == 302


def test_a_cookie_is_dead_after_deactivation(app, as_role, world):
    victim = as_role("staff")
    cookie = _session_cookie(victim)
    as_role("admin").post(
        f"/admin/accounts/edit/?id={world.account_ids['staff']}",
        data={"username": world.usernames["staff"], "name": "x", "role": "staff"},
    )  # active unticked
    assert read(app, Account, id=world.account_ids["staff"])[0].active is False
    assert _replay(app, cookie).status_code == 302
    response = app.test_client().post(
        "/login", data={"username": world.usernames["staff"], "password": factories.PASSWORD}
    )
    assert response.status_code == 200


def test_changing_ones_password_ends_the_other_sessions_only(app, as_role, world):
    first, second = as_role("unit"), as_role("unit")
    response = first.post(
        "/account/password",
        data={"current": factories.PASSWORD, "new": "brand-new-pass", "again": "brand-new-pass"},
    )
    assert response.status_code == 302
    assert first.get("/admin/reports/").status_code == 200
    assert second.get("/admin/reports/").status_code == 302
    login(app.test_client(), world.usernames["unit"], "brand-new-pass")


def test_changing_a_password_needs_the_current_one(app, as_role, world):
    page = as_role("unit").post(
        "/account/password",
        data={"current": "wrong-password", "new": "brand-new-pass", "again": "brand-new-pass"},
    )
    assert "当前密码不正确" in page.get_data(as_text=True)
    page = as_role("unit").post(
        "/account/password", data={"current": factories.PASSWORD, "new": "short", "again": "short"}
    )
    assert "字段长度必须介于 8 到 200 个字符之间" in page.get_data(as_text=True)


def test_an_admin_reset_can_force_a_change_at_next_login(app, as_role, world):
    as_role("admin").post(
        f"/admin/accounts/edit/?id={world.account_ids['leader']}",
        data={
            "username": world.usernames["leader"],
            "name": "领导",
            "role": "leader",
            "active": "y",
            "new_password": "temporary-pass",
            "must_change_password": "y",
        },
    )
    client = app.test_client()
    response = client.post(
        "/login", data={"username": world.usernames["leader"], "password": "temporary-pass"}
    )
    assert response.location.endswith("/account/password")
    assert client.get("/admin/reports/").location.endswith("/account/password")
    client.post(
        "/account/password",
        data={"current": "temporary-pass", "new": "my-own-password", "again": "my-own-password"},
    )
    assert client.get("/admin/reports/").status_code == 200
    assert read(app, Account, id=world.account_ids["leader"])[0].must_change_password is False


def _fail(client, username, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": "not-it-at-all"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_failures_lock_the_username_for_a_while(app, world, caplog):
    client = app.test_client()
    username = world.usernames["staff"]
    for _ in range(5):
        assert _fail(client, username).status_code == 200
    with caplog.at_level(logging.WARNING):
        locked = client.post(
            "/login",
            data={"username": username, "password": factories.PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
    assert locked.status_code == 429 and "失败次数过多" in locked.get_data(as_text=True)
    assert any("locked" in record.getMessage() for record in caplog.records)
    with app.app_context():  # the window passes
        for attempt in LoginAttempt.query:
            attempt.at -= dt.timedelta(minutes=16)
        db.session.commit()
    login(app.test_client(), username)


def test_lockout_settings_beyond_their_range_are_held(app, world):
    """Login settings set on the app beyond their range (config.py refuses them at start):
    not a number, the default of five failures; a window beyond a day, a day."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config.update(LOGIN_MAX_FAILURES="x", LOGIN_WINDOW_MINUTES=10**30)
    client = app.test_client()
    username = world.usernames["staff"]
    for _ in range(5):
        assert _fail(client, username).status_code == 200
    locked = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert locked.status_code == 429 and "1440" in locked.get_data(as_text=True)


def test_five_failures_from_one_address_lock_that_address(app, world):
    client = app.test_client()
    for n in range(5):
        _fail(client, f"guess{n}", address="10.9.9.9")
    response = client.post(
        "/login",
        data={"username": world.usernames["staff"], "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429
    login(app.test_client(), world.usernames["staff"])  # another address is not locked


def test_a_success_clears_the_count(app, world):
    client = app.test_client()
    username = world.usernames["staff"]
    for _ in range(4):
        _fail(client, username)
    login(client, username)
    for _ in range(4):
        _fail(client, username)
    login(app.test_client(), username)


@pytest.fixture
def csrf_app(database_url):
    app = create_app({**base_config(database_url), "WTF_CSRF_ENABLED": True})
    app.jinja_env.undefined = StrictUndefinedInOurTemplates  # as conftest.py's app
    yield app


def _token(client, url):
    return re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)
    )[1]


def test_a_post_without_the_csrf_token_changes_nothing(csrf_app, world):
    client = csrf_app.test_client()
    assert (
        client.post(
            "/login", data={"username": world.usernames["staff"], "password": factories.PASSWORD}
        ).status_code
        == 400
    )
    token = _token(client, "/login")
    response = client.post(
        "/login",
        data={
            "username": world.usernames["staff"],
            "password": factories.PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    unit = {
        "code": "CSRF",
        "name": "跨站",
        "kind": "township",
        "ranking_group": "township",
        "active": "y",
    }
    assert client.post("/admin/units/new/", data=unit).status_code == 400
    assert (
        client.post(
            "/admin/reports/action/", data={"action": "not_adopted", "rowid": [world.report_a]}
        ).status_code
        == 400
    )
    answer = f"/admin/reports/answer/?id={world.report_a}"
    assert client.post(answer, data={"status": "not_adopted"}).status_code == 400
    assert client.post("/logout").status_code == 400
    with csrf_app.app_context():
        assert Unit.query.filter_by(code="CSRF").count() == 0
        assert db.session.get(Report, world.report_a).status == "received"
    token = _token(client, f"/admin/reports/details/?id={world.report_a}")
    data = {"status": "editing", "csrf_token": token}
    assert client.post(answer, data=data).status_code == 302
    token = _token(client, "/admin/units/new/")
    assert client.post("/admin/units/new/", data={**unit, "csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        assert Unit.query.filter_by(code="CSRF").count() == 1


def test_security_headers_and_a_working_nonce(as_role, world):
    response = as_role("staff").get("/admin/reports/")
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    nonce = re.search(r"'nonce-([^']+)'", policy)[1]
    scripts = re.findall(r"<script([^>]*)>", response.get_data(as_text=True))
    inline = [s for s in scripts if "src=" not in s]
    assert all(f'nonce="{nonce}"' in s for s in inline)


def test_session_cookie_flags(app, world):
    response = app.test_client().post(
        "/login", data={"username": world.usernames["staff"], "password": factories.PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().post(
        "/login", data={"username": world.usernames["staff"], "password": factories.PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_production_refuses_a_missing_or_weak_secret_key(database_url):
    config = {**base_config(database_url), "DUCHA_ENV": "production"}
    for key in (None, "dev", "short"):
        with pytest.raises(RuntimeError):
            create_app({**config, "SECRET_KEY": key})
    app = create_app({**config, "SECRET_KEY": "x" * 40})
    assert app.debug is False


def _fill_with_payload(app, world):
    with app.app_context():
        for model, row_id in (
            (Unit, world.unit_a),
            (Staff, world.staff_a),
            (Report, world.report_a),
            (Publication, world.publication),
        ):
            row = db.session.get(model, row_id)
            for column in model.__table__.columns:
                if (
                    isinstance(column.type, sa.String)
                    and not column.info.get("choices")
                    and column.name not in ("code", "email", "principal_leader_email")
                ):
                    setattr(row, column.name, PAYLOAD[: column.type.length or 200])
        db.session.commit()


def test_script_in_every_text_field_stays_inert_on_every_page(app, as_role, world):
    _fill_with_payload(app, world)
    client = as_role("admin")
    pages = [
        "/admin/",
        "/admin/reports/",
        "/admin/units/",
        "/admin/staff/",
        "/admin/publications/",
        "/admin/ranking/?group=township",
        f"/admin/reports/details/?id={world.report_a}",
        f"/admin/reports/edit/?id={world.report_a}",
        f"/admin/units/details/?id={world.unit_a}",
        f"/admin/units/edit/?id={world.unit_a}",
        f"/admin/staff/details/?id={world.staff_a}",
        "/admin/deductions/new/",
        "/admin/reports/new/",
        "/admin/audit/",
    ]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert '<script>alert("x")' not in page, url
        assert "<img src=x onerror" not in page, url
    assert "&lt;script&gt;" in client.get("/admin/reports/").get_data(as_text=True)
