"""The unit's desk (issue 22): the assignment page shows the instruction where the reader
may read it; the result form offers only the leaders who may sign, with their duties."""

from models import Directive, db
from tests import test_directive_views as directive_views

# The directive views' fixtures: unit B's confidential directive; unit A's leaders.
secret, B_CONTENT = directive_views.secret, directive_views.B_CONTENT

# ---- the assignment page ----


def _assignment_page(client, assignment_id):
    response = client.get(f"/admin/assignments/details/?id={assignment_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_assigned_unit_reads_the_instruction_and_what_is_required(app, as_role, secret):
    with app.app_context():
        directive = db.session.get(Directive, secret.directive_a)
        content, due = directive.content, directive.assignments[0].due_on
    page = _assignment_page(as_role("unit"), secret.assignment_a)
    assert content in page
    assert "张书记（市级）" in page
    assert f"应于 {due.isoformat()} 前办结" in page
    assert "由单位分管领导或主要领导签发" in page


def test_the_assigned_unit_reads_its_confidential_instruction_a_leader_does_not(as_role, secret):
    assert B_CONTENT in _assignment_page(as_role("unit_b"), secret.assignment_b)
    page = _assignment_page(as_role("leader"), secret.assignment_b)
    assert B_CONTENT not in page and "涉密：内容不予显示" in page
    assert "张书记（市级）" in page  # the leader's name is not the content
