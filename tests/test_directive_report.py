"""The monthly directive report: what each column counts, the rates, and its cost in SQL."""

import datetime as dt

import pytest

from models import Assignment, clock, db
from models.directive_report import month_report, month_start, rate
from tests import factories
from tests.conftest import count_statements

D = dt.date
JUNE = D(2026, 6, 1)
TODAY = D(2026, 7, 10)


def at(day):
    return clock.start_of(day) + dt.timedelta(hours=10)


def _assignment(unit, assigned, due):
    return factories.directive(unit, received_on=assigned, due_on=due).assignments[0]


def _finish(assignment, submitted, accepted=None):
    signer = factories.leaders(assignment.unit)[1]
    assignment.acknowledge(None, at=at(assignment.assigned_on))
    factories.feedback(assignment, "result", signer=signer, at=at(submitted))
    assignment.accept(None, at=at(accepted or submitted + dt.timedelta(days=3)))


@pytest.fixture
def june(app):
    """Units A and B (townships) and C (a department) with assignments around June 2026."""
    with app.app_context():
        a = factories.unit(code="A", name="甲镇")
        b = factories.unit(code="B", name="乙镇")
        c = factories.unit(code="C", name="丙局", kind="county_dept", ranking_group="department")
        _finish(_assignment(a, D(2026, 5, 10), D(2026, 6, 9)), D(2026, 6, 5))  # on time
        _finish(_assignment(a, D(2026, 6, 3), D(2026, 6, 20)), D(2026, 6, 25))  # late
        _assignment(a, D(2026, 6, 10), D(2026, 6, 29))  # overdue at month end
        _assignment(a, D(2026, 6, 15), D(2026, 6, 30))  # due on the last day: in progress
        _finish(_assignment(b, D(2026, 5, 1), D(2026, 5, 31)), D(2026, 5, 28))  # May's
        _assignment(b, D(2026, 6, 20), D(2026, 7, 20)).cancel(None, "撤销")  # left out
        _assignment(b, D(2026, 7, 2), D(2026, 7, 30))  # July's
        _assignment(b, D(2026, 4, 1), D(2026, 4, 30))  # long overdue
        _finish(_assignment(c, D(2026, 6, 5), D(2026, 7, 5)), D(2026, 7, 3))  # after June
        db.session.commit()
    return app


def _counts(row):
    return (row.received, row.finished, row.on_time, row.overdue, row.in_progress)


def test_each_column_at_its_boundary(june):
    with june.app_context():
        report = month_report(JUNE, today=TODAY)
    assert report.as_of == D(2026, 6, 30)
    units = {row.code: row for row in report.units}
    assert _counts(units["A"]) == (3, 2, 1, 1, 1)
    assert _counts(units["B"]) == (0, 0, 0, 1, 0)
    assert _counts(units["C"]) == (1, 0, 0, 0, 1)
    assert units["A"].completion_rate == 50.0 and units["A"].on_time_rate == 50.0
    assert units["B"].completion_rate == 0.0 and units["B"].on_time_rate is None


def test_groups_and_the_total(june):
    with june.app_context():
        report = month_report(JUNE, today=TODAY)
    groups = {row.group: row for row in report.groups}
    assert _counts(groups["township"]) == (3, 2, 1, 2, 1)
    assert _counts(groups["department"]) == (1, 0, 0, 0, 1)
    assert _counts(report.total) == (4, 2, 1, 2, 2)
    assert report.total.completion_rate == 33.3


def test_the_running_month_counts_to_today(june):
    with june.app_context():
        report = month_report(D(2026, 7, 1), today=TODAY)
    assert report.as_of == TODAY
    units = {row.code: row for row in report.units}
    # C finished on 3 July, on time; B's July assignment is received and not yet due.
    assert _counts(units["C"]) == (0, 1, 1, 0, 0)
    assert units["B"].received == 1 and units["B"].in_progress == 1


def test_a_unit_officer_sees_only_their_units_row(june):
    with june.app_context():
        officer = factories.account("unit", db.session.query(Assignment).first().unit)
        report = month_report(JUNE, scope=Assignment.visible_to(officer), today=TODAY)
    assert [row.code for row in report.units] == ["A"]
    assert _counts(report.total) == (3, 2, 1, 1, 1)


def test_the_report_costs_one_statement_whatever_the_units(june):
    with count_statements(june) as few, june.app_context():
        month_report(JUNE, today=TODAY)
    with june.app_context():
        for n in range(20):
            _assignment(factories.unit(code=f"X{n}"), D(2026, 6, 2), D(2026, 6, 25))
        db.session.commit()
    with count_statements(june) as many, june.app_context():
        report = month_report(JUNE, today=TODAY)
    assert len(report.units) == 23
    assert len(few) == len(many) == 1


def test_rates_and_months():
    assert rate(1, 3) == 33.3 and rate(0, 0) is None and rate(2, 2) == 100.0
    assert month_start("2026-02") == D(2026, 2, 1)
    assert month_start("2026-13") is None and month_start("") is None and month_start(None) is None
