"""Staff answer reports from the list in one click (不采用 on a row) and return one with
its reason from its page (退稿), the forms carrying their CSRF token in a real browser."""

import re

from playwright.sync_api import expect

from models import Report
from tests.e2e.helpers import PASSWORD, add_reports
from tests.e2e.ui import expect_message, log_in, menu, row, scripts_ready

PREFIX = "快速回音演练"


def _two_reports(records):
    add_reports(records, [f"{PREFIX}{n}号" for n in (1, 2)], days_ago=1)


def test_staff_answer_one_report_from_its_row_and_return_another_from_its_page(
    page, records, screenshot
):
    _two_reports(records)
    log_in(page, "staff", PASSWORD)
    menu(page, "信息工作", "信息稿件")
    page.fill("input[name=search]", PREFIX)
    page.keyboard.press("Enter")
    expect(row(page, PREFIX)).to_have_count(2)
    scripts_ready(page)
    screenshot(page, "reports-quick-answers")
    row(page, f"{PREFIX}1号").locator("button[title='不采用']").click()
    expect_message(page, "已回音：未采用")
    expect(page).to_have_url(re.compile(r"search="))  # back to the same list
    expect(row(page, f"{PREFIX}1号")).to_contain_text("未采用")
    expect(row(page, f"{PREFIX}1号").locator("button[title='不采用']")).to_have_count(0)

    row(page, f"{PREFIX}2号").locator("a[title='退稿']").click()
    expect(page).to_have_url(re.compile(r"/admin/reports/details/.*#answer"))
    page.fill("#answer-comment", "请补充具体数据")
    screenshot(page, "report-answer")
    page.locator("#answer").get_by_role("button", name="退稿").click()
    expect_message(page, "已回音：已退稿")
    with records.app_context():
        returned = Report.query.filter_by(title=f"{PREFIX}2号").one()
        assert (returned.status, returned.answer_comment) == ("returned", "请补充具体数据")
        assert Report.query.filter_by(title=f"{PREFIX}1号").one().status == "not_adopted"
