"""Fixtures: a database built by the migrations, a fresh app per test, clients per role.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(`make test` does both when TEST_POSTGRES_URL is set). No test keeps an app context
open while it makes requests, so what a test reads after a request comes from the
database, not from a session the request shared. What tests share besides fixtures is in
tests/helpers.py.
"""

import os

import flask_migrate
import pytest
import sqlalchemy as sa
from redis import Redis

from app import create_app
from models import db
from tests import factories
from tests.helpers import (
    StrictUndefinedInOurTemplates,
    base_config,
    empty_tables,
    login,
    postgres_url,
)
from tests.mail_server import MailServer


def _reset_postgres(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database whose schema comes only from `flask db upgrade`."""
    url = postgres_url()
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(base_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app_config():
    """Settings a test module adds to its apps (override it in the module)."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    config = {
        **base_config(database_url, tmp_path / "attachments"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    app = create_app({**config, **app_config})
    # A template of ours that reads a name nobody passed fails the test instead of printing
    # nothing (Flask-Admin's own templates keep Jinja's default: see the class).
    app.jinja_env.undefined = StrictUndefinedInOurTemplates
    yield app
    for thread in app.extensions.get("ducha_threads", []):
        thread.join(60)  # a background job still writing would race the cleanup
    with app.app_context():
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def redis_url():
    """A real Redis database that the test may empty: TEST_REDIS_URL, flushed before and after."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: this test needs a real Redis it may flush")
    connection = Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def mail_server():
    """A real SMTP server on a loopback port, not yet started (a server that is down)."""
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two units with their people, reports and directives, and an account per role."""
    with app.app_context():
        return factories.world()


@pytest.fixture
def as_role(app, world):
    """as_role('admin') → a test client logged in with that role's account."""

    def make(role):
        return login(app.test_client(), world.usernames[role])

    return make
