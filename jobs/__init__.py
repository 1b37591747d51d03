"""Background jobs on RQ: the queue, the enqueue helper, and the worker's app context.

Without REDIS_URL the queue runs each job inline, in the same process, and says so once.
"""

import logging

from flask import current_app
from redis import Redis
from rq import Queue

log = logging.getLogger(__name__)
QUEUE_NAME = "ducha"


def init_queue(app):
    """Attach the queue to the app: RQ on Redis, or inline without REDIS_URL."""
    url = app.config.get("REDIS_URL")
    if url:
        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        queue = Queue(QUEUE_NAME, connection=connection, default_timeout=600)
    else:
        queue = None
        app.logger.warning("REDIS_URL is not set: background jobs run inline in the web process.")
    app.extensions["ducha_queue"] = queue


def enqueue(func, *args, job_id=None, **kwargs):
    """Run `func(*args)` on the queue, or right away when there is no Redis."""
    queue = current_app.extensions.get("ducha_queue")
    if queue is None:
        return func(*args, **kwargs)
    return queue.enqueue(func, *args, job_id=job_id, kwargs=kwargs, failure_ttl=7 * 86400)
