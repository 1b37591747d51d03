"""The ranking's rules at their boundaries, without HTTP: the veto (一票否决) from the day of
the missed report, the year placing a vetoed unit last or leaving it out, bottom places
only for a period that has ended, and the office's rule for ties at the bottom."""

import datetime as dt

import pytest

from models import Deduction, ScoreRule, clock, db
from models.notice_plan import NoticeRules, plan_monthly_notices, ranking_context
from models.periods import month, parse_period, quarter, year
from models.ranking import Placing, RankingRules, ranking
from tests import factories

D = dt.date
MISSED_ON = D(2026, 10, 24)
AFTER_THE_YEAR = D(2027, 3, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _points(unit, points, day):
    report = factories.report(unit, status="adopted", submitted_at=clock.start_of(day))
    factories.adoption(report, factories.publication(points=points), adopted_on=day)


def _missed(unit, day=MISSED_ON, reason="漏报森林火情"):
    db.session.add(Deduction(unit=unit, kind="missed_emergency", occurred_on=day, reason=reason))


def _rule(key, value):
    db.session.add(ScoreRule(kind="ranking", key=key, value=value))
    db.session.flush()


@pytest.fixture
def city(ctx):
    """Townships A (most points, a 漏报 on 24 October), B, C and D, points in Sept and Oct."""
    units = {code: factories.unit(code=code, name=f"{code}镇") for code in "ABCD"}
    for code, points in (("A", 60), ("B", 40), ("C", 20), ("D", 10)):
        _points(units[code], points, D(2026, 9, 10))
        _points(units[code], points, D(2026, 10, 10))
    _missed(units["A"])
    db.session.flush()
    return units


def _by_code(rows):
    return {row.unit_code: row for row in rows}


def test_the_veto_shows_from_the_period_of_the_missed_report_on(city):
    september = _by_code(ranking(month(D(2026, 9, 1)), today=AFTER_THE_YEAR))
    october = _by_code(ranking(month(D(2026, 10, 1)), today=AFTER_THE_YEAR))
    assert september["A"].veto is None
    assert october["A"].veto.on == MISSED_ON and october["A"].veto.reason == "漏报森林火情"
    assert ranking(quarter(D(2026, 7, 1)), today=AFTER_THE_YEAR)[0].veto is None
    assert _by_code(ranking(quarter(D(2026, 10, 1)), today=AFTER_THE_YEAR))["A"].vetoed
    before = parse_period(start="2026-10-01", end="2026-10-23")
    on_the_day = parse_period(start="2026-10-01", end="2026-10-24")
    assert _by_code(ranking(before, today=AFTER_THE_YEAR))["A"].veto is None
    assert _by_code(ranking(on_the_day, today=AFTER_THE_YEAR))["A"].vetoed
    # A month or quarter shows the veto beside the rank; it does not move the unit.
    assert (october["A"].rank, september["A"].rank) == (1, 1)
    # The next year starts clean.
    assert _by_code(ranking(month(D(2027, 1, 1)), today=AFTER_THE_YEAR))["A"].veto is None


def test_the_year_places_a_vetoed_unit_after_every_other(city):
    rows = ranking(year(2026), today=AFTER_THE_YEAR)
    assert [(r.unit_code, r.rank) for r in rows] == [("B", 1), ("C", 2), ("D", 3), ("A", 4)]
    assert rows[-1].points == 120 - 10  # its points stay as earned, the veto places it
    assert rows[-1].veto.on == MISSED_ON


def test_several_vetoed_units_rank_among_themselves_after_the_rest(city):
    _missed(city["C"], D(2026, 3, 2), "漏报汛情")
    db.session.flush()
    rows = ranking(year(2026), today=AFTER_THE_YEAR)
    assert [(r.unit_code, r.rank) for r in rows] == [("B", 1), ("D", 2), ("A", 3), ("C", 4)]


def test_the_office_may_leave_vetoed_units_out_of_the_year(city):
    _rule("veto_left_out", 1)
    rows = ranking(year(2026), today=AFTER_THE_YEAR)
    assert [(r.unit_code, r.rank) for r in rows] == [("B", 1), ("C", 2), ("D", 3), ("A", None)]
    assert rows[-1].movement is None and not rows[-1].bottom
    # The bottom places are those of the ranked units.
    assert [r.unit_code for r in rows if r.bottom] == []  # three ranked, three marked: none
    factories.unit(code="E", name="E镇")
    db.session.flush()
    rows = _by_code(ranking(year(2026), today=AFTER_THE_YEAR))
    assert [code for code, row in rows.items() if row.bottom] == ["C", "D", "E"]


def test_the_previous_year_is_placed_by_its_own_veto(city):
    _missed(city["B"], D(2025, 6, 1))
    _points(city["B"], 500, D(2025, 6, 2))
    _points(city["C"], 100, D(2025, 6, 2))
    db.session.flush()
    rows = _by_code(ranking(year(2026), today=AFTER_THE_YEAR))
    assert rows["B"].previous_rank == 4 and rows["C"].previous_rank == 1
    assert rows["B"].veto is None  # 2025's veto is 2025's


def test_no_bottom_places_while_the_period_runs(city):
    october = month(D(2026, 10, 1))
    running = ranking(october, today=D(2026, 10, 31))
    ended = ranking(october, today=D(2026, 11, 1))
    assert not any(row.bottom for row in running)
    assert [row.unit_code for row in ended if row.bottom] == ["B", "C", "D"]
    assert Placing(october, D(2026, 10, 31)).closed is False
    assert Placing(october, D(2026, 11, 1)).closed is True


@pytest.fixture
def early_december(ctx):
    """On 3 December: one township of thirteen earned points in November, twelve tie at 0."""
    top = factories.unit(code="TOP", name="领先镇")
    _points(top, 30, D(2026, 11, 2))
    tied = [factories.unit(code=f"Z{n:02d}", name=f"零分镇{n}") for n in range(12)]
    db.session.flush()
    return top, tied


def test_a_tie_at_the_bottom_is_marked_whole_by_default(early_december):
    _top, tied = early_december
    rows = ranking(month(D(2026, 11, 1)), today=D(2026, 12, 3))
    assert RankingRules.load().bottom_ties == 0
    assert sorted(r.unit_code for r in rows if r.bottom) == sorted(u.code for u in tied)


def test_the_office_may_mark_none_of_a_large_tie(early_december):
    _top, tied = early_december
    _rule("bottom_ties", 5)
    rows = ranking(month(D(2026, 11, 1)), today=D(2026, 12, 3))
    assert not any(row.bottom for row in rows)
    _rule_value = db.session.query(ScoreRule).filter_by(key="bottom_ties").one()
    _rule_value.value = 12  # a tie of twelve is within a limit of twelve: marked
    db.session.flush()
    rows = ranking(month(D(2026, 11, 1)), today=D(2026, 12, 3))
    assert len([row for row in rows if row.bottom]) == 12


def test_the_tie_rule_keeps_the_places_above_a_large_tie(ctx):
    rows = [
        _row(code, points) for code, points in zip("ABCDEF", (50, 40, 10, 0, 0, 0), strict=True)
    ]
    rules = RankingRules(bottom_count=4, bottom_ties=2)
    placing = Placing(month(D(2026, 10, 1)), D(2026, 12, 1), rules)
    placing.vetoes = {}
    placed = placing.place(rows)
    assert [r.unit_code for r in placed if r.bottom] == ["C"]  # B 2nd stays; D-F tie of 3


def _row(code, points):
    from models.ranking import RankRow

    row = RankRow(unit_id=ord(code), unit_code=code, unit=code, group="township")
    row.points = points
    return row


def test_bottom_notices_follow_the_tie_rule(early_december, app):
    top, tied = early_december
    today = D(2026, 12, 3)
    rules = NoticeRules(bulletin_days=3)
    units = {u.id: u for u in [top, *tied]}
    keys = [d.dedupe_key for d in plan_monthly_notices(today, rules, units, {})]
    bottom = [key for key in keys if key.startswith("bottom:")]
    assert len(bottom) == 12 and all(key.startswith("bottom:2026-11:") for key in bottom)
    _rule("bottom_ties", 3)
    keys = [d.dedupe_key for d in plan_monthly_notices(today, rules, units, {})]
    assert not [key for key in keys if key.startswith("bottom:")]
    assert len([key for key in keys if key.startswith("bulletin:")]) == 13


def test_the_bulletin_tells_a_vetoed_unit(city, app):
    from models.notice_text import notice_templates, render_notice

    october = month(D(2026, 10, 1))
    row = _by_code(ranking(october, today=D(2026, 11, 2)))["A"]
    context = ranking_context(row, october, "township", 4, D(2026, 11, 2), "李明")
    _subject, body = render_notice(notice_templates().get_template("notices/bulletin.txt"), context)
    assert "2026年10月24日漏报紧急信息（漏报森林火情），本年度信息工作考核一票否决" in body
    other = _by_code(ranking(october, today=D(2026, 11, 2)))["B"]
    context = ranking_context(other, october, "township", 4, D(2026, 11, 2), "李明")
    _subject, body = render_notice(notice_templates().get_template("notices/bulletin.txt"), context)
    assert "一票否决" not in body
