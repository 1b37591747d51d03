"""The audit trail: who changed what and when, by form, batch action, job or CLI."""

import datetime as dt
import getpass
import re
import threading

import pytest

from models import Assignment, AuditEntry, Deduction, Directive, Report, Staff, Unit, db
from models.audit import RECORD_KINDS, UNAUDITED_TABLES, acting_as
from models.audit_text import MAX_TEXT, Change, changes_of
from models.scoring import DEDUCTION_KINDS
from tests import factories
from tests.test_bounds import _filter_arg
from tests.test_views import read


def _entries(app, table, record_id):
    with app.app_context():
        return (
            AuditEntry.query.filter_by(table_name=table, record_id=record_id)
            .order_by(AuditEntry.id)
            .all()
        )


def test_an_edit_through_a_form_is_recorded_field_by_field(app, as_role, world):
    response = as_role("staff").post(
        f"/admin/units/edit/?id={world.unit_a}",
        data={
            "code": "A",
            "name": "甲街道",
            "kind": "township",
            "ranking_group": "township",
            "principal_leader": "王主任",
            "active": "y",
        },
    )
    assert response.status_code == 302
    (entry,) = [e for e in _entries(app, "units", world.unit_a) if e.action == "update"]
    assert entry.actor == world.usernames["staff"]
    assert entry.actor_id == world.account_ids["staff"]
    assert entry.changes["name"] == ["甲镇", "甲街道"]
    assert "code" not in entry.changes  # unchanged fields are left out
    assert entry.at is not None


def test_creation_and_deletion_are_recorded_and_outlive_the_record(app, as_role, world):
    client = as_role("staff")
    client.post(
        "/admin/units/new/",
        data={
            "code": "GONE",
            "name": "将删除",
            "kind": "township",
            "ranking_group": "township",
            "active": "y",
        },
    )
    (unit,) = read(app, Unit, code="GONE")
    client.post("/admin/units/delete/", data={"id": unit.id})
    assert read(app, Unit, code="GONE") == []
    actions = [(e.action, e.record) for e in _entries(app, "units", unit.id)]
    assert actions == [("create", "将删除"), ("delete", "将删除")]
    created = _entries(app, "units", unit.id)[0]
    assert created.changes["code"] == [None, "GONE"]


def test_a_batch_action_is_recorded(app, as_role, world):
    as_role("staff").post(
        "/admin/reports/action/", data={"action": "not_adopted", "rowid": [world.report_a]}
    )
    (entry,) = [e for e in _entries(app, "reports", world.report_a) if e.action == "update"]
    assert entry.changes["status"] == ["received", "not_adopted"]
    assert entry.actor == world.usernames["staff"]


def test_a_change_made_by_a_job_names_the_job(app, world):
    def job():
        with app.app_context(), acting_as("job: send notices"):
            db.session.get(Report, world.report_b).title = "由任务修改"
            db.session.commit()

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    (entry,) = [e for e in _entries(app, "reports", world.report_b) if e.action == "update"]
    assert (entry.actor, entry.actor_id) == ("job: send notices", None)
    assert entry.changes["title"] == ["乙镇机密信息", "由任务修改"]


def test_a_change_from_the_command_line_names_the_operating_system_user(app, runner, world):
    result = runner.invoke(
        args=["users", "set-password", world.usernames["leader"], "--password", "a-new-password"]
    )
    assert result.exit_code == 0
    (entry,) = [
        e for e in _entries(app, "accounts", world.account_ids["leader"]) if e.action == "update"
    ]
    assert entry.actor == f"命令行（{getpass.getuser()}）"
    assert entry.changes["password_hash"] == ["***", "***"]


def test_passwords_never_reach_the_trail(app, world):
    with app.app_context():
        for entry in AuditEntry.query.filter_by(table_name="accounts"):
            assert "password_hash" not in entry.changes
            assert "scrypt" not in str(entry.changes)


def test_only_admins_read_the_trail_and_nobody_edits_it(app, as_role, world):
    assert as_role("staff").get("/admin/audit/").status_code == 403
    admin = as_role("admin")
    page = admin.get("/admin/audit/?search=甲镇").get_data(as_text=True)
    assert "甲镇" in page
    with app.app_context():
        entry_id = AuditEntry.query.first().id
    assert admin.get(f"/admin/audit/edit/?id={entry_id}").status_code == 302
    admin.post("/admin/audit/delete/", data={"id": entry_id})
    assert read(app, AuditEntry, id=entry_id)
    details = admin.get(f"/admin/audit/details/?id={entry_id}").get_data(as_text=True)
    assert "ducha-changes" in details


# ---- the trail in people's words ----


def _text(html):
    """A page's text: tags out, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _cells(html, column):
    return [_text(cell) for cell in re.findall(rf'<td class="col-{column}">(.*?)</td>', html, re.S)]


def _latest(app, table, record_id, action="update"):
    with app.app_context():
        return (
            AuditEntry.query.filter_by(table_name=table, record_id=record_id, action=action)
            .order_by(AuditEntry.id.desc())
            .first()
        )


def _directive_form(directive, **changed):
    (assignment,) = directive.assignments
    return {
        "number": directive.number,
        "title": directive.title,
        "content": directive.content,
        "leader_name": directive.leader_name,
        "leader_level": directive.leader_level,
        "received_on": directive.received_on.isoformat(),
        "assignments-0-id": assignment.id,
        "assignments-0-unit": assignment.unit_id,
        "assignments-0-assigned_on": assignment.assigned_on.isoformat(),
        "assignments-0-due_on": assignment.due_on.isoformat(),
        **changed,
    }


def test_a_directive_edit_reads_field_old_new_in_chinese(app, as_role, world):
    with app.app_context():
        directive = db.session.get(Directive, world.directive_a)
        number, old_title = directive.number, directive.title
        data = _directive_form(directive, title="甲镇批示（修订）", urgent="y")
    response = as_role("staff").post(f"/admin/directives/edit/?id={world.directive_a}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry = _latest(app, "directives", world.directive_a)
    admin = as_role("admin")
    details = _text(admin.get(f"/admin/audit/details/?id={entry.id}").get_data(as_text=True))
    assert f"标题：{old_title} → 甲镇批示（修订）" in details
    assert "急件：否 → 是" in details
    assert "title" not in details and "directives" not in details
    page = admin.get("/admin/audit/?search=" + number).get_data(as_text=True)
    rows = list(zip(_cells(page, "table_name"), _cells(page, "record"), strict=True))
    assert ("领导批示件", number) in rows
    assert "标题" in _cells(page, "changed_fields")[rows.index(("领导批示件", number))]


def test_a_foreign_key_change_shows_the_names_of_the_units(app, as_role, world):
    with app.app_context(), acting_as("管理员"):
        db.session.get(Staff, world.staff_a).unit_id = world.unit_b
        db.session.commit()
    entry = _latest(app, "staff", world.staff_a)
    with app.test_request_context():
        assert Change("单位", "甲镇", "乙镇") in changes_of(entry)
    details = as_role("admin").get(f"/admin/audit/details/?id={entry.id}").get_data(as_text=True)
    assert "单位：甲镇 → 乙镇" in _text(details)


def test_a_deleted_record_is_named_by_its_last_name_in_the_trail(app, world):
    with app.app_context():
        gone = factories.unit(name="撤并乡")
        db.session.commit()
        staff = factories.staff(gone)
        db.session.commit()
        assert staff.unit_id == gone.id  # loaded: the trail keeps what it replaces
        staff.unit_id = world.unit_a
        db.session.commit()
        db.session.delete(db.session.get(Unit, gone.id))
        db.session.commit()
        entry = AuditEntry.query.filter_by(table_name="staff", action="update").one()
    with app.test_request_context():
        assert Change("单位", "撤并乡", "甲镇") in changes_of(entry)


def test_values_are_shown_as_people_read_them(app, world):
    long_text = "情况说明" * 40
    entry = AuditEntry(
        table_name="directives",
        action="update",
        changes={
            "urgent": [False, True],
            "leader_level": ["city", "province"],
            "received_on": ["2026-10-01", "2026-10-08"],
            "created_at": ["2026-10-01T00:00:00+00:00", "2026-10-02T00:00:00+00:00"],  # no label
            "content": ["", long_text],
            "id": [1, 2],
        },
    )
    with app.test_request_context():
        changes = {c.field: (c.old, c.new) for c in changes_of(entry)}
    assert changes["收件日期"] == ("2026-10-01", "2026-10-08")
    assert changes["领导级别"] == ("市级", "省级")
    assert changes["急件"] == ("否", "是")
    old, new = changes["批示内容"]
    assert old == "（空）" and new.endswith("…") and len(new) == MAX_TEXT
    assert len(changes) == 4  # the id and the creation time, which nobody reads, left out
    timed = AuditEntry(
        table_name="reports",
        action="update",
        changes={"submitted_at": ["2026-10-01T00:30:00+00:00", "2026-10-01T16:30:00"]},
    )
    with app.test_request_context():
        (change,) = changes_of(timed)
    assert (change.old, change.new) == ("2026-10-01 08:30", "2026-10-02 00:30")  # Shanghai


def test_a_password_change_says_only_that_it_changed(app, runner, world):
    runner.invoke(
        args=["users", "set-password", world.usernames["leader"], "--password", "a-new-password"]
    )
    entry = _latest(app, "accounts", world.account_ids["leader"])
    with app.test_request_context():
        changes = changes_of(entry)
    assert Change("密码", None, "已修改") in changes
    assert "***" not in str(changes) and "scrypt" not in str(changes)


def test_every_audited_table_has_a_kind_and_no_record_is_named_by_its_repr(app, world):
    with app.app_context():
        tables = {
            mapper.class_.__tablename__
            for mapper in db.Model.registry.mappers
            if mapper.class_.__tablename__ not in UNAUDITED_TABLES
        }
        assert tables <= set(RECORD_KINDS), tables - set(RECORD_KINDS)
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.acknowledge(None)
        assignment.request_extension(
            None, assignment.due_on + dt.timedelta(days=10), "需要补充调查"
        )
        db.session.commit()
        for entry in AuditEntry.query:
            assert entry.record and not entry.record.startswith("<"), entry.record
        event = AuditEntry.query.filter_by(table_name="assignment_events").all()[-1]
        unit, number = assignment.unit.name, assignment.directive.number
    assert event.record.startswith(f"{unit} · {number} ")
    labels = read(app, AuditEntry, table_name="assignments", record_id=world.assignment_a)
    assert {e.record for e in labels} == {f"{unit} · {number}"}


def test_the_list_shows_no_table_names_or_reprs(app, as_role, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.acknowledge(None)
        assignment.request_extension(None, assignment.due_on + dt.timedelta(days=10), "需要补充")
        db.session.commit()
    page = as_role("admin").get("/admin/audit/?page_size=100").get_data(as_text=True)
    kinds = set(_cells(page, "table_name"))
    assert {"办理环节", "延期申请", "交办事项", "单位", "账号"} <= kinds
    assert not kinds & {"assignment_events", "extension_requests", "accounts", "units"}
    records = _cells(page, "record")
    assert records and not [r for r in records if "<" in r or "pending" in r or not r]


def test_a_deleted_rows_label_is_the_one_it_had(app, as_role, world):
    with app.app_context():
        db.session.delete(db.session.get(Directive, world.directive_a))
        db.session.commit()
        number = (
            AuditEntry.query.filter_by(
                table_name="directives", record_id=world.directive_a, action="create"
            )
            .one()
            .record
        )
        deleted = {(e.table_name, e.record) for e in AuditEntry.query.filter_by(action="delete")}
    assert ("directives", number) in deleted
    assert ("assignments", f"甲镇 · {number}") in deleted


@pytest.mark.parametrize(
    "column,operation,value",
    [
        ("table_name", "ChoiceEqualFilter", "accounts'; --"),
        ("action", "ChoiceEqualFilter", "drop"),
        ("at", "DateTimeGreaterFilter", "0001-01-01 00:00:00"),
        ("record_id", "IntEqualFilter", "9" * 30),
    ],
)
def test_the_lists_filters_out_of_range_are_left_out_with_a_message(
    app, as_role, world, column, operation, value
):
    arg = _filter_arg(app, "audit", column, operation)
    response = as_role("admin").get("/admin/audit/", query_string={arg: value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "不能取值" in page and "已略去" in page


def test_a_kind_filter_lists_the_kinds_by_name(app, as_role, world):
    arg = _filter_arg(app, "audit", "table_name", "ChoiceEqualFilter")
    admin = as_role("admin")
    page = admin.get("/admin/audit/", query_string={arg: "units"}).get_data(as_text=True)
    assert set(_cells(page, "table_name")) == {"单位"}
    assert "不能取值" not in page


def test_an_edit_deep_in_a_long_text_shows_around_the_change(app):
    before = "石口镇：2026年10月" + "各项信息工作有序推进，" * 10 + "报送信息12条。"
    after = before.replace("报送信息12条", "报送信息15条")
    entry = AuditEntry(table_name="reports", action="update", changes={"body": [before, after]})
    with app.test_request_context():
        ((field, old, new),) = [(c.field, c.old, c.new) for c in changes_of(entry)]
    assert old != new and "12条" in old and "15条" in new
    assert old.startswith("…") and new.startswith("…") and len(old) <= MAX_TEXT
    # An edit near the start is shown from the start.
    entry.changes = {"body": ["乙" + before[1:], before]}
    with app.test_request_context():
        ((_field, old, new),) = [(c.field, c.old, c.new) for c in changes_of(entry)]
    assert old.startswith("乙") and new.startswith("石") and old.endswith("…")
    assert len(old) == len(new) == MAX_TEXT


def test_a_deduction_is_named_with_its_unit(app, world):
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        deduction = Deduction(
            unit=unit, kind="wrong_report", reason="数据有误", occurred_on=dt.date(2026, 10, 9)
        )
        db.session.add(deduction)
        db.session.commit()
        (entry,) = AuditEntry.query.filter_by(table_name="deductions", action="create").all()
        kind = DEDUCTION_KINDS.label("wrong_report")
        assert entry.record == f"{unit.name} · {kind} -{deduction.points}" == f"甲镇 · {kind} -5"
