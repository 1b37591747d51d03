"""Gunicorn settings for Ducha's web process, read from the environment.

`gunicorn -c gunicorn.conf.py` serves `app:create_app()`; systemd and the Procfile run it
so. Each setting has a GUNICORN_* variable (see deploy/ducha.env.example).
"""

import os


def _env(name, default):
    return os.environ.get(name) or default


wsgi_app = "app:create_app()"
bind = _env("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: one request at a time each, behind nginx, which buffers slow clients.
workers = int(_env("GUNICORN_WORKERS", 2))
threads = int(_env("GUNICORN_THREADS", 1))
# A worker silent for longer is killed and replaced; a large export must fit in it.
timeout = int(_env("GUNICORN_TIMEOUT", 120))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(_env("GUNICORN_KEEPALIVE", 5))
# Replace each worker after about this many requests (0: never, the default). A new worker
# takes seconds to boot and compile its templates, half the capacity meanwhile with two.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 2
# "-" is standard output, which systemd hands to the journal; empty: no access log.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = _env("GUNICORN_ERRORLOG", "-")
loglevel = _env("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Addresses whose X-Forwarded-Proto gunicorn believes: nginx on the same machine.
forwarded_allow_ips = _env("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "ducha-web"
# Gunicorn 27's control socket sits in the home directory; signals (HUP, TERM) suffice here.
control_socket_disable = True


def post_worker_init(worker):
    """What loading the app made lives as long as the worker: keep it out of the garbage
    collector's sight, so that a full collection walks only what requests made. (Measured in
    the benchmark's process: the month ranking's p95 about 200 ms with, 100 ms without
    those walks.)"""
    import gc

    gc.collect()
    gc.freeze()
    worker.log.info(
        "worker %s: %s objects kept out of garbage collection", worker.pid, gc.get_freeze_count()
    )
