"""A supporting part's `leads_done`, kept by the database's triggers (migration
f1a3c5e7b9d2): after every way a part comes, changes and goes, it holds what the rule
`Assignment.settled_by_lead` finds, on both databases."""

import datetime as dt

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


def test_a_directive_and_its_parts_can_be_deleted(ctx):
    lead, support = factories.unit(), factories.unit()
    directive = _handed({lead: "lead", support: "support"})
    _finish(directive.assignments[0])
    db.session.flush()
    db.session.execute(sa.delete(Directive).where(Directive.id == directive.id))
    holds()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
