"""gunicorn settings for production: ``gunicorn -c python:casework.gunicorn_conf 'casework:create_app()'``.

Every value comes from the environment, with defaults that suit one machine:

- ``CASEWORK_BIND`` (``127.0.0.1:8000``): where to listen; keep it local behind a reverse proxy;
- ``CASEWORK_WORKERS`` (2 x cores + 1, at most 8): worker processes;
- ``CASEWORK_THREADS`` (4): threads per worker (gthread; 1 uses the sync worker). Threads let
  a worker keep connections alive and overlap waits on the database;
- ``CASEWORK_TIMEOUT`` (60) and ``CASEWORK_GRACEFUL_TIMEOUT`` (30) seconds;
- ``CASEWORK_MAX_REQUESTS`` (2000): a worker is replaced after about this many requests (0:
  never; the benchmarks measure the steady state so);
- ``CASEWORK_LOG_LEVEL`` (``info``).

The access log names the method, the path without its query string (``%(U)s``: filters and
searches never reach it), the status, the size and the duration; never the query, the body, the
referrer or cookies. The app's filter (``casework.core.accesslog``) also redacts secret paths
(the calendar feed) in gunicorn's access logger.
"""

from __future__ import annotations

import multiprocessing
import os

MAX_WORKERS = 8


def _int(name: str, default: int) -> int:
    value = os.environ.get(f"CASEWORK_{name}", "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SystemExit(f"CASEWORK_{name} must be a whole number, not {value!r}") from exc


def default_workers(cores: int | None = None) -> int:
    """2 x cores + 1, capped (each worker holds its own database connections)."""
    cores = cores or multiprocessing.cpu_count()
    return max(1, min(2 * cores + 1, MAX_WORKERS))


bind = os.environ.get("CASEWORK_BIND", "").strip() or "127.0.0.1:8000"
workers = _int("WORKERS", default_workers())
threads = _int("THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("TIMEOUT", 60)
graceful_timeout = _int("GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A worker is replaced after this many requests (and a little jitter): no slow leak lives long.
max_requests = _int("MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  # nosec B108
loglevel = os.environ.get("CASEWORK_LOG_LEVEL", "info")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Request line and header limits (gunicorn's defaults, stated).
limit_request_line = 4094
limit_request_fields = 100
proc_name = "casework"


def post_worker_init(worker: object) -> None:
    """Once the worker has built the app: what it built (mappers, templates, translations,
    country tables) lives as long as the worker, so the garbage collector stops walking it.
    Without this a full collection walks them all, and a request that triggers one takes
    about 100 ms longer."""
    import gc

    gc.freeze()
