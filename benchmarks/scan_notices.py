"""The notice scan over many open assignments: time and SQL statements per batch.

    .venv/bin/python -m benchmarks.scan_notices                  # SQLite in a temporary directory
    .venv/bin/python -m benchmarks.scan_notices --wipe postgresql://postgres@127.0.0.1/scratch

Builds the schema from the migrations in a scratch database (a PostgreSQL one is wiped
first, so only with --wipe), adds units with two information officers each and open
assignments due from today back to 29 days ago (reminders, chases, escalations), then
times two scans of the same day: the first writes the notices, the second finds them.
"""

import argparse
import datetime as dt
import math
import tempfile
import time

import sqlalchemy as sa

from benchmarks.scratch import scratch_app
from models import Assignment, Directive, Notice, Staff, Unit, clock, db
from models.notice_plan import NoticeRules
from models.notice_scan import record_due_notices

UNITS = 500


def build(url, wipe):
    return scratch_app(url, wipe)


def fill(count, today):
    """UNITS units, two officers each, and `count` open assignments (UNITS per directive)."""
    directives = math.ceil(count / UNITS)
    insert = db.session.execute
    insert(
        sa.insert(Unit),
        [
            {
                "id": u,
                "code": f"B{u:04d}",
                "name": f"基准单位{u}",
                "kind": "township",
                "ranking_group": "township",
                "principal_leader": f"主任{u}",
                "principal_leader_email": f"head{u}@example.org",
                "active": True,
            }
            for u in range(1, UNITS + 1)
        ],
    )
    insert(
        sa.insert(Staff),
        [
            {
                "name": f"信息员{u}-{n}",
                "unit_id": u,
                "duty": "info_officer",
                "email": f"officer{u}-{n}@example.org",
                "active": True,
            }
            for u in range(1, UNITS + 1)
            for n in (1, 2)
        ],
    )
    received = today - dt.timedelta(days=60)
    insert(
        sa.insert(Directive),
        [
            {
                "id": d,
                "number": f"JZ-{d:05d}",
                "title": f"关于基准事项{d}的批示",
                "content": "",
                "leader_name": "张书记",
                "leader_level": "city",
                "urgent": False,
                "confidential": False,
                "received_on": received,
                "created_at": clock.now(),
            }
            for d in range(1, directives + 1)
        ],
    )
    insert(
        sa.insert(Assignment),
        [
            {
                "directive_id": 1 + n // UNITS,
                "unit_id": 1 + n % UNITS,
                "assigned_on": received,
                "due_on": today - dt.timedelta(days=n % 30),
                "original_due_on": today - dt.timedelta(days=n % 30),
                "status": "in_progress",
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def timed_scan(app, today, batch_size):
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        created = record_due_notices(today, NoticeRules(), batch_size)
        seconds = time.perf_counter() - started
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return created, seconds, len(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?")
    parser.add_argument("--wipe", action="store_true", help="wipe the PostgreSQL database first")
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = options.database_url or f"sqlite:///{scratch}/bench.db"
        run(url.replace("postgresql://", "postgresql+psycopg://", 1), options)


def run(url, options):
    app = build(url, options.wipe)
    with app.app_context():
        today = clock.today()
        started = time.perf_counter()
        fill(options.assignments, today)
        print(
            f"{db.engine.dialect.name}: {options.assignments} open assignments in "
            f"{time.perf_counter() - started:.1f}s"
        )
    batches = math.ceil(options.assignments / options.batch_size)
    for name in ("first scan", "second scan, same day"):
        created, seconds, statements = timed_scan(app, today, options.batch_size)
        print(
            f"{name}: {created} notices written in {seconds:.1f}s, {statements} statements "
            f"for {batches} batches of {options.batch_size}"
        )
    with app.app_context():
        print(f"outbox: {db.session.scalar(sa.select(sa.func.count(Notice.id)))} notices")
        db.engine.dispose()


if __name__ == "__main__":
    main()
