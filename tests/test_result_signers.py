"""The unit's desk (issue 22): the assignment page shows the instruction where the reader
may read it; the result form offers only the leaders who may sign, with their duties."""

import pytest

from models import Assignment, Directive, Feedback, Staff, Unit, db
from models.feedback import signers_for
from tests import factories
from tests import test_directive_views as directive_views
from tests.hostile import read_form
from tests.test_views import read

# The directive views' fixtures: unit B's confidential directive; unit A's leaders and its
# assignment signed for.
secret, acknowledged = directive_views.secret, directive_views.acknowledged
B_CONTENT, _file = directive_views.B_CONTENT, directive_views._file

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


# ---- the result form's signers ----


def test_who_may_sign_by_the_directives_level(app, world):
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        principal, in_charge = factories.leaders(unit)
        factories.staff(unit, name="已调离", duty="principal_leader", active=False)
        factories.leaders(db.session.get(Unit, world.unit_b))
        assignment = db.session.get(Assignment, world.assignment_a)
        for level, expected in [("city", [principal, in_charge]), ("central", [principal])]:
            assignment.directive.leader_level = level
            assert signers_for(assignment).all() == expected


def _result_form(client, assignment_id):
    response = client.get(f"/admin/feedback/new/?assignment={assignment_id}&kind=result")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    _values, fields = read_form(page)
    return page, [option for option in fields["signer"].options if option != "__None"]


def _set_level(app, directive_id, level):
    with app.app_context():
        db.session.get(Directive, directive_id).leader_level = level
        db.session.commit()


@pytest.mark.parametrize(
    ("level", "offered"),
    [("city", ("principal_a", "in_charge_a")), ("county", ("principal_a", "in_charge_a")),
     ("province", ("principal_a",)), ("central", ("principal_a",))],
)  # fmt: skip
def test_the_result_form_offers_only_who_may_sign(app, as_role, secret, level, offered):
    _set_level(app, secret.directive_a, level)
    page, options = _result_form(as_role("unit"), secret.assignment_a)
    assert options == [str(getattr(secret, name)) for name in offered]
    assert str(secret.staff_a) not in options  # the information officer
    assert "王主要（主要领导）" in page
    assert ("李分管（分管领导）" in page) == ("in_charge_a" in offered)


def test_a_leader_no_longer_active_is_not_offered(app, as_role, secret):
    with app.app_context():
        db.session.get(Staff, secret.in_charge_a).active = False
        db.session.commit()
    _page, options = _result_form(as_role("unit"), secret.assignment_a)
    assert options == [str(secret.principal_a)]


def test_the_form_without_an_assignment_offers_the_units_own_leaders(as_role, secret):
    response = as_role("unit").get("/admin/feedback/new/")
    _values, fields = read_form(response.get_data(as_text=True))
    options = [o for o in fields["signer"].options if o != "__None"]
    assert options == [str(secret.principal_a), str(secret.in_charge_a)]


@pytest.mark.parametrize(
    ("level", "signer", "message"),
    [
        ("city", "staff_a", "由单位分管领导或主要领导签发"),
        ("central", "in_charge_a", "中央、省领导批示件的办理结果须由单位主要领导签发"),
        ("city", "principal_b", "无效的选择"),  # another unit's leader
    ],
)
def test_a_forged_signer_is_refused_and_nothing_saved(
    app, acknowledged, secret, level, signer, message
):
    _set_level(app, secret.directive_a, level)
    if signer == "principal_b":
        with app.app_context():
            secret.principal_b = factories.staff(
                db.session.get(Unit, secret.unit_b), duty="principal_leader"
            ).id
            db.session.commit()
    text = "办理结果：伪造签发"
    response = _file(
        acknowledged, secret.assignment_a, "result", signer=str(getattr(secret, signer)), text=text
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and text in page
    assert read(app, Feedback, assignment_id=secret.assignment_a) == []
    assert read(app, Assignment, id=secret.assignment_a)[0].status == "acknowledged"


def test_the_principal_leader_signs_a_central_directives_result(app, acknowledged, secret):
    _set_level(app, secret.directive_a, "central")
    response = _file(
        acknowledged, secret.assignment_a, "result", signer=str(secret.principal_a), text="结果"
    )
    assert response.status_code == 302
    (report,) = read(app, Feedback, assignment_id=secret.assignment_a)
    assert report.signer_id == secret.principal_a and report.signer_duty == "principal_leader"


def test_a_unit_with_no_one_to_sign_is_told_what_to_do(app, as_role, secret):
    _set_level(app, secret.directive_a, "central")
    with app.app_context():
        db.session.get(Staff, secret.principal_a).active = False
        db.session.commit()
    page, options = _result_form(as_role("unit"), secret.assignment_a)
    assert options == []
    assert "甲镇目前没有可签发此办理结果的在职领导" in page
    assert 'href="/admin/staff/new/"' in page
