"""The directive form's due date (issue 22): the dates the deadline rules give, answered
as JSON by the directive view from the model's deadline function, and refused in Chinese
for a bad value; the form carries the hint that static/ducha.js fills."""

import datetime as dt
import json

import pytest

from models import DeadlineRule, WorkCalendar, db
from models.deadlines import due_on, pick_rule


def _due_dates(client, **args):
    response = client.get("/admin/directives/due-dates/", query_string=args)
    return response.status_code, json.loads(response.data) if response.is_json else None


def _model_dates(app, level, urgent, received_on):
    with app.app_context():
        rules, calendar = DeadlineRule.query.all(), WorkCalendar.load()
        picked = [
            pick_rule(rules, target, level, urgent) for target in ("result", "first_progress")
        ]
        return tuple(due_on(received_on, r, calendar).isoformat() if r else None for r in picked)


@pytest.mark.parametrize(
    ("level", "urgent", "received", "due", "progress"),
    [
        ("city", "0", "2026-09-01", "2026-10-01", None),
        ("county", "0", "2026-01-31", "2026-02-28", None),
        ("central", "0", "2026-09-01", "2026-09-16", None),
        ("province", "1", "2026-09-30", "2026-10-15", "2026-10-07"),
    ],
)
def test_the_due_dates_are_the_models(app, as_role, world, level, urgent, received, due, progress):
    status, answer = _due_dates(
        as_role("staff"), leader_level=level, urgent=urgent, received_on=received
    )
    assert status == 200
    assert (answer["due_on"], answer["progress_due_on"]) == (due, progress)
    day = dt.date.fromisoformat(received)
    assert (due, progress) == _model_dates(app, level, urgent == "1", day)
    assert f"按规定应于 {due} 前办结" in answer["text"]


def test_working_days_skip_the_national_day_holiday(app, as_role, world):
    with app.app_context():
        rule = DeadlineRule.query.filter_by(target="result", leader_level="city").one()
        rule.counting, rule.amount = "working_days", 5
        db.session.commit()
    _status, answer = _due_dates(
        as_role("admin"), leader_level="city", urgent="0", received_on="2026-09-29"
    )
    # 30 Sep; the holiday to 7 Oct; 8, 9, 10 (a Saturday made a working day) and 12 Oct.
    assert answer["due_on"] == "2026-10-12"
    assert (answer["due_on"], None) == _model_dates(app, "city", False, dt.date(2026, 9, 29))


def test_a_year_no_calendar_covers_answers_with_the_warning(app, as_role, world):
    with app.app_context():
        rule = DeadlineRule.query.filter_by(target="result", leader_level="city").one()
        rule.counting, rule.amount = "working_days", 3
        db.session.commit()
    _status, answer = _due_dates(
        as_role("staff"), leader_level="city", urgent="0", received_on="2099-12-30"
    )
    assert answer["due_on"] == "2100-01-04" and "2100" in answer["warning"]


def test_no_rule_says_to_enter_the_date(app, as_role, world):
    with app.app_context():
        DeadlineRule.query.filter_by(target="result", leader_level="county").delete()
        db.session.commit()
    status, answer = _due_dates(
        as_role("staff"), leader_level="county", urgent="0", received_on="2026-09-01"
    )
    assert status == 200 and answer["due_on"] is None and "请填写办理时限" in answer["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"leader_level": "mayor", "received_on": "2026-09-01"}, "请选择批示领导级别"),
        ({"received_on": "2026-09-01"}, "请选择批示领导级别"),
        ({"leader_level": "city", "urgent": "yes", "received_on": "2026-09-01"}, "急件"),
        ({"leader_level": "city"}, "2000-01-01 至 2099-12-31"),
        ({"leader_level": "city", "received_on": "0001-01-01"}, "2000-01-01 至 2099-12-31"),
        ({"leader_level": "city", "received_on": "9999-12-31"}, "2000-01-01 至 2099-12-31"),
        ({"leader_level": "city", "received_on": "2026-02-30"}, "2000-01-01 至 2099-12-31"),
        ({"leader_level": "city", "received_on": "9" * 5000}, "2000-01-01 至 2099-12-31"),
        ({"leader_level": "长" * 10000, "received_on": "2026-09-01"}, "请选择批示领导级别"),
    ],
)
def test_bad_input_answers_400_in_chinese(as_role, world, args, message):
    status, answer = _due_dates(as_role("staff"), **args)
    assert status == 400 and message in answer["error"]


@pytest.mark.parametrize("role", ["leader", "unit"])
def test_only_the_office_asks_for_due_dates(as_role, world, role):
    status, _answer = _due_dates(
        as_role(role), leader_level="city", urgent="0", received_on="2026-09-01"
    )
    assert status == 403


def test_the_directive_form_carries_the_hint_and_the_script(as_role, world):
    for url in ("/admin/directives/new/", f"/admin/directives/edit/?id={world.directive_a}"):
        page = as_role("staff").get(url).get_data(as_text=True)
        assert 'id="ducha-due-hint"' in page and 'data-url="/admin/directives/due-dates/"' in page
        assert "/static/ducha.js" in page
