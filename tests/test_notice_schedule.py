"""The daily scan at the office's local time, with RQ 3.0's own cron (CronJob/CronScheduler).

RQ 3.0 reads cron fields in the process's local time zone; the `cron` command pins that
zone to DUCHA_TIMEZONE. These tests pin it the same way and ask RQ itself when it will
run the scan, in UTC.
"""

import datetime as dt
import os
import time
from zoneinfo import ZoneInfoNotFoundError

import pytest
from redis import Redis
from rq import Queue
from rq.cron import CronJob, CronScheduler

from jobs import FAILURE_TTL, QUEUE_NAME
from jobs.notices import DISPATCH_TIMEOUT, daily_cron, register_schedule, scan_notices
from jobs.workers import pin_process_zone
from models import clock
from tests.helpers import run_worker


@pytest.fixture
def office_zone():
    """pin_process_zone, as the cron process does; the test process's zone comes back after."""
    saved = os.environ.get("TZ")
    yield pin_process_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def utc(*parts):
    return dt.datetime(*parts, tzinfo=dt.UTC)


def next_run(cron, after):
    """When RQ's CronJob runs `cron` next after the instant `after`."""
    job = CronJob(QUEUE_NAME, func=scan_notices, cron=cron)
    job.latest_enqueue_time = after
    return job.get_next_enqueue_time()


def test_daily_cron_reads_hours_and_minutes():
    assert daily_cron("07:30") == "30 7 * * *"
    assert daily_cron("00:05") == "5 0 * * *"
    with pytest.raises(ValueError):
        daily_cron("7.30")


@pytest.mark.parametrize(
    "zone,at,after,expected",
    [
        # Shanghai is UTC+8 all year: 07:30 there is 23:30 UTC the day before.
        ("Asia/Shanghai", "07:30", utc(2026, 11, 26, 0, 0), utc(2026, 11, 26, 23, 30)),
        ("Asia/Shanghai", "07:30", utc(2026, 11, 26, 23, 30), utc(2026, 11, 27, 23, 30)),
        ("Asia/Shanghai", "07:30", utc(2026, 11, 26, 23, 29), utc(2026, 11, 26, 23, 30)),
        ("Asia/Shanghai", "00:15", utc(2026, 11, 26, 12, 0), utc(2026, 11, 26, 16, 15)),
        # A zone with daylight saving: RQ converts each day on its own.
        ("Europe/Berlin", "07:30", utc(2026, 7, 1, 0, 0), utc(2026, 7, 1, 5, 30)),
        ("Europe/Berlin", "07:30", utc(2026, 12, 1, 0, 0), utc(2026, 12, 1, 6, 30)),
        # What an unpinned server on UTC would do: 07:30 UTC, 15:30 in the office.
        ("UTC", "07:30", utc(2026, 11, 26, 0, 0), utc(2026, 11, 26, 7, 30)),
    ],
)
def test_rq_runs_the_scan_at_the_office_time(office_zone, zone, at, expected, after):
    office_zone(zone)
    assert next_run(daily_cron(at), after) == expected


def test_the_cron_scheduler_runs_the_scan_daily_and_the_dispatch_at_once(
    app, redis_url, office_zone
):
    office_zone(app.config["DUCHA_TIMEZONE"])
    connection = Redis.from_url(redis_url)
    scheduler = CronScheduler(connection=connection)
    register_schedule(scheduler, app.config)
    scan, dispatch = scheduler.get_jobs()
    assert (scan.name, scan.cron) == ("notices-scan", "30 7 * * *")
    with app.app_context():
        assert clock.local(scan.next_enqueue_time).time() == dt.time(7, 30)
    assert (dispatch.name, dispatch.interval) == ("notices-dispatch", 60)

    assert [job.name for job in scheduler.enqueue_jobs()] == ["notices-dispatch"]
    (job,) = Queue(QUEUE_NAME, connection=connection).get_jobs()
    assert job.func_name == "jobs.notices.dispatch_notices"
    assert (job.timeout, job.failure_ttl) == (DISPATCH_TIMEOUT, FAILURE_TTL)
    run_worker(app, redis_url)
    assert job.get_status() == "finished"
    assert job.return_value() == {"swept": 0, "enqueued": 0, "queue_down": False}
    connection.close()


def test_an_unknown_zone_is_refused(office_zone):
    with pytest.raises(ZoneInfoNotFoundError):
        office_zone("Nowhere/Atlantis")
    assert os.environ.get("TZ") != "Nowhere/Atlantis"


def test_worker_and_cron_need_redis(runner):
    for command in (["worker", "--burst"], ["cron"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0 and "REDIS_URL is not set" in result.output, command


def test_a_job_with_no_app_says_how_to_start_workers(monkeypatch):
    import jobs

    monkeypatch.setattr(jobs, "_app", None)  # as in a plain `rq worker`
    with pytest.raises(RuntimeError, match="flask --app app worker"), jobs.job_context():
        pass
