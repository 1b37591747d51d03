"""SQLite as a real embedded database: foreign keys, a busy timeout, locks taken up front."""

import sqlalchemy as sa
from flask import has_request_context, request

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def configure(engine, busy_timeout_ms):
    """Attach the connection and transaction hooks to a SQLite engine."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite otherwise defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        # A write transaction that starts deferred and upgrades later can fail at once with
        # "database is locked" whatever the busy timeout; IMMEDIATE waits for the lock instead.
        # Page reads (GET) keep deferred transactions so they never queue behind writers.
        if has_request_context() and request.method in READ_ONLY_METHODS:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
