"""The tally of reports by unit and status that the database keeps (migration
d4f6b8a0c2e5): after every way a report comes, changes and goes, it holds what counting
the reports finds."""

import sqlalchemy as sa

from models import Account, Report, Unit, db
from models.desk import report_todo
from models.reports import ReportTally
from tests import factories


def tallied():
    rows = db.session.execute(
        sa.select(ReportTally.unit_id, ReportTally.status, ReportTally.n).where(ReportTally.n != 0)
    )
    return {(unit_id, status): n for unit_id, status, n in rows}


def counted():
    rows = db.session.execute(
        sa.select(Report.unit_id, Report.status, sa.func.count()).group_by(
            Report.unit_id, Report.status
        )
    )
    return {(unit_id, status): n for unit_id, status, n in rows}


def holds(expected):
    db.session.flush()
    assert tallied() == counted() == expected


def test_the_tally_follows_reports_as_they_come_change_and_go(app):
    with app.app_context():
        a, b = factories.unit(name="甲镇"), factories.unit(name="乙镇")
        first, second, third = (factories.report(a) for _ in range(3))
        factories.report(b, status="editing")
        holds({(a.id, "received"): 3, (b.id, "editing"): 1})

        first.status = "not_adopted"  # answered
        holds({(a.id, "received"): 2, (a.id, "not_adopted"): 1, (b.id, "editing"): 1})

        second.unit = b  # moved to another unit
        second.title = "改过的标题"  # a change of neither: counted once
        holds(
            {
                (a.id, "received"): 1,
                (a.id, "not_adopted"): 1,
                (b.id, "received"): 1,
                (b.id, "editing"): 1,
            }
        )

        # Several in one statement, each way.
        db.session.add_all(
            Report(title=f"批量{n}", body="", category="news", unit=b, author="李明")
            for n in range(4)
        )
        db.session.flush()
        db.session.execute(sa.update(Report).where(Report.unit_id == b.id).values(status="editing"))
        holds({(a.id, "received"): 1, (a.id, "not_adopted"): 1, (b.id, "editing"): 6})

        db.session.delete(third)
        db.session.execute(
            sa.delete(Report).where(Report.unit_id == b.id, Report.title.like("批量%"))
        )
        holds({(a.id, "not_adopted"): 1, (b.id, "editing"): 2})
        db.session.commit()

    with app.app_context():  # as committed, read afresh
        assert tallied() == counted()


def test_a_unit_with_an_empty_tally_can_still_be_deleted(app):
    with app.app_context():
        unit = factories.unit(name="丙镇")
        db.session.delete(factories.report(unit))
        db.session.flush()
        assert (
            db.session.scalar(sa.select(ReportTally.n).where(ReportTally.unit_id == unit.id)) == 0
        )
        db.session.delete(unit)
        db.session.commit()
        assert db.session.get(Unit, unit.id) is None


def test_the_office_counts_waiting_reports_by_unit_from_the_tally(app, world):
    with app.app_context():
        factories.report(db.session.get(Unit, world.unit_a))
        office = db.session.get(Account, world.account_ids["admin"])
        todo = report_todo(office, "waiting", "received", [Report.submitted_at], by_unit=True)
        assert {unit_id: n for unit_id, _name, n in todo.units} == {
            world.unit_a: 2,
            world.unit_b: 1,
        }
        assert todo.count == 3
        # A unit's officer: only the unit's line.
        officer = db.session.get(Account, world.account_ids["unit_b"])
        mine = report_todo(officer, "waiting", "received", [Report.submitted_at], by_unit=True)
        assert [(unit_id, n) for unit_id, _name, n in mine.units] == [(world.unit_b, 1)]


def test_emptying_the_reports_empties_the_tally(app):
    with app.app_context():
        unit = factories.unit(name="丁镇")
        factories.report(unit)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("TRUNCATE reports CASCADE"))  # no row triggers fire
        else:
            db.session.execute(sa.delete(Report))
        assert tallied() == counted() == {}
