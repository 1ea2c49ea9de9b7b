"""Production settings for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each value can be overridden from the environment, so one file serves every host.
"""

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: page rendering is short and the database does the waiting.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a host down. The jitter spreads
# the replacements of workers that started together.
max_requests = 2000
max_requests_jitter = 500
# Load the platform once, in the master: workers are forks of it and a replacement starts
# serving at once (see lms/workers.py). So HUP does not load new code: a release needs a
# restart (docs/deploy/lms.service).
preload_app = True
# No runtime control socket (gunicorn 25.1 and later): systemd and signals manage the service,
# and the socket's default path is shared by every gunicorn of the same user on the host.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Path without the query string: password links carry their token there.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: Any) -> None:
    """Check the settings against the number of workers about to start, then compile the
    templates in the master, before the first fork, so every worker shares them."""
    if server.cfg.preload_app:
        from lms.config import ConfigError, check_limit_storage
        from lms.workers import compile_templates

        app = server.app.wsgi()
        try:
            check_limit_storage(app.config, server.cfg.workers)
        except ConfigError as refused:
            server.log.error("Not starting: %s", refused)
            raise SystemExit(1) from None
        compile_templates(app)
        gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    if server.cfg.preload_app:
        from lms.workers import forget_inherited_connections

        forget_inherited_connections(server.app.wsgi())


def post_worker_init(worker: Any) -> None:
    """Leave the objects of the loaded application out of the garbage collector's full passes.

    They live as long as the worker; scanning them again on every full collection cost a
    page listing hundreds of participants a few percent of its time.
    """
    gc.freeze()
