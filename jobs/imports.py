"""Import jobs: check an uploaded file, then import it, telling the page how far they are.

The check and the import each run in one database transaction, so their progress cannot
be told through the database (no one else sees it before the end): it goes to Redis when
jobs run there, or to a small file in the instance folder when they run in a thread of
the web process.
"""

import json
import logging
import os
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError

from jobs import current_queue, job_context, run_in_background
from models import db
from models.imports import check_run, commit_run
from models.imports.runs import ImportRun

log = logging.getLogger(__name__)
JOB_TIMEOUT = 2 * 60 * 60  # seconds: a 100,000-row file on a slow machine
PROGRESS_TTL = 24 * 60 * 60


def check_import(run_id):
    """Check an uploaded file row by row and keep the preview; nothing else is saved."""
    with job_context():
        return _guarded(run_id, lambda: check_run(run_id, Progress(run_id, "checking")))


def commit_import(run_id, account_id):
    """Import a checked file in one transaction, all or nothing."""
    with job_context():
        return _guarded(
            run_id, lambda: commit_run(run_id, account_id, Progress(run_id, "importing"))
        )


def _guarded(run_id, work):
    """Run the work; on a failure of ours, say so on the run rather than leave it busy."""
    try:
        return work()
    except Exception:
        log.exception("import run %s failed", run_id)
        db.session.rollback()
        run = db.session.get(ImportRun, run_id)
        if run is not None:
            run.state = "failed"
            run.error = str(
                _l(
                    "The import stopped on an error of ours: nothing was saved. It is in the "
                    "log; tell the administrator."
                )
            )
            db.session.commit()
        return "failed"
    finally:
        Progress(run_id, "").clear()


def start_check(run_id):
    return run_in_background(check_import, run_id, job_timeout=JOB_TIMEOUT)


def start_import(run_id, account_id):
    return run_in_background(commit_import, run_id, account_id, job_timeout=JOB_TIMEOUT)


# ---- progress ----


class Progress:
    """How many rows of a run's file are done: written by the job, read by the page."""

    def __init__(self, run_id, phase):
        self.run_id, self.phase = run_id, phase
        self.queue = current_queue()

    @property
    def _key(self):
        return f"ducha:import-progress:{self.run_id}"

    @property
    def _path(self):
        return Path(current_app.instance_path) / "imports" / f"progress-{self.run_id}.json"

    def __call__(self, done, total):
        data = json.dumps({"phase": self.phase, "done": done, "total": total})
        if self.queue is not None:
            try:
                self.queue.connection.set(self._key, data, ex=PROGRESS_TTL)
            except RedisError as error:  # the bar stalls; the work goes on
                log.warning("import progress not recorded: %s", error)
            return
        path = self._path
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(data)
        os.replace(partial, path)

    def read(self):
        """{"phase", "done", "total"}, or None before the first chunk is done."""
        try:
            if self.queue is not None:
                data = self.queue.connection.get(self._key)
            else:
                data = self._path.read_text()
        except (OSError, RedisError):
            return None
        return json.loads(data) if data else None

    def clear(self):
        try:
            if self.queue is not None:
                self.queue.connection.delete(self._key)
            else:
                self._path.unlink(missing_ok=True)
        except (OSError, RedisError) as error:
            log.warning("import progress not cleared: %s", error)
