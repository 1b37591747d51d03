"""Notice jobs: the daily scan, the dispatcher that hands waiting notices to send jobs,
and the send job itself. Each takes ids or nothing, builds its own app context, and can
run twice without sending anything twice: the outbox decides, not RQ (no RQ Retry).
"""

import datetime as dt
import logging
import uuid
from collections import Counter

from flask import current_app
from redis.exceptions import RedisError

from jobs import (
    FAILURE_TTL,
    QUEUE_NAME,
    current_queue,
    enqueue,
    fail_abandoned_jobs,
    job_context,
    live_jobs,
)
from jobs.mail import Mailer, address_problem, build_message
from models import clock
from models.notice_plan import NoticeRules
from models.notice_scan import record_due_notices
from models.notices import (
    Claims,
    Delivery,
    SendPolicy,
    assign_job,
    sweep_stuck,
    waiting_notices,
)

log = logging.getLogger(__name__)
SCAN_TIMEOUT = 30 * 60  # seconds an RQ job may run
DISPATCH_TIMEOUT = 5 * 60
SEND_TIMEOUT = 60 * 60


def scan_notices(today=None):
    """Write the notices due today (YYYY-MM-DD, default the office's today) and dispatch them."""
    with job_context() as app:
        day = dt.date.fromisoformat(today) if today else clock.today()
        rules = NoticeRules.from_config(app.config)
        created = record_due_notices(day, rules, app.config["NOTICE_SCAN_BATCH"])
        result = {"date": day.isoformat(), "created": created, **dispatch_waiting()}
        log.info("notice scan: %s", result)
        return result


def dispatch_notices(notice_ids=None):
    """Sweep stuck sends, then enqueue a send job for every waiting notice without a live job."""
    with job_context():
        return dispatch_waiting(notice_ids)


def send_notices(notice_ids):
    """Send these notices over one SMTP connection; each is claimed first, so none goes twice.

    A notice's outcome is written together with the claim of the next one (one commit a
    notice, not two): a worker killed mid-batch still leaves at most one notice in
    `sending`, which the sweeper marks of unknown outcome. The job stops where the
    connection is lost: the notices after it stay queued, unclaimed, for the next
    dispatch on a fresh connection, so a server that stops answering costs a job one
    MAIL_TIMEOUT, not one a notice.
    """
    with job_context() as app, Mailer(app.config) as mailer, Claims.open() as claims:
        policy = SendPolicy.from_config(app.config)
        outcomes = Counter()
        for done, notice_id in enumerate(notice_ids, 1):
            outcomes[send_notice(notice_id, mailer, claims, policy)] += 1
            if mailer.lost and done < len(notice_ids):
                outcomes["left"] = len(notice_ids) - done
                log.warning(
                    "SMTP connection lost: %s notices left for the next dispatch", outcomes["left"]
                )
                break
        log.info("sent notices: %s", dict(outcomes))
        return dict(outcomes)


def send_notice(notice_id, mailer, claims, policy):
    """Claim one notice, send it, note the outcome; its new state, or "skipped"."""
    notice = claims.claim(notice_id, clock.now())
    if notice is None:  # gone, already sent, taken by another worker, or not due yet
        return "skipped"
    delivery = deliver(notice, mailer)
    state = claims.settle(notice, delivery, policy, clock.now())
    if state != "sent":
        log.warning("notice %s: %s (%s)", notice.id, state, delivery.detail)
    return state


def deliver(notice, mailer):
    """Hand one claimed notice to the mailer; a message that cannot be made fails for good."""
    problem = address_problem(notice.recipient_email)
    if problem:
        return Delivery("permanent", problem)
    try:
        message = build_message(notice, mailer.sender)
    except ValueError as error:  # e.g. a line break in a header
        return Delivery("permanent", f"cannot build the message: {error}")
    return mailer.deliver(message, f"notice-{notice.id}", notice.recipient_email)


def dispatch_waiting(notice_ids=None):
    """Enqueue sends for waiting notices (all, or these ids) that have no live job.

    A job whose worker stopped heartbeating is not live (`fail_abandoned_jobs`): the
    notices it had yet to claim go to a new job. Returns counts; with Redis unreachable,
    stops at once and the notices wait in the outbox for the next dispatch.
    """
    config = current_app.config
    now = clock.now()
    swept = sweep_stuck(now, SendPolicy.from_config(config).sending_timeout)
    if swept:
        log.warning("%s notices stuck in sending are now of unknown outcome", swept)
    batch = config["NOTICE_SEND_BATCH"]
    enqueued, after = 0, 0
    try:
        fail_abandoned_jobs()
        while rows := waiting_notices(now, after, limit=batch * 10, ids=notice_ids):
            after = rows[-1].id
            live = live_jobs({row.job_id for row in rows})
            orphans = [row.id for row in rows if row.job_id not in live]
            for start in range(0, len(orphans), batch):
                enqueue_send(orphans[start : start + batch])
                enqueued += len(orphans[start : start + batch])
    except RedisError as error:
        log.warning("Redis unreachable, notices wait in the outbox: %s", error)
        return {"swept": swept, "enqueued": enqueued, "queue_down": True}
    return {"swept": swept, "enqueued": enqueued, "queue_down": False}


def enqueue_send(notice_ids):
    """Record the job on the notices, commit, then enqueue it (run it inline without Redis)."""
    job_id = f"send-notices-{uuid.uuid4().hex}" if current_queue() is not None else None
    assign_job(notice_ids, job_id)
    enqueue(send_notices, notice_ids, job_id=job_id, job_timeout=SEND_TIMEOUT)


# ---- the schedule ----


def daily_cron(local_time):
    """A cron string for every day at `local_time` ("HH:MM"), read in the office's zone."""
    moment = dt.time.fromisoformat(local_time)
    return f"{moment.minute} {moment.hour} * * *"


def register_schedule(scheduler, config):
    """The notice jobs RQ's cron scheduler runs: the daily scan and the regular dispatch."""
    scheduler.register(
        scan_notices,
        QUEUE_NAME,
        cron=daily_cron(config["NOTICE_SCAN_AT"]),
        job_timeout=SCAN_TIMEOUT,
        failure_ttl=FAILURE_TTL,
        name="notices-scan",
    )
    scheduler.register(
        dispatch_notices,
        QUEUE_NAME,
        interval=config["NOTICE_DISPATCH_SECONDS"],
        job_timeout=DISPATCH_TIMEOUT,
        failure_ttl=FAILURE_TTL,
        name="notices-dispatch",
    )
