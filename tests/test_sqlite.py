"""SQLite as a real embedded database: enforced foreign keys, and writers that wait their turn."""

import datetime as dt
import multiprocessing

import pytest
import sqlalchemy as sa

from app import create_app
from models import Staff, Unit, db
from tests.helpers import base_config, sent_statement

WRITERS = 8
TRANSACTIONS = 40


@pytest.fixture
def sqlite_url(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    return database_url


def test_connections_enforce_foreign_keys_and_wait_for_locks(app, sqlite_url):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def _write(url, worker, unit_id, results):
    """Read, then write, in one transaction, many times: the pattern that deadlocks."""
    app = create_app(base_config(url))
    failures = 0
    with app.app_context():
        for n in range(TRANSACTIONS):
            try:
                count = db.session.scalar(sa.select(sa.func.count(Staff.id)))
                db.session.add(Staff(name=f"w{worker}-{n}-{count}", unit_id=unit_id))
                db.session.commit()
            except Exception:  # noqa: BLE001 - counted and reported by the test
                db.session.rollback()
                failures += 1
        db.engine.dispose()
    results.put(failures)


def test_eight_writing_processes_never_see_database_is_locked(app, sqlite_url):
    with app.app_context():
        unit = Unit(code="W", name="写入测试", kind="township", ranking_group="township")
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
        db.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    workers = [
        spawn.Process(target=_write, args=(sqlite_url, w, unit_id, results)) for w in range(WRITERS)
    ]
    for process in workers:
        process.start()
    failures = sum(results.get(timeout=120) for _ in workers)
    for process in workers:
        process.join(timeout=30)
    assert failures == 0
    with app.app_context():
        assert Staff.query.filter_by(unit_id=unit_id).count() == WRITERS * TRANSACTIONS


def _closed_years():
    """Assignments of four units due over four months to today: most accepted, one in
    twelve still waiting on its unit (as years of closed records leave them). Today."""
    from models import clock
    from tests import factories

    units = [factories.unit() for _ in range(4)]
    today = clock.today()
    for n in range(120):
        status = "assigned" if n % 12 == 0 else "accepted"
        factories.assignment_due(units[n % 4], today - dt.timedelta(days=n - 3), status)
    return today


def test_sqlite_is_told_that_open_assignments_are_few(app, sqlite_url):
    """SQLite's statistics see a status as half the table: with a status of few rows among
    many, `rare` says so (likelihood), and SQLite reads the status index rather than walking
    every assignment in unit order to group them."""
    from models import Assignment
    from models.today import deadlines
    from tests import factories

    with app.app_context():
        today = _closed_years()
        db.session.commit()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            # What sqlite_stat1 holds after ANALYZE: the average rows per status.
            query = (
                sa.select(Assignment.unit_id, sa.func.count())
                # Open, not waiting on the unit: no partial index of the waiting serves it.
                .where(Assignment.is_open(), Assignment.due_on < today)
                .group_by(Assignment.unit_id)
            )
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            assert "likelihood(" in sql
            plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_assignments_status" in plan, plan
        open_ = db.session.scalar(
            sa.select(sa.func.count()).where(
                Assignment.status.in_(("assigned",)), Assignment.due_on < today
            )
        )
        counted = deadlines(factories.account("staff"), today, 7)["overdue"].total
        assert counted == open_ > 0


# sqlite_stat1 of the bench's province (150,000 assignments, 26,000 waiting on their units).
PROVINCE_STATS = {
    "ix_assignments_waiting_due": "26306 25 1",
    "ix_assignments_closed_at": "149730 138",
    "ix_assignments_unit_id": "149730 75",
    "ix_assignments_status": "149730 74865",
    "ix_assignments_due_on": "149730 137",
    "ix_assignments_directive_id": "149730 2",
    "sqlite_autoindex_assignments_1": "149730 2 1",
}


def test_sqlite_reads_the_index_of_the_waiting_where_asked_in_its_own_words(app, sqlite_url):
    """SQLite uses a partial index only for a condition that states the index's own: the
    office's deadlines and a leader's first red and yellow items write the statuses of the
    index of the waiting out (`waits_on_unit_as_indexed`), so SQLite reads them from it
    rather than every waiting row from the status index. Fails if the statuses the model
    writes and the ones the migration indexed part ways."""
    from models.desk import leader_todos
    from models.directives import yellow_days
    from models.today import deadlines
    from tests import factories

    with app.app_context():
        today = _closed_years()
        staff, leader = factories.account("staff"), factories.account("leader")
        _, counted = sent_statement("due_soon", lambda: deadlines(staff, today, 7))
        _, listed = sent_statement(
            "WITH counts", lambda: leader_todos(leader, today, yellow_days())
        )
        db.session.commit()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            # The province's statistics, as SQLite reads them to plan: a few test rows
            # would make every index look cheap.
            for index, stat in PROVINCE_STATS.items():
                conn.exec_driver_sql(
                    "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = 'assignments' AND idx = ?",
                    (stat, index),
                )
            conn.exec_driver_sql("ANALYZE sqlite_schema")  # read them again
            for (statement, params), reads in ((counted, 1), (listed, 2)):
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                steps = [row[3] for row in plan]
                waiting = [s for s in steps if "USING INDEX ix_assignments_waiting_due" in s]
                assert len(waiting) == reads, steps
            conn.rollback()
