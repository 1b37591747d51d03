"""The processes that run the jobs: an RQ worker on Ducha's queue (`flask worker`) and
RQ's cron scheduler (`flask cron`), each building the app once."""

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler

from jobs import QUEUE_NAME, notices, use_app


def _redis_for_process(app):
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run inline and need no worker.")
    # Not the web's short timeouts: a worker blocks on Redis while it waits for jobs.
    return Redis.from_url(url)


class HeartbeatWorker(Worker):
    """RQ's worker, heartbeating as often idle as busy: every job monitoring interval.

    RQ's idle worker heartbeats between waits for a job of worker_ttl - 15 s (405 by
    default), so one killed while idle looked alive for minutes; waiting no longer than
    the interval, a worker that stopped is told by the same lapse whatever it was doing.
    """

    @property
    def dequeue_timeout(self):
        return self.job_monitoring_interval


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst):
    """Run an RQ worker on Ducha's queue; the app is built once, here."""
    app = current_app._get_current_object()
    connection = _redis_for_process(app)
    use_app(app)
    worker = HeartbeatWorker(
        [Queue(QUEUE_NAME, connection=connection)],
        connection=connection,
        job_monitoring_interval=app.config["WORKER_HEARTBEAT_SECONDS"],
    )
    worker.work(burst=burst, logging_level="INFO")


def pin_process_zone(name):
    """Make this process's local time the office's time zone.

    RQ 3.0 matches cron fields against the process's local time (rq/cron.py,
    CronJob.get_next_enqueue_time), not UTC: pinned, "30 7 * * *" means 07:30 in the
    office whatever the server's clock zone, and RQ converts it to UTC itself,
    daylight saving included.
    """
    zone = ZoneInfo(name)  # an unknown name fails here, before anything changes
    os.environ["TZ"] = name
    time.tzset()
    probe = dt.datetime.now(dt.UTC)
    if probe.astimezone().utcoffset() != probe.astimezone(zone).utcoffset():
        raise RuntimeError(f"the system does not know the time zone {name!r} (install tzdata)")


@click.command("cron")
@with_appcontext
def cron_command():
    """Run RQ's cron scheduler: the daily notice scan and the outbox dispatch."""
    app = current_app._get_current_object()
    connection = _redis_for_process(app)
    pin_process_zone(app.config["DUCHA_TIMEZONE"])
    scheduler = CronScheduler(connection=connection)
    notices.register_schedule(scheduler, app.config)
    scheduler.start()
