"""Imports without HTTP: reading files, each kind's rules, and the demo's round trip."""

import datetime as dt
import io
import zipfile

import pytest
import sqlalchemy as sa

from models import (
    Adoption,
    Assignment,
    AssignmentEvent,
    AuditEntry,
    Deduction,
    Directive,
    Feedback,
    KeyWorkItem,
    Report,
    Staff,
    Unit,
    clock,
    db,
)
from models.imports import FileProblem, check_rows, template_header
from models.imports.directives import path
from models.imports.reading import read_table
from tests import factories
from tests.helpers import empty_tables
from tests.import_files import csv_bytes, filled, xlsx_bytes


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def office(ctx):
    """An administrator who imports, the default deadline rules and a publication."""
    factories.rules()
    account = factories.account("staff")
    factories.publication(name="《江州快讯》正刊", level="city", points=10)
    db.session.commit()
    return account


def run(kind, rows, account, commit=True, fmt="csv", header=None, encoding="utf-8-sig"):
    """Import rows of `kind` (lists in template order, trailing cells may be left out)."""
    header = header or template_header(kind)
    width = len(header)
    rows = [list(row) + [""] * (width - len(row)) for row in rows]
    data = xlsx_bytes(header, rows) if fmt == "xlsx" else csv_bytes(header, rows, encoding)
    outcomes = check_rows(kind, data, account, commit=commit)
    if commit:
        db.session.commit()
    return outcomes


def actions(outcomes):
    return [o.action for o in outcomes]


def refusal(outcomes):
    (refused,) = [o for o in outcomes if o.action == "refused"]
    return refused.detail


UNIT_ROW = ["QH", "清河县", "县/市/区", "", "", "王县长", "wang@example.org"]
TOWN_ROW = ["QH-CG", "城关镇", "乡镇/街道", "", "QH", "李镇长", "li@example.org"]


def counts():
    models = [Unit, Staff, Report, Adoption, Directive, Assignment, AssignmentEvent, AuditEntry]
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


# ---- reading files ----


def test_utf8_bom_gbk_and_utf16_csv_read_the_same(ctx, office):
    header = template_header("units")
    rows = [UNIT_ROW + [""] * (len(header) - len(UNIT_ROW))]
    tables = [
        read_table(csv_bytes(header, rows, encoding), 100)
        for encoding in ("utf-8-sig", "utf-8", "gbk", "utf-16")
    ]
    assert {tuple(t.headers) for t in tables} == {tuple(header)}
    assert {tuple(t.rows[0][1][:3]) for t in tables} == {("QH", "清河县", "县/市/区")}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_utf8_with_bom_csv_both_import(ctx, office, encoding):
    outcomes = run("units", [UNIT_ROW, TOWN_ROW], office, encoding=encoding)
    assert actions(outcomes) == ["create", "create"]
    town = Unit.query.filter_by(code="QH-CG").one()
    assert (town.name, town.kind, town.ranking_group, town.parent.name) == (
        "城关镇",
        "township",
        "township",
        "清河县",
    )


BAD_FILES = {
    "wrong headers": (
        lambda: csv_bytes(template_header("staff"), [["张三", "QH", "", "", "z@example.org"]]),
        "表头与模板不符",
    ),
    "wrong encoding": (
        lambda: "单位代码,Café\n".encode().replace(b"\xc3\xa9", b"\xe9") + b"\xff,",
        "编码",
    ),
    "garbled headers": (
        lambda: "單位代碼,單位名稱,單位類型\nA,B,C\n".encode("big5"),
        "编码既不是 UTF-8 也不是 GBK",
    ),
    "a PDF": (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不是电子表格"),
    "a PNG": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "不是电子表格"),
    "binary bytes": (lambda: bytes(range(256)) * 4, "不是电子表格"),
    "a Word document": (lambda: _zip({"word/document.xml": "<w/>"}), "不是电子表格"),
    "an old .xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
    "a broken workbook": (lambda: _zip({"xl/workbook.xml": "<not xml"}), "无法读取"),
    "an empty file": (lambda: b"", "文件是空的"),
    "headers only": (lambda: csv_bytes(template_header("units"), []), "没有数据"),
}


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_its_message_and_changes_nothing(ctx, office, case):
    make, message = BAD_FILES[case]
    before = counts()
    with pytest.raises(FileProblem) as problem:
        check_rows("units", make(), office, commit=True)
    db.session.commit()
    assert message in str(problem.value.message)
    assert counts() == before


def test_a_file_far_too_large_is_refused_unread(app, ctx, office):
    app.config["IMPORT_MAX_BYTES"] = 1000
    data = csv_bytes(template_header("units"), [UNIT_ROW] * 50)
    with pytest.raises(FileProblem) as problem:
        check_rows("units", data, office, commit=True)
    assert "大于" in str(problem.value.message) and Unit.query.count() == 0


def test_too_many_rows_are_refused(app, ctx, office):
    app.config["IMPORT_MAX_ROWS"] = 3
    rows = [[f"U{n}", f"单位{n}", "乡镇/街道"] for n in range(4)]
    with pytest.raises(FileProblem) as problem:
        run("units", rows, office)
    assert "超过 3 行" in str(problem.value.message) and Unit.query.count() == 0


def test_a_workbook_that_unpacks_huge_is_refused(ctx, office):
    data = _zip({"xl/workbook.xml": "<workbook/>", "xl/big.xml": " " * 30_000_000})
    with pytest.raises(FileProblem) as problem:
        check_rows("units", data, office)
    assert "解压后" in str(problem.value.message)


def _entered_on(day):
    """A unit row whose last cell, the day it entered the records, is `day`."""
    return ["QH", "清河县", "县/市/区", "", "", "", "", "", "", "", day]


BAD_ROWS = {
    "a date that is not a date": (_entered_on("明年春天"), "不是日期"),
    "an impossible date": (_entered_on("2026-02-30"), "不是日期"),
    "a date at the end of the calendar": (_entered_on("9999-12-31"), "不在 2000 至 2099 年之间"),
    "a date before the office's years": (_entered_on("1999-12-31"), "不在 2000 至 2099 年之间"),
    "an unknown unit code": (["QH-CG", "城关镇", "乡镇/街道", "", "NOPE"], "NOPE"),
    "an unknown kind": (["QH", "清河县", "村"], "乡镇/街道、县直部门"),
    "a bad email": (
        ["QH", "清河县", "县/市/区", "", "", "王", "not-an-address"],
        "不是电子邮件地址",
    ),
    "a formula": (["QH", '=CONCAT("清","河")', "县/市/区"], "公式"),
    "a missing name": (["QH", "", "县/市/区"], "必填"),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_is_refused_with_its_reason_and_nothing_is_saved(ctx, office, case, fmt):
    row, message = BAD_ROWS[case]
    before = counts()
    outcomes = run("units", [["OK", "好单位", "乡镇/街道"], row], office, fmt=fmt)
    assert actions(outcomes) == ["create", "refused"]
    assert message in refusal(outcomes)
    assert counts() == before  # all or nothing: the good row is not saved either


def test_a_nul_character_past_the_files_start_refuses_its_row(ctx, office):
    # A NUL in the first 4 KB makes the file binary: not a spreadsheet.
    rows = [[f"U{n:03d}", f"单位{n}", "乡镇/街道"] for n in range(300)]
    outcomes = run("units", [*rows, ["QH", "清河\x00县", "县/市/区"]], office)
    assert actions(outcomes)[-1] == "refused" and "空字符" in refusal(outcomes)
    assert Unit.query.count() == 0


def test_a_formula_in_a_workbook_is_seen_as_a_formula(ctx, office):
    data = xlsx_bytes(template_header("units"), [["QH", "=A1", "县/市/区"]])
    assert "公式" in refusal(check_rows("units", data, office))


def test_our_exports_escape_of_formula_like_text_reads_back(ctx, office):
    outcomes = run("units", [["QH", "'=清河县", "县/市/区"]], office)
    assert actions(outcomes) == ["create"]
    assert Unit.query.one().name == "=清河县"


# ---- units and staff ----


def test_units_update_by_code_and_blank_cells_keep_values(ctx, office):
    run("units", [UNIT_ROW, TOWN_ROW], office)
    outcomes = run("units", [["QH", "清河县（新）", "县/市/区", "", "", "", ""], TOWN_ROW], office)
    assert actions(outcomes) == ["update", "unchanged"]
    assert "清河县 → 清河县（新）" in outcomes[0].detail
    county = Unit.query.filter_by(code="QH").one()
    assert (county.name, county.principal_leader) == ("清河县（新）", "王县长")


def test_a_parent_may_come_later_in_the_file_and_circles_are_refused(ctx, office):
    outcomes = run("units", [TOWN_ROW, UNIT_ROW], office)
    assert actions(outcomes) == ["create", "create"]
    assert Unit.query.filter_by(code="QH-CG").one().parent.code == "QH"
    circle = [["X1", "甲", "乡镇/街道", "", "X2"], ["X2", "乙", "乡镇/街道", "", "X1"]]
    assert actions(run("units", circle, office)) == ["refused", "refused"]
    assert Unit.query.filter(Unit.code.in_(["X1", "X2"])).count() == 0


def test_the_same_unit_twice_in_a_file_is_refused(ctx, office):
    outcomes = run("units", [UNIT_ROW, UNIT_ROW], office)
    assert actions(outcomes) == ["create", "refused"] and "第2行" in outcomes[1].detail


def test_staff_match_by_email_whatever_its_case(ctx, office):
    run("units", [UNIT_ROW, TOWN_ROW], office)
    row = ["赵敏", "QH-CG", "信息员", "13900000000", "Zhao@Example.org"]
    assert actions(run("staff", [row], office)) == ["create"]
    moved = ["赵敏", "QH", "分管领导", "", "zhao@example.org"]
    outcomes = run("staff", [moved], office)
    assert actions(outcomes) == ["update"] and "QH-CG → QH" in outcomes[0].detail
    person = Staff.query.one()
    assert (person.unit.code, person.duty, person.phone) == (
        "QH",
        "leader_in_charge",
        "13900000000",
    )
    unknown = run("staff", [["钱多", "NOPE", "", "", "q@example.org"]], office)
    assert "NOPE" in refusal(unknown)


# ---- reports and adoptions ----


@pytest.fixture
def town(office):
    run("units", [UNIT_ROW, TOWN_ROW], office)
    factories.publication(name="省委办公厅《每日汇报》", level="province", points=20)
    db.session.commit()
    return Unit.query.filter_by(code="QH-CG").one()


def report_row(title="城关镇扎实开展安全生产大检查", category="动态信息", status="", **kw):
    values = {
        "title": title,
        "unit": "QH-CG",
        "submitted": "2026-03-05 10:00",
        "category": category,
        "author": "李明",
        "body": "正文",
        "event_at": "",
        "status": status,
        "comment": "",
        "publication": "",
        "issue": "",
        "adopted_on": "",
        **kw,
    }
    return list(values.values())


def test_a_report_adopted_twice_is_one_report_with_two_adoptions_and_their_points(
    ctx, town, office
):
    rows = [
        report_row(
            category="调研信息", publication="《江州快讯》正刊", issue="12", adopted_on="2026-03-08"
        ),
        report_row(
            category="调研信息",
            publication="省委办公厅《每日汇报》",
            issue="3",
            adopted_on="2026/3/20",
        ),
    ]
    outcomes = run("reports", rows, office)
    assert actions(outcomes) == ["create", "create"]
    report = Report.query.one()
    assert report.status == "adopted" and report.answered_by is not None
    # Research counts double in the default scoring table: 10 × 2 and 20 × 2.
    assert sorted((a.issue_no, a.points) for a in report.adoptions) == [(3, 40), (12, 20)]
    assert clock.local(report.submitted_at).strftime("%Y-%m-%d %H:%M") == "2026-03-05 10:00"


def test_reimporting_reports_changes_nothing(ctx, town, office):
    rows = [
        report_row(publication="《江州快讯》正刊", issue="12", adopted_on="2026-03-08"),
        report_row(title="城关镇群众反映办事排队时间长", category="社情民意", status="未采用"),
    ]
    run("reports", rows, office)
    before = counts()
    assert actions(run("reports", rows, office)) == ["unchanged", "unchanged"]
    assert counts() == before


def test_a_new_adoption_of_a_report_on_record_updates_it(ctx, town, office):
    run("reports", [report_row(status="编辑中")], office)
    outcomes = run(
        "reports",
        [
            report_row(
                publication="《江州快讯》正刊",
                issue="5",
                adopted_on="2026-03-06",
                submitted="2026-03-05",
            )
        ],
        office,
    )
    assert actions(outcomes) == ["update"]
    report = Report.query.one()
    assert report.status == "adopted" and [a.points for a in report.adoptions] == [10]
    assert clock.local(report.submitted_at).hour == 10  # a date alone keeps the time


def _adopted(issue="1", day="2026-03-06"):
    """The cells of an adoption by the city's bulletin."""
    return dict(publication="《江州快讯》正刊", issue=issue, adopted_on=day)


REPORT_REFUSALS = {
    "adopted without an adoption": (dict(status="已采用"), "记录采用情况"),
    "an adoption half given": (dict(publication="《江州快讯》正刊"), "三项都要填"),
    "an unknown publication": (
        dict(publication="人民日报", issue="1", adopted_on="2026-03-06"),
        "计分表中没有",
    ),
    "adopted before submitted": (_adopted(day="2026-03-01"), "早于信息报送"),
    "adopted in the future": (_adopted(day="2099-01-01"), "晚于今天"),
    "returned without a reason": (dict(status="已退稿"), "退稿原因"),
    "an adoption with another answer": (dict(status="未采用", **_adopted()), "已采用"),
    "an emergency without its event": (dict(category="紧急信息"), "事件发生时间"),
    "an emergency known by its day only": (
        dict(category="紧急信息", submitted="2026-03-05", event_at="2026-03-05 08:00"),
        "时分",
    ),
    "an event after the report": (dict(event_at="2026-03-05 11:00"), "不能晚于"),
    "a date that is not a date": (dict(submitted="三月五日"), "不是日期"),
    "an unknown unit": (dict(unit="NOPE"), "NOPE"),
    "a bad issue number": (_adopted("第五期"), "整数"),
    "an issue number beyond the database": (
        _adopted("99999999999999999999"),
        "不是 0 至 2147483647 之间的整数",
    ),
    "an adoption date at the start of the calendar": (
        _adopted(day="0001-01-01"),
        "不在 2000 至 2099 年之间",
    ),
}


@pytest.mark.parametrize("case", list(REPORT_REFUSALS))
def test_report_rows_follow_the_reports_rules(ctx, town, office, case):
    changes, message = REPORT_REFUSALS[case]
    outcomes = run("reports", [report_row(**changes)], office)
    assert actions(outcomes) == ["refused"]
    assert message in refusal(outcomes), refusal(outcomes)
    assert Report.query.count() == 0


def test_rows_of_one_report_must_agree(ctx, town, office):
    rows = [
        report_row(publication="《江州快讯》正刊", issue="1", adopted_on="2026-03-06"),
        report_row(
            author="王五", publication="省委办公厅《每日汇报》", issue="2", adopted_on="2026-03-06"
        ),
    ]
    outcomes = run("reports", rows, office)
    assert actions(outcomes) == ["create", "refused"] and "撰稿人" in outcomes[1].detail


def test_a_late_emergency_report_is_marked_and_deducted(ctx, town, office):
    row = report_row(category="紧急信息", event_at="2026-03-05 06:00")
    run("reports", [row], office)
    report = Report.query.one()
    assert report.late and Deduction.query.filter_by(kind="late_emergency").count() == 1


def test_a_returned_report_on_record_is_not_adopted_by_an_import(ctx, town, office):
    run("reports", [report_row(status="已退稿", comment="请补充数据")], office)
    outcomes = run(
        "reports",
        [report_row(publication="《江州快讯》正刊", issue="1", adopted_on="2026-03-06")],
        office,
    )
    assert "已退稿的信息" in refusal(outcomes)


# ---- directives and assignments ----


def directive_row(unit="QH-CG", status="", **kw):
    values = {
        "number": "PS-2026-001",
        "title": "关于做好冬季安全生产工作的批示",
        "leader": "市长",
        "level": "市级",
        "received": (clock.today() - dt.timedelta(days=20)).isoformat(),
        "urgent": "否",
        "confidential": "",
        "content": "请认真研究落实。",
        "unit": unit,
        "assigned": "",
        "due": "",
        "due_reason": "",
        "status": status,
        "finished": "",
        "signer": "",
        "subject": "",
        "note": "",
        **kw,
    }
    return list(values.values())


@pytest.fixture
def leaders(town, office):
    """The towns's principal leader and leader in charge, who sign results."""
    run(
        "staff",
        [
            ["李镇长", "QH-CG", "主要领导", "", "li@example.org"],
            ["周分管", "QH-CG", "分管领导", "", "zhou@example.org"],
        ],
        office,
    )
    return town


def test_a_new_assignment_is_assigned_by_the_rules(ctx, leaders, office):
    outcomes = run("directives", [directive_row()], office)
    assert actions(outcomes) == ["create"]
    assignment = Assignment.query.one()
    received = clock.today() - dt.timedelta(days=20)
    assert assignment.assigned_on == received
    assert assignment.due_on == assignment.original_due_on  # a month, by the city rule
    assert (assignment.due_on.month - received.month) % 12 == 1
    (event,) = assignment.events
    assert (event.action, event.account.username, event.comment) == (
        "assign",
        office.username,
        "导入",
    )


def test_an_accepted_assignment_walks_every_step_with_its_signed_result(ctx, leaders, office):
    finished = clock.today() - dt.timedelta(days=2)
    row = directive_row(status="已办结", finished=finished.isoformat(), signer="周分管")
    assert actions(run("directives", [row], office)) == ["create"]
    assignment = Assignment.query.one()
    assert [e.action for e in assignment.events] == [
        "assign",
        "acknowledge",
        "submit_result",
        "accept",
    ]
    assert all(e.comment.startswith("导入") for e in assignment.events)
    assert (assignment.status, assignment.finished_on) == ("accepted", finished)
    result = Feedback.query.one()
    assert (result.kind, result.signer.name, result.signer_duty) == (
        "result",
        "周分管",
        "leader_in_charge",
    )


DIRECTIVE_REFUSALS = {
    "a due date off the rules without a reason": (dict(due="2030-01-01"), "须说明理由"),
    "a result signed by someone not of the unit": (
        dict(status="已报结", signer="路人甲"),
        "不是该单位",
    ),
    "a provincial result not signed by the principal leader": (
        dict(level="省级", status="已报结", signer="周分管"),
        "主要领导签发",
    ),
    "a result without its signer": (dict(status="已报结"), "签发"),
    "cancelled without a reason": (dict(status="已撤销"), "撤销理由"),
    "accepted without its day": (dict(status="已办结", signer="周分管"), "办结日期"),
    "an objection without its subject": (dict(status="已提出异议", note="不属本单位职责"), "异议"),
    "an unknown unit": (dict(unit="NOPE"), "NOPE"),
    "a received date that is not a date": (dict(received="去年"), "不是日期"),
}


@pytest.mark.parametrize("case", list(DIRECTIVE_REFUSALS))
def test_directive_rows_follow_the_lifecycle(ctx, leaders, office, case):
    changes, message = DIRECTIVE_REFUSALS[case]
    before = counts()
    outcomes = run("directives", [directive_row(**changes)], office)
    assert actions(outcomes) == ["refused"]
    assert message in refusal(outcomes), refusal(outcomes)
    assert counts() == before


def test_a_refused_row_leaves_the_other_rows_of_its_directive_intact(ctx, leaders, office):
    run("units", [["QH-XX", "溪下乡", "乡镇/街道"]], office)
    rows = [directive_row(status="已报结"), directive_row(unit="QH-XX")]
    outcomes = run("directives", rows, office, commit=False)
    assert actions(outcomes) == ["refused", "create"]
    assert Directive.query.count() == 0  # a check saves nothing


def test_an_assignment_on_record_moves_on_and_never_back(ctx, leaders, office):
    run("directives", [directive_row(status="已签收")], office)
    finished = clock.today().isoformat()
    outcomes = run(
        "directives", [directive_row(status="已办结", finished=finished, signer="周分管")], office
    )
    assert actions(outcomes) == ["update"] and "已签收 → 已办结" in outcomes[0].detail
    assignment = Assignment.query.one()
    assert assignment.status == "accepted" and assignment.finished_on == clock.today()
    back = run("directives", [directive_row(status="办理中")], office)
    assert "不能把这项交办从" in refusal(back)


def test_a_directive_already_assigned_keeps_what_its_deadlines_came_from(ctx, leaders, office):
    run("directives", [directive_row()], office)
    later = (clock.today() - dt.timedelta(days=10)).isoformat()
    outcomes = run("directives", [directive_row(received=later)], office)
    assert "收件日期" in refusal(outcomes)
    title = run("directives", [directive_row(title="新标题", confidential="是")], office)
    assert actions(title) == ["update"]
    assert (Directive.query.one().title, Directive.query.one().confidential) == ("新标题", True)


def test_changing_a_due_date_needs_its_reason(ctx, leaders, office):
    run("directives", [directive_row()], office)
    new_due = (clock.today() + dt.timedelta(days=40)).isoformat()
    assert "理由" in refusal(run("directives", [directive_row(due=new_due)], office))
    outcomes = run("directives", [directive_row(due=new_due, due_reason="市长同意延后")], office)
    assert actions(outcomes) == ["update"]
    assert Assignment.query.one().events[-1].action == "change_due_date"


def test_the_paths_an_import_walks():
    assert path("assigned", "accepted") == ["acknowledge", "submit_result", "accept"]
    assert path("assigned", "returned") == ["acknowledge", "submit_result", "return_result"]
    assert path("in_progress", "cancelled") == ["cancel"]
    assert path("accepted", "in_progress") is None and path("objected", "acknowledged") is None


# ---- the demo, out and back ----


def snapshot():
    """The records an import brings in, by their natural keys, with their values."""
    units = {
        u.code: (u.name, u.kind, u.ranking_group, u.parent.code if u.parent else None,
                 u.principal_leader, u.principal_leader_email, u.leader_in_charge,
                 u.leader_in_charge_email, u.active, u.created_on)
        for u in Unit.query
    }  # fmt: skip
    staff = {s.email: (s.name, s.unit.code, s.duty, s.phone, s.active) for s in Staff.query}
    reports, adoptions = {}, {}
    for r in Report.query.options(sa.orm.selectinload(Report.adoptions)):
        key = (r.unit.code, r.title, clock.local_date(r.submitted_at))
        reports[key] = (r.category, r.author, r.body, clock.local(r.submitted_at),
                        clock.local(r.event_at), r.status, r.answer_comment, r.late)  # fmt: skip
        for a in r.adoptions:
            adoptions[(*key, a.publication.name)] = (a.issue_no, a.adopted_on, a.points)
    directives = {
        d.number: (d.title, d.content, d.leader_name, d.leader_level, d.urgent, d.confidential,
                   d.received_on)
        for d in Directive.query.filter(Directive.is_instruction())
    }  # fmt: skip
    assignments = {
        (a.directive.number, a.unit.code): (a.assigned_on, a.due_on, a.progress_due_on,
                                            a.status, a.finished_on)
        for a in Assignment.query.filter(Assignment.of_instruction())
    }  # fmt: skip
    items = {
        (i.area.year, i.area.seq, i.seq): (i.area.name, i.title, i.leader_name, i.targets,
                                           sorted((a.unit.code, a.part, a.due_on)
                                                  for a in i.assignments))
        for i in KeyWorkItem.query
    }  # fmt: skip
    return {
        "units": units,
        "staff": staff,
        "reports": reports,
        "adoptions": adoptions,
        "directives": directives,
        "assignments": assignments,
        "key_work_items": items,
    }


KINDS = ["units", "staff", "reports", "directives", "key_work"]
FORMATS = {"units": ("xlsx", None), "staff": ("csv", "gbk"), "reports": ("xlsx", None),
           "directives": ("csv", "utf-8-sig"), "key_work": ("xlsx", None)}  # fmt: skip


def test_the_demo_exported_as_templates_imports_back_to_the_same_records(app):
    from demo.city import SeedResult, _publications, _scoring_rules, seed
    from demo.directives import ensure_rules

    with app.app_context():
        seed("demo-password-1")
        expected = snapshot()
        files = {kind: filled(kind, *FORMATS[kind]) for kind in KINDS}
        db.session.remove()
        empty_tables()
        result = SeedResult()
        _publications(result)
        _scoring_rules(result)
        ensure_rules()
        importer = factories.account("admin")
        db.session.commit()
        for kind in KINDS:
            outcomes = check_rows(kind, files[kind], importer, commit=True)
            db.session.commit()
            assert {o.action for o in outcomes} == {"create"}, [
                o for o in outcomes if o.action != "create"
            ][:3]
        got = snapshot()
        for name in expected:
            assert got[name] == expected[name], name
        for assignment in Assignment.query:
            assert assignment.events[0].action == "assign"
            assert assignment.events[-1].to_status == assignment.status
        before = counts()
        for kind in KINDS:
            outcomes = check_rows(kind, files[kind], importer, commit=True)
            db.session.commit()
            assert {o.action for o in outcomes} == {"unchanged"}, kind
        assert counts() == before  # not even an audit entry
        # And the database's own records, exported, read back unchanged too.
        for kind in KINDS:
            again = check_rows(kind, filled(kind, "csv"), importer)
            assert {o.action for o in again} == {"unchanged"}, kind


# ---- runs: check, claim, import ----


def test_an_import_finds_what_changed_since_the_check_and_imports_nothing(ctx, office):
    from models.imports import check_run, claim_for_import, commit_run, start_run

    run("units", [UNIT_ROW], office)
    rows = [["赵敏", "QH", "", "", "zhao@example.org"], ["钱多", "QH", "", "", "qian@example.org"]]
    data = csv_bytes(template_header("staff"), rows)
    upload = start_run("staff", "人员.csv", data, office)
    db.session.commit()
    assert check_run(upload.id) == "checked" and upload.created == 2
    Unit.query.filter_by(code="QH").update({"code": "QH-OLD"})  # renamed meanwhile
    db.session.commit()
    assert claim_for_import(upload.id) and not claim_for_import(upload.id)
    db.session.commit()
    assert commit_run(upload.id, office.id) == "checked"
    assert (upload.refused, Staff.query.count()) == (2, 0)
    assert "核对之后数据有了变化" in upload.error and upload.content is not None
    assert not claim_for_import(upload.id)  # refused rows: no import


def test_an_imported_run_keeps_its_outcomes_and_drops_the_file(ctx, office):
    from models.imports import ImportRow, check_run, claim_for_import, commit_run, start_run

    upload = start_run("units", "单位.csv", csv_bytes(template_header("units"), [UNIT_ROW]), office)
    db.session.commit()
    check_run(upload.id)
    claim_for_import(upload.id)
    db.session.commit()
    assert commit_run(upload.id, office.id) == "done"
    assert upload.content is None and upload.finished_at is not None
    assert [(r.row, r.action, r.key) for r in ImportRow.query] == [(2, "create", "QH")]
    entry = AuditEntry.query.filter_by(table_name="units").one()
    assert (entry.action, entry.actor) == ("create", office.username)


def test_a_job_that_fails_on_our_own_error_says_so_on_the_run(app, ctx, office):
    from jobs.imports import check_import
    from models.imports import ImportRun

    broken = ImportRun(kind="units", filename="x.csv", size=0, content=None, account=office)
    db.session.add(broken)
    db.session.commit()
    assert check_import(broken.id) == "failed"
    db.session.refresh(broken)
    assert broken.state == "failed" and "系统错误" in broken.error
