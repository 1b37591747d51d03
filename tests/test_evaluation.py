"""The year-end evaluation and the quarterly summary, without HTTP: grades at the edges of
each rule, the rules as of a day, the same rows as the year's ranking, and filing."""

import datetime as dt

import pytest

from models import CriticismNotice, Deduction, GradeRule, Quota, clock, db
from models.emergencies import Veto
from models.evaluation import (
    DEFAULT_GRADE_RULES,
    EvaluationFiling,
    FilingError,
    QuarterFiling,
    changed_quarter_units,
    changed_units,
    cutoff_place,
    evaluate,
    evaluation_filings,
    file_evaluation,
    file_quarter,
    grade_row,
    grade_rules,
    quarter_filings,
    quarter_summary,
    reason_text,
)
from models.periods import quarter, year
from models.ranking import RankRow, ranking
from tests import factories

D = dt.date
AFTER_THE_YEAR = D(2027, 3, 1)
POINTS = {f"T{n}": 100 - n * 10 for n in range(10)}  # T0 100, T1 90, ... T9 10


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _points(unit, points, day=D(2026, 5, 10)):
    report = factories.report(unit, status="adopted", submitted_at=clock.start_of(day))
    factories.adoption(report, factories.publication(points=points), adopted_on=day)


@pytest.fixture
def county(ctx):
    """Ten townships T0..T9 with 100, 90, ... 10 points in May 2026, one adoption each."""
    units = {code: factories.unit(code=code, name=f"{code}镇") for code in POINTS}
    for code, points in POINTS.items():
        _points(units[code], points)
    db.session.flush()
    return units


def _criticism(unit, period, actor):
    """A criticism notice of `unit` about the month `period`, issued now."""
    row = CriticismNotice(
        unit=unit,
        reason="overdue",
        period=period,
        title=f"关于对{unit.name}的通报批评",
        text="经查，已超期。",
        assignments=[factories.assignment_due(unit, clock.today() - dt.timedelta(days=40))],
    )
    db.session.add(row)
    db.session.flush()
    row.approve(actor)
    row.issue(actor)
    return row


def _rules(**values):
    return {**DEFAULT_GRADE_RULES, **values}


def _row(rank=1, points=100, adopted=10, **kw):
    return RankRow(unit_id=1, unit_code="X", unit="X镇", group="township", rank=rank,
                   points=points, adopted=adopted, **kw)  # fmt: skip


def _grades(evaluation):
    return {line.unit_code: line.grade for line in evaluation.lines}


# ---- one row at the edges of each rule ----


def test_points_threshold_at_its_edge():
    rules = _rules(excellent_points=100, good_points=50)
    assert grade_row(_row(points=100), rules, 10, 0).grade == "excellent"
    assert grade_row(_row(points=99), rules, 10, 0).grade == "good"  # still top half
    assert grade_row(_row(rank=3, points=50), rules, 10, 0).grade == "good"
    assert grade_row(_row(rank=3, points=49), rules, 10, 0).grade == "fair"
    poor = _rules(poor_points=20)
    assert grade_row(_row(rank=9, points=20), poor, 10, 0).grade == "fair"
    assert grade_row(_row(rank=9, points=19), poor, 10, 0).grade == "poor"


def test_share_of_places_at_its_edge():
    assert cutoff_place(20, 10) == 2 and cutoff_place(20, 3) == 1 and cutoff_place(0, 10) is None
    assert cutoff_place(50, 9) == 4 and cutoff_place(100, 9) == 9
    rules = _rules()
    assert [grade_row(_row(rank=r), rules, 10, 0).grade for r in (1, 2, 3, 5, 6)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "fair",
    ]
    # A share of 0 gives nobody the grade.
    assert grade_row(_row(rank=1), _rules(excellent_share=0), 10, 0).grade == "good"


def test_quota_met_or_not_for_the_top_grade():
    rules = _rules()
    met = grade_row(_row(adopted=10, points=100, quota_items=10, quota_points=100), rules, 10, 0)
    assert met.grade == "excellent" and met.quota_met
    short = grade_row(_row(adopted=9, points=100, quota_items=10, quota_points=100), rules, 10, 0)
    assert short.grade == "good" and short.quota_met is False
    low = grade_row(_row(adopted=10, points=99, quota_items=10, quota_points=100), rules, 10, 0)
    assert low.grade == "good"
    assert grade_row(_row(), rules, 10, 0).quota_met is None  # no quota: nothing to meet
    # The office may grade 先进 without the quota.
    assert grade_row(_row(adopted=9, quota_items=10), _rules(excellent_quota=0), 10, 0).grade == (
        "excellent"
    )


def test_criticisms_at_the_lowering_count_and_at_the_cap():
    rules = _rules(criticisms_lower=2, criticisms_cap=3)
    assert [grade_row(_row(), rules, 10, n).grade for n in (0, 1, 2, 3, 4)] == [
        "excellent",
        "excellent",
        "good",
        "fair",
        "fair",
    ]
    cap_only = _rules(criticisms_lower=0, criticisms_cap=3)
    assert grade_row(_row(), cap_only, 10, 2).grade == "excellent"
    assert grade_row(_row(), cap_only, 10, 3).grade == "fair"
    assert grade_row(_row(rank=9, points=5), cap_only, 10, 3).grade == "fair"  # never raised
    never = _rules(criticisms_lower=0, criticisms_cap=0)
    assert grade_row(_row(), never, 10, 9).grade == "excellent"


def test_the_veto_forces_the_lowest_grade_whatever_else():
    veto = Veto(D(2026, 8, 3), "漏报山体滑坡")
    line = grade_row(_row(veto=veto, quota_items=1, quota_points=1), _rules(), 10, 0)
    assert line.grade == "poor" and line.veto_on == "2026-08-03"
    assert line.reasons[-1] == {"code": "veto", "on": "2026-08-03", "reason": "漏报山体滑坡"}


def test_reasons_read_in_chinese(app):
    with app.test_request_context():
        line = grade_row(_row(adopted=8, quota_items=10, quota_points=50), _rules(), 10, 2)
        texts = [reason_text(r) for r in line.reasons]
    assert texts[1].startswith("任务") and "8/10" in texts[1]
    assert "2" in texts[2] and "通报批评" in texts[2]


# ---- the year's evaluation from the year's ranking ----


def test_the_evaluation_grades_the_rows_of_the_years_ranking(county):
    evaluation = evaluate(2026, "township", as_of=AFTER_THE_YEAR)
    rows = ranking(year(2026), "township", today=AFTER_THE_YEAR)
    assert [(line.unit_id, line.rank, line.points) for line in evaluation.lines] == [
        (row.unit_id, row.rank, row.points) for row in rows
    ]
    # A fifth 先进, half at least 良好, the three bottom places (a closed year) 较差.
    assert _grades(evaluation) == {
        "T0": "excellent",
        "T1": "excellent",
        **dict.fromkeys(("T2", "T3", "T4"), "good"),
        **dict.fromkeys(("T5", "T6"), "fair"),
        **dict.fromkeys(("T7", "T8", "T9"), "poor"),
    }
    assert evaluation.counts() == {"excellent": 2, "good": 3, "fair": 2, "poor": 3}


def test_bottom_places_are_not_poor_while_the_year_runs(county):
    grades = _grades(evaluate(2026, "township", as_of=D(2026, 12, 1)))
    assert grades["T9"] == "fair"


def test_a_vetoed_unit_is_poor_and_leaves_the_share_to_the_others(county):
    db.session.add(
        Deduction(
            unit=county["T0"], kind="missed_emergency", occurred_on=D(2026, 7, 1), reason="漏报"
        )
    )
    db.session.flush()
    evaluation = evaluate(2026, "township", as_of=AFTER_THE_YEAR)
    grades = _grades(evaluation)
    # Nine units ranked without a veto: 20% is one place, and T1 now holds the first.
    assert grades["T0"] == "poor" and grades["T1"] == "excellent" and grades["T2"] == "good"
    vetoed = next(line for line in evaluation.lines if line.unit_code == "T0")
    assert vetoed.reasons[-1]["code"] == "veto" and vetoed.reasons[-1]["on"] == "2026-07-01"


def test_the_quota_of_the_year(county):
    db.session.add(Quota(unit=county["T0"], year=2026, items=2, points=100))
    db.session.add(Quota(unit=county["T1"], year=2026, items=1, points=90))
    db.session.flush()
    grades = _grades(evaluate(2026, "township", as_of=AFTER_THE_YEAR))
    assert grades["T0"] == "good"  # 1 of 2 items
    assert grades["T1"] == "excellent"  # exactly met


def test_criticisms_issued_by_the_day_counted(county):
    officer = factories.account("staff")
    for period in ("2026-09", "2026-10"):
        _criticism(county["T0"], period, officer)
    db.session.flush()
    today = clock.today()
    assert _grades(evaluate(2026, "township", as_of=today))["T0"] == "good"
    assert _grades(evaluate(2026, "township", as_of=today - dt.timedelta(days=1)))["T0"] == (
        "excellent"
    )


def test_grade_rules_hold_from_their_day(county):
    db.session.add(GradeRule(key="excellent_share", value=10, valid_from=D(2026, 6, 1)))
    db.session.add(GradeRule(key="excellent_share", value=30, valid_from=D(2027, 1, 1)))
    db.session.flush()
    assert grade_rules(D(2026, 5, 31))["excellent_share"] == 20
    assert grade_rules(D(2026, 6, 1))["excellent_share"] == 10
    # 2026 is graded by the rules of its last day, even when counted in 2027.
    evaluation = evaluate(2026, "township", as_of=AFTER_THE_YEAR)
    assert evaluation.rules["excellent_share"] == 10
    assert _grades(evaluation)["T1"] == "good"
    # While the year runs, by the rules of the day counted.
    assert evaluate(2026, "township", as_of=D(2026, 5, 20)).rules["excellent_share"] == 20


# ---- filing ----


def test_filing_keeps_the_figures_after_a_later_adoption(county):
    officer = factories.account("staff")
    filing = file_evaluation(2026, "township", officer, today=AFTER_THE_YEAR)
    db.session.flush()
    _points(county["T9"], 500, D(2026, 11, 20))  # recorded after filing
    db.session.add(GradeRule(key="excellent_share", value=50, valid_from=D(2026, 1, 1)))
    db.session.flush()
    db.session.expire_all()
    kept = db.session.get(EvaluationFiling, filing.id).evaluation()
    assert _grades(kept)["T9"] == "poor" and kept.lines[-1].points == 10
    assert kept.rules["excellent_share"] == 20
    now = evaluate(2026, "township", as_of=AFTER_THE_YEAR)
    assert _grades(now)["T9"] == "excellent" and now.lines[0].points == 510
    assert "T9镇" in changed_units(kept, now)


def test_filing_again_takes_a_note_and_a_year_not_begun_cannot_be_filed(county):
    officer = factories.account("staff")
    file_evaluation(2026, "township", officer, today=AFTER_THE_YEAR)
    db.session.flush()
    with pytest.raises(FilingError):
        file_evaluation(2026, "township", officer, today=AFTER_THE_YEAR)
    file_evaluation(2026, "township", officer, note="补录采用", today=AFTER_THE_YEAR)
    db.session.flush()
    assert [f.note for f in evaluation_filings(2026, "township")] == ["补录采用", ""]
    assert evaluation_filings(2026) == []  # the evaluation of all units is its own
    with pytest.raises(FilingError):
        file_evaluation(2027, None, officer, today=D(2026, 12, 31))
    with pytest.raises(FilingError):
        file_evaluation(2026, "nowhere", officer, today=AFTER_THE_YEAR)


# ---- the quarterly summary ----


def test_the_quarter_summary_has_the_quarters_ranking_and_criticisms(county):
    _points(county["T9"], 5, D(2026, 4, 1))
    db.session.add(
        Deduction(unit=county["T9"], kind="other", occurred_on=D(2026, 6, 2), reason="x")
    )
    db.session.flush()
    q2 = quarter(D(2026, 4, 1))
    lines = quarter_summary(q2, "township", today=AFTER_THE_YEAR)
    rows = ranking(q2, "township", today=AFTER_THE_YEAR)
    assert [(line.row.unit_id, line.row.points) for line in lines] == [
        (row.unit_id, row.points) for row in rows
    ]
    t9 = next(line.row for line in lines if line.row.unit_code == "T9")
    assert t9.adopted == 2 and t9.by_level["city"] == 2
    assert all(line.criticisms == 0 for line in lines)
    factories.criticism(county["T3"], state="issued", actor=factories.account("staff"))
    db.session.flush()
    now = quarter(clock.today())
    counts = {line.row.unit_code: line.criticisms for line in quarter_summary(now, "township")}
    assert counts["T3"] == 1 and counts["T4"] == 0
    assert all(line.criticisms == 0 for line in quarter_summary(q2, "township"))


def test_a_filed_quarter_keeps_its_figures_and_names_the_units_counted_differently(county):
    officer = factories.account("staff")
    q2 = quarter(D(2026, 4, 1))
    filing = file_quarter(q2, "township", officer, today=D(2026, 7, 5))
    db.session.flush()
    _points(county["T9"], 5, D(2026, 5, 20))  # an adoption of the quarter recorded later
    db.session.expire_all()
    kept = db.session.get(QuarterFiling, filing.id).lines()
    before = {line.row.unit_code: line.row.points for line in kept}
    now = quarter_summary(q2, "township", today=D(2026, 7, 5))
    after = {line.row.unit_code: line.row.points for line in now}
    assert after["T9"] == before["T9"] + 5
    assert {k: v for k, v in before.items() if k != "T9"} == {
        k: v for k, v in after.items() if k != "T9"
    }
    assert changed_quarter_units(kept, now) == ["T9镇"]
    assert changed_quarter_units(kept, kept) == []
    assert kept[0].row.rank == 1 and filing.as_of == D(2026, 7, 5)


def test_a_quarter_is_filed_again_with_a_note_and_not_before_it_begins(county):
    officer = factories.account("staff")
    q2 = quarter(D(2026, 4, 1))
    file_quarter(q2, "township", officer, today=D(2026, 7, 5))
    db.session.flush()
    with pytest.raises(FilingError):
        file_quarter(q2, "township", officer, today=D(2026, 7, 6))
    file_quarter(q2, "township", officer, note="补录采用", today=D(2026, 7, 6))
    db.session.flush()
    assert [f.note for f in quarter_filings(q2, "township")] == ["补录采用", ""]
    assert quarter_filings(q2) == [] and quarter_filings(quarter(D(2026, 1, 1)), "township") == []
    with pytest.raises(FilingError):  # the last day before the quarter
        file_quarter(quarter(D(2026, 7, 1)), "township", officer, today=D(2026, 6, 30))
    file_quarter(quarter(D(2026, 7, 1)), "township", officer, today=D(2026, 7, 1))
    with pytest.raises(FilingError):
        file_quarter(year(2026), "township", officer, today=AFTER_THE_YEAR)
    with pytest.raises(FilingError):
        file_quarter(q2, "nowhere", officer, today=D(2026, 7, 5))


def test_the_quarter_counts_criticisms_issued_by_the_day_counted(county):
    staff = factories.account("staff")
    notice = factories.criticism(county["T3"], state="issued", actor=staff)
    db.session.flush()
    issued_on = clock.local_date(notice.issued_at)
    period = quarter(issued_on)
    counts = {
        line.row.unit_code: line.criticisms
        for line in quarter_summary(period, "township", today=issued_on)
    }
    assert counts["T3"] == 1
    if issued_on > period.start:
        before = issued_on - dt.timedelta(days=1)
        counts = {
            line.row.unit_code: line.criticisms
            for line in quarter_summary(period, "township", today=before)
        }
        assert counts["T3"] == 0
