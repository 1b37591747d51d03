"""Fixtures: a database built by the migrations, a fresh app per test, clients per role.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(`make test` does both when TEST_POSTGRES_URL is set). No test keeps an app context
open while it makes requests, so what a test reads after a request comes from the
database, not from a session the request shared.
"""

import contextlib
import os
import re

import flask_migrate
import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker

from app import create_app
from jobs import QUEUE_NAME, use_app
from models import db
from tests import factories
from tests.mail_server import MailServer

TABLES_IN_DELETE_ORDER = [
    "notices",
    "adoptions",
    "assignments",
    "directives",
    "reports",
    "staff",
    "accounts",
    "publications",
    "units",
]


def _base_config(url, attachment_dir=None):
    return {
        "ATTACHMENT_DIR": str(attachment_dir or "/nonexistent/ducha-test-attachments"),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "MAIL_SERVER": None,
        "SERVER_NAME": None,
        # Production keeps werkzeug's default scrypt cost; tests hash a hundred times faster.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }


def _reset_postgres(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url) if url else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database whose schema comes only from `flask db upgrade`."""
    url = postgres_url()
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(_base_config(url))
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
        **_base_config(database_url, tmp_path / "attachments"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    app = create_app({**config, **app_config})
    yield app
    for thread in app.extensions.get("ducha_threads", []):
        thread.join(60)  # a background job still writing would race the cleanup
    with app.app_context():
        db.session.remove()
        empty_tables()
        db.engine.dispose()


def empty_tables():
    """Delete every row of every table the models know, children first."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A leaked transaction would make TRUNCATE wait forever: fail instead.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table in tables:
                conn.exec_driver_sql(f"DELETE FROM {table}")


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


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker without its command channel (remote "stop" requests), whose
    listening thread takes up to a second to close after every burst."""

    def subscribe(self):
        pass


def run_worker(app, redis_url):
    """A real RQ worker, in this process, that works until the queue is empty."""
    use_app(app)
    connection = Redis.from_url(redis_url)  # its own: a worker changes its socket timeout
    queue = Queue(QUEUE_NAME, connection=connection)
    failed_before = queue.failed_job_registry.count
    BurstWorker([queue], connection=connection).work(burst=True)
    failed = queue.failed_job_registry.count - failed_before
    connection.close()
    assert failed == 0, f"{failed} jobs failed: see the log above"


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


def login(client, username, password=factories.PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data[:500]
    return client


@pytest.fixture
def as_role(app, world):
    """as_role('admin') → a test client logged in with that role's account."""

    def make(role):
        return login(app.test_client(), world.usernames[role])

    return make


STATEMENT_VERBS = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}


@contextlib.contextmanager
def count_statements(app):
    """Count the SQL statements (SELECT/INSERT/UPDATE/DELETE, or one that starts WITH) run
    inside the block; not BEGIN, COMMIT or the like."""
    statements = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in STATEMENT_VERBS:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
