"""Sending against real services: Redis (TEST_REDIS_URL), RQ workers (in this process and
as `flask worker` processes) and an SMTP server on a loopback port. No mocks."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job

from jobs import QUEUE_NAME
from jobs.notices import send_notices
from models import Notice, Staff, Unit, db
from tests import factories
from tests.helpers import run_worker

ROOT = Path(__file__).resolve().parent.parent
DUE = dt.date(2026, 10, 1)
CHASE_DAY = "2026-10-09"  # 8 days overdue: the second chase


@pytest.fixture
def app_config(redis_url, mail_server):
    return {
        "REDIS_URL": redis_url,
        **mail_server.settings,
        "MAIL_TIMEOUT": 1,
        "NOTICE_RETRY_SECONDS": [0],
        "NOTICE_MAX_ATTEMPTS": 3,
        "NOTICE_SENDING_TIMEOUT_SECONDS": 0,
        # RQ scores a job's heartbeat in whole seconds: 3 leaves a live worker 2 s of lateness.
        "WORKER_HEARTBEAT_SECONDS": 3,
    }


def work(app, redis_url):
    run_worker(app, redis_url)


def queue(redis_url):
    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


def assignments(app, world, count=1):
    with app.app_context():
        units = [db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)]
        for n in range(count):
            factories.assignment_due(units[n % 2], DUE)
        db.session.commit()


def cli(runner, *args):
    result = runner.invoke(args=["notices", *args])
    assert result.exit_code == 0, result.output
    return result.output


def outbox(app):
    with app.app_context():
        return Notice.query.order_by(Notice.id).all()


def test_a_scan_run_twice_the_same_day_sends_each_notice_once(
    app, runner, world, mail_server, redis_url
):
    mail_server.start()
    assignments(app, world, 2)
    assert "2 new notices; 2 handed to send jobs" in cli(runner, "scan", "--today", CHASE_DAY)
    assert "0 new notices; 0 handed" in cli(runner, "scan", "--today", CHASE_DAY)
    assert queue(redis_url).count == 1  # the second scan saw the first one's job waiting
    work(app, redis_url)
    cli(runner, "scan", "--today", CHASE_DAY)
    work(app, redis_url)
    notices = outbox(app)
    assert [n.state for n in notices] == ["sent", "sent"]
    assert sorted(mail_server.received_ids) == sorted(n.message_id for n in notices)
    assert mail_server.handler.sessions == 1  # one batch, one SMTP connection
    subjects = sorted(str(m["Subject"]) for m in mail_server.handler.received)
    assert all(s.startswith("【催办通知（第2次）】") for s in subjects)


def test_smtp_down_then_up_is_retried_and_sent_once(app, runner, world, mail_server, redis_url):
    assignments(app, world)
    cli(runner, "scan", "--today", CHASE_DAY)
    work(app, redis_url)  # the server is down: connection refused
    (notice,) = outbox(app)
    assert (notice.state, notice.attempts) == ("retry", 1)
    assert "ConnectionRefusedError" in notice.last_error
    mail_server.start()
    assert "1 handed to send jobs" in cli(runner, "dispatch")
    work(app, redis_url)
    (notice,) = outbox(app)
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 2, None)
    assert mail_server.received_ids == [notice.message_id]


def test_a_550_fails_with_its_reason_and_is_not_retried(app, runner, world, mail_server, redis_url):
    mail_server.handler.mode = "reject"
    mail_server.start()
    assignments(app, world)
    cli(runner, "scan", "--today", CHASE_DAY)
    work(app, redis_url)
    cli(runner, "dispatch")
    work(app, redis_url)
    (notice,) = outbox(app)
    assert (notice.state, notice.attempts) == ("failed", 1)
    assert notice.last_error == "550 5.1.1 Mailbox unavailable: no such user"
    assert mail_server.handler.answered == [(notice.message_id, 550)]


def test_a_4xx_is_retried_with_the_same_message_id_then_given_up(
    app, runner, world, mail_server, redis_url
):
    mail_server.handler.mode = "tempfail"
    mail_server.start()
    assignments(app, world)
    cli(runner, "scan", "--today", CHASE_DAY)
    for _ in range(5):
        work(app, redis_url)
        cli(runner, "dispatch")
    (notice,) = outbox(app)
    assert (notice.state, notice.attempts) == ("failed", 3)  # NOTICE_MAX_ATTEMPTS
    assert "451 4.3.0" in notice.last_error
    assert mail_server.handler.answered == [(notice.message_id, 451)] * 3


def test_a_bad_address_fails_without_asking_the_server(app, runner, world, mail_server, redis_url):
    mail_server.start()
    assignments(app, world)
    with app.app_context():
        db.session.get(Staff, world.staff_a).email = "not an address@@example.org"
        db.session.commit()
    cli(runner, "scan", "--today", CHASE_DAY)
    work(app, redis_url)
    (notice,) = outbox(app)
    assert notice.state == "failed" and "bad address" in notice.last_error
    assert mail_server.handler.answered == []


def test_the_message_reads_back_in_chinese_and_a_header_line_break_is_refused(
    app, runner, world, mail_server, redis_url
):
    mail_server.start()
    assignments(app, world, 2)
    with app.app_context():
        db.session.get(Staff, world.staff_a).name = "张\r\nBcc: x@example.org"
        db.session.commit()
    cli(runner, "scan", "--today", CHASE_DAY)
    work(app, redis_url)
    broken, good = sorted(outbox(app), key=lambda n: n.state)
    assert broken.state == "failed" and "line break" in broken.last_error
    (message,) = mail_server.handler.received
    assert message["Message-ID"] == good.message_id
    assert str(message["Subject"]) == good.subject and "催办通知" in good.subject
    assert message["To"].addresses[0].display_name == good.recipient_name
    assert message["To"].addresses[0].addr_spec == good.recipient_email
    assert "已超期8天" in message.get_content()


def test_a_lost_answer_after_the_message_is_unknown_not_resent_and_the_batch_stops(
    app, runner, world, mail_server, redis_url
):
    mail_server.handler.hold_after = 0  # takes each message, answers after MAIL_TIMEOUT
    mail_server.handler.hold_seconds = 2
    mail_server.start()
    assignments(app, world, 4)
    cli(runner, "scan", "--today", CHASE_DAY)  # one job for the four
    started = time.monotonic()
    work(app, redis_url)
    assert time.monotonic() - started < 2 * app.config["MAIL_TIMEOUT"] + 0.5
    first, *rest = outbox(app)
    assert first.state == "unknown" and "connection lost while sending" in first.last_error
    assert [(n.state, n.attempts) for n in rest] == [("queued", 0)] * 3  # left for the next
    mail_server.handler.hold_after = None
    assert "3 handed to send jobs" in cli(runner, "dispatch")
    work(app, redis_url)
    assert [n.state for n in outbox(app)] == ["unknown"] + ["sent"] * 3
    assert sorted(mail_server.received_ids) == sorted(n.message_id for n in outbox(app))
    assert mail_server.handler.sessions == 2  # the rest went on a fresh connection


def notices(app, world, count, **values):
    """Queued notices due now, written straight into the outbox."""
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        rows = [factories.notice(unit, **values) for _ in range(count)]
        db.session.commit()
        return [row.id for row in rows]


@pytest.mark.parametrize("drop", ["at_data", "in_message"])
def test_a_connection_reset_before_the_final_dot_is_retried_not_unknown(
    app, runner, world, mail_server, redis_url, drop
):
    mail_server.handler.drop = drop
    mail_server.start()
    # Mid-message, the reset must come while the client still writes: more than the
    # socket buffers of both ends hold (some 3 MB on loopback).
    big = "请抓紧办理。\n" * (400_000 if drop == "in_message" else 1)
    notices(app, world, 1, body=big)
    notices(app, world, 2)
    cli(runner, "dispatch")
    work(app, redis_url)
    first, *rest = outbox(app)
    assert mail_server.handler.dropped == 1
    assert (first.state, first.attempts) == ("retry", 1), first.last_error
    assert [(n.state, n.attempts) for n in rest] == [("queued", 0)] * 2
    mail_server.handler.drop = None
    assert "3 handed to send jobs" in cli(runner, "dispatch")
    work(app, redis_url)
    assert [n.state for n in outbox(app)] == ["sent"] * 3
    assert sorted(mail_server.received_ids) == sorted(n.message_id for n in outbox(app))


# ---- real worker processes: `flask --app app worker --burst` ----


def worker_process(app, mail_server, redis_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_server.port),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "NOTICE_SENDING_TIMEOUT_SECONDS": "900",
        "WORKER_HEARTBEAT_SECONDS": str(app.config["WORKER_HEARTBEAT_SECONDS"]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the worker and its work horse
    )


def test_two_workers_on_one_queue_send_no_duplicate(
    app, runner, world, mail_server, redis_url, tmp_path
):
    mail_server.handler.delay = 0.05
    mail_server.start()
    assignments(app, world, 20)
    cli(runner, "scan", "--today", CHASE_DAY)
    ids = [n.id for n in outbox(app)]
    q = queue(redis_url)
    for _ in range(5):  # the same notices asked of several jobs, as after repeated dispatches
        q.enqueue(send_notices, ids, job_timeout=600)
    workers = [worker_process(app, mail_server, redis_url, tmp_path) for _ in range(2)]
    for process in workers:
        log, _ = process.communicate(timeout=60)
        assert process.returncode == 0, log.decode()[-2000:]
    notices = outbox(app)
    assert {n.state for n in notices} == {"sent"} and len(notices) == 20
    assert sorted(mail_server.received_ids) == sorted(n.message_id for n in notices)
    jobs = Job.fetch_many(q.finished_job_registry.get_job_ids(), connection=q.connection)
    assert len(jobs) == 6
    assert len({job.worker_name for job in jobs}) == 2, "both workers took jobs"
    assert sum(job.return_value().get("sent", 0) for job in jobs) == 20


def child_pids(pid):
    """The processes whose parent is `pid` (the work horse a worker forked)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_job_killed_mid_batch_and_run_again_sends_the_rest_none_twice(
    app, runner, world, mail_server, redis_url, tmp_path
):
    mail_server.handler.hold_after = 3  # the 4th message stays in flight
    mail_server.start()
    assignments(app, world, 6)
    cli(runner, "scan", "--today", CHASE_DAY)  # one send job for the six
    worker = worker_process(app, mail_server, redis_url, tmp_path)
    assert mail_server.handler.holding.wait(60), "the worker sent nothing"
    (horse,) = child_pids(worker.pid)  # the process running the job
    os.kill(horse, signal.SIGKILL)
    mail_server.handler.release.set()
    log, _ = worker.communicate(timeout=30)  # RQ notes the job failed; burst ends
    assert "terminated unexpectedly" in log.decode(), log.decode()[-2000:]
    assert [n.state for n in outbox(app)] == ["sent"] * 3 + ["sending"] + ["queued"] * 2

    output = cli(runner, "dispatch")  # the job is dead: its notices get a new one
    assert "2 handed to send jobs, 1 stuck in sending marked unknown" in output
    work(app, redis_url)
    queue(redis_url).enqueue(send_notices, [n.id for n in outbox(app)])  # and once more
    work(app, redis_url)
    notices = outbox(app)
    assert [n.state for n in notices] == ["sent"] * 3 + ["unknown"] + ["sent"] * 2
    assert sorted(mail_server.received_ids) == sorted(n.message_id for n in notices)


def kill_worker(worker):
    """SIGKILL a worker, then its work horse (RQ puts it in a process group of its own):
    nobody is left to note how the job ended, as when a machine loses both."""
    horses = child_pids(worker.pid)
    assert horses, "the worker runs no job"
    os.kill(worker.pid, signal.SIGKILL)
    for horse in horses:
        os.kill(horse, signal.SIGKILL)
    worker.communicate(timeout=30)


def handed_on(output):
    """How many notices a dispatch handed to send jobs ("12 handed to send jobs, ...")."""
    return int(output.split()[0])


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def monitored_workers(client):
    """(live, stopped) workers as the monitoring page shows them."""
    page = client.get("/admin/monitor/").get_data(as_text=True)
    live = re.search(r'<td class="ducha-workers[^"]*">(\d+)<', page).group(1)
    stopped = re.search(r'<td class="ducha-workers-stopped[^"]*">(\d+)<', page).group(1)
    return int(live), int(stopped), page.count('class="ducha-worker small"')


def test_a_killed_worker_s_notices_go_to_a_new_job_once_its_heartbeat_lapses(
    app, runner, world, mail_server, redis_url, tmp_path, as_role
):
    app.config["NOTICE_SENDING_TIMEOUT_SECONDS"] = 900  # the sweeper leaves `sending` alone
    lapse = 2 * app.config["WORKER_HEARTBEAT_SECONDS"]
    mail_server.handler.delay = 0.2  # a slow server: the kill lands mid-batch
    mail_server.start()
    assignments(app, world, 50)
    cli(runner, "scan", "--today", CHASE_DAY)  # one send job for the fifty
    first_job = outbox(app)[0].job_id
    worker = worker_process(app, mail_server, redis_url, tmp_path)
    wait_for(lambda: mail_server.handler.received, 60)
    admin = as_role("admin")
    assert monitored_workers(admin) == (1, 0, 1)
    started = time.monotonic()
    while time.monotonic() - started < lapse + 0.5:  # every phase of its heartbeats
        assert handed_on(cli(runner, "dispatch")) == 0, "a live job was taken for dead"
        time.sleep(0.2)
    kill_worker(worker)
    killed = time.monotonic()
    assert handed_on(cli(runner, "dispatch")) == 0, "a job was taken for dead at once"
    # Each dispatch that still finds the job live began within the lapse (and a second,
    # RQ's whole seconds) of the kill; how long a dispatch takes on a busy machine is not
    # the rule's. (RQ alone: a minute, then ten.)
    while True:
        called = time.monotonic()
        if handed_on(output := cli(runner, "dispatch")):
            break
        assert called - killed < lapse + 1.5, "the dead job still holds its notices"
        time.sleep(0.2)
    assert Job.fetch(first_job, connection=queue(redis_url).connection).get_status() == "failed"
    # The page reads the worker's own heartbeat, to the microsecond; RQ scores the job's
    # in whole seconds: the page may lag the dispatcher by a second (and a busy machine
    # answers the page slowly).
    wait_for(lambda: monitored_workers(admin) == (0, 1, 0), 5)

    mail_server.handler.delay = 0
    work(app, redis_url)
    notices = outbox(app)
    states = Counter(n.state for n in notices)
    assert states == {"sent": 49, "sending": 1}, states  # the one in flight waits for a person
    handed = handed_on(output)
    assert 0 < handed < 49, f"{handed} of 50 handed on: the kill did not land mid-batch"
    received = Counter(mail_server.received_ids)
    assert max(received.values()) == 1, "a message went out twice"
    assert {n.message_id for n in notices if n.state == "sent"} <= set(received)


# ---- Redis down ----


def app_with_redis_at(database_url, tmp_path, redis_url):
    from app import create_app
    from tests.helpers import base_config

    config = {**base_config(database_url), "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")}
    return create_app({**config, "REDIS_URL": redis_url})


def timed_scan(app):
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["notices", "scan", "--today", CHASE_DAY])
    return result, time.monotonic() - started


@pytest.mark.parametrize("down", ["refused", "silent"])
def test_with_redis_down_the_scan_answers_fast_and_notices_go_out_later(
    app, runner, world, mail_server, redis_url, database_url, tmp_path, down
):
    mail_server.start()
    assignments(app, world, 2)
    port = mail_server.port + 1000
    silent = None
    if down == "silent":  # accepts connections, never answers
        silent = __import__("socket").create_server(("127.0.0.1", port))
    try:
        down_app = app_with_redis_at(database_url, tmp_path, f"redis://127.0.0.1:{port}/0")
        result, seconds = timed_scan(down_app)
    finally:
        if silent is not None:
            silent.close()
    assert result.exit_code == 0, result.output
    assert "2 new notices" in result.output and "unreachable" in result.output
    assert seconds < 2, f"the scan took {seconds:.1f}s with Redis {down}"
    assert {n.state for n in outbox(app)} == {"queued"}
    with down_app.app_context():
        db.engine.dispose()
    assert "2 handed to send jobs" in cli(runner, "dispatch")  # Redis is back
    work(app, redis_url)
    assert {n.state for n in outbox(app)} == {"sent"}
    assert len(mail_server.received_ids) == 2


def test_monitoring_page_shows_the_queue(app, runner, world, mail_server, redis_url, as_role):
    assignments(app, world, 2)
    cli(runner, "scan", "--today", CHASE_DAY)
    page = as_role("admin").get("/admin/monitor/").get_data(as_text=True)
    assert '<td class="ducha-queued">1</td>' in page
    assert '<td class="ducha-state-queued">2</td>' in page
