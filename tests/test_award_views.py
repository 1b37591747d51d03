"""Awards over HTTP: the pay table's form, the payment sheet page, its filing and workbook,
and commendations, for each role."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from models import (
    Account,
    AuditEntry,
    AwardFiling,
    Commendation,
    PayRate,
    Publication,
    Unit,
    clock,
    db,
)
from tests import factories

OFFICE = "中共清河县委办公室"


@pytest.fixture
def app_config():
    return {"OFFICE_NAME": OFFICE}


def _year_day(month, day):
    """A day of this year not after today (this year's sheet holds it)."""
    today = clock.today()
    return min(dt.date(today.year, month, day), today)


@pytest.fixture
def paid(app, world):
    """City rate 50.00 from 2000 on; A has two items (李明, 王芳), B one (乙镇的赵强)."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        city = factories.publication(level="city", name="市委快讯")
        db.session.add(
            PayRate(
                kind="adoption",
                level="city",
                amount=Decimal("50.00"),
                valid_from=dt.date(2000, 1, 1),
            )
        )
        for unit, author in ((a, "李明"), (a, "王芳"), (b, "赵强")):
            report = factories.report(unit, author=author, status="adopted")
            factories.adoption(report, city, adopted_on=_year_day(1, 1))
        db.session.commit()
        return city.id


def _workbook(client, query=""):
    response = client.get(f"/admin/award-sheet/export.xlsx{query}")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _values(sheet):
    return [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]


def test_the_office_files_the_sheet_and_every_role_reads_what_it_may(app, as_role, world, paid):
    staff = as_role("staff")
    page = staff.get("/admin/award-sheet/").get_data(as_text=True)
    assert "甲镇" in page and "乙镇" in page and "赵强" in page
    assert "150.00" in page and "ducha-filed" not in page
    assert staff.post("/admin/award-sheet/file/", data={}).status_code == 302
    page = staff.get("/admin/award-sheet/").get_data(as_text=True)
    assert "ducha-filed" in page and "ducha-changed" not in page
    # Leaders and units read; only the office files.
    for role in ("leader", "unit"):
        assert as_role(role).post("/admin/award-sheet/file/", data={"note": "x"}).status_code == 403
    with app.app_context():
        assert AwardFiling.query.count() == 1
    leader_page = as_role("leader").get("/admin/award-sheet/").get_data(as_text=True)
    assert "ducha-filed" in leader_page and "乙镇" in leader_page
    assert 'action="/admin/award-sheet/file/"' not in leader_page
    unit_page = as_role("unit").get("/admin/award-sheet/").get_data(as_text=True)
    assert "甲镇" in unit_page and "李明" in unit_page
    assert "乙镇" not in unit_page and "赵强" not in unit_page and "150.00" not in unit_page
    assert "100.00" in unit_page
    book = _workbook(as_role("unit"))
    text = " ".join(str(v) for sheet in book for row in _values(sheet) for v in row)
    assert "甲镇" in text and "乙镇" not in text and "赵强" not in text


def test_a_late_adoption_after_filing_shows_as_changed_and_the_filed_figures_stay(
    app, as_role, world, paid
):
    staff = as_role("staff")
    staff.post("/admin/award-sheet/file/", data={})
    with app.app_context():
        b = db.session.get(Unit, world.unit_b)
        report = factories.report(b, author="赵强", status="adopted")
        factories.adoption(report, db.session.get(Publication, paid), adopted_on=_year_day(1, 1))
        db.session.commit()
    page = staff.get("/admin/award-sheet/").get_data(as_text=True)
    assert "ducha-changed" in page and "乙镇" in page
    assert "150.00" in page and "200.00" not in page  # as filed
    current = staff.get("/admin/award-sheet/?show=current").get_data(as_text=True)
    assert "200.00" in current
    # Filing again takes a reason.
    again = staff.post("/admin/award-sheet/file/", data={})
    assert "再次报送的原因" in staff.get(again.location).get_data(as_text=True)
    staff.post("/admin/award-sheet/file/", data={"note": "补录乙镇采用"})
    assert "200.00" in staff.get("/admin/award-sheet/").get_data(as_text=True)


def test_the_workbook_is_printed_to_the_office_standards(app, as_role, world, paid):
    staff = as_role("staff")
    staff.post("/admin/award-sheet/file/", data={})
    with app.app_context():
        filer = str(db.session.get(Account, world.account_ids["staff"]))
    book = _workbook(as_role("leader"))
    assert book.sheetnames == ["按单位", "按撰稿人"]
    year = clock.today().year
    for sheet in book:
        assert sheet["A1"].value == f"{year}年度信息稿酬发放表"
        assert sheet["A1"].font.name == "黑体"
        assert sheet["A2"].value.startswith("统计截至 ")
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)
        # No unit code anywhere: codes are internal.
        assert not any(v in ("A", "B") for row in _values(sheet) for v in row)
        rows = _values(sheet)
        total = next(n for n, row in enumerate(rows) if row[:1] == ["合计"])
        assert rows[total][-1] == 150
        block = [text for row in rows[total + 1 :] for text in row]
        assert block[:2] == [f"填报单位：{OFFICE}", f"填报人：{filer}"]
    by_unit = book["按单位"]
    assert [c.value for c in by_unit[3]] == [
        "单位", "县级采用（条）", "市级采用（条）", "省级采用（条）", "中央采用（条）",
        "领导批示", "金额（元）",
    ]  # fmt: skip
    assert [c.value for c in by_unit[4]] == ["甲镇", 0, 2, 0, 0, 0, 100]
    assert by_unit.cell(4, 7).number_format == "0.00"
    assert "A1:G1" in {str(r) for r in by_unit.merged_cells.ranges}
    by_author = book["按撰稿人"]
    assert [c.value for c in by_author[4]][:2] == ["甲镇", "李明"]
    subtotal = [c for c in by_author[6]]
    assert subtotal[0].value == "小计：甲镇" and subtotal[0].font.b
    assert subtotal[-1].value == 100 and subtotal[-1].number_format == "0.00"


def test_the_sheet_as_of_a_day_and_bad_parameters(app, as_role, world, paid):
    staff = as_role("staff")
    year = clock.today().year
    page = staff.get(f"/admin/award-sheet/?year={year}&as_of={year}-01-01").get_data(as_text=True)
    assert f"根据截至 {year}-01-01 的记录统计" in page
    for query in (
        "?year=1999",
        "?year=99999999999999999999",
        "?year=abc",
        f"?year={year}&as_of=2001-02-30",
        f"?year={year}&as_of=9999-12-31",
        f"?year={year}&as_of=" + "9" * 5000,
    ):
        response = staff.get("/admin/award-sheet/" + query)
        assert response.status_code == 200, query
        assert staff.get("/admin/award-sheet/export.xlsx" + query).status_code == 200, query
    assert staff.post("/admin/award-sheet/file/", data={"year": "2999"}).status_code == 302
    with app.app_context():
        assert {f.year for f in AwardFiling.query} == {year}


def test_the_pay_table_form_takes_bounded_amounts_and_keeps_history(app, as_role, world):
    staff = as_role("staff")

    def post(amount, valid_from="2026-01-01"):
        return staff.post(
            "/admin/pay_rates/new/",
            data={
                "kind": "adoption",
                "level": "province",
                "amount": amount,
                "valid_from": valid_from,
            },
        )

    for bad in ("-1", "10000.01", "1.005", "NaN", "Infinity", "1e400", "abc", "9" * 400):
        response = post(bad)
        assert response.status_code == 200, bad
        assert "精确到分" in response.get_data(as_text=True), bad
    assert post("120.50").status_code == 302
    again = post("130.00")  # one line a day
    assert "这一天起用的一行已经存在" in again.get_data(as_text=True)
    assert post("130.00", "2026-07-01").status_code == 302
    with app.app_context():
        rates = [(r.valid_from.month, r.amount) for r in PayRate.query.order_by(PayRate.valid_from)]
        assert rates == [(1, Decimal("120.50")), (7, Decimal("130.00"))]
        entry = AuditEntry.query.filter_by(table_name="pay_rates").first()
        assert entry is not None and entry.action == "create"
    audit = as_role("admin").get("/admin/audit/").get_data(as_text=True)
    assert "稿酬标准" in audit
    # Leaders read the table, cannot change it; units do not see it.
    assert as_role("leader").get("/admin/pay_rates/").status_code == 200
    assert as_role("leader").get("/admin/pay_rates/new/").status_code == 302
    assert as_role("unit").get("/admin/pay_rates/").status_code == 403


def test_commendations_show_on_the_units_and_the_persons_page_to_those_who_may_see(
    app, as_role, world
):
    staff = as_role("staff")
    year = clock.today().year
    response = staff.post(
        "/admin/commendations/new/",
        data={
            "year": str(year - 1),
            "title": "优秀信息员",
            "unit": str(world.unit_a),
            "staff": str(world.staff_a),
            "document_no": "清委办〔2026〕3号",
            "awarded_on": f"{year}-01-01",
        },
    )
    assert response.status_code == 302
    # A person of another unit is refused, with a message; nothing saved.
    refused = staff.post(
        "/admin/commendations/new/",
        data={
            "year": str(year - 1),
            "title": "优秀信息员",
            "unit": str(world.unit_a),
            "staff": str(world.staff_b),
            "document_no": "清委办〔2026〕4号",
            "awarded_on": f"{year}-01-01",
        },
    )
    assert "此人不属于所选单位" in refused.get_data(as_text=True)
    staff.post(
        "/admin/commendations/new/",
        data={
            "year": str(year - 1),
            "title": "信息工作先进单位",
            "unit": str(world.unit_b),
            "document_no": "清委办〔2026〕5号",
            "awarded_on": f"{year}-01-01",
        },
    )
    with app.app_context():
        assert Commendation.query.count() == 2
        b_id = Commendation.query.filter_by(unit_id=world.unit_b).one().id
    unit = as_role("unit")
    person_page = unit.get(f"/admin/staff/details/?id={world.staff_a}").get_data(as_text=True)
    assert "优秀信息员" in person_page and "清委办〔2026〕3号" in person_page
    unit_page = unit.get(f"/admin/units/details/?id={world.unit_a}").get_data(as_text=True)
    assert "优秀信息员" in unit_page and "信息稿酬" in unit_page
    assert "清委办〔2026〕5号" not in unit_page
    listing = unit.get("/admin/commendations/").get_data(as_text=True)
    assert "清委办〔2026〕3号" in listing and "清委办〔2026〕5号" not in listing
    assert unit.get(f"/admin/commendations/details/?id={b_id}").status_code == 404
    assert unit.get("/admin/commendations/new/").status_code == 302
    csv = unit.get("/admin/commendations/export/csv/").get_data(as_text=True)
    assert "优秀信息员" in csv and "清委办〔2026〕5号" not in csv
    leader = as_role("leader")
    assert "清委办〔2026〕5号" in leader.get(f"/admin/units/details/?id={world.unit_b}").get_data(
        as_text=True
    )
    leader.post("/admin/commendations/delete/", data={"id": b_id})
    with app.app_context():
        assert Commendation.query.count() == 2
        assert AuditEntry.query.filter_by(table_name="commendations").count() == 2
