"""Values beyond what a person can mean are refused where they enter: ids and numbers
beyond the database's INTEGER, dates outside 2000-2099, NUL characters."""

import datetime as dt
from pathlib import Path

import pytest

import config
from models import Assignment, Directive, Quota, Report, Unit, bounds, db
from models.periods import PeriodError, parse_period
from tests.test_views import read
from views.assignment_actions import FORMS

HUGE = "99999999999999999999"
REPORT = {"title": "界外", "category": "news", "author": "李明", "status": "received"}


@pytest.mark.parametrize("value", ["2147483648", str(2**63), HUGE, "-1", "0", "9" * 5000])
def test_an_id_beyond_the_database_answers_404(as_role, world, value):
    client = as_role("staff")
    for page in ("details", "edit"):
        assert client.get(f"/admin/reports/{page}/?id={value}").status_code == 404
    assert client.post("/admin/reports/delete/", data={"id": value}).status_code == 404
    assert client.get(f"/admin/import/run/{value}/").status_code == 404


def test_a_batch_action_skips_ids_the_database_cannot_hold(app, as_role, world):
    response = as_role("staff").post(
        "/admin/reports/action/",
        data={"action": "not_adopted", "rowid": [HUGE, "-5", "x", str(world.report_a)]},
    )
    assert response.status_code == 302
    assert read(app, Report, id=world.report_a)[0].status == "not_adopted"
    assert read(app, Report, id=world.report_b)[0].status == "received"


@pytest.mark.parametrize("page", [HUGE, "-" + HUGE, "-1", str(2**31)])
def test_a_page_no_list_reaches_is_the_first(as_role, world, page):
    response = as_role("staff").get(f"/admin/reports/?page={page}")
    assert response.status_code == 200 and "甲镇信息" in response.get_data(as_text=True)


def test_other_numbers_in_urls_are_read_within_range(as_role, world):
    client = as_role("staff")
    for url in (
        f"/admin/feedback/new/?assignment={HUGE}",
        f"/admin/ranking/?unit={HUGE}",
        f"/admin/deductions/ajax/lookup/?name=report&query=&offset={HUGE}&limit={HUGE}",
        "/admin/deductions/ajax/lookup/?name=report&query=&offset=-1&limit=-1",
    ):
        assert client.get(url).status_code == 200, url


def test_nul_in_a_query_string_answers_400(as_role, world):
    client = as_role("staff")
    for url in ("/admin/reports/?search=a%00b", "/admin/search/?q=%00", "/admin/units/?x%00=1"):
        response = client.get(url)
        assert response.status_code == 400 and "无法处理该请求" in response.get_data(as_text=True)


def test_whole_numbers_and_ids():
    assert bounds.whole_number(" 12 ") == 12
    assert bounds.whole_number(str(bounds.INT_MAX)) == bounds.INT_MAX
    assert bounds.whole_number(str(bounds.INT_MAX + 1)) is None
    assert bounds.whole_number("9" * 5000) is None  # past int()'s digit limit
    assert bounds.whole_number(True) is None
    assert bounds.record_id("0") is None and bounds.record_id("1") == 1


def _filter_arg(app, endpoint, column, operation):
    """The URL argument of a list's filter on `column` doing `operation` (its class name)."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)
    for arg, (_index, flt) in view._filter_args.items():
        if getattr(flt.column, "key", None) == column and type(flt).__name__ == operation:
            return f"flt0_{arg}"
    raise KeyError((endpoint, column, operation))


@pytest.mark.parametrize(
    "endpoint,column,operation,value",
    [
        ("reports", "unit_id", "VisibleRelatedFilter", HUGE),
        ("quotas", "year", "IntEqualFilter", str(2**31)),
        ("audit", "record_id", "IntInListFilter", f"1,{HUGE}"),
        ("audit", "record_id", "IntGreaterFilter", "-" + HUGE),
        ("directives", "received_on", "DateEqualFilter", "0001-01-01"),
        ("directives", "received_on", "DateBetweenFilter", "2026-01-01 to 9999-12-31"),
        ("reports", "submitted_at", "DateTimeSmallerFilter", "9999-12-31 23:59:59"),
        ("assignments", "due_on", "DueWithinFilter", "²"),
    ],
)
def test_a_filter_value_out_of_range_is_left_out_with_a_message(
    app, as_role, world, endpoint, column, operation, value
):
    arg = _filter_arg(app, endpoint, column, operation)
    response = as_role("admin").get(f"/admin/{endpoint}/", query_string={arg: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "不能取值" in page and "已略去" in page


def test_a_filter_message_shows_a_long_value_cut(app, as_role, world):
    arg = _filter_arg(app, "quotas", "year", "IntEqualFilter")
    page = (
        as_role("admin")
        .get("/admin/quotas/", query_string={arg: "9" * 3000})
        .get_data(as_text=True)
    )
    assert f"不能取值 {'9' * 30}…，已略去" in page  # the flash goes in the cookie


@pytest.mark.parametrize(
    "query", ["period=0001", "period=9999-12", "period=0000-Q1", "from=0001-01-01&to=2026-01-01"]
)
def test_a_period_outside_the_years_is_refused_like_one_unread(as_role, world, query):
    client = as_role("staff")
    data = client.get(f"/admin/ranking/?{query}&format=json")
    assert data.status_code == 400 and "不在 2000 年至 2099 年之内" in data.get_json()["error"]
    export = client.get(f"/admin/ranking/?{query}&format=csv")
    assert export.status_code == 400 and "无法处理该请求" in export.get_data(as_text=True)
    page = client.get(f"/admin/ranking/?{query}")
    assert page.status_code == 200 and "无法识别该期间" in page.get_data(as_text=True)


def test_the_first_and_last_periods_rank(as_role, world):
    client = as_role("staff")
    for period in ("2000-01", "2000", "2099-Q4", "2099-12"):
        data = client.get(f"/admin/ranking/?period={period}&format=json").get_json()
        assert data["period"] == period


def test_a_month_report_outside_the_years_shows_this_month(as_role, world):
    page = as_role("staff").get("/admin/directive-report/?month=0001-01").get_data(as_text=True)
    assert "不在 2000 至 2099 年之间" in page


@pytest.mark.parametrize("text", ["0000", "0001-01", "1999-Q4", "2100", "9999-12"])
def test_parse_period_refuses_years_outside(text):
    with pytest.raises(PeriodError):
        parse_period(text)


# ---- forms ----


def _post(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_a_date_outside_the_years_is_refused_in_every_kind_of_form(app, as_role, world, day):
    client = as_role("staff")
    directive = {"number": "B-1", "title": "批示", "leader_name": "李市长", "leader_level": "city"}
    page = _post(client, "/admin/directives/new/", {**directive, "received_on": day})
    assert "请输入 2000-01-01 至 2099-12-31 之间的日期" in page
    page = _post(client, "/admin/reports/new/", {**REPORT, "submitted_at": f"{day} 10:00:00"})
    assert "请输入 2000-01-01 至 2099-12-31 之间的日期" in page
    url = f"/admin/assignments/act/change_due_date/?id={world.assignment_a}"
    page = _post(client, url, {"due_on": day, "reason": "调整"})
    assert "请输入 2000-01-01 至 2099-12-31 之间的日期" in page
    with app.app_context():
        assert Directive.query.filter_by(number="B-1").count() == 0
        assert Report.query.filter_by(title="界外").count() == 0
        assert db.session.get(Assignment, world.assignment_a).due_on.year < 2099


def test_the_first_and_last_days_are_taken(app, as_role, world):
    client = as_role("staff")
    for day in ("2000-01-01", "2099-12-31"):
        response = client.post(
            "/admin/directives/new/",
            data={
                "number": day,
                "title": "批示",
                "leader_name": "李",
                "leader_level": "city",
                "received_on": day,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-800:]


@pytest.mark.parametrize("value", [str(2**31), HUGE, "-" + HUGE])
def test_a_number_beyond_the_database_is_refused(app, as_role, world, value):
    quota = {"unit": world.unit_a, "year": "2026", "items": value, "points": "1"}
    page = _post(as_role("staff"), "/admin/quotas/new/", quota)
    assert "请输入 -2147483648 至 2147483647 之间的整数" in page
    with app.app_context():
        assert Quota.query.count() == 0


def test_nul_is_refused_in_a_form_on_every_database(app, as_role, world):
    # On PostgreSQL the unique check on the code would have asked the database with it.
    client = as_role("staff")
    unit = {
        "code": "N\x00UL",
        "name": "空\x00字符",
        "kind": "township",
        "ranking_group": "township",
    }
    page = _post(client, "/admin/units/new/", unit)
    assert page.count("文本中含有空字符（NUL），无法保存") == 2
    page = _post(client, "/login", {"username": "a\x00", "password": "x"})
    assert "文本中含有空字符" in page
    with app.app_context():
        assert Unit.query.count() == 2


def test_an_unknown_record_in_an_optional_dropdown_is_refused_not_taken_for_none(
    app, as_role, world
):
    with app.app_context():
        db.session.get(Unit, world.unit_b).parent_id = world.unit_a
        db.session.commit()
    unit = {"code": "B", "name": "乙镇", "kind": "township", "ranking_group": "township"}
    for parent in (HUGE, "x", "-1"):
        page = _post(
            as_role("staff"), f"/admin/units/edit/?id={world.unit_b}", {**unit, "parent": parent}
        )
        assert "无效的选择：该记录不存在或您无权查看" in page
    with app.app_context():
        assert db.session.get(Unit, world.unit_b).parent_id == world.unit_a


def test_a_record_holding_a_date_from_before_the_bounds_stays_usable(app, as_role, world):
    """A due date of 9999-12-31 written before these bounds (the upgrade reports such
    rows): pages open, every step answers with a message or works, and the office can
    set a due date the office can mean."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    last = dt.date(9999, 12, 31)
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.due_on = assignment.original_due_on = last
        db.session.commit()
    url = f"/admin/assignments/act/%s/?id={world.assignment_a}"
    later = {"due_on": "2030-01-01", "proposed_due_on": "2030-01-01", "granted_due_on": ""}
    for step in [name for name in FORMS if name != "cancel"]:  # it stays open
        for role in ("unit", "staff"):
            data = {**later, "reason": "理由", "comment": "意见", "subject": "deadline"}
            response = as_role(role).post(url % step, data=data)
            assert response.status_code < 500, (step, role)
    for page in ("/admin/assignments/", f"/admin/assignments/details/?id={world.assignment_a}"):
        assert as_role("staff").get(page).status_code == 200
    response = as_role("admin").post(
        url % "change_due_date", data={"due_on": "2027-01-15", "reason": "纠正"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_a).due_on == dt.date(2027, 1, 15)


@pytest.mark.parametrize("value", ["91", "0", "-3", "9" * 30, "seven", "7.5", "²", "--5", "٣"])
def test_a_setting_outside_its_range_is_refused_at_start(monkeypatch, value):
    monkeypatch.setenv("HOME_DUE_DAYS", value)
    with pytest.raises(ValueError, match="HOME_DUE_DAYS.* from 1 to 90"):
        config.from_environment()


def test_settings_at_their_bounds_are_taken(monkeypatch):
    monkeypatch.setenv("HOME_DUE_DAYS", "90")
    monkeypatch.setenv("CLOSED_MONTH_DAYS", "0")
    settings = config.from_environment()
    assert (settings["HOME_DUE_DAYS"], settings["CLOSED_MONTH_DAYS"]) == (90, 0)


@pytest.mark.parametrize(
    "name",
    [
        "HOME_DUE_DAYS",
        "DUCHA_LIGHT_YELLOW_DAYS",
        "RANKING_BOTTOM_COUNT",
        "DESK_UNSIGNED_DAYS",
        "CLOSED_MONTH_DAYS",
    ],
)
def test_an_extreme_setting_given_to_the_app_is_held_not_a_500(app, as_role, world, name):
    """A value config.py would refuse, set on the app itself (a test, an instance file):
    the home pages and the lists it reaches still open."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for value in (10**30, -(10**30), "x"):
        app.config[name] = value
        for role in ("staff", "leader", "unit"):
            for page in ("/admin/", "/admin/assignments/", "/admin/ranking/"):
                status = as_role(role).get(page).status_code
                assert status in (200, 403), (name, value, role, page, status)


def test_a_setting_is_held_to_its_range(app):
    with app.app_context():
        for value, held in [(10**30, 90), (-5, 1), (30, 30), ("x", 7), (True, 7)]:
            app.config["HOME_DUE_DAYS"] = value
            assert bounds.setting("HOME_DUE_DAYS") == held
    assert bounds.setting("HOME_DUE_DAYS") == 7  # no app: the default


def test_the_readme_shows_each_settings_range_as_config_holds_it():
    """README's configuration table shows the range config.py's one table holds."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for name, (_default, low, high) in config.WHOLE_NUMBERS.items():
        (row,) = [row for row in rows if f"`{name}`" in row.split("|")[1]]
        assert f"{low}–{high}" in row.rstrip(" |").rsplit("|", 1)[1], (name, row)
