"""Deadlines from the rules: `due_on` at its boundaries, the working-day calendar, rule choice."""

import datetime as dt
from types import SimpleNamespace

import pytest

from models import CalendarDay, DeadlineRule, RuleError, WorkCalendar, db
from models.deadlines import add_months, due_on, pick_rule, working_days_after
from models.lifecycle import plan_dates

D = dt.date


def rule(counting, amount):
    return SimpleNamespace(counting=counting, amount=amount)


def working(amount):
    return rule("working_days", amount)


# ---- working days over the 2026 public holidays and their make-up working days ----


def test_national_day_is_skipped_and_the_make_up_saturday_counts():
    # Holidays 1-7 October 2026; Saturday 10 October is a working day.
    calendar = WorkCalendar()
    assert due_on(D(2026, 9, 30), working(1), calendar) == D(2026, 10, 8)
    assert due_on(D(2026, 9, 30), working(2), calendar) == D(2026, 10, 9)
    assert due_on(D(2026, 9, 30), working(3), calendar) == D(2026, 10, 10)
    assert due_on(D(2026, 9, 30), working(4), calendar) == D(2026, 10, 12)
    assert calendar.fallback_years == set()


def test_the_make_up_sunday_before_mid_autumn_counts():
    # Sunday 20 September 2026 is worked; Friday 25 September (Mid-Autumn) is not.
    calendar = WorkCalendar()
    assert due_on(D(2026, 9, 18), working(1), calendar) == D(2026, 9, 20)
    assert due_on(D(2026, 9, 24), working(1), calendar) == D(2026, 9, 28)


def test_spring_festival_and_its_two_make_up_saturdays():
    # Holidays 15-23 February 2026; Saturdays 14 and 28 February are working days.
    calendar = WorkCalendar()
    assert due_on(D(2026, 2, 13), working(1), calendar) == D(2026, 2, 14)
    assert due_on(D(2026, 2, 13), working(2), calendar) == D(2026, 2, 24)
    assert due_on(D(2026, 2, 23), working(5), calendar) == D(2026, 2, 28)
    assert due_on(D(2026, 2, 23), working(6), calendar) == D(2026, 3, 2)


def test_the_day_of_receipt_never_counts():
    calendar = WorkCalendar()
    monday = D(2026, 3, 2)
    assert due_on(monday, working(1), calendar) == D(2026, 3, 3)
    assert due_on(monday, rule("calendar_days", 1), calendar) == D(2026, 3, 3)
    assert working_days_after(D(2026, 3, 6), 1, calendar) == D(2026, 3, 9)  # Friday -> Monday


def test_calendar_days_do_not_skip_holidays():
    assert due_on(D(2026, 9, 30), rule("calendar_days", 15), WorkCalendar()) == D(2026, 10, 15)
    assert due_on(D(2026, 9, 30), rule("calendar_days", 7), WorkCalendar()) == D(2026, 10, 7)


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (D(2026, 3, 15), 1, D(2026, 4, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
    ],
)
def test_a_month_is_the_same_day_or_the_months_last(start, months, expected):
    assert add_months(start, months) == expected
    assert due_on(start, rule("months", months), WorkCalendar()) == expected


# ---- the administrators' table, and a year nothing covers ----


def test_a_kept_day_overrides_the_package():
    calendar = WorkCalendar({D(2026, 10, 9): "holiday", D(2026, 10, 3): "workday"})
    assert due_on(D(2026, 9, 30), working(1), calendar) == D(2026, 10, 3)
    assert due_on(D(2026, 9, 30), working(3), calendar) == D(2026, 10, 10)


def test_a_year_nothing_covers_counts_monday_to_friday_and_says_so():
    calendar = WorkCalendar()
    # Thursday 31 December 2026, then 2027, which chinesecalendar 1.11 does not know.
    assert due_on(D(2026, 12, 30), working(3), calendar) == D(2027, 1, 4)
    assert calendar.fallback_years == {2027}
    assert "2027" in str(calendar.warning())
    assert not calendar.covers(2027) and calendar.covers(2026)


def test_a_year_the_administrators_keep_needs_no_warning():
    calendar = WorkCalendar({D(2027, 1, 1): "holiday"})
    assert due_on(D(2026, 12, 30), working(3), calendar) == D(2027, 1, 5)
    assert calendar.fallback_years == set() and calendar.warning() is None
    assert calendar.covers(2027)


def test_the_calendar_loads_the_kept_days(app):
    with app.app_context():
        db.session.add_all(
            [
                CalendarDay(day=D(2027, 1, 1), kind="holiday", name="元旦"),
                CalendarDay(day=D(2027, 1, 9), kind="workday", name="调休"),
            ]
        )
        db.session.commit()
        calendar = WorkCalendar.load()
    assert not calendar.is_workday(D(2027, 1, 1))
    assert calendar.is_workday(D(2027, 1, 9))  # a Saturday
    assert calendar.is_workday(D(2027, 1, 4)) and calendar.fallback_years == set()


# ---- which rule applies ----


def _rules():
    return [
        SimpleNamespace(
            target="result", leader_level="central", urgent_only=False, counting="c", amount=15
        ),
        SimpleNamespace(
            target="result", leader_level="city", urgent_only=False, counting="m", amount=1
        ),
        SimpleNamespace(
            target="result", leader_level="any", urgent_only=False, counting="c", amount=20
        ),
        SimpleNamespace(
            target="result", leader_level="any", urgent_only=True, counting="c", amount=10
        ),
        SimpleNamespace(
            target="first_progress", leader_level="any", urgent_only=True, counting="c", amount=7
        ),
    ]


def test_a_rule_for_the_level_beats_one_for_any_level():
    rules = _rules()
    assert pick_rule(rules, "result", "central", False).amount == 15
    assert pick_rule(rules, "result", "county", False).amount == 20


def test_an_urgent_rule_beats_the_general_one_only_for_urgent_directives():
    rules = _rules()
    assert pick_rule(rules, "result", "central", True).amount == 10
    assert pick_rule(rules, "first_progress", "city", True).amount == 7
    assert pick_rule(rules, "first_progress", "city", False) is None


def _draft(level="city", urgent=False, received=D(2026, 3, 15)):
    return SimpleNamespace(leader_level=level, urgent=urgent, received_on=received)


def test_plan_dates_from_the_default_rules(app, world):
    with app.app_context():
        rules = DeadlineRule.query.all()
    calendar = WorkCalendar()
    assert plan_dates(_draft("central"), rules, calendar) == (D(2026, 3, 30), None)
    assert plan_dates(_draft("city"), rules, calendar) == (D(2026, 4, 15), None)
    urgent = plan_dates(_draft("province", urgent=True), rules, calendar)
    assert urgent == (D(2026, 3, 30), D(2026, 3, 22))


def test_another_due_date_needs_a_reason(app, world):
    with app.app_context():
        rules = DeadlineRule.query.all()
    calendar = WorkCalendar()
    with pytest.raises(RuleError) as refused:
        plan_dates(_draft("city"), rules, calendar, D(2026, 4, 30))
    assert refused.value.field == "due_reason"
    due, _ = plan_dates(_draft("city"), rules, calendar, D(2026, 4, 30), "市长要求月底前办结")
    assert due == D(2026, 4, 30)
    assert plan_dates(_draft("city"), rules, calendar, D(2026, 4, 15))[0] == D(2026, 4, 15)


def test_without_a_rule_the_due_date_must_be_given():
    with pytest.raises(RuleError):
        plan_dates(_draft("county"), [], WorkCalendar())
    assert plan_dates(_draft("county"), [], WorkCalendar(), D(2026, 5, 1)) == (D(2026, 5, 1), None)
