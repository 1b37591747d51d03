"""/healthz against a real database and Redis, and against ones that are down or hung."""

import time

from app import create_app
from tests.helpers import base_config, count_statements, login
from tests.servers import SilentServer, free_port


def closed_port():
    return free_port()  # nothing listens there: connections are refused at once


def health(app, **kwargs):
    """GET /healthz; returns (status, JSON, seconds taken)."""
    start = time.monotonic()
    response = app.test_client().get("/healthz", **kwargs)
    return response.status_code, response.get_json(), time.monotonic() - start


def test_healthy_without_redis_configured(database_url):
    app = create_app({**base_config(database_url), "WTF_CSRF_ENABLED": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert app.test_client().head("/healthz").status_code == 200


def test_healthy_with_a_real_redis(database_url, redis_url):
    app = create_app({**base_config(database_url), "REDIS_URL": redis_url})
    status, state, _seconds = health(app)
    assert (status, state) == (200, {"database": "ok", "redis": "ok"})


def test_redis_on_a_closed_port_fails_fast(database_url):
    app = create_app(
        {**base_config(database_url), "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    )
    status, state, seconds = health(app)
    assert (status, state) == (503, {"database": "ok", "redis": "failed"})
    assert seconds < 1.5


def test_hung_redis_fails_within_its_timeouts(database_url):
    server = SilentServer()
    try:
        app = create_app(
            {**base_config(database_url), "REDIS_URL": f"redis://127.0.0.1:{server.port}/0"}
        )
        status, state, seconds = health(app)
    finally:
        server.close()
    assert (status, state) == (503, {"database": "ok", "redis": "failed"})
    assert seconds < 3


def _postgres_at(port):
    return f"postgresql+psycopg://ducha:secret-password@127.0.0.1:{port}/ducha"


def test_database_down_answers_503_without_details(tmp_path):
    app = create_app(
        {**base_config(_postgres_at(closed_port()), tmp_path), "DUCHA_ENV": "production"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "failed", "redis": "not configured"}
    body = response.get_data(as_text=True)
    for secret in ("secret-password", "127.0.0.1", "Traceback", "psycopg", "connection"):
        assert secret not in body


def test_hung_database_fails_within_the_connect_timeout(tmp_path):
    server = SilentServer()
    try:
        app = create_app(
            {**base_config(_postgres_at(server.port), tmp_path), "DATABASE_CONNECT_TIMEOUT": 2}
        )
        status, state, seconds = health(app)
    finally:
        server.close()
    assert (status, state) == (503, {"database": "failed", "redis": "not configured"})
    assert seconds < 6  # libpq waits at least 2 s; without a timeout it waits forever


def test_one_trivial_query_and_no_account_loaded(app, as_role, world):
    client = as_role("admin")
    with count_statements(app) as statements:
        assert client.get("/healthz").status_code == 200
    assert statements == ["SELECT 1"]


def test_answers_while_a_password_change_is_pending(app, world):
    client = login(app.test_client(), world.usernames["unit"])
    with app.app_context():
        from models import Account, db

        account = Account.query.filter_by(username=world.usernames["unit"]).one()
        account.must_change_password = True
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    assert client.get("/healthz").status_code == 200
