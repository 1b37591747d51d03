"""The office's month, clicked through in Chromium, in the Chinese interface.

The steps are one story and run in order (a step after a failed one is skipped): the
administrator sets up a new unit and its information officer; the officer submits a
report; staff adopt it with the batch action; the officer sees the answer; the leader's
ranking shows the unit with its points, draws the chart and exports the XLSX; a directive
handed to the unit is overdue in red, the unit reports progress and a signed result, and
staff accept it. The officer typing another unit's record address meets the not-found page.
The demo office (`seed-demo`) is the background: a month among thirty units.
"""

import datetime as dt
import re
from types import SimpleNamespace

import openpyxl
import pytest
from playwright.sync_api import expect

from models import Adoption, Assignment, Publication, Report, Unit, clock, db
from models.deadlines import add_months
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import (
    answer_dialog,
    choose,
    expect_message,
    fill_date,
    log_in,
    log_out,
    menu,
    row,
    save,
    scripts_ready,
)

pytestmark = pytest.mark.steps

UNIT = SimpleNamespace(code="E2E-QS", name="青石镇", leader="赵分管", clerk="钱信息")
OFFICER = SimpleNamespace(
    username="qingshi", name="李青", first_password="first-pass-123", password="qs-own-pass-456"
)
REPORT_TITLE = "青石镇全力推进秋冬种生产"
DIRECTIVE = SimpleNamespace(number="E2E-PS-1", title="关于青石镇秋冬种生产的批示")


@pytest.fixture(scope="module")
def today(records):
    with records.app_context():
        return clock.today()


def test_admin_sets_up_the_unit_and_its_officer(page, screenshot):
    log_in(page, "admin", PASSWORD)
    menu(page, "基础数据", "单位")
    expect(page).to_have_url(re.compile(r"/admin/units/"))
    page.get_by_role("link", name="创建").click()
    page.fill("#code", UNIT.code)
    page.fill("#name", UNIT.name)
    choose(page, "kind", "乡镇/街道")
    choose(page, "ranking_group", "乡镇街道组")
    page.fill("#principal_leader", "孙主要")
    page.fill("#leader_in_charge", UNIT.leader)
    save(page)
    expect_message(page, "创建记录成功")
    expect(row(page, UNIT.code)).to_contain_text(UNIT.name)

    page.goto("/admin/accounts/new/")
    page.fill("#username", OFFICER.username)
    page.fill("#name", OFFICER.name)
    choose(page, "role", "单位信息员")
    choose(page, "unit", UNIT.name)
    page.fill("#new_password", OFFICER.first_password)
    page.check("#must_change_password")
    screenshot(page, "account-form")
    save(page)
    expect_message(page, "创建记录成功")
    expect(row(page, OFFICER.username)).to_contain_text(UNIT.name)
    log_out(page)


def test_officer_sets_a_password_adds_leaders_and_submits_a_report(page, screenshot):
    page.goto("/login")
    page.fill("#username", OFFICER.username)
    page.fill("#password", OFFICER.first_password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/account/password"))
    page.fill("#current", OFFICER.first_password)
    page.fill("#new", OFFICER.password)
    page.fill("#again", OFFICER.password)
    page.get_by_role("button", name="修改密码").click()
    expect_message(page, "密码已修改")

    for name, duty in [(UNIT.leader, "分管领导"), (UNIT.clerk, "信息员")]:
        page.goto("/admin/staff/new/")
        expect(page.locator("#unit")).to_have_count(0)  # the unit is theirs, not a choice
        page.fill("#name", name)
        choose(page, "duty", duty)
        save(page)
        expect(row(page, name)).to_contain_text(UNIT.name)

    page.goto("/admin/reports/new/")
    expect(page.locator("#author")).to_have_value("")  # a person, not the unit's account
    expect(page.locator("#author")).to_have_attribute("placeholder", "撰稿人姓名（必填）")
    page.fill("#title", REPORT_TITLE)
    page.fill("#author", UNIT.clerk)
    choose(page, "category", "动态信息")
    page.fill("#body", "全镇完成秋冬种面积3.2万亩。\n组织农技人员下村指导。")
    screenshot(page, "report-form")
    save(page)
    expect_message(page, "创建记录成功")
    expect(row(page, REPORT_TITLE)).to_contain_text("已收稿")
    expect(row(page, REPORT_TITLE).locator("a[title='编辑记录']")).to_have_count(1)


def test_staff_adopt_the_report_with_the_batch_action(page, records, today, screenshot):
    with records.app_context():
        publication = Publication.query.filter_by(active=True).order_by(Publication.id).first()
        publication_name = publication.name
    log_in(page, "staff", PASSWORD)
    menu(page, "信息工作", "信息稿件")
    page.fill("input[name=search]", REPORT_TITLE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"search="))
    report = row(page, REPORT_TITLE)
    expect(report).to_have_count(1)
    report.locator("input.action-checkbox").check()
    scripts_ready(page)
    page.get_by_role("button", name="批量操作").click()
    page.get_by_role("link", name="批量采用").click()

    expect(page.locator("h5")).to_contain_text("采用 1 条信息")
    expect(row(page, REPORT_TITLE)).to_be_visible()
    page.select_option("#publication", label=publication_name)
    page.fill("#issue_no", "42")
    fill_date(page, "#adopted_on", today)
    screenshot(page, "adopt-form")
    answer_dialog(page, accept=True)
    page.get_by_role("button", name="采用", exact=True).click()
    expect_message(page, f"已将 1 条信息记为被{publication_name}采用")
    with records.app_context():
        adoption = Adoption.query.join(Report).filter(Report.title == REPORT_TITLE).one()
        assert (adoption.issue_no, adoption.adopted_on) == (42, today)


def test_officer_sees_the_answer_on_their_list(page, screenshot):
    log_in(page, OFFICER.username, OFFICER.password)
    page.goto("/admin/reports/")
    ours = row(page, REPORT_TITLE)
    expect(ours).to_contain_text("已采用")
    expect(page.locator("table tbody tr")).to_have_count(1)  # only the unit's own
    # Answered: the unit may read it, no longer change it.
    expect(ours.locator("a[title='查看记录']")).to_have_count(1)
    expect(ours.locator("a[title='编辑记录']")).to_have_count(0)
    screenshot(page, "officer-reports")


def test_ranking_shows_the_unit_with_its_points_chart_and_xlsx(
    page, records, today, screenshot, tmp_path
):
    with records.app_context():
        points = Adoption.query.join(Report).filter(Report.title == REPORT_TITLE).one().points
    assert points > 0
    log_in(page, "leader", PASSWORD)
    page.goto("/admin/ranking/")
    page.get_by_role("link", name="本月").click()
    expect(page.locator("h5").first).to_contain_text(f"{today.year}年{today.month}月")
    unit_row = page.locator(f"tr[data-unit='{UNIT.code}']")
    expect(unit_row).to_contain_text(UNIT.name)
    expect(unit_row.locator("td.font-weight-bold")).to_have_text(str(points))

    bar = page.locator(
        "svg.ducha-chart rect", has=page.locator(f"title:text-is('{UNIT.name}: {points}')")
    )
    expect(bar).to_have_count(1)
    assert float(bar.get_attribute("width")) > 0
    assert page.locator("svg.ducha-chart").first.bounding_box()["height"] > 100
    screenshot(page, "ranking")

    page.select_option("#group", label="乡镇街道组")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("h5").first).to_contain_text("乡镇街道组")
    expect(page.locator(f"tr[data-unit='{UNIT.code}']")).to_be_visible()
    screenshot(page, "ranking-townships")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel").click()
    download = download_info.value
    assert "format=xlsx" in download.url
    assert download.suggested_filename.endswith(".xlsx")
    assert "信息工作通报" in download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    check_ranking_workbook(path, today, points)


def check_ranking_workbook(path, today, points):
    sheet = openpyxl.load_workbook(path).active
    cells = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert f"{today.year}年{today.month}月" in str(cells[0][0])
    header = next(line for line in cells if line and line[0] == "名次")
    assert "单位代码" not in header  # the printed table names units, without their codes
    ours = next(line for line in cells if UNIT.name in line)
    values = dict(zip(header, ours, strict=False))
    assert values["单位"] == UNIT.name
    assert values["采用条数"] == 1
    assert values["得分"] == points
    assert isinstance(values["名次"], int)


def test_staff_hand_a_directive_to_the_unit_and_it_shows_overdue(page, records, today, screenshot):
    received = today - dt.timedelta(days=45)
    log_in(page, "staff", PASSWORD)
    menu(page, "督查工作", "领导批示件")
    page.get_by_role("link", name="创建").click()
    page.fill("#number", DIRECTIVE.number)
    page.fill("#title", DIRECTIVE.title)
    page.fill("#leader_name", "市委 张书记")
    choose(page, "leader_level", "市级")
    fill_date(page, "#received_on", received)
    # The rules' due date shows as soon as the level and the day of receipt are there.
    due = add_months(received, 1)  # the city rule: one month
    expect(page.locator("#ducha-due-hint")).to_have_text(f"按规定应于 {due.isoformat()} 前办结。")
    page.fill("#content", "请青石镇抓紧抓好秋冬种生产，按时报送落实情况。")
    page.get_by_role("button", name=re.compile("添加.*交办事项")).click()
    choose(page, "assignments-0-unit", UNIT.name, search=UNIT.name)
    fill_date(page, "#assignments-0-assigned_on", received)
    screenshot(page, "directive-form")
    save(page)
    expect_message(page, "创建记录成功")

    with records.app_context():
        assignment = Assignment.query.join(Unit).filter(Unit.code == UNIT.code).one()
        overdue_days = (today - assignment.due_on).days
    assert overdue_days > 0
    page.goto(f"/admin/assignments/details/?id={assignment.id}")
    light = page.locator(".ducha-light").first
    expect(light).to_have_text(f"超期 {overdue_days} 天")
    assert_red(light)
    screenshot(page, "assignment-overdue")

    page.goto("/admin/directives/")
    expect(row(page, DIRECTIVE.number).locator(".ducha-light")).to_be_visible()
    assert_red(row(page, DIRECTIVE.number).locator(".ducha-light"))


def assert_red(badge):
    """The badge is drawn in red, whatever its class says."""
    colour = badge.evaluate("e => getComputedStyle(e).backgroundColor")
    red, green, blue = (int(c) for c in re.findall(r"\d+", colour)[:3])
    assert red > 150 and green < 100 and blue < 100, colour


def test_unit_reports_progress_and_a_signed_result(page, records, screenshot):
    with records.app_context():
        assignment_id = Assignment.query.join(Unit).filter(Unit.code == UNIT.code).one().id
    log_in(page, OFFICER.username, OFFICER.password)
    menu(page, "督查工作", "交办事项")
    ours = row(page, DIRECTIVE.title)
    expect(ours.locator(".ducha-light")).to_contain_text("超期")
    ours.locator("a[title='查看记录']").click()  # an icon: its name is the glyph
    expect(page).to_have_url(re.compile(rf"/admin/assignments/details/\?id={assignment_id}"))
    page.locator("form[data-step=acknowledge]").get_by_role("button", name="签收").click()
    expect_message(page, "已保存：签收")

    page.get_by_role("link", name="反馈进展").click()
    page.fill("#text", "已组织农技人员分片包干，完成播种八成。")
    save(page)
    expect_message(page, "创建记录成功")

    page.goto(f"/admin/assignments/details/?id={assignment_id}")
    page.get_by_role("link", name="报送办理结果").click()
    page.fill("#text", "秋冬种生产全面完成，面积3.2万亩，措施和成效如下。")
    # Only the leaders who may sign are offered, with their duty: not the officer.
    signers = page.locator("#signer option")
    expect(signers).to_have_text(["—", f"{UNIT.leader}（分管领导）"])
    choose(page, "signer", f"{UNIT.leader}（分管领导）")
    screenshot(page, "result-form")
    save(page)
    expect_message(page, "创建记录成功")

    page.goto(f"/admin/assignments/details/?id={assignment_id}")
    expect(page.locator("table").first).to_contain_text("已报结")
    # The result waits on the office now: no longer the unit's delay, no longer red.
    expect(page.locator(".ducha-light").first).not_to_contain_text("超期")
    expect(page.locator(".card-header", has_text="签发")).to_contain_text(UNIT.leader)


def test_staff_accept_the_result(page, records, screenshot):
    with records.app_context():
        assignment_id = Assignment.query.join(Unit).filter(Unit.code == UNIT.code).one().id
    log_in(page, "staff", PASSWORD)
    page.goto(f"/admin/assignments/details/?id={assignment_id}")
    step = page.locator("form[data-step=accept]")
    expect(step.locator(".card-title")).to_have_text("审核办结")
    step.locator("textarea").fill("情况属实，同意办结。")
    answer_dialog(page, accept=True)
    step.get_by_role("button", name="办结").click()
    expect_message(page, "已保存：审核办结")
    expect(page.locator("table").first).to_contain_text("已办结")
    timeline = page.locator("table.ducha-timeline tbody tr")
    expect(timeline).to_have_count(5)
    screenshot(page, "assignment-accepted")
    with records.app_context():
        assert db.session.get(Assignment, assignment_id).status == "accepted"


def test_officer_typing_another_units_record_gets_not_found(page, watch, records, screenshot):
    with records.app_context():
        other = Report.query.join(Unit).filter(Unit.code != UNIT.code).first()
        url, title = f"/admin/reports/details/?id={other.id}", other.title
    log_in(page, OFFICER.username, OFFICER.password)
    watch.expect_status(url, 404)
    response = page.goto(url)
    assert response.status == 404
    expect(page.locator("[data-error='404'] h2")).to_have_text("页面或记录不存在")
    expect(page.get_by_text(title)).to_have_count(0)
    screenshot(page, "not-found")
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
