"""/healthz: is this web process able to reach its database and Redis? For monitors and nginx."""

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify
from redis.exceptions import RedisError

from extensions import csrf
from jobs import current_queue
from models import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
csrf.exempt(bp)
STATEMENT_TIMEOUT_MS = 2000


def database_state():
    """ "ok" when a trivial query answers, else "failed" (the reason goes to the log)."""
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            connection.exec_driver_sql("SELECT 1").scalar_one()
    except sa.exc.SQLAlchemyError as error:
        log.warning("health check: database unreachable: %s", error)
        return "failed"
    return "ok"


def redis_state():
    """ "ok" when Redis answers a PING, "not configured" without REDIS_URL, else "failed"."""
    queue = current_queue()
    if queue is None:
        return "not configured"
    try:
        queue.connection.ping()
    except (RedisError, OSError) as error:
        log.warning("health check: Redis unreachable: %s", error)
        return "failed"
    return "ok"


@bp.route("/healthz", methods=["GET", "HEAD"])
def healthz():
    """Answer 200 when the database and Redis answer, 503 naming the part that does not."""
    state = {"database": database_state(), "redis": redis_state()}
    healthy = "failed" not in state.values()
    response = jsonify(state)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
