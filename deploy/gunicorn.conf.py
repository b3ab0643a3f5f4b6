"""gunicorn settings for one eLearn app server: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every value can be overridden from the environment (the systemd unit in docs/deploy.md
sets them); the defaults are the ones measured in docs/performance.md (2 cores: 2 workers
× 4 threads).
"""

from __future__ import annotations

import glob
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# gthread: a worker's heartbeat does not depend on one request finishing, so a long CSV
# stream is not killed at ``timeout`` as a sync worker's would be (docs/performance.md,
# "Worker timeouts"); threads also overlap the waits on PostgreSQL.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a hung worker, not a slow request
# On SIGTERM (systemctl stop/restart) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # nginx keeps upstream connections open (docs/deploy.md)
# The heartbeat file is touched every second: on tmpfs, never on a disk that may stall.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn creates its own private file in it
# A worker is replaced now and then (staggered), so a slow leak cannot grow for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10

# preload: the app is imported once in the master and forked. wsgi.py freezes its objects
# out of the garbage collector, so workers share those pages copy-on-write instead of
# each holding its own copy, and a release that cannot start fails in the master at once
# instead of in crash-looping workers. The price: ``kill -HUP`` does not load new code;
# a release restarts the service (one app server at a time behind nginx).
preload_app = True

# The app logs one line per request with its request id and user (LOG_FORMAT=json for
# JSON); gunicorn's own access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Prometheus: each worker writes its samples to files in this folder and /metrics sums
# them. It must be set before the app (and prometheus_client) is imported, so here; it is
# emptied when the master starts (and on a reload, which replaces every worker), since
# files of workers gone would be summed too. The systemd unit points it at /run/elearn.
_repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(_repo, "instance", "prometheus")
)
os.makedirs(_metrics_dir, mode=0o700, exist_ok=True)
for _stale in glob.glob(os.path.join(_metrics_dir, "*.db")):
    os.remove(_stale)


def post_fork(server: Any, worker: Any) -> None:
    """Drop the database connections inherited from the master: sockets cannot be shared."""
    from elearn.extensions import db
    from wsgi import app  # already imported by the master (preload_app)

    with app.app_context():
        for engine in db.engines.values():
            # close=False: leave the master's connections alone, only forget them here.
            engine.dispose(close=False)


def child_exit(server: Any, worker: Any) -> None:
    """Remove a dead worker's live gauges (requests in flight) from the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
