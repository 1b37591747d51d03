"""The ranking bulletin (《信息工作通报》): drafted from the ranking's own rows, numbered per
year once issued and kept as filed, readable by the roles the ranking is, and printed as a
workbook to the office's standards (read back with openpyxl)."""

import datetime as dt
import io
import re
import threading

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from models import (
    Account,
    AuditEntry,
    Bulletin,
    Deduction,
    DocumentNumber,
    Notice,
    RuleError,
    Unit,
    clock,
    db,
)
from models.audit import acting_as
from models.bulletins import BULLETIN_STATES, draft_bulletin, issue_bulletin, redraft
from models.criticism import CRITICISM_STATES
from models.notice_plan import NoticeRules
from models.notice_scan import record_due_notices
from models.periods import parse_period
from tests import factories

PERIOD = "2026-10"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def month(app, world):
    """October 2026 of six townships: adoptions at every level, a tie, a missed report
    (veto), a unit with nothing adopted; September for the movement."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        others = [factories.unit(name=f"丙{n}镇", code=f"C{n}") for n in range(4)]
        county, city, province = (
            factories.publication(name=f"刊{level}", level=level, points=points)
            for level, points in (("county", 2), ("city", 5), ("province", 10))
        )
        plan = {
            a: [(county, 1), (city, 2), (province, 3)],
            b: [(county, 4), (county, 5)],
            others[0]: [(city, 6)],
            others[1]: [(city, 7)],
            others[2]: [(county, 8)],
        }
        for unit, adoptions in plan.items():
            for publication, day in adoptions:
                on = dt.date(2026, 10, day)
                report = factories.report(unit, submitted_at=clock.start_of(on))
                factories.adoption(report, publication, adopted_on=on)
        # September: others[2] led, A was last; October turns that round.
        for n, unit in enumerate((others[2], others[1], b)):
            on = dt.date(2026, 9, 10)
            report = factories.report(unit, submitted_at=clock.start_of(on))
            factories.adoption(report, factories.publication(points=30 - n), adopted_on=on)
        db.session.add(
            Deduction(
                unit=b,
                kind="missed_emergency",
                reason="漏报火情",
                occurred_on=dt.date(2026, 10, 20),
            )
        )
        db.session.commit()
        return {"a": a.id, "b": b.id, "empty": others[3].name}


def _draft(client, period=PERIOD, group="township"):
    return client.post("/admin/bulletins/draft/", data={"period": period, "group": group})


def _bulletin_id(response):
    assert response.status_code == 302, response.data[:300]
    return int(re.search(r"id=(\d+)", response.headers["Location"]).group(1))


def _issue(client, bulletin_id):
    return client.post(f"/admin/bulletins/issue/?id={bulletin_id}")


def test_the_draft_is_the_ranking_pages_rows_and_says_what_they_say(app, as_role, month):
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff))
    ranking = staff.get(f"/admin/ranking/?period={PERIOD}&group=township&format=json").get_json()
    with app.app_context():
        bulletin = db.session.get(Bulletin, bulletin_id)
        assert bulletin.state == "draft" and bulletin.number is None
        assert bulletin.rows == ranking["rows"]  # the same rows, not a second computation
        text = bulletin.text
    rows = ranking["rows"]
    adopted = sum(r["adopted"] for r in rows)
    assert f"参加排名的{len(rows)}个单位（乡镇街道组）共报送信息" in text
    assert f"被采用{adopted}条，其中省级1条、市级3条、县级4条" in text
    assert f"共得{sum(r['points'] for r in rows)}分" in text
    first = [r for r in rows if r["rank"] == 1]
    assert f"排名前列的单位是：{first[0]['unit']}（{first[0]['points']}分）" in text
    last = [r for r in rows if r["bottom"]]
    assert last and all(r["unit"] in text.split("排名靠后的单位是：")[1] for r in last)
    best = max(r["movement"] for r in rows if r["movement"] is not None)
    assert f"进步最快，前进{best}位" in text
    assert "乙镇于2026年10月20日漏报紧急信息（漏报火情），本年度信息工作考核实行一票否决" in text
    assert f"本期没有信息被采用的单位：{month['empty']}" in text
    # Drafting the same period and group again opens the same draft.
    assert _bulletin_id(_draft(staff)) == bulletin_id


def test_issue_numbers_are_given_once_per_year_and_kept(app, world, month):
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        period = parse_period(PERIOD)
        first = draft_bulletin(period, "township", staff)
        second = draft_bulletin(parse_period("2026-09"), "township", staff)
        db.session.flush()
        issue_bulletin(first, staff, now=dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC))
        issue_bulletin(second, staff, now=dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC))
        db.session.commit()
        assert [(b.year, b.number.serial) for b in (first, second)] == [(2026, 1), (2026, 2)]
        assert first.number_text == "2026年第1期" and second.number_text == "2026年第2期"
        # Issuing again refuses and gives nothing; a new year starts at 1.
        with pytest.raises(RuleError):
            issue_bulletin(first, staff)
        db.session.rollback()
        third = draft_bulletin(parse_period("2026-Q4"), "township", staff)
        db.session.flush()
        issue_bulletin(third, staff, now=dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC))
        db.session.commit()
        assert third.number_text == "2027年第1期"
        # The database refuses a number twice in a year.
        db.session.add(DocumentNumber(kind="bulletin", year=2026, serial=2, issued_at=clock.now()))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        # A draft may not be issued without text; an issued bulletin is not drafted again.
        fourth = draft_bulletin(parse_period("2026-08"), "township", staff)
        fourth.text = "  "
        db.session.flush()
        with pytest.raises(RuleError):
            issue_bulletin(fourth, staff)
        db.session.rollback()
        with pytest.raises(RuleError):
            redraft(first)
        numbers = db.session.scalars(
            sa.select(DocumentNumber.serial).filter_by(kind="bulletin", year=2026)
        ).all()
        assert sorted(numbers) == [1, 2]  # nothing spent by the refusals


def test_an_issued_bulletin_stays_as_filed(app, as_role, world, month):
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff))
    edited = "本月信息工作通报正文（已修改）。"
    response = staff.post(f"/admin/bulletins/edit/?id={bulletin_id}", data={"text": edited})
    assert response.status_code == 302
    assert _issue(staff, bulletin_id).status_code == 302
    with app.app_context():
        bulletin = db.session.get(Bulletin, bulletin_id)
        kept = (bulletin.number_text, bulletin.text, bulletin.rows, bulletin.issued_by_name)
        assert kept[1] == edited and kept[0] == f"{clock.today().year}年第1期"
        # A late adoption changes the ranking, not the issued bulletin.
        report = factories.report(db.session.get(Unit, world.unit_a))
        factories.adoption(
            report, factories.publication(points=50), adopted_on=dt.date(2026, 10, 30)
        )
        db.session.commit()
    assert (
        staff.post(f"/admin/bulletins/edit/?id={bulletin_id}", data={"text": "x"}).status_code
        == 403
    )
    assert staff.post("/admin/bulletins/delete/", data={"id": bulletin_id}).status_code == 403
    assert staff.post(f"/admin/bulletins/redraft/?id={bulletin_id}").status_code == 302
    assert _issue(staff, bulletin_id).status_code == 302
    with app.app_context():
        bulletin = db.session.get(Bulletin, bulletin_id)
        assert (bulletin.number_text, bulletin.text, bulletin.rows, bulletin.issued_by_name) == kept
    page = staff.get(f"/admin/bulletins/document/?id={bulletin_id}").get_data(as_text=True)
    assert kept[0] in page and edited in page and "staff" in page
    listing = staff.get("/admin/bulletins/").get_data(as_text=True)
    assert kept[0] in listing and f"/admin/bulletins/document/?id={bulletin_id}" in listing
    ranking = staff.get(f"/admin/ranking/?period={PERIOD}&group=township").get_data(as_text=True)
    assert f"通报 {kept[0]}" in ranking


def test_who_reads_which_bulletin(app, as_role, world, month):
    staff = as_role("staff")
    draft_id = _bulletin_id(_draft(staff, "2026-09"))
    issued_id = _bulletin_id(_draft(staff))
    _issue(staff, issued_id)
    with app.app_context():
        factories.unit(code="DEPT", ranking_group="department")
        db.session.commit()
    department_id = _bulletin_id(_draft(staff, group="department"))
    _issue(staff, department_id)
    document = "/admin/bulletins/document/?id={}".format
    for role in ("admin", "staff"):
        client = as_role(role)
        assert all(client.get(document(i)).status_code == 200 for i in (draft_id, issued_id))
    leader = as_role("leader")
    assert leader.get(document(issued_id)).status_code == 200
    assert leader.get(f"/admin/bulletins/workbook/?id={issued_id}").status_code == 200
    assert leader.get(document(draft_id)).status_code == 404  # a draft is the office's
    assert _draft(leader).status_code == 403
    assert _issue(leader, draft_id).status_code == 403
    assert leader.post(f"/admin/bulletins/edit/?id={draft_id}", data={"text": "x"}).status_code in (
        302,
        403,
        404,
    )
    with app.app_context():
        assert db.session.get(Bulletin, draft_id).text != "x"
    unit = as_role("unit")
    assert unit.get("/admin/bulletins/").status_code == 403
    assert unit.get(document(issued_id)).status_code == 403
    app.config["RANKING_OPEN_TO_UNITS"] = True
    assert unit.get(document(issued_id)).status_code == 200
    assert unit.get(document(department_id)).status_code == 404  # another group's
    assert unit.get(document(draft_id)).status_code == 404
    assert _draft(unit).status_code == 403
    listing = unit.get("/admin/bulletins/").get_data(as_text=True)
    assert f"document/?id={issued_id}" in listing and f"document/?id={department_id}" not in listing


def test_bad_input_gives_a_message(app, as_role, world):
    staff = as_role("staff")
    for period in ("2026-10-01..2026-10-05", "2026-13", "0001", "x" * 500):
        response = _draft(staff, period)
        assert response.status_code == 302 and "/admin/ranking/" in response.headers["Location"]
    assert _draft(staff, group="nowhere").status_code == 302
    assert staff.get("/admin/bulletins/document/?id=99999999999").status_code == 404
    assert staff.get("/admin/bulletins/workbook/?id=abc").status_code == 404
    with app.app_context():
        assert Bulletin.query.count() == 0


def _workbook(client, bulletin_id):
    response = client.get(f"/admin/bulletins/workbook/?id={bulletin_id}")
    assert response.status_code == 200 and response.mimetype == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _scale(sheet):
    """The share of its size the sheet prints at to fit A4 landscape's width: the columns'
    width in pixels (Excel: 7 a character plus 5) against 297 mm less the margins."""
    pixels = sum(int(d.width * 7 + 5) for d in sheet.column_dimensions.values() if d.width)
    printable = (297 / 25.4 - sheet.page_margins.left - sheet.page_margins.right) * 96
    return min(1, printable / pixels)


def test_the_bulletins_workbook_is_printed_to_the_standards(app, as_role, month):
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff))
    _issue(staff, bulletin_id)
    book = _workbook(staff, bulletin_id)
    reader, full = book.worksheets
    year = clock.today().year
    assert [reader.title, full.title] == ["2026年10月", "2026年10月全表"]
    for sheet in (reader, full):
        title = sheet["A1"]
        assert title.value == f"关于2026年10月（乡镇街道组）信息工作情况的通报 {year}年第1期"
        width = len([c for c in sheet[3] if c.value])
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert title.font.name == "黑体" and f"A1:{get_column_letter(width)}1" in merged
        assert sheet.print_title_rows == "$3:$3"  # the header row on every page
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        setup = sheet.page_setup  # fitToWidth left out means 1
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        header = [c.value for c in sheet[3] if c.value]
        assert "单位代码" not in header and "单位" in header
        assert all(
            c.font.name == "黑体" and c.alignment.horizontal == "center"
            for c in sheet[3]
            if c.value
        )
        body = sheet[4]
        assert body[1].font.name == "仿宋" and body[1].value
        numbers = [c for c in body if isinstance(c.value, int)]
        assert numbers and all(c.alignment.horizontal == "center" for c in numbers)
        assert not any(
            re.fullmatch(r"C\d|A|B", str(c.value)) for row in sheet.iter_rows() for c in row
        )
        assert _scale(sheet) >= 0.85, "the type is squeezed to fit the page"
    assert header != [c.value for c in reader[3] if c.value]
    assert [c.value for c in reader[3]][:2] == ["名次", "单位"] and len(reader[3]) == 10
    assert len(full[3]) >= 17
    # The vetoed unit is marked in the reader's table, and the filing block names the issuer.
    remarks = {row[1].value: row[9].value for row in reader.iter_rows(min_row=4) if row[1].value}
    assert remarks["乙镇"].startswith("本年度已一票否决")
    assert any("填报人：staff" in str(c.value) for row in reader.iter_rows() for c in row)


def test_the_rankings_workbook_prints_no_unit_code(app, as_role, month):
    response = as_role("staff").get(f"/admin/ranking/?period={PERIOD}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[3]]
    assert "单位代码" not in header and header[:3] == ["名次", "单位", "报送条数"]
    assert not any(c.value in ("A", "B", "C0") for row in sheet.iter_rows() for c in row)
    numbers = [c for c in sheet[4] if isinstance(c.value, int)]
    assert all(c.alignment.horizontal == "center" for c in numbers)


# ---- the monthly notice and the leader's to-do ----


def test_the_monthly_notice_names_and_links_the_issued_bulletin(app, world, month):
    with app.app_context():
        for unit_id in (world.unit_a, world.unit_b):
            factories.staff(db.session.get(Unit, unit_id), email=f"officer{unit_id}@example.org")
        db.session.commit()
        rules = NoticeRules(bulletin_days=3)
        record_due_notices(dt.date(2026, 11, 1), rules)  # before the bulletin is issued
        before = Notice.query.filter_by(kind="bulletin").first().body
        staff = db.session.get(Account, world.account_ids["staff"])
        bulletin = draft_bulletin(parse_period(PERIOD), "township", staff)
        db.session.flush()
        issue_bulletin(bulletin, staff, now=dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC))
        db.session.commit()
        bulletin_id = bulletin.id
        Notice.query.delete()
        db.session.commit()
        app.config.update(PUBLIC_URL="https://ducha.example.gov.cn/", RANKING_OPEN_TO_UNITS=True)
        record_due_notices(dt.date(2026, 11, 2), rules)
        body = Notice.query.filter_by(kind="bulletin", unit_id=world.unit_a).first().body
    assert "信息工作通报" not in before
    link = f"https://ducha.example.gov.cn/admin/bulletins/document/?id={bulletin_id}"
    assert f"详见《信息工作通报》2026年第1期：{link}。" in body


def test_the_leaders_to_do_shows_last_months_issued_bulletin(app, as_role, world):
    last_month = parse_period(None)
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff, last_month.key))
    leader = as_role("leader")
    home = leader.get("/admin/").get_data(as_text=True)
    assert f"/admin/bulletins/document/?id={bulletin_id}" not in home  # a draft
    _issue(staff, bulletin_id)
    home = leader.get("/admin/").get_data(as_text=True)
    todo = home[home.index('data-kind="bulletin"') :]
    assert f"/admin/bulletins/document/?id={bulletin_id}" in todo
    assert f"{clock.today().isoformat()} 印发" in todo


def test_issuing_is_in_the_audit_trail_with_who_and_the_state(app, world, month):
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        bulletin = draft_bulletin(parse_period(PERIOD), "township", staff)
        db.session.commit()
        with acting_as(staff.username, staff.id):
            issue_bulletin(bulletin, staff)
            db.session.commit()
        (entry,) = AuditEntry.query.filter_by(
            table_name="bulletins", record_id=bulletin.id, action="update"
        ).all()
        assert entry.actor == staff.username and entry.actor_id == staff.id
        assert entry.changes["state"] == ["draft", "issued"]
        assert entry.changes["issued_by_name"] == ["", str(staff)]
        assert entry.changes["number_id"][1] == bulletin.number_id


def test_two_people_issuing_at_once_give_one_number(app, world, month):
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        bulletin = draft_bulletin(parse_period(PERIOD), "township", staff)
        db.session.commit()
        bulletin_id = bulletin.id
        staff_id = staff.id
    start, outcomes = threading.Barrier(2), []

    def issue():
        with app.app_context():
            start.wait(10)
            try:
                bulletin = db.session.get(Bulletin, bulletin_id)
                issue_bulletin(bulletin, db.session.get(Account, staff_id))
                db.session.commit()
                outcomes.append("issued")
            except RuleError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    workers = [threading.Thread(target=issue) for _n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(outcomes) == ["issued", "refused"]
    with app.app_context():
        assert DocumentNumber.query.filter_by(kind="bulletin").count() == 1


def test_text_from_a_browser_is_kept_with_plain_line_ends(app, as_role, month):
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff))
    edited = "第一段。\r\n第二段。\r\n\r\n第三段。"
    response = staff.post(f"/admin/bulletins/edit/?id={bulletin_id}", data={"text": edited})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Bulletin, bulletin_id).text == "第一段。\n第二段。\n\n第三段。"
        # A text saved with CR or CR LF before this was fixed prints as well.
        db.session.execute(
            sa.update(Bulletin).where(Bulletin.id == bulletin_id).values(text="甲\r\n乙\r丙")
        )
        db.session.commit()
    page = staff.get(f"/admin/bulletins/document/?id={bulletin_id}").get_data(as_text=True)
    paragraphs = re.findall(r'<p class="ducha-bulletin-text">(.*?)</p>', page, re.S)
    assert paragraphs == ["甲", "乙", "丙"]


def test_the_states_are_said_as_states_not_as_the_time_column(app, as_role, month):
    with app.test_request_context():
        assert str(BULLETIN_STATES.label("issued")) == "已印发"
        assert str(BULLETIN_STATES.label("draft")) == "草稿"
        assert str(CRITICISM_STATES.label("issued")) == "已印发"
    staff = as_role("staff")
    _issue(staff, _bulletin_id(_draft(staff)))
    listing = staff.get("/admin/bulletins/").get_data(as_text=True)
    assert "已印发" in listing and "印发时间" in listing  # the state, and the time column


def test_drafting_a_period_and_group_issued_already_warns(app, as_role, month):
    staff = as_role("staff")
    first = _bulletin_id(_draft(staff))
    ranking_url = f"/admin/ranking/?period={PERIOD}&group=township"
    assert (
        "data-confirm"
        not in staff.get(ranking_url)
        .get_data(as_text=True)
        .split("ducha-draft-bulletin", 1)[1]
        .split(">", 1)[0]
    )
    page = staff.get(f"/admin/bulletins/document/?id={first}").get_data(as_text=True)
    assert "ducha-issued-alike" not in page
    _issue(staff, first)
    number = f"{clock.today().year}年第1期"
    form = staff.get(ranking_url).get_data(as_text=True).split("ducha-draft-bulletin", 1)[1]
    assert f"本期本组的通报已印发（{number}），仍要起草新的一期吗？" in form.split(">", 1)[0]
    second = _bulletin_id(_draft(staff))
    assert second != first
    page = staff.get(f"/admin/bulletins/document/?id={second}").get_data(as_text=True)
    assert f"本期本组的通报已印发（{number}）" in page
    # Another group's draft of the period is not warned of.
    with app.app_context():
        assert db.session.get(Bulletin, first).issued_alike_warning() == ""
        other = draft_bulletin(parse_period(PERIOD), "", None)
        db.session.flush()
        assert other.issued_alike_warning() == ""
        db.session.rollback()


def test_the_levels_are_in_one_order_everywhere(app, as_role, month):
    staff = as_role("staff")
    bulletin_id = _bulletin_id(_draft(staff))
    levels = ["县级", "市级", "省级", "中央级"]

    def in_order(headers):
        return [h for h in headers if h in levels]

    ranking = staff.get(f"/admin/ranking/?period={PERIOD}&group=township").get_data(as_text=True)
    page = staff.get(f"/admin/bulletins/document/?id={bulletin_id}").get_data(as_text=True)
    reader, full = _workbook(staff, bulletin_id).worksheets
    orders = [
        in_order(re.findall(r"<th[^>]*>([^<]*)</th>", ranking)),
        in_order(re.findall(r"<th[^>]*>([^<]*)</th>", page)),
        in_order([c.value for c in reader[3]]),
        in_order([c.value for c in full[3]]),
    ]
    assert orders[0] and all(order == orders[0] for order in orders), orders
