"""The queue: RQ on Redis (``REDIS_URL``), or the calling process when there is none.

With Redis, ``dispatch`` enqueues ``run_job(job_id)`` on the ``casework`` queue with
``Retry(max=RETRIES)``; a worker (``flask --app casework jobs worker``) runs it in an app context
of its own. Without Redis (development, tests), the job runs at once in the calling process, in an
app context (and so a database session) of its own, tried up to RETRIES + 1 times as well.

Periodic jobs (reminders, backups, clean-up) are cron entries of ``rq-scheduler``
(``SCHEDULE``), registered and served by ``flask --app casework jobs scheduler``; each fires
``run_scheduled(kind)``, which records a job row and dispatches it like any other.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import update

from casework.core import dberrors
from casework.core.db import db, utcnow
from casework.core.i18n import N_
from casework.jobs.models import Job, JobState

QUEUE_NAME = "casework"
# Seconds to wait before each retry.
RETRY_INTERVALS = [10, 60, 300]
_EXTENSION = "casework.jobs.redis"

_worker_app: Flask | None = None
log = logging.getLogger(__name__)


def redis_connection(app: Flask | None = None) -> Redis | None:
    """The app's Redis connection (one pool per process), or None when REDIS_URL is unset."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    conn = app.extensions.get(_EXTENSION)
    if conn is None:
        conn = Redis.from_url(url)
        app.extensions[_EXTENSION] = conn
    return conn


def get_queue(app: Flask | None = None) -> Queue | None:
    conn = redis_connection(app)
    if conn is None:
        return None
    app = app or current_app
    return Queue(QUEUE_NAME, connection=conn, default_timeout=app.config["JOB_TIMEOUT_SECONDS"])


def rq_job_id(job_id: int) -> str:
    return f"casework-job-{job_id}"


def dispatch(job_id: int, *, retry: bool = True) -> None:
    """Enqueue the (committed) job, or run it now when there is no Redis."""
    from casework.jobs.services import RETRIES

    queue = get_queue()
    if queue is None:
        run_inline(current_app._get_current_object(), job_id, attempts=RETRIES + 1 if retry else 1)
        return
    try:
        queue.enqueue(
            run_job,
            job_id,
            job_id=rq_job_id(job_id),
            retry=Retry(max=RETRIES, interval=RETRY_INTERVALS) if retry else None,
            result_ttl=24 * 3600,
            failure_ttl=7 * 24 * 3600,
            description=f"casework job {job_id}",
        )
    except RedisError:
        log.exception("job %s could not be queued", job_id)
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                state=JobState.FAILED,
                message=N_("Failed"),
                error=N_("The job queue cannot be reached; try again later."),
                finished_at=utcnow(),
            )
        )
        db.session.commit()


def run_inline(app: Flask, job_id: int, *, attempts: int) -> JobState:
    """Run the job in this process, in a fresh app context, retrying like a worker would."""
    from casework.jobs.services import execute

    state = JobState.QUEUED
    for attempt in range(1, attempts + 1):
        with app.app_context():
            try:
                state = execute(job_id, final_attempt=attempt == attempts)
            except Exception:  # noqa: S112  # recorded on the job by execute; try again
                job = db.session.get(Job, job_id)
                state = job.state if job is not None else JobState.FAILED
            finally:
                db.session.remove()
        if state != JobState.QUEUED:
            break
    return state


def _app() -> Flask:
    """The app of this worker process (made once when the worker is not a Flask command)."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from casework import create_app

        _worker_app = create_app()
    return _worker_app


class JobFailure(Exception):
    """A job's failure as the queue keeps it (``for_the_queue``): what was raised and where,
    never its message."""

    message_is_safe = True


def for_the_queue(exc: BaseException) -> BaseException:
    """``exc`` as RQ may keep it in Redis (a failed job's result and registry): a database
    error told by ``dberrors.describe``, any other by its class and the module, function and
    line that raised it. Its message and values (a library's may quote a cell of an imported
    file: a name) stay in the server's log, where the caller logged it whole."""
    if dberrors.involves_database(exc):
        return dberrors.without_values(exc)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    kind = type(exc)
    told = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    if tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "?")
        told += f" raised in {module}.{tb.tb_frame.f_code.co_name}, line {tb.tb_lineno}"
    return JobFailure(told)


def run_job(job_id: int) -> str:
    """RQ's entry point: run one attempt of the job; raises on failure so that RQ retries it,
    the failure told ``for_the_queue`` only (``execute`` logged it)."""
    from casework.jobs.services import execute

    app = _app()
    with app.app_context():
        try:
            return execute(job_id).value
        except Exception as exc:
            raise for_the_queue(exc) from None
        finally:
            db.session.remove()


def run_scheduled(kind: str, params: dict[str, Any] | None = None) -> int:
    """What a cron entry fires: record a job of ``kind`` started by the system, dispatch it."""
    from casework.jobs.services import dispatch as dispatch_job
    from casework.jobs.services import enqueue

    app = _app()
    with app.app_context():
        try:
            job = enqueue(kind, params or {}, None)
            db.session.commit()
            dispatch_job(job)
            return job.id
        except Exception as exc:
            log.warning("scheduled job %s could not be started", kind, exc_info=exc)
            raise for_the_queue(exc) from None
        finally:
            db.session.remove()


# --- the schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledJob:
    kind: str
    cron: str  # UTC

    @property
    def id(self) -> str:
        return "casework-schedule-" + self.kind.replace(".", "-")


def schedule(app: Flask | None = None) -> list[ScheduledJob]:
    """The periodic jobs this configuration runs."""
    app = app or current_app
    entries = [
        ScheduledJob("reminders.send", app.config["REMINDERS_CRON"]),
        ScheduledJob("jobs.purge", "17 * * * *"),
    ]
    if app.config.get("BACKUP_DIR"):
        entries.append(ScheduledJob("backup", app.config["BACKUP_CRON"]))
    return entries


def register_schedule(scheduler: Any, app: Flask | None = None) -> list[ScheduledJob]:
    """(Re)register every periodic job with an rq-scheduler ``Scheduler``; entries of ours
    that are no longer in the schedule are cancelled. Safe to run at every start."""
    # rq-scheduler gives crontab a naive UTC time, as meant; crontab warns about naive times.
    warnings.filterwarnings("ignore", "Version 0.22.0. of crontab", FutureWarning)
    entries = schedule(app)
    wanted = {entry.id for entry in entries}
    for job in scheduler.get_jobs():
        if job.id.startswith("casework-schedule-") and job.id not in wanted:
            scheduler.cancel(job)
    for entry in entries:
        if entry.id in scheduler:
            scheduler.cancel(entry.id)
        scheduler.cron(
            entry.cron,
            func=run_scheduled,
            args=[entry.kind],
            id=entry.id,
            queue_name=QUEUE_NAME,
            use_local_timezone=False,
        )
    return entries
