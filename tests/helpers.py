"""What tests share besides fixtures: the test settings, the database's URL and emptying,
strict templates, logging in, running an RQ worker in-process, and counting SQL statements.

Test modules import these from here; tests/conftest.py holds only fixtures (and uses these).
"""

import contextlib
import functools
import os
import re
import sys

import flask_admin
import jinja2
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker

from jobs import QUEUE_NAME, use_app
from models import db
from tests import factories


def base_config(url, attachment_dir=None):
    """The settings every test app starts from, on the database at `url`."""
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


def postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url) if url else None


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


JINJA_DIR = os.path.realpath(os.path.dirname(jinja2.__file__)) + os.sep
FLASK_ADMIN_DIR = os.path.realpath(os.path.dirname(flask_admin.__file__)) + os.sep


@functools.cache
def _real(filename):
    return os.path.realpath(filename)


class StrictUndefinedInOurTemplates(jinja2.StrictUndefined):
    """StrictUndefined for a name read by our templates; Jinja's default Undefined for one
    read by Flask-Admin's own, which test optional attributes by comparing them (lib.html
    reads `field.widget.input_type == 'checkbox'` of widgets that have none).

    Who read the name is the first frame outside Jinja itself: the compiled template's code,
    whose file name is the template's path.
    """

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None and _real(frame.f_code.co_filename).startswith(JINJA_DIR):
            frame = frame.f_back
        if frame is not None and _real(frame.f_code.co_filename).startswith(FLASK_ADMIN_DIR):
            return jinja2.Undefined(*args, **kwargs)
        return super().__new__(cls)


def login(client, username, password=factories.PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data[:500]
    return client


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


def sent_statement(marker, run):
    """What `run()` returns, and the one SQL statement holding `marker` that it sends, with
    its parameters as the app binds them: (result, (statement, parameters))."""
    seen = []

    def note(conn, cursor, statement, params, context, executemany):
        if marker in statement:
            seen.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        result = run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    (sent,) = seen
    return result, sent
