"""Background jobs on RQ: the queue, the enqueue helper and the job's app context (the
`worker` and `cron` processes are in jobs/workers.py).

Without REDIS_URL the queue runs each job inline, in the same process, and says so once.
With it, the web process and the CLI talk to Redis with short timeouts and no retry
loop, so a Redis that is down costs a request at most about a second: what was to be
enqueued waits in the database (the outbox) and is enqueued again later.
"""

import contextlib
import datetime as dt
import logging
import os
import threading
import time

from flask import current_app, has_app_context
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rq import Queue, Worker, get_current_job
from rq.cron import CronScheduler
from rq.job import Job, JobStatus

from models import clock, db

log = logging.getLogger(__name__)
QUEUE_NAME = "ducha"
REDIS_CONNECT_TIMEOUT = 0.5  # seconds
REDIS_TIMEOUT = 0.5
FAILURE_TTL = 7 * 86400  # failed jobs stay a week in RQ's failed registry
RESULT_TTL = 86400
DONE = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
# rq Worker.get_heartbeat_ttl: each heartbeat keeps a running job in the started registry
# for the worker's job monitoring interval plus this many seconds.
RQ_HEARTBEAT_TTL_EXTRA = 60

_app = None  # the app jobs run in when no caller's context is at hand (the worker's)
_app_pid = None


def init_queue(app):
    """Attach the queue to the app: RQ on Redis, or inline without REDIS_URL."""
    url = app.config.get("REDIS_URL")
    if url:
        connection = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        queue = Queue(QUEUE_NAME, connection=connection, default_timeout=600)
    else:
        queue = None
        app.logger.warning("REDIS_URL is not set: background jobs run inline in the web process.")
    app.extensions["ducha_queue"] = queue


def current_queue():
    """This app's RQ queue, or None when jobs run inline."""
    return current_app.extensions.get("ducha_queue")


def enqueue(func, *args, job_id=None, job_timeout=600, failure_ttl=FAILURE_TTL, **kwargs):
    """Run `func(*args, **kwargs)` on the queue, or right away when there is no Redis.

    Commit what the job will read first. Raises redis' errors when Redis is unreachable.
    """
    queue = current_queue()
    if queue is None:
        return func(*args, **kwargs)
    return queue.enqueue(
        func,
        args=args,
        kwargs=kwargs,
        job_id=job_id,
        job_timeout=job_timeout,
        failure_ttl=failure_ttl,
        result_ttl=RESULT_TTL,
    )


def run_in_background(func, *args, job_id=None, job_timeout=600):
    """Run `func(*args)` on the queue, or without Redis in a thread of this process, so
    the request that asks for it answers at once. Commit what the job will read first.

    The thread runs in an app context of its own (its own database session). A process
    that stops takes its threads with it: that is the price of running without Redis.
    """
    queue = current_queue()
    if queue is not None:
        return queue.enqueue(
            func,
            args=args,
            job_id=job_id,
            job_timeout=job_timeout,
            failure_ttl=FAILURE_TTL,
            result_ttl=RESULT_TTL,
        )
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_run_in_app, args=(app, func, args), name=f"ducha-{func.__name__}", daemon=True
    )
    threads = app.extensions.setdefault("ducha_threads", [])
    threads[:] = [t for t in threads if t.is_alive()]
    threads.append(thread)
    thread.start()
    return thread


def _run_in_app(app, func, args):
    with app.app_context():
        try:
            func(*args)
        except Exception:
            log.exception("background job %s%r failed", func.__name__, args)


def live_jobs(job_ids):
    """Those of `job_ids` whose RQ job still exists and has yet to finish (one round trip)."""
    queue = current_queue()
    ids = [job_id for job_id in job_ids if job_id]
    if queue is None or not ids:
        return set()
    jobs = Job.fetch_many(ids, connection=queue.connection)
    return {job.id for job in jobs if job is not None and job.get_status(refresh=False) not in DONE}


def heartbeat_lapse():
    """Seconds without a heartbeat after which a worker, and the job it runs, count as gone:
    two heartbeats missed."""
    return 2 * current_app.config["WORKER_HEARTBEAT_SECONDS"]


def fail_abandoned_jobs():
    """Move the jobs whose worker stopped heartbeating to RQ's failed registry.

    RQ's own cleanup (StartedJobRegistry.cleanup: AbandonedJobError), with a later cutoff
    than now. A heartbeat keeps a running job in the registry for the monitoring interval
    + 60 s, and RQ's workers clean it every 10 minutes: a job killed with its worker was
    taken for live that long. Here it is gone once silent for `heartbeat_lapse()` (less
    up to a second: RQ scores in whole seconds); a live worker heartbeats every interval,
    so its jobs are not taken unless a heartbeat comes an interval late.
    """
    queue = current_queue()
    if queue is None:
        return
    interval = current_app.config["WORKER_HEARTBEAT_SECONDS"]
    cutoff = time.time() + interval + RQ_HEARTBEAT_TTL_EXTRA - heartbeat_lapse()
    queue.started_job_registry.cleanup(timestamp=cutoff)


def queue_status():
    """What the monitoring page shows of RQ: queue length, failed jobs, workers, cron."""
    queue = current_queue()
    if queue is None:
        return {"inline": True}
    try:
        return {
            "inline": False,
            "queued": queue.count,
            "started": queue.started_job_registry.count,
            "failed": queue.failed_job_registry.count,
            **workers_by_heartbeat(queue),
            "schedulers": [
                (s.name, s.last_heartbeat)
                for s in CronScheduler.all(queue.connection, cleanup=False)
            ],
        }
    except RedisError as error:
        log.warning("Redis unreachable for the monitoring page: %s", error)
        return {"inline": False, "error": str(error)}


def workers_by_heartbeat(queue):
    """The workers of `queue` that heartbeat, by name, and how many stopped without
    signing off (killed, their machine lost): still registered with RQ, but silent for
    over `heartbeat_lapse()` or their key expired. RQ forgets one once its key has
    expired (8 minutes) and a worker next cleans the registries (every 10)."""
    since = clock.now() - dt.timedelta(seconds=heartbeat_lapse())
    keys = Worker.all_keys(queue=queue)
    found = [Worker.find_by_key(key, connection=queue.connection) for key in keys]
    live = [w for w in found if w is not None and w.last_heartbeat and w.last_heartbeat > since]
    return {
        "workers": sorted(live, key=lambda worker: worker.name),
        "workers_stopped": len(keys) - len(live),
    }


# ---- the app context a job runs in ----


def use_app(app):
    """Run jobs that have no caller's context in `app` (the worker's, built once)."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def _job_app():
    global _app_pid
    if _app is None:
        # A plain `rq worker` has no app to give its jobs: `flask worker` builds it once.
        raise RuntimeError("no app for this job: start workers with `flask --app app worker`")
    if _app_pid != os.getpid():
        # A forked work horse: the parent's pooled connections are not ours to use.
        with _app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
        _app_pid = os.getpid()
    return _app


@contextlib.contextmanager
def job_context():
    """The app context of a job: the caller's when run inline, else a fresh one of its own."""
    if get_current_job() is None and has_app_context():
        yield current_app._get_current_object()
        return
    app = _job_app()
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
