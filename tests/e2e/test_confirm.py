"""Staff are asked before accepting a result (static/ducha.js, under the CSP): declining
leaves the assignment as it was, agreeing accepts it."""

from playwright.sync_api import expect

from models import Assignment, AssignmentEvent, db
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import answer_dialog, expect_message, log_in, scripts_ready

QUESTION = "确定审核办结此事项？办结后不能再修改。"


def _state(records, assignment_id):
    with records.app_context():
        events = AssignmentEvent.query.filter_by(assignment_id=assignment_id).count()
        return db.session.get(Assignment, assignment_id).status, events


def test_accepting_a_result_asks_first(page, records):
    with records.app_context():  # one of the demo's results waiting on the office
        assignment_id = Assignment.query.filter_by(status="submitted").first().id
    before = _state(records, assignment_id)
    log_in(page, "staff", PASSWORD)
    page.goto(f"/admin/assignments/details/?id={assignment_id}")
    scripts_ready(page)
    accept = page.locator("form[data-step=accept]").get_by_role("button", name="办结")

    asked = answer_dialog(page, accept=False)
    accept.click()
    assert asked == [QUESTION]
    assert _state(records, assignment_id) == before

    asked = answer_dialog(page, accept=True)
    accept.click()  # on the same page: declining sent nothing
    expect_message(page, "已保存：审核办结")
    assert asked == [QUESTION]
    expect(page.locator("table").first).to_contain_text("已办结")
    assert _state(records, assignment_id) == ("accepted", before[1] + 1)
