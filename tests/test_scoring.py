"""The reports rules without HTTP: answers, adoption, scoring, emergencies, quotas,
solicitations."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from models import Adoption, Deduction, Instruction, Quota, Report, ScoreRule, clock, db
from models.emergencies import Veto, emergency_counts, is_late, vetoes
from models.reports import adopt, answer_reports
from models.scoring import quota_progress, rule_value, unit_totals
from models.solicitations import Solicitation, missed_solicitations, zeroed_units
from tests import factories

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _rule(kind, key, value):
    db.session.add(ScoreRule(kind=kind, key=key, value=value))
    db.session.flush()


def test_points_are_stored_at_adoption_and_a_later_table_edit_leaves_them(ctx):
    unit, pub = factories.unit(), factories.publication(points=10)
    first = factories.adoption(factories.report(unit), pub)
    pub.points = 12
    db.session.flush()
    second = factories.adoption(factories.report(unit), pub)
    db.session.commit()
    db.session.expire_all()
    assert (
        db.session.get(Adoption, first.id).points,
        db.session.get(Adoption, second.id).points,
    ) == (10, 12)


def test_research_counts_double_by_the_category_factor(ctx):
    unit, pub = factories.unit(), factories.publication(points=10)
    research = factories.adoption(factories.report(unit, category="research"), pub)
    news = factories.adoption(factories.report(unit, category="news"), pub)
    _rule("factor", "news", 150)
    later_news = factories.adoption(factories.report(unit, category="news"), pub)
    assert (research.points, news.points, later_news.points) == (20, 10, 15)


def test_instruction_bonus_by_leader_level_from_the_table(ctx):
    unit = factories.unit()
    report = factories.report(unit, status="adopted")
    city = Instruction(
        report=report, leader_name="市委书记", leader_level="city", instructed_on=TODAY
    )
    db.session.add(city)
    db.session.flush()
    assert city.points == rule_value("bonus", "city") == 30
    _rule("bonus", "province", 45)
    province = Instruction(
        report=report, leader_name="省长", leader_level="province", instructed_on=TODAY
    )
    db.session.add(province)
    db.session.flush()
    assert province.points == 45
    assert report.points == 75


def test_points_add_up_and_deductions_subtract_within_the_period(ctx):
    a, b = factories.unit(), factories.unit()
    county, city = factories.publication(points=3), factories.publication(points=10)
    report = factories.report(a)
    factories.adoption(report, county, adopted_on=dt.date(2026, 10, 1))
    factories.adoption(report, city, adopted_on=dt.date(2026, 10, 31))
    factories.adoption(factories.report(a), city, adopted_on=dt.date(2026, 11, 1))  # next month
    report.status = "adopted"
    db.session.add(
        Instruction(
            report=report,
            leader_name="书记",
            leader_level="county",
            instructed_on=dt.date(2026, 10, 15),
        )
    )
    db.session.add(
        Deduction(unit=a, kind="content_error", occurred_on=dt.date(2026, 10, 2), reason="差错")
    )
    db.session.flush()
    totals = unit_totals(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert totals[a.id] == {
        "adopted": 2,  # one report adopted twice: two items (条次)
        "adoption_points": 13,
        "bonus": 10,
        "deducted": 2,
        "points": 21,
    }
    assert b.id not in totals


@pytest.mark.parametrize(
    "delay,late",
    [
        (dt.timedelta(hours=2), False),
        (dt.timedelta(hours=2, seconds=1), True),
        (dt.timedelta(minutes=30), False),
    ],
)
def test_late_rule_at_its_boundary(delay, late):
    event = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert is_late(event, event + delay, dt.timedelta(hours=2)) is late


def test_a_late_emergency_report_is_marked_and_deducted_once(ctx):
    unit = factories.unit()
    submitted = clock.now()
    report = factories.report(
        unit,
        category="emergency",
        event_at=submitted - dt.timedelta(hours=3),
        submitted_at=submitted,
    )
    db.session.commit()
    assert report.late
    (deduction,) = Deduction.query.filter_by(report_id=report.id).all()
    assert (deduction.kind, deduction.points, deduction.unit_id) == ("late_emergency", 5, unit.id)
    report.title = "改标题"
    db.session.commit()
    assert Deduction.query.filter_by(report_id=report.id).count() == 1
    report.event_at = submitted - dt.timedelta(hours=1)  # corrected: it was on time
    db.session.commit()
    assert not report.late
    assert Deduction.query.filter_by(report_id=report.id).count() == 0


def test_an_emergency_report_on_time_is_not_late(ctx):
    unit = factories.unit()
    submitted = clock.now()
    report = factories.report(
        unit,
        category="emergency",
        event_at=submitted - dt.timedelta(hours=2),
        submitted_at=submitted,
    )
    db.session.commit()
    assert not report.late and Deduction.query.count() == 0


def test_a_missed_report_vetoes_the_year_of_that_unit_only(ctx):
    a, b = factories.unit(), factories.unit()
    db.session.add(
        Deduction(
            unit=a, kind="missed_emergency", occurred_on=dt.date(2026, 3, 9), reason="漏报火情"
        )
    )
    db.session.add(
        Deduction(unit=b, kind="late_emergency", occurred_on=dt.date(2026, 3, 9), reason="迟报")
    )
    db.session.add(
        Deduction(unit=a, kind="missed_emergency", occurred_on=dt.date(2026, 5, 2), reason="又漏报")
    )
    db.session.flush()
    # The year's first missed report is the veto's date and reason.
    assert vetoes(2026) == {a.id: Veto(dt.date(2026, 3, 9), "漏报火情")}
    assert vetoes(2026, until=dt.date(2026, 3, 9)) == {a.id: Veto(dt.date(2026, 3, 9), "漏报火情")}
    assert vetoes(2026, until=dt.date(2026, 3, 8)) == {}
    assert vetoes(2025) == {}
    march = emergency_counts(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march == {
        a.id: {"late": 0, "missed": 1, "wrong": 0},
        b.id: {"late": 1, "missed": 0, "wrong": 0},
    }
    assert emergency_counts(dt.date(2026, 3, 10), dt.date(2026, 3, 31)) == {}


def test_quota_progress(ctx):
    unit, other = factories.unit(), factories.unit()
    db.session.add(Quota(unit=unit, year=2026, items=24, points=98))
    pub = factories.publication(points=10)
    for day in (dt.date(2026, 1, 5), dt.date(2026, 6, 1), dt.date(2025, 12, 31)):
        factories.adoption(factories.report(unit), pub, adopted_on=day)
    db.session.flush()
    progress = quota_progress(2026, [unit.id, other.id])
    quota, totals = progress[unit.id]
    assert (quota.items, quota.points) == (24, 98)
    assert (totals["adopted"], totals["points"]) == (2, 20)
    assert progress[other.id] == (
        None,
        {"adopted": 0, "adoption_points": 0, "bonus": 0, "deducted": 0, "points": 0},
    )


def test_adopt_takes_the_reports_it_can_and_names_the_rest(ctx):
    unit, pub = factories.unit(), factories.publication()
    good = factories.report(unit, submitted_at=clock.start_of(TODAY - dt.timedelta(days=5)))
    returned = factories.report(
        unit,
        status="returned",
        answer_comment="补充数据",
        submitted_at=clock.start_of(TODAY - dt.timedelta(days=5)),
    )
    assert returned.adoption_warning() is not None and good.adoption_warning() is None
    adopted, problems = adopt([good, returned], pub, 7, TODAY, today=TODAY)
    assert adopted == [good] and list(problems) == [returned.id]
    assert good.status == "adopted" and good.adoptions[0].issue_no == 7
    assert returned.status == "returned" and returned.adoptions == []
    adopted, problems = adopt([good], pub, 8, TODAY, today=TODAY)
    assert adopted == [] and "已被该刊物采用" in str(problems[good.id])
    assert [a.issue_no for a in good.adoptions] == [7]


@pytest.mark.parametrize(
    "adopted_on,expected",
    [
        (TODAY + dt.timedelta(days=1), "不能晚于今天"),
        (TODAY - dt.timedelta(days=10), "早于信息报送日期"),
    ],
)
def test_adoption_dates_must_make_sense(ctx, adopted_on, expected):
    unit, pub = factories.unit(), factories.publication()
    report = factories.report(unit, submitted_at=clock.start_of(TODAY - dt.timedelta(days=5)))
    problem = report.adoption_problem(pub, adopted_on, today=TODAY)
    assert expected in str(problem)


def test_a_publication_adopts_a_report_once(ctx):
    unit, pub = factories.unit(), factories.publication()
    report = factories.report(unit, submitted_at=clock.start_of(TODAY - dt.timedelta(days=5)))
    factories.adoption(report, pub, adopted_on=TODAY)
    assert report.adoption_problem(pub, TODAY, today=TODAY) is not None
    assert report.adoption_problem(factories.publication(), TODAY, today=TODAY) is None


def test_answers_record_who_and_when_and_returned_needs_a_reason(ctx):
    unit, staff = factories.unit(), factories.account("staff")
    report = factories.report(unit)
    with pytest.raises(ValueError):
        report.answer("returned", staff, "  ")
    with pytest.raises(ValueError):
        report.answer("adopted", staff)
    report.answer("returned", staff, "请补充数据")
    assert (report.status, report.answered_by, report.answer_comment) == (
        "returned",
        staff,
        "请补充数据",
    )
    assert report.answered_at is not None
    report.resubmit()
    assert report.status == "received" and report.answered_at is None


@pytest.mark.parametrize(
    "status,offered",
    [
        ("received", ["editing", "not_adopted", "returned"]),
        ("editing", ["not_adopted", "returned"]),
        ("not_adopted", []),
        ("returned", []),
        ("adopted", []),
    ],
)
def test_quick_answers_go_to_reports_still_waiting_for_a_decision(ctx, status, offered):
    comment = "请补充数据" if status == "returned" else None
    report = factories.report(factories.unit(), status=status, answer_comment=comment)
    assert report.quick_answers() == offered
    for answer in ("editing", "not_adopted", "returned"):
        problem = report.quick_answer_problem(answer, "理由")
        assert (problem is None) == (answer in offered), (status, answer, problem)


def test_answer_reports_answers_those_it_may_and_names_the_rest(ctx):
    unit, pub, staff = factories.unit(), factories.publication(), factories.account("staff")
    waiting = [factories.report(unit), factories.report(unit, status="editing")]
    adopted = factories.report(unit, submitted_at=clock.start_of(TODAY - dt.timedelta(days=5)))
    adopt([adopted], pub, 3, TODAY, today=TODAY)
    returned = factories.report(unit, status="returned", answer_comment="补充数据")
    answered, problems = answer_reports([*waiting, adopted, returned], "not_adopted", staff)
    assert answered == waiting and sorted(problems) == sorted([adopted.id, returned.id])
    assert "已采用" in str(problems[adopted.id]) and "退稿" in str(problems[returned.id])
    assert {r.status for r in waiting} == {"not_adopted"}
    assert {r.answered_by for r in waiting} == {staff}
    assert (adopted.status, adopted.answered_by, len(adopted.adoptions)) == ("adopted", None, 1)
    assert (returned.status, returned.answer_comment) == ("returned", "补充数据")
    answered, problems = answer_reports(waiting, "not_adopted", staff)
    assert answered == [] and "已回音：未采用" in str(problems[waiting[0].id])


def test_a_quick_answer_is_one_of_three_and_returning_needs_a_reason(ctx):
    report, staff = factories.report(factories.unit()), factories.account("staff")
    for status, comment, expected in (
        ("returned", "  ", "请填写退稿原因"),
        ("adopted", None, "无效的回音状态"),
        ("received", None, "无效的回音状态"),
    ):
        answered, problems = answer_reports([report], status, staff, comment)
        assert answered == [] and expected in str(problems[report.id])
    assert (report.status, report.answered_at) == ("received", None)
    answer_reports([report], "returned", staff, " 请补充数据 ")
    assert (report.status, report.answer_comment) == ("returned", "请补充数据")


def _solicitation(units, due_on, **kw):
    row = Solicitation(
        topic="秋粮收购情况",
        issued_on=due_on - dt.timedelta(days=10),
        due_on=due_on,
        units=list(units),
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_solicitation_answers_on_time_late_or_not_at_all(ctx):
    a, b, c = factories.unit(), factories.unit(), factories.unit()
    due = dt.date(2026, 9, 30)
    wanted = _solicitation([a, b, c], due)
    factories.report(
        a, solicitation=wanted, submitted_at=clock.start_of(due) + dt.timedelta(hours=23)
    )
    factories.report(
        b, solicitation=wanted, submitted_at=clock.start_of(due + dt.timedelta(days=1))
    )
    states = {unit.id: state for unit, state, _r in wanted.answers()}
    assert states == {a.id: "on_time", b.id: "late", c.id: "missing"}


def test_missing_two_solicitations_zeroes_the_year(ctx):
    a, b = factories.unit(), factories.unit()
    first = _solicitation([a, b], dt.date(2026, 3, 1))
    _solicitation([a, b], dt.date(2026, 6, 1))
    factories.report(b, solicitation=first)
    db.session.flush()
    assert missed_solicitations(2026, today=TODAY) == {a.id: 2, b.id: 1}
    assert zeroed_units(2026, today=TODAY) == {a.id}
    _rule("limit", "missed_solicitations", 3)
    assert zeroed_units(2026, today=TODAY) == set()


def test_a_solicitation_not_yet_due_is_not_missed(ctx):
    a = factories.unit()
    _solicitation([a], TODAY)
    assert missed_solicitations(2026, today=TODAY) == {}


def test_report_rules_refused_by_the_database(ctx):
    unit = factories.unit()
    with pytest.raises(IntegrityError):
        factories.report(unit, category="emergency", event_at=None)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        factories.report(unit, status="returned", answer_comment="")
    db.session.rollback()
    assert Report.query.count() == 0


def test_moving_a_report_to_another_unit_moves_its_points(ctx):
    a, b = factories.unit(), factories.unit()
    today = clock.today()
    submitted = clock.now()
    report = factories.report(
        a, category="emergency", submitted_at=submitted, event_at=submitted - dt.timedelta(hours=3)
    )
    factories.adoption(report, factories.publication(points=10), adopted_on=today)
    report.status = "adopted"
    db.session.add(
        Instruction(report=report, leader_name="书记", leader_level="county", instructed_on=today)
    )
    db.session.commit()
    report.unit_id = b.id
    db.session.commit()
    db.session.expire_all()
    assert {x.unit_id for x in Adoption.query} == {b.id}  # the database cascaded the key
    assert {x.unit_id for x in Instruction.query} == {b.id}
    assert {x.unit_id for x in Deduction.query} == {b.id}
    totals = unit_totals(today, today)
    assert a.id not in totals and totals[b.id]["points"] == 10 + 10 - 5
