"""误报 (a wrong report): a deduction kind beside 迟报 and 漏报, scored at the table's rate
of the day it happened on, and counted by the roll-up, the ranking and its exports."""

import datetime as dt

import pytest

from models import Deduction, ScoreRule, Unit, db
from models.emergencies import emergency_counts, vetoes
from models.periods import Period, month
from models.ranking import ranking
from models.scoring import rule_value, rule_values
from tests import factories
from tests.helpers import login

CHANGE = dt.date(2026, 6, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _line(kind, key, value, valid_from=dt.date(2000, 1, 1)):
    db.session.add(ScoreRule(kind=kind, key=key, value=value, valid_from=valid_from))
    db.session.flush()


def _wrong(unit, day, **kw):
    row = Deduction(unit=unit, kind="wrong_report", occurred_on=day, reason="误报伤亡人数", **kw)
    db.session.add(row)
    db.session.flush()
    return row


def test_a_wrong_report_without_a_line_takes_the_default(ctx):
    assert _wrong(factories.unit(), dt.date(2026, 3, 1)).points == 5


def test_a_wrong_report_is_scored_at_the_rate_of_its_day(ctx):
    _line("deduction", "wrong_report", 4)
    _line("deduction", "wrong_report", 8, CHANGE)
    unit = factories.unit()
    # Recorded today, both: the day before the change keeps the old rate.
    assert _wrong(unit, CHANGE - dt.timedelta(days=1)).points == 4
    assert _wrong(unit, CHANGE).points == 8
    assert _wrong(unit, CHANGE + dt.timedelta(days=1)).points == 8
    assert rule_value("deduction", "wrong_report", on=dt.date(1999, 12, 31)) == 5  # default
    assert rule_values("deduction", on=CHANGE)["wrong_report"] == 8
    assert rule_values("deduction", on=CHANGE)["late_emergency"] == 5  # untouched default


def test_a_later_line_leaves_the_points_already_stored(ctx):
    _line("deduction", "wrong_report", 4)
    row = _wrong(factories.unit(), dt.date(2026, 7, 1))
    _line("deduction", "wrong_report", 9, CHANGE)
    db.session.expire_all()
    assert db.session.get(Deduction, row.id).points == 4


def test_moving_a_deduction_to_another_day_or_kind_scores_it_again(ctx):
    _line("deduction", "wrong_report", 4)
    _line("deduction", "wrong_report", 8, CHANGE)
    _line("deduction", "late_emergency", 3, CHANGE)
    row = _wrong(factories.unit(), CHANGE - dt.timedelta(days=1))
    row.occurred_on = CHANGE
    db.session.flush()
    assert row.points == 8
    row.kind = "late_emergency"
    db.session.flush()
    assert row.points == 3
    row.reason, row.points = "改正", 1  # points set by hand stay
    row.occurred_on = dt.date(2026, 1, 1)
    db.session.flush()
    assert row.points == 1


def test_wrong_reports_are_counted_but_do_not_veto(ctx):
    a, b = factories.unit(), factories.unit()
    _wrong(a, dt.date(2026, 3, 9))
    _wrong(a, dt.date(2026, 3, 10))
    db.session.add(
        Deduction(unit=b, kind="late_emergency", occurred_on=dt.date(2026, 3, 9), reason="迟报")
    )
    db.session.flush()
    counts = emergency_counts(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert counts[a.id] == {"late": 0, "missed": 0, "wrong": 2}
    assert counts[b.id] == {"late": 1, "missed": 0, "wrong": 0}
    assert vetoes(2026) == {}


@pytest.mark.parametrize("kind", ["month", "range"])
def test_the_ranking_counts_and_deducts_wrong_reports(ctx, kind):
    """Whole months read the roll-up; a range of days reads the rows: both count it."""
    unit = factories.unit(created_on=dt.date(2026, 1, 1))
    _wrong(unit, dt.date(2026, 3, 9))
    db.session.commit()
    if kind == "month":
        period = month(dt.date(2026, 3, 1))
    else:
        period = Period("range", dt.date(2026, 3, 1), dt.date(2026, 3, 20))
    (row,) = [r for r in ranking(period, "township") if r.unit_id == unit.id]
    assert (row.wrong, row.deducted, row.points) == (1, 5, -5)


def test_the_ranking_export_has_a_wrong_reports_column(app):
    with app.app_context():
        world = factories.world()
        _wrong(db.session.get(Unit, world.unit_a), dt.date(2026, 3, 9))
        db.session.commit()
    client = login(app.test_client(), world.usernames["staff"])
    page = client.get("/admin/ranking/?period=2026-03&group=township")
    assert page.status_code == 200
    assert "误报" in page.get_data(as_text=True)
    csv = client.get("/admin/ranking/?period=2026-03&group=township&format=csv").get_data(
        as_text=True
    )
    header, *rows = csv.lstrip("\ufeff").splitlines()
    column = header.split(",").index("误报")
    assert [r.split(",")[column] for r in rows if r.split(",")[1] == "A"] == ["1"]
