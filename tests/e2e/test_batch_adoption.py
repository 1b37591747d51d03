"""Staff adopt five reports in one go, one of them returned to its unit: the page warns
before anything is chosen, adopts the four and keeps the fifth on the page with the reason."""

import re

from playwright.sync_api import expect

from models import Adoption, Publication, Report, clock
from tests.e2e.helpers import PASSWORD, add_reports
from tests.e2e.ui import answer_dialog, expect_message, fill_date, log_in, menu, row, scripts_ready

PREFIX = "批量采用演练"


def _five_reports(records):
    """Four reports waiting for an answer and one returned to its unit, titled apart."""
    titles = [f"{PREFIX}{n}号" for n in range(1, 6)]
    add_reports(records, titles, days_ago=2, returned=titles[4:])
    with records.app_context():
        return Publication.query.filter_by(active=True).order_by(Publication.id).first().name


def test_batch_adoption_of_five_with_one_returned_adopts_four(page, records, screenshot):
    publication = _five_reports(records)
    log_in(page, "staff", PASSWORD)
    menu(page, "信息工作", "信息稿件")
    page.fill("input[name=search]", PREFIX)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"search="))
    expect(row(page, PREFIX)).to_have_count(5)
    scripts_ready(page)
    page.locator("input.action-rowtoggle").check()
    page.get_by_role("button", name="批量操作").click()
    page.get_by_role("link", name="批量采用").click()

    expect(page.locator(".alert", has_text="其中 1 条不能采用")).to_be_visible()
    expect(row(page, f"{PREFIX}5号")).to_contain_text("须由单位重新报送")
    page.select_option("#publication", label=publication)
    page.fill("#issue_no", "77")
    with records.app_context():
        fill_date(page, "#adopted_on", clock.today())
    screenshot(page, "batch-adoption-warned")
    adopt = page.get_by_role("button", name="采用", exact=True)
    asked = answer_dialog(page, accept=False)
    adopt.click()
    assert asked == ["确定按所选刊物、期号和日期采用这 4 条信息？"]
    assert _adopted(records) == []
    answer_dialog(page, accept=True)
    adopt.click()

    expect_message(page, "已将 4 条信息记为被")
    expect_message(page, "另有 1 条未采用")
    expect(row(page, PREFIX)).to_have_count(1)
    expect(row(page, f"{PREFIX}5号")).to_contain_text("须由单位重新报送")
    screenshot(page, "batch-adoption-done")
    adopted = _adopted(records)
    assert sorted(title for title, _ in adopted) == [f"{PREFIX}{n}号" for n in range(1, 5)]
    assert {issue_no for _, issue_no in adopted} == {77}


def _adopted(records):
    """(title, issue) of each adoption of the drill's reports."""
    with records.app_context():
        adopted = Adoption.query.join(Report).filter(Report.title.startswith(PREFIX))
        return [(a.report.title, a.issue_no) for a in adopted]
