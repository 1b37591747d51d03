"""The pages a unit officer and the clerk open each month: the ranking of the unit's own
group (as far as RANKING_OPEN_TO_UNITS opens it) and the month the monthly pages open on."""

import csv
import datetime as dt
import io

import pytest

from models import clock, db
from models.periods import closed_month_days, month, shown_month
from tests import factories


@pytest.fixture
def other_group(app, world):
    """A department, in another ranking group than the world's two townships."""
    with app.app_context():
        factories.unit(name="县财政局", code="DEPT", kind="county_dept", ranking_group="department")
        db.session.commit()


# ---- A. a unit officer and the ranking ----


def test_a_unit_officer_opens_their_own_groups_ranking(app, as_role, world, other_group):
    app.config["RANKING_OPEN_TO_UNITS"] = True
    client = as_role("unit")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'data-key="rank"' in home and "本单位本月排名" in home  # the home's rank line
    page = client.get("/admin/ranking/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "甲镇" in text and "乙镇" in text and "县财政局" not in text
    # Asking for another group gives the unit's own group, on the page and in every file.
    text = client.get("/admin/ranking/?group=department").get_data(as_text=True)
    assert "县财政局" not in text and "甲镇" in text
    data = client.get("/admin/ranking/?group=department&format=json").get_json()
    assert data["group"] == "township"
    assert {row["unit_code"] for row in data["rows"]} == {"A", "B"}
    body = client.get("/admin/ranking/?group=department&format=csv").get_data(as_text=True)
    units = {row[1] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))}
    assert "A" in units and "B" in units and "DEPT" not in units


def test_the_setting_off_closes_the_page_and_the_home_rank_alike(app, as_role, world):
    app.config["RANKING_OPEN_TO_UNITS"] = False
    client = as_role("unit")
    for url in ("/admin/ranking/", "/admin/ranking/?format=csv", "/admin/ranking/?format=json"):
        assert client.get(url).status_code == 403
    home = client.get("/admin/").get_data(as_text=True)
    assert "本月排名" not in home and 'data-key="rank"' not in home
    # The office and leaders see it whatever the setting.
    assert as_role("leader").get("/admin/ranking/").status_code == 200
    assert as_role("staff").get("/admin/ranking/").status_code == 200


# ---- B. the month the monthly pages open on ----


@pytest.mark.parametrize(
    "today,closed_days,shown",
    [
        (dt.date(2026, 12, 3), 10, dt.date(2026, 11, 1)),  # the clerk files November
        (dt.date(2026, 12, 10), 10, dt.date(2026, 11, 1)),
        (dt.date(2026, 12, 11), 10, dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 15), 10, dt.date(2026, 12, 1)),
        (dt.date(2027, 1, 3), 10, dt.date(2026, 12, 1)),  # across the year
        (dt.date(2026, 12, 1), 0, dt.date(2026, 12, 1)),  # 0: always the current month
    ],
)
def test_the_month_shown(today, closed_days, shown):
    assert shown_month(today, closed_days) == month(shown)


@pytest.mark.parametrize(
    "setting,held", [(10, 10), (-5, 0), (0, 0), (28, 28), (31, 28), (10**20, 28), ("x", 10)]
)
def test_the_setting_is_held_to_a_month(app, setting, held):
    app.config["CLOSED_MONTH_DAYS"] = setting
    with app.app_context():
        assert closed_month_days() == held


def _on(monkeypatch, day):
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=clock.office_zone())
    monkeypatch.setattr(clock, "now", lambda: noon.astimezone(dt.UTC))


@pytest.mark.parametrize(
    "day,label,key",
    [
        (dt.date(2026, 12, 3), "2026年11月", "2026-11"),
        (dt.date(2026, 12, 15), "2026年12月", "2026-12"),
    ],
)
def test_both_monthly_pages_open_on_the_month_the_clerk_works_on(
    app, as_role, world, monkeypatch, day, label, key
):
    _on(monkeypatch, day)
    client = as_role("staff")
    ranking = client.get("/admin/ranking/").get_data(as_text=True)
    assert f"本页显示{label}。" in ranking and f"{label}" in ranking
    assert client.get("/admin/ranking/?format=json").get_json()["period"] == key
    report = client.get("/admin/directive-report/").get_data(as_text=True)
    assert f"本页显示{label}。" in report and f'value="{key}"' in report
    assert "每月前10天默认显示刚结束的上月" in report
