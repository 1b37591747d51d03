"""Notices without Redis or a mail server (jobs inline, .eml files), and their screens:
the outbox list, "send again", and the monitoring page."""

import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from models import Notice, NoticeScan, Unit, db
from tests import factories

CHASE_DAY = "2026-10-09"


def overdue(app, world):
    with app.app_context():
        for unit_id in (world.unit_a, world.unit_b):
            factories.assignment_due(db.session.get(Unit, unit_id), dt.date(2026, 10, 1))
        db.session.commit()


def scan(runner):
    result = runner.invoke(args=["notices", "scan", "--today", CHASE_DAY])
    assert result.exit_code == 0, result.output
    return result.output


def outbox(app):
    with app.app_context():
        return Notice.query.order_by(Notice.id).all()


def eml_files(app):
    return sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))


def test_without_redis_and_mail_server_notices_become_eml_files(app, runner, world):
    overdue(app, world)
    assert "2 new notices; 2 handed to send jobs" in scan(runner)
    scan(runner)
    notices = outbox(app)
    assert [n.state for n in notices] == ["sent", "sent"]
    files = eml_files(app)
    assert [f.name for f in files] == [f"notice-{n.id}.eml" for n in notices]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == notices[0].message_id
    assert message["Subject"] == notices[0].subject and "催办通知" in message["Subject"]
    assert message["To"].addresses[0].addr_spec == notices[0].recipient_email
    assert "已超期8天" in message.get_content()


def test_the_log_says_once_that_jobs_run_inline(app):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "units", "list"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("REDIS_URL is not set: background jobs run inline") == 1


def test_unit_officers_see_their_own_units_notices_only(app, runner, world, as_role):
    overdue(app, world)
    scan(runner)
    mine, other = outbox(app)
    client = as_role("unit")
    page = client.get("/admin/notices/").get_data(as_text=True)
    assert mine.recipient_email in page and other.recipient_email not in page
    assert client.get(f"/admin/notices/details/?id={other.id}").status_code == 404
    assert client.get(f"/admin/notices/details/?id={mine.id}").status_code == 200
    assert "send_again" not in page
    assert as_role("leader").get("/admin/notices/").status_code == 403


def test_a_notice_s_page_shows_no_machinery_codes(app, runner, world, as_role):
    overdue(app, world)
    scan(runner)
    notice = outbox(app)[0]
    page = as_role("admin").get(f"/admin/notices/details/?id={notice.id}").get_data(as_text=True)
    assert "邮件标识" in page and "Message-ID" not in page
    assert notice.dedupe_key not in page


def _send_again(client, ids):
    return client.post(
        "/admin/notices/action/",
        data={"action": "send_again", "rowid": [str(i) for i in ids]},
        follow_redirects=True,
    )


def test_the_office_sends_a_notice_again(app, runner, world, as_role):
    overdue(app, world)
    scan(runner)
    first, second = outbox(app)
    with app.app_context():
        db.session.get(Notice, first.id).state = "unknown"
        db.session.commit()
    client = as_role("staff")
    assert "send_again" in client.get("/admin/notices/").get_data(as_text=True)
    page = _send_again(client, [first.id, "nonsense"]).get_data(as_text=True)
    assert "1 条通知将重新发送" in page
    again, untouched = outbox(app)
    assert (again.state, again.attempts, again.message_id) == ("sent", 1, first.message_id)
    assert untouched.sent_at == second.sent_at


def test_unit_officers_cannot_send_again(app, runner, world, as_role):
    overdue(app, world)
    scan(runner)
    mine, _other = outbox(app)
    with app.app_context():
        db.session.get(Notice, mine.id).state = "failed"
        db.session.commit()
    _send_again(as_role("unit"), [mine.id])
    assert outbox(app)[0].state == "failed"


def test_monitoring_is_for_administrators(app, runner, world, as_role):
    overdue(app, world)
    scan(runner)
    home = as_role("admin").get("/admin/").get_data(as_text=True)
    assert "运行监控" in home and "/admin/monitor/" in home
    assert "运行监控" not in as_role("staff").get("/admin/").get_data(as_text=True)
    page = as_role("admin").get("/admin/monitor/").get_data(as_text=True)
    assert "直接运行" in page
    assert '<td class="ducha-state-sent">2</td>' in page
    assert "2026-10-09" in page  # the last scan's day
    for role in ("staff", "leader", "unit"):
        assert as_role(role).get("/admin/monitor/").status_code == 403


def scan_process(app, tmp_path):
    """`flask notices scan` in a process of its own, one assignment a batch."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "NOTICE_SCAN_BATCH": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "notices", "scan", "--today", CHASE_DAY],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )


def test_a_scan_killed_midway_shows_as_not_finished(app, runner, world, as_role, tmp_path):
    with app.app_context():  # 200 batches: the scan runs long after its record is written
        unit = db.session.get(Unit, world.unit_a)
        for _ in range(200):
            factories.assignment_due(unit, dt.date(2026, 10, 1))
        db.session.commit()
    # Plain reads, not the app's SQLite BEGIN IMMEDIATE, which would queue behind the scan.
    reader = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    process = scan_process(app, tmp_path)
    with reader.connect() as conn:
        deadline = time.monotonic() + 60
        while not conn.execute(sa.select(NoticeScan.id)).all():
            conn.rollback()
            assert time.monotonic() < deadline and process.poll() is None, "no scan started"
            time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    reader.dispose()
    with app.app_context():
        (killed,) = NoticeScan.query.all()
        assert killed.finished_at is None, "the scan finished before it was killed"
        assert Notice.query.count() < 200
    page = as_role("admin").get("/admin/monitor/").get_data(as_text=True)
    assert 'class="ducha-last-scan text-warning"' in page and "未完成" in page

    scan(runner)  # run again: adds what is missing, nothing twice
    page = as_role("admin").get("/admin/monitor/").get_data(as_text=True)
    assert 'class="ducha-last-scan"' in page and "未完成" not in page
    assert len(outbox(app)) == 200
