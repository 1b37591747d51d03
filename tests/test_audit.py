"""The audit trail: who changed what and when, by form, batch action, job or CLI."""

import threading

from models import AuditEntry, Report, Unit, db
from models.audit import acting_as
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
    assert entry.actor.startswith("command line (")
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
