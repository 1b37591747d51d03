"""Rankings: the view's numbers checked against a ranking computed here from the rows."""

import csv
import datetime as dt
import io
import random
import re

import openpyxl
import pytest
import sqlalchemy as sa

from models import Adoption, Deduction, Instruction, Publication, Quota, Unit, clock, db
from models.periods import Period, PeriodError, month, parse_period, quarter, year
from models.ranking import (
    month_points,
    place_by_group,
    ranking,
    standings,
    standings_by_group,
)
from models.solicitations import Solicitation
from tests import factories
from tests.helpers import count_statements

OCT = month(dt.date(2026, 10, 1))


# ---- periods ----


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods_parse(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end, period.key) == (start, end, text)


@pytest.mark.parametrize(
    "text,key",
    [
        ("2026年11月", "2026-11"),
        ("2026年1月份", "2026-01"),
        ("２０２６－１１", "2026-11"),
        ("2026年第4季度", "2026-Q4"),
        ("2026年第一季度", "2026-Q1"),
        ("2026年", "2026"),
        (" 2026 年 3 月 ", "2026-03"),
    ],
)
def test_periods_as_the_pages_write_them_are_read(text, key):
    assert parse_period(text).key == key


def test_a_period_not_read_is_said_in_the_readers_language(app, as_role, world):
    with app.test_request_context():
        for text in ("2026年13月", "2026年第5季度", "x" * 500, "1800年"):
            with pytest.raises(PeriodError) as refused:
                parse_period(text)
            message = str(refused.value)
            assert re.search("[\u4e00-\u9fff]", message) and len(message) < 120, message
            assert "not a period" not in message and "outside the years" not in message
        with pytest.raises(PeriodError, match="结束日期早于开始日期"):
            parse_period(start="2026-10-02", end="2026-10-01")
    client = as_role("staff")
    page = client.get("/admin/ranking/?period=2026年13月").get_data(as_text=True)
    assert "无法识别该期间：“2026年13月”（请写作 2026年10月" in page
    page = client.get("/admin/ranking/?period=2026年11月").get_data(as_text=True)
    assert "无法识别该期间" not in page and "2026年11月" in page
    bulletin = client.post("/admin/bulletins/draft/", data={"period": "2026-13", "group": ""})
    assert "无法识别该期间" in client.get(bulletin.headers["Location"]).get_data(as_text=True)


def test_previous_periods_have_the_same_length():
    assert month(dt.date(2026, 1, 15)).previous() == month(dt.date(2025, 12, 1))
    assert quarter(dt.date(2026, 2, 1)).previous() == quarter(dt.date(2025, 11, 1))
    assert year(2026).previous() == year(2025)
    span = parse_period(start="2026-10-01", end="2026-10-10")
    assert span.previous() == Period("range", dt.date(2026, 9, 21), dt.date(2026, 9, 30))


@pytest.mark.parametrize("text", ["2026-13", "abc", "26-1", "2026-Q5"])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_period_labels_are_the_bulletin_headings():
    assert (OCT.label, quarter(dt.date(2026, 8, 1)).label, year(2026).label) == (
        "2026年10月",
        "2026年第3季度",
        "2026年",
    )


# ---- an independent computation from the rows ----


def expected_ranking(app, start, end, group=None):
    """Points per unit by plain Python over every row, then competition ranks."""
    with app.app_context():
        units = [u for u in Unit.query if u.active and (group is None or u.ranking_group == group)]
        points = {u.code: 0 for u in units}
        by_id = {u.id: u.code for u in units}
        for a in Adoption.query:
            if start <= a.adopted_on <= end and a.report.unit_id in by_id:
                points[by_id[a.report.unit_id]] += a.points
        for i in Instruction.query:
            if start <= i.instructed_on <= end and i.report.unit_id in by_id:
                points[by_id[i.report.unit_id]] += i.points
        for d in Deduction.query:
            if start <= d.occurred_on <= end and d.unit_id in by_id:
                points[by_id[d.unit_id]] -= d.points
    ranks = {
        code: 1 + sum(1 for other in points.values() if other > p) for code, p in points.items()
    }
    return points, ranks


def _random_city(app, seed=5):
    """Units with adoptions, bonuses and deductions spread over Sept-Nov 2026, with ties."""
    rng = random.Random(seed)
    with app.app_context():
        pubs = [factories.publication(points=p) for p in (3, 10, 20)]
        units = [
            factories.unit(ranking_group=rng.choice(["township", "department"])) for _ in range(12)
        ]
        factories.unit(name="无信息单位", ranking_group="township")  # nothing at all
        for unit in units:
            for _ in range(rng.randrange(0, 6)):
                day = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(91))
                report = factories.report(unit, status="adopted", submitted_at=clock.start_of(day))
                factories.adoption(report, rng.choice(pubs), adopted_on=day)
                if rng.random() < 0.2:
                    db.session.add(
                        Instruction(
                            report=report,
                            leader_name="书记",
                            leader_level="city",
                            instructed_on=day,
                        )
                    )
            if rng.random() < 0.3:
                db.session.add(
                    Deduction(
                        unit=unit,
                        kind="content_error",
                        reason="差错",
                        occurred_on=dt.date(2026, 10, rng.randrange(1, 32)),
                    )
                )
        # A tie on purpose, and rows exactly on the first and last day of October.
        tie_a, tie_b = factories.unit(code="TIE-A"), factories.unit(code="TIE-B")
        for unit, day in ((tie_a, dt.date(2026, 10, 1)), (tie_b, dt.date(2026, 10, 31))):
            report = factories.report(unit, submitted_at=clock.start_of(day))
            factories.adoption(report, pubs[2], adopted_on=day)
        db.session.commit()


@pytest.mark.parametrize("period", ["2026-10", "2026-Q4", "2026", "2026-09"])
def test_json_matches_an_independent_ranking(app, as_role, world, period):
    _random_city(app)
    data = as_role("leader").get(f"/admin/ranking/?period={period}&format=json").get_json()
    parsed = parse_period(period)
    points, ranks = expected_ranking(app, parsed.start, parsed.end)
    assert data["period"] == period and data["group"] == "all"
    assert {r["unit_code"]: r["points"] for r in data["rows"]} == points
    assert {r["unit_code"]: r["rank"] for r in data["rows"]} == ranks
    assert [r["rank"] for r in data["rows"]] == sorted(r["rank"] for r in data["rows"])


def test_ties_share_a_rank_and_the_next_rank_skips(app, as_role, world):
    _random_city(app)
    rows = as_role("staff").get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    by_code = {r["unit_code"]: r for r in rows}
    assert by_code["TIE-A"]["points"] == by_code["TIE-B"]["points"] == 20
    assert by_code["TIE-A"]["rank"] == by_code["TIE-B"]["rank"]
    tied_rank = by_code["TIE-A"]["rank"]
    tied = sum(1 for r in rows if r["rank"] == tied_rank)
    after = [r["rank"] for r in rows if r["rank"] > tied_rank]
    assert not after or min(after) == tied_rank + tied


def test_units_with_nothing_appear_with_zero(app, as_role, world):
    _random_city(app)
    rows = as_role("staff").get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    (empty,) = [r for r in rows if r["unit"] == "无信息单位"]
    assert (empty["points"], empty["adopted"], empty["submitted"]) == (0, 0, 0)
    assert empty["rank"] == max(r["rank"] for r in rows if r["points"] == 0)


def test_the_first_and_last_day_belong_to_the_period(app, as_role, world):
    _random_city(app)
    client = as_role("staff")
    october = client.get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    november = client.get("/admin/ranking/?period=2026-11&format=json").get_json()["rows"]
    october = {r["unit_code"]: r for r in october}
    assert october["TIE-A"]["adopted"] == october["TIE-B"]["adopted"] == 1
    assert october["TIE-A"]["submitted"] == october["TIE-B"]["submitted"] == 1
    assert {r["unit_code"]: r["previous_points"] for r in november}["TIE-B"] == 20


def test_movement_against_the_previous_period(app, as_role, world):
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        pub = db.session.get(Publication, world.publication)
        for unit, day in ((a, dt.date(2026, 9, 5)), (b, dt.date(2026, 10, 5))):
            report = factories.report(unit, submitted_at=clock.start_of(day))
            factories.adoption(report, pub, adopted_on=day)
        db.session.commit()
    rows = as_role("staff").get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    by_code = {r["unit_code"]: r for r in rows}
    assert (by_code["B"]["rank"], by_code["B"]["previous_rank"], by_code["B"]["movement"]) == (
        1,
        2,
        1,
    )
    assert (by_code["A"]["rank"], by_code["A"]["previous_rank"], by_code["A"]["movement"]) == (
        2,
        1,
        -1,
    )


def test_a_unit_new_in_the_period_has_no_movement(app, as_role, world):
    with app.app_context():
        factories.unit(code="NEWBIE", created_on=dt.date(2026, 10, 10))
        db.session.commit()
    rows = as_role("staff").get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    (new,) = [r for r in rows if r["unit_code"] == "NEWBIE"]
    assert new["previous_rank"] is None and new["movement"] is None
    page = as_role("staff").get("/admin/ranking/?period=2026-10").get_data(as_text=True)
    assert ">新<" in page


def test_group_ranks_within_the_group(app, as_role, world):
    with app.app_context():
        factories.unit(code="DEPT", ranking_group="department")
        db.session.commit()
    rows = (
        as_role("staff")
        .get("/admin/ranking/?period=2026-10&group=department&format=json")
        .get_json()
    )
    assert rows["group"] == "department"
    assert [r["unit_code"] for r in rows["rows"]] == ["DEPT"]


@pytest.mark.parametrize(
    "period", [("2026-10",), ("2026-Q4",), ("2026",), (None, "2026-09-05", "2026-10-20")]
)
def test_standings_place_as_the_ranking_does(app, world, period):
    """The home page's board reads points alone (`standings`): every unit's place, points,
    veto and bottom mark are the full ranking's, a group at a time or all groups at once."""
    _random_city(app)
    with app.app_context():
        vetoed = db.session.scalars(sa.select(Unit).order_by(Unit.id.desc())).first()
        db.session.add(
            Deduction(
                unit=vetoed,
                kind="missed_emergency",
                reason="漏报",
                occurred_on=dt.date(2026, 10, 9),
            )
        )
        db.session.commit()
        parsed = parse_period(*period)
        after = dt.date(2027, 2, 1)  # every period closed: bottom places are marked

        def placed(rows):
            return [(r.unit_id, r.rank, r.points, r.bottom, r.vetoed) for r in rows]

        every = standings_by_group(parsed, today=after)
        assert set(every) == {"township", "department"}
        for group, rows in every.items():
            expected = placed(ranking(parsed, group, today=after))
            assert any(bottom for *_, bottom, _veto in expected)
            assert placed(rows) == expected
            assert placed(standings(parsed, group, today=after)) == expected


def test_the_boards_two_months_read_at_once_place_as_each_read_alone(app, world):
    """The home page's board reads a month's points and the month before's with one query
    (`month_points`): placed, each month's rows are its standings read alone, and a unit
    created in the month is in its rows only."""
    _random_city(app)
    with app.app_context():
        newcomer = factories.unit(code="NEW", created_on=dt.date(2026, 11, 10))
        day = dt.date(2026, 11, 12)
        report = factories.report(newcomer, submitted_at=clock.start_of(day))
        factories.adoption(report, factories.publication(points=5), adopted_on=day)
        db.session.commit()
        nov, after = month(dt.date(2026, 11, 1)), dt.date(2027, 2, 1)  # both closed

        def placed(groups):
            return {
                group: [(r.unit_id, r.rank, r.points, r.bottom) for r in rows]
                for group, rows in groups.items()
            }

        with count_statements(app) as statements:
            now, before = month_points(nov)
        assert len(statements) == 1
        assert newcomer.id in {r.unit_id for r in now} - {r.unit_id for r in before}
        assert placed(place_by_group(now, nov, after)) == placed(standings_by_group(nov, after))
        assert placed(place_by_group(before, OCT, after)) == placed(standings_by_group(OCT, after))


def test_year_view_zeroes_points_marks_veto_and_shows_quotas(app, as_role, world):
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        pub = factories.publication(points=10)
        factories.adoption(
            factories.report(a, submitted_at=clock.start_of(dt.date(2025, 5, 1))),
            pub,
            adopted_on=dt.date(2025, 5, 2),
        )
        factories.adoption(
            factories.report(b, submitted_at=clock.start_of(dt.date(2025, 5, 1))),
            pub,
            adopted_on=dt.date(2025, 5, 2),
        )
        for due in (dt.date(2025, 3, 1), dt.date(2025, 6, 1)):
            db.session.add(
                Solicitation(
                    topic="约稿", issued_on=due - dt.timedelta(days=5), due_on=due, units=[a]
                )
            )
        db.session.add(
            Deduction(
                unit=b, kind="missed_emergency", reason="漏报", occurred_on=dt.date(2025, 8, 1)
            )
        )
        db.session.add(Quota(unit=b, year=2025, items=10, points=40))
        db.session.commit()
    rows = as_role("staff").get("/admin/ranking/?period=2025&format=json").get_json()["rows"]
    by_code = {r["unit_code"]: r for r in rows}
    assert by_code["A"]["zeroed"] and by_code["A"]["points"] == 0
    assert by_code["B"]["vetoed"] and by_code["B"]["missed"] == 1
    assert (by_code["B"]["quota_items"], by_code["B"]["quota_points"]) == (10, 40)


def test_the_bottom_places_are_marked(app, as_role, world):
    _random_city(app)
    app.config["RANKING_BOTTOM_COUNT"] = 2
    rows = as_role("staff").get("/admin/ranking/?period=2026-10&format=json").get_json()["rows"]
    bottom = [r for r in rows if r["bottom"]]
    assert len(bottom) >= 2
    assert min(r["rank"] for r in bottom) == rows[-2]["rank"]


def test_xlsx_is_laid_out_for_printing(app, as_role, world):
    with app.app_context():
        unit = factories.unit(name="=1+1", code="F1")
        report = factories.report(unit, submitted_at=clock.start_of(dt.date(2026, 10, 3)))
        factories.adoption(
            report, factories.publication(points=10), adopted_on=dt.date(2026, 10, 3)
        )
        db.session.commit()
    response = as_role("staff").get("/admin/ranking/?period=2026-10&format=xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''2026%E5%B9%B410%E6%9C%88" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "2026年10月 信息工作通报"
    # The printed table names units; the code is the CSV's.
    assert [c.value for c in sheet[3]][:4] == ["名次", "单位", "报送条数", "采用条数"]
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    first = [c for c in sheet[4]]
    assert (first[0].value, first[1].value, first[11].value) == (1, "=1+1", 10)
    assert first[1].data_type == "s"
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "合计" and last[11] == 10


def test_csv_has_a_bom_and_decodes(app, as_role, world):
    response = as_role("staff").get("/admin/ranking/?period=2026-10&format=csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["名次", "单位代码", "单位"]
    assert {row[2] for row in rows[1:-1]} == {"甲镇", "乙镇"}


def test_a_range_and_a_bad_period(as_role, world):
    client = as_role("staff")
    data = client.get("/admin/ranking/?from=2026-10-01&to=2026-10-15&format=json").get_json()
    assert data["period"] == "2026-10-01..2026-10-15"
    bad = client.get("/admin/ranking/?period=2026-13&format=json")
    assert bad.status_code == 400 and "2026-13" in bad.get_json()["error"]
    page = client.get("/admin/ranking/?period=2026-13")
    assert page.status_code == 200 and "无法识别该期间" in page.get_data(as_text=True)


def test_who_sees_the_ranking(app, as_role, world):
    assert as_role("leader").get("/admin/ranking/?period=2026-10").status_code == 200
    unit = as_role("unit")
    assert unit.get("/admin/ranking/").status_code == 403
    app.config["RANKING_OPEN_TO_UNITS"] = True
    with app.app_context():
        factories.unit(code="DEPT", ranking_group="department")
        db.session.commit()
    data = unit.get("/admin/ranking/?period=2026-10&group=department&format=json").get_json()
    assert data["group"] == "township"
    assert {r["unit_code"] for r in data["rows"]} == {"A", "B"}


def test_page_cost_does_not_grow_with_units(app, as_role, world):
    client = as_role("staff")
    client.get("/admin/ranking/?period=2026-10")
    with count_statements(app) as few:
        client.get("/admin/ranking/?period=2026-10")
    _random_city(app)
    with count_statements(app) as many:
        page = client.get("/admin/ranking/?period=2026-10")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_rank_history_chart(app, as_role, world):
    _random_city(app)
    page = (
        as_role("staff")
        .get(f"/admin/ranking/?period=2026-10&unit={world.unit_a}")
        .get_data(as_text=True)
    )
    assert "甲镇 近12个月名次" in page
    assert page.count("<circle") == 12


def test_every_rendering_of_the_year_places_the_vetoed_unit_alike(app, as_role, world):
    today = clock.today()
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        for unit, points in ((a, 30), (b, 10)):
            report = factories.report(unit, submitted_at=clock.start_of(today))
            factories.adoption(report, factories.publication(points=points), adopted_on=today)
        db.session.add(
            Deduction(unit=a, kind="missed_emergency", reason="漏报火情", occurred_on=today)
        )
        db.session.commit()
    client = as_role("staff")
    base = f"/admin/ranking/?period={today.year}"
    data = client.get(base + "&format=json").get_json()
    assert [(r["unit"], r["rank"], r["veto_on"]) for r in data["rows"]] == [
        ("乙镇", 1, None),
        ("甲镇", 2, today.isoformat()),
    ]
    csv_rows = list(
        csv.reader(io.StringIO(client.get(base + "&format=csv").data.decode("utf-8-sig")))
    )
    veto_column = csv_rows[0].index("一票否决")
    assert [(row[0], row[2]) for row in csv_rows[1:3]] == [("1", "乙镇"), ("2", "甲镇")]
    assert csv_rows[2][veto_column] == f"一票否决，排在最后（{today.isoformat()}：漏报火情）"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + "&format=xlsx").data)).active
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in (4, 5)] == [
        (1, "乙镇"),
        (2, "甲镇"),
    ]
    assert sheet.cell(5, veto_column).value == csv_rows[2][veto_column]  # no code column
    page = client.get(base).get_data(as_text=True)
    table, chart = page.split('class="ducha-chart"', 1)
    assert table.index('data-unit="B"') < table.index('data-unit="A"')
    assert chart.index("乙镇") < chart.index("甲镇")
    assert "一票否决，排在最后</span>" in page and f"{today.isoformat()} 漏报火情" in page
    home = client.get("/admin/").get_data(as_text=True)
    places = home[home.index('data-group="township"') :]
    assert places.index("甲镇") < places.index("本年度已一票否决") < places.index("乙镇")


# ---- at a city's size: the page, the chart, the workbook from the same rows ----


def test_rank_history_ranks_each_month_as_the_months_ranking_does(app, world):
    from models.ranking import rank_history, ranking

    _random_city(app, seed=11)
    with app.test_request_context():
        units = Unit.query.order_by(Unit.id).all()
        for unit in units[:6]:
            for group in (None, unit.ranking_group):
                history = rank_history(unit.id, group, dt.date(2026, 11, 30))
                assert len(history) == 12
                for label, rank in history:
                    period = parse_period(label)
                    row = next((r for r in ranking(period, group) if r.unit_id == unit.id), None)
                    assert rank == (row.rank if row else None), (unit.name, group, label)


def test_the_page_table_and_chart_show_every_row_escaped(app, as_role, world):
    _random_city(app)
    with app.app_context():
        unit = factories.unit(name="<b>粗</b>&镇", code="X&1")
        report = factories.report(unit, submitted_at=clock.start_of(dt.date(2026, 10, 3)))
        factories.adoption(
            report, factories.publication(points=99), adopted_on=dt.date(2026, 10, 3)
        )
        db.session.commit()
    client = as_role("staff")
    data = client.get("/admin/ranking/?period=2026-10&format=json").get_json()
    page = client.get("/admin/ranking/?period=2026-10&group=").get_data(as_text=True)
    assert "<b>粗</b>" not in page
    table, chart = page.split('class="ducha-chart"', 1)
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    assert body.count("<tr ") == len(data["rows"])
    assert 'data-unit="X&amp;1"' in body and "&lt;b&gt;粗&lt;/b&gt;&amp;镇</a>" in body
    assert f"unit={data['rows'][0]['unit_id']}&amp;period=2026-10" in body
    bars = chart[: chart.index("</svg>")]
    assert bars.count("<rect") == len(data["rows"])
    assert "<title>&lt;b&gt;粗&lt;/b&gt;&amp;镇: 99</title>" in bars
    # Bars in the table's order, the longest the first place's.
    assert bars.index("&lt;b&gt;粗") < bars.index(data["rows"][1]["unit"])
    assert 'width="420.0"' in bars


def test_the_workbook_reads_back_as_the_json_at_a_citys_size(app, as_role, world):
    _random_city(app, seed=3)
    client = as_role("staff")
    data = client.get("/admin/ranking/?period=2026-Q4&format=json").get_json()
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/admin/ranking/?period=2026-Q4&format=xlsx").data)
    ).active
    # Title merged over the table, the header repeated on every printed page, a footer.
    assert "A1" in {str(r).split(":")[0] for r in sheet.merged_cells.ranges}
    assert sheet.print_title_rows == "$3:$3"
    assert "&P" in sheet.oddFooter.center.text
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    rows, totals = values[: len(data["rows"])], values[len(data["rows"])]
    assert [(r[0], r[1], r[11]) for r in rows] == [
        (row["rank"], row["unit"], row["points"]) for row in data["rows"]
    ]
    assert totals[0] == "合计" and totals[11] == sum(row["points"] for row in data["rows"])
    assert sheet["B4"].font.name == "仿宋" and sheet["A1"].font.name == "黑体"
