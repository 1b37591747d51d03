"""The office's desk in Chromium: a unit asks for an extension, staff find it under 待办
on their home page (and counted beside the menu) and grant it in two clicks from there."""

import datetime as dt

from playwright.sync_api import expect

from models import Account, Assignment, ExtensionRequest, clock, db
from models.steps import WORKING
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import answer_dialog, expect_message, fill_date, log_in, log_out, scripts_ready


def _asking_assignment(records):
    """One of chengguan's assignments the unit is working on, due later, asking nothing."""
    with records.app_context():
        unit_id = Account.query.filter_by(username="chengguan").one().unit_id
        candidates = Assignment.query.filter(
            Assignment.unit_id == unit_id,
            Assignment.status.in_(WORKING),
            Assignment.due_on > clock.today() + dt.timedelta(days=1),
            ~Assignment.extension_pending(),
        ).order_by(Assignment.id)
        assignment = candidates.first()
        return assignment.id, assignment.due_on, str(assignment.directive.number)


def test_an_extension_request_is_granted_in_two_clicks_from_home(page, records, screenshot):
    assignment_id, due_on, number = _asking_assignment(records)
    log_in(page, "chengguan", PASSWORD)
    page.goto(f"/admin/assignments/details/?id={assignment_id}")
    form = page.locator("form[data-step=request_extension]")
    fill_date(page, "#request_extension-proposed_due_on", due_on + dt.timedelta(days=14))
    form.locator("textarea").fill("需要等待省里的调研结论")
    form.get_by_role("button", name="提交申请").click()
    expect_message(page, "已保存")
    log_out(page)

    log_in(page, "staff", PASSWORD)
    scripts_ready(page)
    expect(
        page.locator(".ducha-user .ducha-todo-badge .badge")
    ).to_be_visible()  # counted by the menu
    extensions = page.locator(".ducha-todo-kind[data-kind=extension]")
    expect(extensions).to_contain_text("待决定的延期申请")
    screenshot(page, "home-staff-todo")
    extensions.get_by_role("link", name=number).click()  # click 1
    scripts_ready(page)
    asked = answer_dialog(page, accept=True)
    page.locator("form[data-step=grant_extension]").get_by_role("button").click()  # click 2
    expect_message(page, "已保存")
    assert asked and "同意延期" in asked[0]
    with records.app_context():
        request = ExtensionRequest.query.filter_by(assignment_id=assignment_id).one()
        assert request.state == "granted"
        assert db.session.get(Assignment, assignment_id).due_on == due_on + dt.timedelta(days=14)
