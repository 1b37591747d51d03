"""通报批评 in the browser: an assignment of 城关镇 is overdue by weeks; staff draft the
criticism notices from the records, open 城关镇's (it names the directive), approve and
issue it (each step asks first), and it takes the year's number; the unit's officer logs
in and finds it under 通报批评 and on the unit's page, with nothing of another unit's."""

import datetime as dt
import re

from playwright.sync_api import expect

from models import CriticismNotice, Notice, Unit, clock, db
from tests import factories
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import (
    answer_dialog,
    expect_message,
    line_lengths,
    log_in,
    log_out,
    menu,
    row,
    scripts_ready,
)

UNIT_CODE = "QH-CG"  # 城关镇, whose officer is the demo's `chengguan`
TITLE = "关于对城关镇领导批示件办理超期的通报批评"


def _overdue_directive(records):
    """A directive of 城关镇 due six weeks ago and never signed for: its number and title."""
    with records.app_context():
        unit = Unit.query.filter_by(code=UNIT_CODE).one()
        due = clock.today() - dt.timedelta(days=42)
        assignment = factories.assignment_due(
            unit, due, number="E2E-通报-1", title="关于城关镇老旧小区改造进度的批示"
        )
        db.session.commit()
        return assignment.directive.number, assignment.directive.title, unit.id


def test_the_office_criticises_an_overdue_unit_which_then_reads_it(page, records, screenshot):
    number, title, unit_id = _overdue_directive(records)
    with records.app_context():  # the demo has issued notices of its own this year
        serial = CriticismNotice.query.filter_by(state="issued").count() + 1
    log_in(page, "staff", PASSWORD)
    menu(page, "督查工作", "通报批评")
    page.get_by_role("link", name="根据记录起草").click()
    expect(page.locator(".ducha-criticism-rules")).to_contain_text("10个工作日")
    page.get_by_role("button", name="起草", exact=True).click()
    expect_message(page, "已起草")

    ours = row(page, TITLE)
    expect(ours).to_contain_text("草稿待审核")
    ours.locator("a[title='查看记录']").click()
    expect(page).to_have_url(re.compile(r"/admin/criticism/details/\?id=\d+"))
    expect(page.locator(".ducha-criticism-records")).to_contain_text(title)
    expect(page.locator("table").first).to_contain_text(number)  # in the drafted text
    screenshot(page, "criticism-draft")

    scripts_ready(page)
    asked = answer_dialog(page, accept=True)
    page.locator("form[data-step=approve]").get_by_role("button", name="批准").click()
    expect_message(page, "已保存：批准通报")
    assert asked and "批准后不能再修改正文" in asked[0]

    scripts_ready(page)
    asked = answer_dialog(page, accept=True)
    page.locator("form[data-step=issue]").get_by_role("button", name="印发并编号").click()
    expect_message(page, "已印发")
    assert asked and "按年度顺序编号" in asked[0]
    with records.app_context():
        notice = CriticismNotice.query.filter_by(unit_id=unit_id, reason="overdue").one()
        issued = str(notice.number)
        assert notice.state == "issued" and re.fullmatch(rf"通报〔\d{{4}}〕{serial}号", issued)
        mail = Notice.query.filter_by(kind="criticism", unit_id=unit_id).all()
        assert mail and len({m.recipient_email for m in mail}) == len(mail)
    expect(page.locator(".ducha-criticism-sent")).to_be_visible()
    log_out(page)

    log_in(page, "chengguan", PASSWORD)
    menu(page, "督查工作", "通报批评")
    ours = row(page, TITLE)
    expect(ours).to_contain_text(issued)
    expect(page.locator("table tbody tr")).to_have_count(1)  # its own only, and issued
    ours.locator("a[title='查看记录']").click()
    expect(page.locator("table").first).to_contain_text(title)
    expect(page.locator(".ducha-step")).to_have_count(0)  # the office's steps are not its
    screenshot(page, "criticism-unit")
    page.get_by_role("link", name="打印").click()
    expect(page.locator(".ducha-document-title")).to_have_text(TITLE)
    expect(page.locator(".ducha-document-number")).to_have_text(issued)
    # A long title breaks into even lines, never its last characters alone.
    lines = line_lengths(page, ".ducha-document-title")
    assert min(lines) >= 4, lines
    screenshot(page, "criticism-print")
    page.goto(f"/admin/units/details/?id={unit_id}")
    expect(page.locator("a.ducha-criticism")).to_contain_text(issued)
