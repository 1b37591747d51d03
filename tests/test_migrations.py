"""The schema comes from the migrations: they match the models and run down and up again."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from app import create_app
from models import db
from models.reports import WORD_TABLES, managed_by_models
from tests.helpers import base_config


def _ours(name, type_, parent_names):
    return managed_by_models(name)


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _ours}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database beside the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"{url.database}_scratch"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _tables(engine):
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if managed_by_models(name)}


def _search_objects(engine):
    """The hand-made title search: FTS5 table and triggers, or the trigram index."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE (name LIKE 'reports_fts%' "
                "OR name LIKE '%\\_words%' ESCAPE '\\') AND type IN ('table', 'trigger')"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_reports_title_trgm' "
                "OR indexname ~ '^ix_.*_search_words$'"
            )
        return {row[0] for row in rows}


def test_migrations_go_down_to_nothing_and_up_again(scratch_url):
    app = create_app(base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        searches = _search_objects(db.engine)
        flask_migrate.downgrade(revision="base")
        assert _tables(db.engine) == set() and _search_objects(db.engine) == set()
        flask_migrate.upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        assert _search_objects(db.engine) == searches
        db.engine.dispose()


def test_title_search_is_in_place_after_every_migration(app):
    """A batch migration recreating "reports" on SQLite would drop the search triggers."""
    with app.app_context():
        found = _search_objects(db.engine)
        if db.engine.dialect.name == "sqlite":
            assert found >= {
                "reports_fts",
                "reports_fts_insert",
                "reports_fts_delete",
                "reports_fts_update",
            }
            for table in WORD_TABLES:  # the bigram index (models/words.py)
                fts = f"{table}_words"
                assert {fts, f"{fts}_insert", f"{fts}_delete", f"{fts}_update"} <= found
        else:
            assert found == {"ix_reports_title_trgm"} | {
                f"ix_{table}_search_words" for table in WORD_TABLES
            }


def test_earlier_steps_get_their_due_date_and_closed_assignments_their_time(scratch_url):
    import datetime as dt

    from models import Assignment, AssignmentEvent, clock
    from tests import factories

    app = create_app(base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade()
        due = clock.today() + dt.timedelta(days=30)
        a = factories.assignment_due(factories.unit(), due, "acknowledged")
        later = [clock.now() + dt.timedelta(minutes=n) for n in (1, 2, 3)]
        a.change_due_date(None, due + dt.timedelta(days=4), "会议推迟", at=later[0])
        a.request_extension(None, due + dt.timedelta(days=19), "需要核查", at=later[1])
        a.grant_extension(None, comment="同意", at=later[2])
        a.events[-1].comment = "导入；" + a.events[-1].comment  # as an import writes it
        plain = factories.assignment_due(factories.unit(), due, "in_progress")
        factories.assignment_due(factories.unit(), due, "accepted")
        factories.assignment_due(factories.unit(), due, "cancelled")
        db.session.commit()
        closed = {x.id: x.closed_at for x in Assignment.query}
        assert len([at for at in closed.values() if at]) == 2
        recorded = {e.id: (e.assignment_id, e.action, e.due_on) for e in AssignmentEvent.query}
        ids = (a.id, plain.id)
        db.session.remove()
        flask_migrate.downgrade(revision="c4d2e8f3b0a5")
        flask_migrate.upgrade()
        backfilled = {e.id: (e.assignment_id, e.action, e.due_on) for e in AssignmentEvent.query}
        assert backfilled == recorded
        assert {x.id: x.closed_at for x in Assignment.query} == closed
        steps = [(action, due_on) for _id, (owner, action, due_on) in sorted(recorded.items())]
        assert steps[0] == ("assign", due)
        assert ("grant_extension", due + dt.timedelta(days=19)) in steps
        assert {d for owner, _a, d in recorded.values() if owner == ids[1]} == {due}
        db.session.remove()
        db.engine.dispose()


def test_the_upgrade_reports_dates_outside_the_office_years(scratch_url, capfd):
    """Rows saved before the bounds (models/bounds.py) are listed, and nothing fails."""
    app = create_app(base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade(revision="7e32332ef7f1")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO calendar_days (day, kind, name) VALUES (:day, 'holiday', '')"),
                [{"day": "9999-12-31"}, {"day": "0001-01-01"}, {"day": "2026-10-01"}],
            )
            conn.execute(
                sa.text(
                    "INSERT INTO login_attempts (username, address, at, succeeded) "
                    "VALUES ('x', '-', :at, false)"
                ),
                [{"at": "2099-12-31 12:00:00"}, {"at": "9999-12-31 12:00:00"}],
            )
        capfd.readouterr()
        flask_migrate.upgrade()
        db.engine.dispose()
    log = capfd.readouterr().err
    assert "calendar_days.day: 2 rows with a date outside 2000-01-01..2099-12-31" in log
    assert "9999-12-31" in log and "0001-01-01" in log and "2026-10-01" not in log
    assert "login_attempts.at: 1 rows" in log


def test_login_rows_move_from_the_audit_trail_to_the_login_log(scratch_url):
    audit = sa.table(
        "audit_log",
        *(sa.column(name) for name in ("at", "actor", "action", "table_name", "record_id")),
        sa.column("record"),
        sa.column("changes", sa.JSON),
    )
    app = create_app(base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade(revision="b4edd2c2bb29")
        row = {"at": "2026-10-01 01:00:00", "actor": "li", "action": "update"}
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO accounts (id, username, name, password_hash, role, active, "
                    "session_version, must_change_password, created_at) VALUES "
                    "(7, 'li', '李', 'x', 'staff', true, 1, false, '2026-10-01 00:00:00')"
                )
            )
            conn.execute(
                sa.insert(audit),
                [
                    {
                        **row,
                        "table_name": "accounts",
                        "record_id": 7,
                        "record": "李",
                        "changes": {"last_login_at": [None, "2026-10-01T01:00:00+00:00"]},
                    },
                    {
                        **row,
                        "table_name": "accounts",
                        "record_id": 7,
                        "record": "李",
                        "changes": {"session_version": [0, 1]},
                    },
                    {
                        **row,
                        "table_name": "accounts",
                        "record_id": 7,
                        "record": "李",
                        "changes": {"name": ["李", "李四"], "session_version": [1, 2]},
                    },
                    {
                        **row,
                        "table_name": "assignment_events",
                        "record_id": 3,
                        "record": "<AssignmentEvent (pending 140568291159824)>",
                        "changes": {},
                    },
                ],
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            left = conn.execute(sa.text("SELECT table_name, record FROM audit_log")).all()
            logins = conn.execute(
                sa.text("SELECT username, account_id, event, result FROM login_log ORDER BY id")
            ).all()
        db.engine.dispose()
    assert sorted(left) == [("accounts", "李"), ("assignment_events", "")]
    assert logins == [("li", 7, "login", "success"), ("li", 7, "logout", "success")]


def test_the_nameless_actors_already_in_the_trail_are_named_in_chinese(scratch_url):
    audit = sa.table(
        "audit_log",
        *(sa.column(name) for name in ("at", "actor", "actor_id", "action", "table_name")),
        sa.column("record"),
        sa.column("changes", sa.JSON),
    )
    row = {"at": "2026-10-01 01:00:00", "action": "update", "table_name": "units", "record": "甲镇"}
    actors = ["system", "anonymous", "command line (ops)", "li", "system"]
    app = create_app(base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade(revision="5fbfacdec111")
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(audit),
                [
                    {**row, "actor": actor, "actor_id": 7 if n == 4 else None, "changes": {}}
                    for n, actor in enumerate(actors)
                ],
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            found = conn.scalars(sa.select(audit.c.actor).order_by(sa.text("id"))).all()
        # A person whose username happens to be "system" keeps it.
        assert found == ["系统", "未登录", "命令行（ops）", "li", "system"]
        flask_migrate.downgrade(revision="5fbfacdec111")
        with db.engine.connect() as conn:
            found = conn.scalars(sa.select(audit.c.actor).order_by(sa.text("id"))).all()
        assert found == actors
