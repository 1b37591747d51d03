"""A supporting part's `leads_done`, kept by the database's triggers (migration
f1a3c5e7b9d2): after every way a part comes, changes and goes, it holds what the rule
`Assignment.settled_by_lead` finds, on both databases."""

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from models import Assignment, Directive, WorkCalendar, clock, db
from tests import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _handed(parts):
    """A directive handed to `parts` ({unit: "lead" or "support"})."""
    received = clock.today() - dt.timedelta(days=10)
    directive = factories.directive(received_on=received)
    directive.hand_to(parts, None, WorkCalendar(), factories.rules(), at=clock.start_of(received))
    db.session.flush()
    return directive


def _finish(assignment):
    assignment.acknowledge(None)
    assignment.submit_result(None, factories.leaders(assignment.unit)[0])
    assignment.accept(None)


def _set(assignment, **values):
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def holds(*expected):
    """Every assignment's kept flag equals the rule, and the settled ones are `expected`."""
    db.session.flush()
    db.session.expire_all()  # read what the database holds, not what the session thinks
    kept = dict(db.session.execute(sa.select(Assignment.id, Assignment.leads_done)).all())
    ruled = {a.id: a.settled_by_lead() for a in Assignment.query}
    assert kept == ruled
    assert {i for i, done in kept.items() if done} == {a.id for a in expected}


def test_a_supporting_part_is_done_once_every_lead_is(ctx):
    lead, other_lead, support = factories.unit(), factories.unit(), factories.unit()
    directive = _handed({lead: "lead", other_lead: "lead", support: "support"})
    first, second, helper = directive.assignments
    holds()

    _finish(first)
    holds()  # the other lead is still open

    second.cancel(None, "测试撤销")
    holds(helper)  # the one lead left is done, the cancelled one does not count

    # Reopened and accepted again (the app moves a part by its steps alone; the
    # database's rule holds for any statement).
    _set(first, status="returned", finished_on=None, closed_at=None)
    holds()
    _set(first, status="accepted", finished_on=clock.today(), closed_at=clock.now())
    holds(helper)

    helper.part = "lead"  # no longer supporting: never settled by the others
    holds()
    helper.part = "support"
    holds(helper)


def test_a_part_added_or_removed_settles_the_others(ctx):
    lead, support, late = factories.unit(), factories.unit(), factories.unit()
    directive = _handed({lead: "lead", support: "support"})
    lead_part, helper = directive.assignments
    _finish(lead_part)
    holds(helper)

    # A supporting unit added after the lead closed it: settled as it comes.
    (latecomer,) = directive.hand_to(
        {late: "support"}, None, WorkCalendar(), factories.rules(), at=clock.now()
    )
    holds(helper, latecomer)

    # A new lead reopens the work for the supporting units.
    another = factories.unit()
    (new_lead,) = directive.hand_to(
        {another: "lead"}, None, WorkCalendar(), factories.rules(), at=clock.now()
    )
    holds()

    db.session.delete(new_lead)
    holds(helper, latecomer)

    db.session.delete(lead_part)  # no lead left: nobody settled it
    holds()


def test_statements_of_many_rows_each_way(ctx):
    units = [factories.unit() for _ in range(4)]
    one = _handed({units[0]: "lead", units[1]: "support"})
    two = _handed({units[2]: "lead", units[3]: "support"})
    holds()

    # Both leads accepted in one statement.
    leads = sa.and_(Assignment.directive_id.in_([one.id, two.id]), Assignment.part == "lead")
    db.session.execute(
        sa.update(Assignment)
        .where(leads)
        .values(status="accepted", finished_on=clock.today(), closed_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    holds(one.assignments[1], two.assignments[1])

    # A change of neither part nor status settles nothing new.
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.directive_id == one.id)
        .values(last_progress_on=clock.today())
        .execution_options(synchronize_session=False)
    )
    holds(one.assignments[1], two.assignments[1])

    # Several parts in one INSERT: a second lead, open, for each directive.
    spare = [factories.unit(), factories.unit()]
    today = clock.today()
    db.session.execute(
        sa.insert(Assignment),
        [
            dict(
                directive_id=d.id,
                unit_id=u.id,
                part="lead",
                assigned_on=today,
                due_on=today,
                original_due_on=today,
                status="assigned",
            )
            for d, u in zip((one, two), spare, strict=True)
        ],
    )
    holds()

    # Both removed in one DELETE.
    db.session.execute(
        sa.delete(Assignment)
        .where(Assignment.unit_id.in_([u.id for u in spare]))
        .execution_options(synchronize_session=False)
    )
    holds(one.assignments[1], two.assignments[1])


def test_a_part_moved_to_another_directive_settles_both(ctx):
    units = [factories.unit() for _ in range(4)]
    one = _handed({units[0]: "lead", units[1]: "support"})
    two = _handed({units[2]: "lead", units[3]: "support"})
    _finish(one.assignments[0])
    holds(one.assignments[1])

    # The open lead of the second moves to the first: the first's support is open work
    # again, the second has no lead left.
    moved = two.assignments[0]
    _set(moved, directive_id=one.id)
    holds()
    _set(moved, directive_id=two.id)
    holds(one.assignments[1])

    # A statement that changes no row settles nothing and does not loop.
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.id == -1)
        .values(status="accepted")
        .execution_options(synchronize_session=False)
    )
    holds(one.assignments[1])


def test_no_lead_left_settles_no_supporting_part(ctx):
    lead, support = factories.unit(), factories.unit()
    directive = _handed({lead: "lead", support: "support"})
    lead_part, helper = directive.assignments
    lead_part.cancel(None, "测试撤销")
    holds()  # open, with nobody leading: still the supporting unit's move
    _finish(helper)
    holds()  # closed on its own: not by a lead unit


def test_a_directive_and_its_parts_can_be_deleted(ctx):
    units = [factories.unit() for _ in range(4)]
    gone = _handed({units[0]: "lead", units[1]: "support"})
    kept = _handed({units[2]: "lead", units[3]: "support"})
    _finish(gone.assignments[0])
    _finish(kept.assignments[0])
    holds(gone.assignments[1], kept.assignments[1])
    db.session.execute(sa.delete(Directive).where(Directive.id == gone.id))
    holds(kept.assignments[1])


def test_leads_accepted_at_the_same_moment_settle_the_supporting_part(app, database_url):
    """Two transactions each accept one of a directive's two lead units: the second to
    commit reads the first's acceptance (PostgreSQL: the trigger locks the directive)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time")
    with app.app_context():
        units = [factories.unit() for _ in range(3)]
        directive = _handed({units[0]: "lead", units[1]: "lead", units[2]: "support"})
        first, second, helper = (a.id for a in directive.assignments)
        db.session.commit()
        engine = db.engine
    accept = (
        "UPDATE assignments SET status = 'accepted', finished_on = assigned_on,"
        " closed_at = now() WHERE id = %s"
    )
    with engine.connect() as one, engine.connect() as two:
        pid = two.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        one.exec_driver_sql(accept % first)  # not committed yet
        other = threading.Thread(
            target=lambda: (two.exec_driver_sql(accept % second), two.commit())
        )
        other.start()
        _wait_for(lambda: not other.is_alive() or _waits_for_a_lock(one, pid))
        one.commit()
        other.join(10)
        settled = one.exec_driver_sql(
            f"SELECT leads_done FROM assignments WHERE id = {helper}"
        ).scalar()
    assert settled is True


def _waits_for_a_lock(conn, pid):
    query = f"SELECT wait_event_type FROM pg_stat_activity WHERE pid = {pid}"
    with conn.engine.connect() as look:
        return look.exec_driver_sql(query).scalar() == "Lock"


def _wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "neither finished nor waiting"
        time.sleep(0.05)
