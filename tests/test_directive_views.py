"""Directives through HTTP: confidentiality for every role and every way in, the steps of an
assignment, feedback with files, bad input, lights and the monthly report."""

import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest

from models import (
    Assignment,
    AssignmentEvent,
    Attachment,
    DeadlineRule,
    Directive,
    ExtensionRequest,
    Feedback,
    Unit,
    clock,
    db,
)
from models.feedback import store_attachment
from tests import factories
from tests.test_views import read

# What only the office, unit B and nobody else may read of directive B.
B_CONTENT = "乙镇的批示内容"
B_RESULT = "乙镇办理结果的详细情况"
B_FILE = b"%PDF-1.4 secret of B"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def secret(app, world):
    """Directive B is confidential; unit B has leaders and filed a signed result with a file;
    unit A has leaders too."""
    with app.app_context():
        db.session.get(Directive, world.directive_b).confidential = True
        unit_a, unit_b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        world.principal_a, world.in_charge_a = (s.id for s in factories.leaders(unit_a))
        _, in_charge_b = factories.leaders(unit_b)
        assignment_b = db.session.get(Assignment, world.assignment_b)
        assignment_b.acknowledge(None)
        feedback = factories.feedback(assignment_b, "result", signer=in_charge_b, text=B_RESULT)
        attachment = store_attachment(feedback, "乙镇办理报告.pdf", B_FILE)
        db.session.commit()
        world.feedback_b, world.attachment_b = feedback.id, attachment.id
    return world


def b_ways(w):
    """Every way in to directive B by id: (method, url, form)."""
    return [
        ("GET", f"/admin/directives/details/?id={w.directive_b}", None),
        ("GET", f"/admin/directives/edit/?id={w.directive_b}", None),
        ("POST", "/admin/directives/delete/", {"id": w.directive_b}),
        ("GET", f"/admin/assignments/details/?id={w.assignment_b}", None),
        ("GET", f"/admin/assignments/edit/?id={w.assignment_b}", None),
        ("POST", f"/admin/assignments/act/acknowledge/?id={w.assignment_b}", {}),
        ("POST", f"/admin/assignments/act/request_extension/?id={w.assignment_b}", {}),
        ("GET", f"/admin/feedback/details/?id={w.feedback_b}", None),
        ("GET", f"/admin/feedback/attachment/{w.attachment_b}/", None),
    ]


PAGES = [
    "/admin/",
    "/admin/directives/",
    "/admin/directives/export/csv/",
    "/admin/directives/export/xlsx/",
    "/admin/assignments/",
    "/admin/assignments/export/csv/",
    "/admin/feedback/",
    "/admin/feedback/export/csv/",
    "/admin/feedback/new/",
    "/admin/feedback/ajax/lookup/?name=assignment&query=",
    "/admin/directive-report/",
    "/admin/directive-report/export.xlsx",
]


def _text(response):
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)
    return response.get_data(as_text=True)


# ---- confidentiality: every role, every way in ----


def test_another_units_directive_answers_404_every_way_in(as_role, secret):
    client = as_role("unit")
    for method, url, form in b_ways(secret):
        response = client.open(url, method=method, data=form)
        assert response.status_code == 404, (url, response.status_code)
        assert "乙镇" not in response.get_data(as_text=True), url


def test_nothing_of_another_unit_appears_on_a_unit_officers_pages(as_role, secret):
    client = as_role("unit")
    for url in [*PAGES, f"/admin/feedback/new/?assignment={secret.assignment_b}&kind=result"]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        for secret_text in ("乙镇", B_CONTENT, B_RESULT):
            assert secret_text not in text, (url, secret_text)
    assert "甲镇批示" in client.get("/admin/directives/").get_data(as_text=True)


def test_the_assignment_lookup_lists_only_the_units_own(as_role, secret):
    client = as_role("unit")
    found = json.loads(client.get("/admin/feedback/ajax/lookup/?name=assignment&query=").data)
    assert [pk for pk, _label in found] == [secret.assignment_a]


def test_a_unit_cannot_file_on_another_units_assignment(app, as_role, secret):
    response = as_role("unit").post(
        "/admin/feedback/new/",
        data={"assignment": secret.assignment_b, "kind": "progress", "text": "冒名反馈"},
    )
    assert response.status_code == 200
    assert read(app, Feedback, text="冒名反馈") == []


@pytest.mark.parametrize("role", ["admin", "staff", "unit_b"])
def test_the_office_and_the_assigned_unit_read_the_confidential_content(as_role, secret, role):
    client = as_role(role)
    assert B_CONTENT in client.get(f"/admin/directives/details/?id={secret.directive_b}").get_data(
        as_text=True
    )
    page = client.get(f"/admin/assignments/details/?id={secret.assignment_b}").get_data(
        as_text=True
    )
    assert B_RESULT in page and "乙镇办理报告.pdf" in page
    assert B_CONTENT in client.get("/admin/directives/export/csv/").data.decode("utf-8-sig")
    download = client.get(f"/admin/feedback/attachment/{secret.attachment_b}/")
    assert download.status_code == 200 and download.data == B_FILE


def test_a_leader_sees_the_row_but_never_the_content(as_role, secret):
    client = as_role("leader")
    assert "乙镇批示" in client.get("/admin/directives/").get_data(as_text=True)
    details = client.get(f"/admin/directives/details/?id={secret.directive_b}")
    assert details.status_code == 200
    assert B_CONTENT not in details.get_data(as_text=True)
    assert "涉密" in details.get_data(as_text=True)
    page = client.get(f"/admin/assignments/details/?id={secret.assignment_b}")
    assert page.status_code == 200 and B_RESULT not in page.get_data(as_text=True)
    assert B_CONTENT not in page.get_data(as_text=True)
    assert "涉密：内容不予显示" in page.get_data(as_text=True)
    assert client.get(f"/admin/feedback/details/?id={secret.feedback_b}").status_code == 404
    assert client.get(f"/admin/feedback/attachment/{secret.attachment_b}/").status_code == 404
    for url in PAGES[1:]:
        text = _text(client.get(url))
        assert B_CONTENT not in text and B_RESULT not in text, url
    exported = client.get("/admin/directives/export/csv/").data.decode("utf-8-sig")
    assert "乙镇批示" not in exported and "甲镇批示" in exported  # left out entirely
    assert "乙镇" not in client.get("/admin/assignments/export/csv/").data.decode("utf-8-sig")


def test_a_leader_reads_an_open_directives_content(as_role, secret):
    with as_role("leader").application.app_context():
        content = db.session.get(Directive, secret.directive_a).content
    page = as_role("leader").get(f"/admin/directives/details/?id={secret.directive_a}")
    assert content in page.get_data(as_text=True)


# ---- the steps of an assignment ----


def _act(client, assignment_id, step, **form):
    return client.post(f"/admin/assignments/act/{step}/?id={assignment_id}", data=form)


def test_a_unit_officer_acknowledges_their_assignment(app, as_role, world):
    response = _act(as_role("unit"), world.assignment_a, "acknowledge", comment="已签收")
    assert response.status_code == 302
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    assert assignment.status == "acknowledged"
    (event,) = read(app, AssignmentEvent, assignment_id=world.assignment_a, action="acknowledge")
    assert event.account_id == world.account_ids["unit"] and event.comment == "已签收"


def test_the_page_offers_each_role_its_own_steps(as_role, world):
    url = f"/admin/assignments/details/?id={world.assignment_a}"
    unit_page = as_role("unit").get(url).get_data(as_text=True)
    assert "act/acknowledge/" in unit_page and "act/cancel/" not in unit_page
    staff_page = as_role("staff").get(url).get_data(as_text=True)
    assert "act/cancel/" in staff_page and "act/change_due_date/" in staff_page
    assert "act/" not in as_role("leader").get(url).get_data(as_text=True)


def test_a_refused_step_is_a_message_in_its_form(app, as_role, world):
    response = _act(as_role("unit"), world.assignment_a, "cancel", reason="不想办")
    assert response.status_code == 200
    assert "您无权对该交办事项进行此操作" in response.get_data(as_text=True)
    assert read(app, Assignment, id=world.assignment_a)[0].status == "assigned"


def test_an_extension_request_with_a_bad_date_keeps_what_was_typed(app, as_role, world):
    client = as_role("unit")
    _act(client, world.assignment_a, "acknowledge")
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    earlier = (assignment.due_on - dt.timedelta(days=1)).isoformat()
    response = _act(
        client,
        world.assignment_a,
        "request_extension",
        proposed_due_on=earlier,
        reason="需协调各方",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "申请延至的日期须晚于现办理时限" in page and "需协调各方" in page
    assert read(app, ExtensionRequest) == []


def test_staff_grant_past_the_month_is_refused_an_admin_with_a_reason_is_not(app, as_role, world):
    unit = as_role("unit")
    _act(unit, world.assignment_a, "acknowledge")
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    far = (assignment.due_on + dt.timedelta(days=40)).isoformat()
    _act(unit, world.assignment_a, "request_extension", proposed_due_on=far, reason="需协调")
    response = _act(as_role("staff"), world.assignment_a, "grant_extension")
    assert response.status_code == 200 and "延期累计不得超过" in response.get_data(as_text=True)
    assert read(app, Assignment, id=world.assignment_a)[0].due_on == assignment.due_on
    response = _act(
        as_role("admin"), world.assignment_a, "grant_extension", cap_override_reason="书记同意"
    )
    assert response.status_code == 302
    assert read(app, Assignment, id=world.assignment_a)[0].due_on.isoformat() == far


def test_a_step_on_a_bad_name_or_id_answers_404(as_role, world):
    client = as_role("staff")
    assert _act(client, world.assignment_a, "explode").status_code == 404
    assert _act(client, 999999, "acknowledge").status_code == 404


# ---- asking before a step that cannot simply be taken back ----


class StepForms(HTMLParser):
    """The step forms of an assignment's page: {step: its data-confirm, or None}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.confirms = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-step" in attrs:
            self.confirms[attrs["data-step"]] = attrs.get("data-confirm")


def _confirms(client, assignment_id, lang=""):
    forms = StepForms()
    forms.feed(client.get(f"/admin/assignments/details/?id={assignment_id}{lang}").text)
    return forms.confirms


def test_accepting_returning_and_cancelling_ask_first_in_chinese(as_role, secret):
    confirms = _confirms(as_role("staff"), secret.assignment_b)  # a result waits on the office
    assert {step: text for step, text in confirms.items() if text} == {
        "accept": "确定审核办结此事项？办结后不能再修改。",
        "return_result": "确定退回承办单位重新办理？单位须重新报结。",
        "cancel": "确定撤销此交办事项？撤销后不能恢复。",
    }
    assert "change_due_date" in confirms  # offered, and taken without asking


def test_deciding_an_extension_asks_first_the_units_own_steps_do_not(app, as_role, world):
    unit, staff = as_role("unit"), as_role("staff")
    _act(unit, world.assignment_a, "acknowledge")
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    later = (assignment.due_on + dt.timedelta(days=10)).isoformat()
    _act(unit, world.assignment_a, "request_extension", proposed_due_on=later, reason="需协调")
    confirms = _confirms(staff, world.assignment_a)
    assert confirms["grant_extension"] == "确定同意延期？办理时限将改为同意的日期。"
    assert confirms["refuse_extension"] == "确定不同意延期？办理时限保持不变。"
    assert confirms["cancel"] and not confirms["change_due_date"]
    own = _confirms(unit, world.assignment_a)  # the unit's: progress, result and so on
    assert own and not any(own.values())
    english = _confirms(staff, world.assignment_a, lang="&lang=en")
    assert english["refuse_extension"] == "Refuse the extension? The due date stays as it is."


# ---- feedback and files ----


def _file(client, assignment_id, kind="progress", signer="", files=(), text="本阶段工作进展"):
    data = {"assignment": str(assignment_id), "kind": kind, "text": text, "signer": signer}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/admin/feedback/new/", data=data, content_type="multipart/form-data")


@pytest.fixture
def acknowledged(app, as_role, secret):
    client = as_role("unit")
    _act(client, secret.assignment_a, "acknowledge")
    return client


def test_progress_with_a_chinese_named_file_is_stored_under_a_generated_name(
    app, acknowledged, secret
):
    response = _file(acknowledged, secret.assignment_a, files=[("领导批示件.pdf", PDF)])
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    (attachment,) = read(app, Attachment, original_name="领导批示件.pdf")
    assert attachment.stored_name != "领导批示件.pdf" and attachment.stored_name.endswith(".pdf")
    with app.app_context():
        assert attachment.path.read_bytes() == PDF
    assert read(app, Assignment, id=secret.assignment_a)[0].status == "in_progress"
    download = acknowledged.get(f"/admin/feedback/attachment/{attachment.id}/")
    assert download.status_code == 200 and download.data == PDF
    assert f"filename*=UTF-8''{quote('领导批示件.pdf')}" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_two_units_files_of_the_same_name_do_not_overwrite_each_other(app, as_role, secret):
    _act(as_role("unit"), secret.assignment_a, "acknowledge")
    with app.app_context():
        db.session.get(Assignment, secret.assignment_b)  # unit B already has a result filed
    _file(as_role("unit"), secret.assignment_a, files=[("乙镇办理报告.pdf", PDF)])
    stored = read(app, Attachment, original_name="乙镇办理报告.pdf")
    assert len(stored) == 2 and len({a.stored_name for a in stored}) == 2
    with app.app_context():
        assert {a.path.read_bytes() for a in stored} == {PDF, B_FILE}


def test_a_result_without_a_signer_is_refused_and_nothing_is_lost(app, acknowledged, secret):
    text = "办理结果：已全部整改到位"
    response = _file(acknowledged, secret.assignment_a, "result", text=text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "办理结果报告须有签发领导" in page and text in page
    assert read(app, Feedback, assignment_id=secret.assignment_a) == []
    assert read(app, Assignment, id=secret.assignment_a)[0].status == "acknowledged"


def test_a_result_signed_by_the_leader_in_charge_is_submitted(app, acknowledged, secret):
    response = _file(
        acknowledged, secret.assignment_a, "result", signer=str(secret.in_charge_a), text="结果"
    )
    assert response.status_code == 302
    assert read(app, Assignment, id=secret.assignment_a)[0].status == "submitted"
    (report,) = read(app, Feedback, assignment_id=secret.assignment_a)
    assert report.signer_duty == "leader_in_charge"


def test_a_file_too_large_is_refused_and_nothing_is_written(app, acknowledged, secret):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    big = b"%PDF" + b"0" * 2000
    response = _file(acknowledged, secret.assignment_a, files=[("大文件.pdf", big)])
    assert response.status_code == 200
    assert "大文件.pdf 超过" in response.get_data(as_text=True)
    assert read(app, Feedback, assignment_id=secret.assignment_a) == []
    assert len(_files(app)) == 1  # unit B's only


def _files(app):
    return [p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("报告.exe", b"MZ\x90\x00", "只接受以下类型的文件"),
        ("报告.pdf", b"MZ\x90\x00 not a pdf", "的内容不是 .pdf 文件"),
        ("空的.txt", b"", "是空文件"),
    ],
)
def test_a_forbidden_file_is_refused_with_a_message(
    app, acknowledged, secret, name, content, message
):
    response = _file(acknowledged, secret.assignment_a, files=[(name, content)])
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert read(app, Feedback, assignment_id=secret.assignment_a) == []
    assert len(_files(app)) == 1


def test_progress_on_an_assignment_not_yet_acknowledged_is_refused(app, as_role, secret):
    response = _file(as_role("unit"), secret.assignment_a)
    assert response.status_code == 200
    assert "不能报送进展反馈" in response.get_data(as_text=True)


def test_feedback_is_never_edited_or_deleted(as_role, secret):
    client = as_role("admin")
    assert client.get(f"/admin/feedback/edit/?id={secret.feedback_b}").status_code == 302
    client.post("/admin/feedback/delete/", data={"id": secret.feedback_b})
    with client.application.app_context():
        assert db.session.get(Feedback, secret.feedback_b) is not None


# ---- deadlines in the directive form ----


def _directive_form(world, number, **assignment):
    data = {
        "number": number,
        "title": "关于防汛工作的批示",
        "leader_name": "李市长",
        "leader_level": "city",
        "received_on": "2026-09-01",
        "content": "请抓紧落实",
        "assignments-0-unit": world.unit_a,
        "assignments-0-assigned_on": "2026-09-01",
    }
    data.update({f"assignments-0-{k}": v for k, v in assignment.items()})
    return data


def test_a_due_date_left_empty_comes_from_the_rules(app, as_role, world):
    response = as_role("staff").post("/admin/directives/new/", data=_directive_form(world, "R-1"))
    assert response.status_code == 302
    with app.app_context():
        (assignment,) = Directive.query.filter_by(number="R-1").one().assignments
        assert assignment.due_on == assignment.original_due_on == dt.date(2026, 10, 1)
        assert [e.action for e in assignment.events] == ["assign"]
        assert assignment.events[0].account_id == world.account_ids["staff"]


def test_another_due_date_needs_a_reason_in_the_form(app, as_role, world):
    client = as_role("staff")
    response = client.post(
        "/admin/directives/new/", data=_directive_form(world, "R-2", due_on="2026-09-20")
    )
    assert response.status_code == 200
    assert "按规则办理时限为 2026-10-01" in response.get_data(as_text=True)
    assert read(app, Directive, number="R-2") == []
    response = client.post(
        "/admin/directives/new/",
        data=_directive_form(world, "R-2", due_on="2026-09-20", due_reason="防汛形势紧急"),
    )
    assert response.status_code == 302
    with app.app_context():
        (assignment,) = Directive.query.filter_by(number="R-2").one().assignments
        assert assignment.due_on == dt.date(2026, 9, 20)
        assert assignment.events[0].comment == "防汛形势紧急"


def test_changing_a_due_date_in_the_form_needs_a_reason_and_is_recorded(app, as_role, world):
    client = as_role("staff")
    client.post("/admin/directives/new/", data=_directive_form(world, "R-3"))
    with app.app_context():
        directive = Directive.query.filter_by(number="R-3").one()
        directive_id, assignment_id = directive.id, directive.assignments[0].id
    data = _directive_form(world, "R-3", id=assignment_id, due_on="2026-10-20")
    url = f"/admin/directives/edit/?id={directive_id}"
    response = client.post(url, data=data)
    assert response.status_code == 200 and "请填写调整办理时限的理由" in response.get_data(
        as_text=True
    )
    response = client.post(url, data={**data, "assignments-0-due_reason": "需会同多部门"})
    assert response.status_code == 302
    (assignment,) = read(app, Assignment, id=assignment_id)
    assert assignment.due_on == assignment.original_due_on == dt.date(2026, 10, 20)
    (event,) = read(app, AssignmentEvent, assignment_id=assignment_id, action="change_due_date")
    assert event.comment == "2026-10-01 → 2026-10-20 需会同多部门"


def test_an_assignment_under_way_cannot_be_removed_from_the_form(app, as_role, world):
    _act(as_role("unit"), world.assignment_a, "acknowledge")
    with app.app_context():
        directive = db.session.get(Directive, world.directive_a)
        data = {
            "number": directive.number,
            "title": directive.title,
            "leader_name": directive.leader_name,
            "leader_level": directive.leader_level,
            "received_on": directive.received_on.isoformat(),
            "assignments-0-id": world.assignment_a,
            "assignments-0-unit": world.unit_a,
            "assignments-0-assigned_on": directive.assignments[0].assigned_on.isoformat(),
            "assignments-0-due_on": directive.assignments[0].due_on.isoformat(),
            "del-assignments-0": "on",
        }
    response = as_role("staff").post(f"/admin/directives/edit/?id={world.directive_a}", data=data)
    assert response.status_code == 200
    assert "已在办理的交办事项不能删除" in response.get_data(as_text=True)
    assert read(app, Assignment, id=world.assignment_a)


# ---- lights ----


def _light_filter(app, endpoint):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)
    return next(arg for arg, (_i, flt) in view._filter_args.items() if str(flt.name) == "亮灯")


def test_lists_show_and_filter_the_lights(app, as_role, world):
    with app.app_context():
        overdue = db.session.get(Assignment, world.assignment_b)
        overdue.change_due_date(None, overdue.assigned_on, "测试超期")
        db.session.commit()
    client = as_role("staff")
    with app.test_request_context():
        red = _light_filter(app, "assignments")
        directive_red = _light_filter(app, "directives")
    page = client.get("/admin/assignments/").get_data(as_text=True)
    assert "badge-danger" in page and "badge-success" in page
    # The rows only: every unit is named in the filter's dropdown above the table.
    page = _table(client.get(f"/admin/assignments/?flt0_{red}=red"))
    assert "乙镇" in page and "甲镇" not in page
    page = _table(client.get(f"/admin/directives/?flt0_{directive_red}=red"))
    assert "乙镇批示" in page and "甲镇批示" not in page


def _table(response):
    page = response.get_data(as_text=True)
    start = page.index("model-list")
    return page[start : page.index("</table>", start)]


def test_the_assignment_page_shows_the_timeline(as_role, secret):
    page = as_role("staff").get(f"/admin/assignments/details/?id={secret.assignment_b}")
    text = page.get_data(as_text=True)
    assert "办理过程" in text and "签收" in text and "已报结" in text


# ---- the monthly report ----


def test_the_monthly_report_page_and_its_workbook(app, as_role, secret):
    month = clock.today().strftime("%Y-%m")
    client = as_role("staff")
    page = client.get(f"/admin/directive-report/?month={month}").get_data(as_text=True)
    assert "领导批示件月报表" in page and "报结率（%）" in page and "甲镇" in page
    response = client.get(f"/admin/directive-report/export.xlsx?month={month}")
    assert response.status_code == 200
    assert quote("领导批示件月报表") in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value.startswith(f"领导批示件月报表（{month}）")
    assert [c.value for c in sheet[3]][:2] == ["单位", "本月收到"]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "合计" in values and any(str(v).startswith("小计") for v in values)


def test_a_month_that_is_not_one_shows_this_month_with_a_message(as_role, world):
    response = as_role("staff").get("/admin/directive-report/?month=2026-13")
    assert response.status_code == 200
    assert "不是有效月份" in response.get_data(as_text=True)


def test_the_calendar_screen_warns_of_a_year_nothing_covers(as_role, world):
    page = as_role("admin").get("/admin/calendar_days/").get_data(as_text=True)
    assert "2004–2026" in page
    assert f"{clock.today().year + 1} 年的节假日安排尚无数据" in page


@pytest.mark.parametrize(
    "step,form,message",
    [
        ("cancel", {"reason": ""}, "该字段是必填字段"),
        ("change_due_date", {"due_on": "2026-13-45", "reason": "调整"}, "不是有效的日期值"),
    ],
)
def test_a_step_form_with_bad_input_answers_in_chinese(app, as_role, world, step, form, message):
    response = _act(as_role("staff"), world.assignment_a, step, **form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    assert assignment.status == "assigned" and len(read(app, AssignmentEvent)) == 2


def test_a_directive_under_way_is_not_deleted_a_fresh_one_is(app, as_role, world):
    client = as_role("staff")
    _act(as_role("unit"), world.assignment_a, "acknowledge")
    response = client.post(
        "/admin/directives/delete/", data={"id": world.directive_a}, follow_redirects=True
    )
    assert "已在办理的批示件不能删除" in response.get_data(as_text=True)
    assert read(app, Directive, id=world.directive_a)
    client.post("/admin/directives/delete/", data={"id": world.directive_b})
    assert read(app, Directive, id=world.directive_b) == []
    assert read(app, AssignmentEvent, assignment_id=world.assignment_b) == []


# ---- the rules and the calendar in the panel ----


def _city_rule_id(app):
    with app.app_context():
        return DeadlineRule.query.filter_by(leader_level="city", target="result").one().id


def test_admins_edit_the_rules_staff_only_read_them(app, as_role, world):
    rule_id = _city_rule_id(app)
    data = {  # 3 working days instead of a month
        "target": "result",
        "leader_level": "city",
        "counting": "working_days",
        "amount": "3",
        "note": "市领导批示件3个工作日内办结",
    }
    as_role("staff").post(f"/admin/deadline_rules/edit/?id={rule_id}", data=data)
    assert read(app, DeadlineRule, id=rule_id)[0].counting == "months"
    response = as_role("admin").post(f"/admin/deadline_rules/edit/?id={rule_id}", data=data)
    assert response.status_code == 302
    assert read(app, DeadlineRule, id=rule_id)[0].counting == "working_days"


def test_a_due_date_in_a_year_nothing_covers_comes_with_a_warning(app, as_role, world):
    rule_id = _city_rule_id(app)
    as_role("admin").post(
        f"/admin/deadline_rules/edit/?id={rule_id}",
        data={
            "target": "result",
            "leader_level": "city",
            "counting": "working_days",
            "amount": "3",
        },
    )
    data = _directive_form(world, "R-2027")
    data.update({"received_on": "2026-12-30", "assignments-0-assigned_on": "2026-12-30"})
    response = as_role("staff").post("/admin/directives/new/", data=data, follow_redirects=True)
    assert "2027年的节假日安排尚未录入" in response.get_data(as_text=True)
    with app.app_context():
        (assignment,) = Directive.query.filter_by(number="R-2027").one().assignments
        assert assignment.due_on == dt.date(2027, 1, 4)  # Thu 31 Dec, Fri 1 Jan, Mon 4 Jan


def test_a_unit_objects_and_the_office_decides_through_the_page(app, as_role, world):
    with app.app_context():
        db.session.get(Assignment, world.assignment_a).assigned_on = clock.today()
        db.session.commit()
    unit, staff = as_role("unit"), as_role("staff")
    response = _act(unit, world.assignment_a, "object", subject="deadline", reason="时间过紧")
    assert response.status_code == 302
    assert read(app, Assignment, id=world.assignment_a)[0].status == "objected"
    page = staff.get(f"/admin/assignments/details/?id={world.assignment_a}").get_data(as_text=True)
    assert "act/decide_objection/" in page and "时间过紧" in page
    response = _act(staff, world.assignment_a, "decide_objection", decision="uphold")
    assert response.status_code == 200 and "请填写新的办理时限" in response.get_data(as_text=True)
    new_due = (clock.today() + dt.timedelta(days=60)).isoformat()
    response = _act(
        staff, world.assignment_a, "decide_objection", decision="uphold", new_due_on=new_due
    )
    assert response.status_code == 302
    (assignment,) = read(app, Assignment, id=world.assignment_a)
    assert assignment.status == "acknowledged" and assignment.due_on.isoformat() == new_due


def test_an_upload_past_the_request_limit_returns_to_the_form_with_a_message(
    app, acknowledged, secret
):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = _file(acknowledged, secret.assignment_a, files=[("巨大.pdf", b"%PDF" + b"0" * 8000)])
    assert response.status_code == 302
    page = acknowledged.get(response.headers["Location"]).get_data(as_text=True)
    assert "上传内容合计超过 0.0039 MB" in page
    assert read(app, Feedback, assignment_id=secret.assignment_a) == []


def test_the_new_addresses_need_a_login(client, secret):
    for method, url in [
        ("POST", f"/admin/assignments/act/acknowledge/?id={secret.assignment_a}"),
        ("GET", f"/admin/feedback/attachment/{secret.attachment_b}/"),
        ("GET", "/admin/directive-report/export.xlsx"),
    ]:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
