"""The year-end evaluation and quarterly summary pages: who sees what, filing over HTTP, the
printed workbooks read back, and bad input answered with a message."""

import datetime as dt
import io

import openpyxl
import pytest

from models import EvaluationFiling, Unit, clock, db
from models.scoring import Quota
from tests import factories

THIS_YEAR = clock.today().year


def _points(unit_id, points, day=None):
    unit = db.session.get(Unit, unit_id)
    day = day or clock.today().replace(month=1, day=15)
    report = factories.report(unit, status="adopted", submitted_at=clock.start_of(day))
    factories.adoption(report, factories.publication(points=points), adopted_on=day)


@pytest.fixture
def scored(app, world):
    """甲镇 (A) 80 points and 乙镇 (B) 30 this year."""
    with app.app_context():
        _points(world.unit_a, 80)
        _points(world.unit_b, 30)
        db.session.commit()
    return world


def _year_url(**args):
    query = {"year": THIS_YEAR, "group": "township", **args}
    return "/admin/evaluation/?" + "&".join(f"{k}={v}" for k, v in query.items())


def _table(page):
    return page.split('class="table table-sm table-bordered ducha-evaluation"', 1)[1]


def _book(response):
    assert response.status_code == 200, response.data[:300]
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _values(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("role", ["admin", "staff", "leader"])
def test_the_office_and_leaders_see_every_units_grade(as_role, scored, role):
    page = as_role(role).get(_year_url()).get_data(as_text=True)
    assert "甲镇" in page and "乙镇" in page
    assert "先进" in page and "年终总评" in page
    assert ("报送" in page) == (role != "leader")


def test_a_unit_officer_sees_nothing_unless_the_ranking_is_open(app, as_role, scored):
    client = as_role("unit")
    for url in (_year_url(), f"/admin/evaluation/quarter/?period={THIS_YEAR}-Q1"):
        assert client.get(url).status_code == 403
    app.config["RANKING_OPEN_TO_UNITS"] = True
    page = client.get(_year_url(group="department")).get_data(as_text=True)
    assert "甲镇" in page and "乙镇" not in page  # its own group, its own line
    quarter = client.get(f"/admin/evaluation/quarter/?period={THIS_YEAR}-Q1").get_data(as_text=True)
    assert "甲镇" in quarter and "乙镇" not in quarter
    book = _book(client.get(_year_url().replace("/?", "/export.xlsx?")))
    cells = str(_values(book.active))
    assert "甲镇" in cells and "乙镇" not in cells
    assert client.post("/admin/evaluation/file/", data={"year": THIS_YEAR}).status_code == 403


def test_filing_over_http_keeps_the_figures(app, as_role, scored):
    assert (
        as_role("leader").post("/admin/evaluation/file/", data={"year": THIS_YEAR}).status_code
        == 403
    )
    staff = as_role("staff")
    response = staff.post("/admin/evaluation/file/", data={"year": THIS_YEAR, "group": "township"})
    assert response.status_code == 302
    with app.app_context():
        assert EvaluationFiling.query.count() == 1
        _points(scored.unit_b, 100)  # after filing: 乙镇 130, first now
        db.session.commit()
    page = staff.get(_year_url()).get_data(as_text=True)
    assert "ducha-filed" in page and "ducha-changed" in page
    table = _table(page)
    assert table.index("甲镇") < table.index("乙镇")  # the filed order
    current = _table(staff.get(_year_url(show="current")).get_data(as_text=True))
    assert current.index("乙镇") < current.index("甲镇")
    # Filing again takes a note; without one, a message and nothing filed.
    again = staff.post(
        "/admin/evaluation/file/",
        data={"year": THIS_YEAR, "group": "township"},
        follow_redirects=True,
    )
    assert "说明" in again.get_data(as_text=True) or "再次" in again.get_data(as_text=True)
    with app.app_context():
        assert EvaluationFiling.query.count() == 1
    # A year or group that cannot be read files nothing in its place.
    for data in ({"year": "20x6", "group": "township"}, {"year": THIS_YEAR, "group": "x"}, {}):
        refused = staff.post("/admin/evaluation/file/", data={**data, "note": "重报"})
        assert refused.status_code == 302
    with app.app_context():
        assert EvaluationFiling.query.count() == 1


def test_the_years_workbook_prints_to_the_standards(app, as_role, scored):
    book = _book(as_role("staff").get(_year_url().replace("/?", "/export.xlsx?")))
    assert book.sheetnames == [f"{THIS_YEAR}年"]
    sheet = book.active
    rows = _values(sheet)
    header = rows[2]
    assert "年终总评" in rows[0][0] and str(THIS_YEAR) in rows[0][0]
    assert f"A1:{openpyxl.utils.get_column_letter(len(header))}1" in {
        str(r) for r in sheet.merged_cells.ranges
    }
    assert "单位代码" not in header and header[:2] == ["名次", "单位"] and "等次" in header
    cells = [c for row in rows for c in row if c is not None]
    assert "A" not in cells and "B" not in cells  # no unit code anywhere
    body = {row[1]: row for row in rows[3:5]}
    assert body["甲镇"][0] == 1 and body["甲镇"][3] == 80 and body["甲镇"][7] == "先进"
    text = " ".join(str(c) for c in cells)
    assert app.config["OFFICE_NAME"] in text and "填报日期" in text


def test_the_quarter_page_and_workbook(app, as_role, scored):
    client = as_role("leader")
    page = client.get(f"/admin/evaluation/quarter/?period={THIS_YEAR}-Q1&group=township")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "季度小结" in text and "通报批评" in text
    book = _book(client.get(f"/admin/evaluation/quarter/export.xlsx?period={THIS_YEAR}-Q1"))
    assert book.sheetnames == [f"{THIS_YEAR}年第1季度"]
    rows = _values(book.active)
    header = rows[2]
    assert "单位代码" not in header and header[-1] == "通报批评" and "市级" in header
    body = {row[1]: row for row in rows[3:5]}
    assert body["甲镇"][header.index("得分")] == 80
    assert rows[5][0] == "合计" and rows[5][header.index("得分")] == 110


@pytest.mark.parametrize(
    "url",
    [
        "/admin/evaluation/?year=abc",
        "/admin/evaluation/?year=99999",
        "/admin/evaluation/?year=1999",
        "/admin/evaluation/?group=nowhere",
        "/admin/evaluation/export.xlsx?year=-1",
        "/admin/evaluation/quarter/?period=2026-13",
        "/admin/evaluation/quarter/?period=2026",
        "/admin/evaluation/quarter/?period=1800-Q1",
        "/admin/evaluation/quarter/export.xlsx?period=x",
    ],
)
def test_bad_input_gives_a_message_not_an_error(as_role, world, url):
    response = as_role("staff").get(url)
    assert response.status_code == 200, url
    if "export" not in url:
        assert "alert-warning" in response.get_data(as_text=True)


def test_the_grade_rules_screen(app, as_role, world):
    admin = as_role("admin")
    form = {"key": "excellent_share", "value": "101", "valid_from": f"{THIS_YEAR}-01-01"}
    page = admin.post("/admin/grade_rules/new/", data=form).get_data(as_text=True)
    with app.app_context():
        from models import GradeRule

        assert GradeRule.query.count() == 0
    assert "100" in page
    admin.post("/admin/grade_rules/new/", data={**form, "value": "30"})
    with app.app_context():
        assert [(r.key, r.value) for r in GradeRule.query] == [("excellent_share", 30)]
    assert as_role("leader").get("/admin/grade_rules/").status_code == 200
    assert as_role("unit").get("/admin/grade_rules/").status_code == 403
    page = as_role("staff").get(_year_url()).get_data(as_text=True)
    assert "30" in page


def test_menu_and_dates(as_role, world):
    assert dt.date.today().year - 1 <= THIS_YEAR
    assert "年终总评" in as_role("staff").get("/admin/").get_data(as_text=True)


def test_the_english_page_is_punctuated_in_english(app, as_role, scored):
    with app.app_context():
        db.session.add(Quota(unit_id=scored.unit_a, year=THIS_YEAR, items=1, points=10))
        db.session.commit()
    client = as_role("staff")
    chinese = _table(client.get(_year_url()).get_data(as_text=True))
    assert "；任务" in chinese  # 甲镇's reasons: its place, then its quota
    english = client.get(_year_url(lang="en")).get_data(as_text=True)
    assert "Advanced 1, Good" in english
    assert "(Advanced); Quota" in _table(english)
    assert not {"，", "；"} & set(english)


def test_a_filings_note_is_said_in_the_readers_language(as_role, scored):
    client = as_role("staff")
    form = {"year": THIS_YEAR, "group": "township"}
    client.post("/admin/evaluation/file/", data=form)
    client.post("/admin/evaluation/file/", data={**form, "note": "补录采用"})
    assert "说明：补录采用" in client.get(_year_url()).get_data(as_text=True)
    english = client.get(_year_url(lang="en")).get_data(as_text=True)
    assert "Note: 补录采用" in english and "：" not in english


def _quarter_url(**args):
    query = {"period": f"{THIS_YEAR}-Q1", "group": "township", **args}
    return "/admin/evaluation/quarter/?" + "&".join(f"{k}={v}" for k, v in query.items())


def _quarter_table(page):
    return page.split('class="table table-sm table-bordered ducha-quarter"', 1)[1]


def test_a_quarter_filed_over_http_is_shown_and_printed_as_filed(app, as_role, scored):
    from models import QuarterFiling

    form = {"period": f"{THIS_YEAR}-Q1", "group": "township"}
    assert as_role("leader").post("/admin/evaluation/quarter/file/", data=form).status_code == 403
    staff = as_role("staff")
    assert staff.post("/admin/evaluation/quarter/file/", data=form).status_code == 302
    with app.app_context():
        assert QuarterFiling.query.count() == 1
        _points(scored.unit_b, 100)  # after filing: 乙镇 130, first now
        db.session.commit()
    page = staff.get(_quarter_url()).get_data(as_text=True)
    assert "ducha-filed" in page and "ducha-changed" in page
    table = _quarter_table(page)
    assert table.index("甲镇") < table.index("乙镇")  # the filed order
    current = _quarter_table(staff.get(_quarter_url(show="current")).get_data(as_text=True))
    assert current.index("乙镇") < current.index("甲镇")
    rows = _values(_book(staff.get(_quarter_url().replace("/?", "/export.xlsx?"))).active)
    header = rows[2]
    body = {row[1]: row for row in rows[3:5]}
    assert body["乙镇"][header.index("得分")] == 30  # as filed
    # Again without a note: a message, nothing filed; a quarter not read files nothing.
    again = staff.post("/admin/evaluation/quarter/file/", data=form, follow_redirects=True)
    assert "再次报送" in again.get_data(as_text=True) or "说明" in again.get_data(as_text=True)
    for data in ({"period": f"{THIS_YEAR}-13", "group": "township"}, {**form, "group": "x"}, {}):
        refused = staff.post("/admin/evaluation/quarter/file/", data={**data, "note": "重报"})
        assert refused.status_code == 302
    with app.app_context():
        assert QuarterFiling.query.count() == 1
    # A unit officer never files, and sees its own line of the filed quarter alone.
    unit = as_role("unit")
    app.config["RANKING_OPEN_TO_UNITS"] = True
    assert unit.post("/admin/evaluation/quarter/file/", data=form).status_code == 403
    own = unit.get(f"/admin/evaluation/quarter/?period={THIS_YEAR}-Q1").get_data(as_text=True)
    assert "甲镇" in own and "乙镇" not in own
