"""Background jobs: start one, run it (once, retried safely), report progress, keep its file.

A job is a row in ``jobs`` (its kind, state, progress and message, its result) so that every
app server shows the same progress, whichever worker runs it. ``enqueue`` adds the row; after
the caller's commit, ``dispatch`` hands it to the queue (``casework.jobs.queue``): RQ on Redis
when ``REDIS_URL`` is set, otherwise it runs at once in the calling process.

Each kind is a function over a ``JobContext`` registered with ``@job_kind`` (see
``casework.jobs.tasks``). A kind's work and the job's final state are committed together, so a
job either did its work and says so, or did nothing; a finished job run again does nothing.
Messages, results and errors hold counts and codes only, never identifying data.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from casework import permissions
from casework.audit.services import record
from casework.core import sealedfiles
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.i18n import N_, translate
from casework.core.i18n import gettext as _
from casework.core.keyring import keyring
from casework.jobs.models import ERROR_MAX_LEN, MESSAGE_MAX_LEN, Job, JobState

log = logging.getLogger(__name__)

# RQ retries a failed job this many times (so it runs at most RETRIES + 1 times).
RETRIES = 3


class JobError(Exception):
    """A failure whose message is safe to show on the job's page (no identifying data): an
    English msgid (marked with ``N_``) and the values of its placeholders (counts, codes), kept
    apart so that the page translates it; ``str()`` gives it in English."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


class JobRefused(JobError):
    """A failure a retry would only repeat (the input itself is refused): the job fails at
    once (``retried``)."""


def retried(exc: BaseException) -> bool:
    """May a job that failed with ``exc`` succeed if tried again? Not when the input is refused
    (``JobRefused``, ``ValidationFailed``) or the account may not do it (``PermissionDenied``):
    every attempt would fail the same way. Any other failure may be passing (the database
    connection lost, a server restarting): tried again, as its kind allows."""
    return not isinstance(exc, (JobRefused, ValidationFailed, PermissionDenied))


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[JobContext], None]
    # Who may start it by hand (None: nobody; scheduled only).
    may_start: Callable[[Any], bool] | None = None
    # Should it be retried after a failure? (Not when a retry could only fail the same way.)
    retry: bool = True
    # A page beyond the job's counts (an endpoint taking ``job_id``), offered once the job is
    # finished to whoever ``may_read_report`` allows.
    report_page: str | None = None
    may_read_report: Callable[[Any, Job], bool] | None = None
    # What the job page calls each count or code of its result (``JobContext.result``): the
    # key's English label (``N_``), translated when shown.
    results: dict[str, str] = field(default_factory=dict)


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    label: str,
    *,
    may_start: Callable[[Any], bool] | None = None,
    retry: bool = True,
    report_page: str | None = None,
    may_read_report: Callable[[Any, Job], bool] | None = None,
    results: dict[str, str] | None = None,
) -> Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]:
    """Register the decorated function as the job kind ``name``."""

    def register(fn: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        KINDS[name] = JobKind(
            name, label, fn, may_start, retry, report_page, may_read_report, results or {}
        )
        return fn

    return register


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return translate(kind.label) if kind else name


def result_labels(job: Job) -> list[tuple[str, Any]]:
    """The job's result as its page shows it: each count or code by its kind's label for it,
    in the reader's language (a key its kind does not name, by the key); yes or no in it too."""
    kind = KINDS.get(job.kind)
    names = kind.results if kind else {}
    return [
        (
            translate(names[key]) if key in names else key.replace("_", " ").capitalize(),
            (_("Yes") if value else _("No")) if isinstance(value, bool) else value,
        )
        for key, value in (job.result or {}).items()
    ]


def report_endpoint(job: Job, user: Any) -> str | None:
    """The endpoint of the finished job's report page, if ``user`` may read it."""
    kind = KINDS.get(job.kind)
    if kind is None or kind.report_page is None or kind.may_read_report is None:
        return None
    return kind.report_page if job.finished and kind.may_read_report(user, job) else None


@dataclass
class JobContext:
    """What a job function gets: the job, its creator, its parameters, progress and result."""

    job: Job
    user: Any
    params: dict[str, Any] = field(default_factory=dict)
    # Once the job's own transaction has changed its row, progress goes through it too.
    _row_written: bool = False

    def progress(
        self, percent: int, message: str | None = None, values: dict[str, Any] | None = None
    ) -> None:
        """Report progress (0-100) and a short message: an English msgid (``N_``) and the values
        of its placeholders (counts, never names), translated when shown.

        On PostgreSQL it is committed at once on a connection of its own, so every server
        shows it while the job's work is still uncommitted (the job's own transaction never
        writes the row before its end, or that connection would wait for it); on SQLite (one
        server, one writer) it is part of the job's transaction.
        """
        percent = max(0, min(100, int(percent)))
        changes: dict[str, Any] = {"progress": percent}
        if message is not None:
            changes["message"] = message[:MESSAGE_MAX_LEN]
            changes["message_args"] = values or None
        if db.engine.dialect.name == "postgresql" and not self._row_written:
            with db.engine.begin() as conn:
                conn.execute(update(Job).where(Job.id == self.job.id).values(**changes))
            for name, value in changes.items():
                set_committed_value(self.job, name, value)
            return
        for name, value in changes.items():
            setattr(self.job, name, value)

    def counter(self, total: int, message: str, start: int = 0, end: int = 100) -> Callable:
        """A callback ``step(n=1)`` that moves progress from ``start`` to ``end`` over ``total``
        steps (reported at most every 1%); ``message`` (``N_``) may name ``%(done)s`` and
        ``%(total)s``."""
        done = 0
        last = -1

        def step(n: int = 1) -> None:
            nonlocal done, last
            done += n
            percent = start + (end - start) * done // max(total, 1)
            if percent != last:
                last = percent
                self.progress(percent, message, {"done": min(done, total), "total": total})

        return step

    def result(self, **values: Any) -> None:
        """Counts and codes to show when the job is done."""
        self._row_written = True
        self.job.result = {**(self.job.result or {}), **values}

    def holds_cases(self, case_ids: Iterable[int]) -> None:
        """The cases whose content the job's file holds: the file is given only while its
        creator may still read every one of them (``permissions.can_download_job_result``).
        Internal ids, kept with the parameters, never shown."""
        self._row_written = True
        self.job.params = {**(self.job.params or {}), "case_ids": sorted(set(case_ids))}

    def result_file(self, content: bytes, name: str, mimetype: str) -> None:
        """A file for the job's creator to download, stored encrypted until it expires."""
        self._row_written = True
        store_result_file(self.job, content, name, mimetype)


# --- starting a job ------------------------------------------------------------------------


def enqueue(kind: str, params: dict[str, Any], user: Any) -> Job:
    """Add a job of ``kind`` for ``user`` (None: the scheduler). The caller commits, then calls
    ``dispatch(job)``. Raises ValidationFailed for an unknown kind, PermissionDenied when the
    user may not start it."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationFailed({"kind": [_("There is no job called %(kind)s.", kind=repr(kind))]})
    if user is not None and (spec.may_start is None or not spec.may_start(user)):
        raise PermissionDenied(_("You may not start this job."))
    job = Job(
        kind=kind,
        params=dict(params),
        created_by_id=getattr(user, "id", None),
        state=JobState.QUEUED,
        progress=0,
        message=N_("Waiting to start"),
        attempts=0,
    )
    db.session.add(job)
    db.session.flush()
    record(user, "job.queued", job, kind=kind)
    return job


def dispatch(job: Job) -> None:
    """Hand a committed job to the queue (or run it now, without one)."""
    from casework.jobs.queue import dispatch as queue_dispatch

    queue_dispatch(job.id, retry=KINDS[job.kind].retry if job.kind in KINDS else False)


def start(kind: str, params: dict[str, Any], user: Any) -> Job:
    """``enqueue``, commit and ``dispatch``: for views and the CLI."""
    job = enqueue(kind, params, user)
    db.session.commit()
    dispatch(job)
    return job


# --- running a job -------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    """Mark the job running (one more attempt); None if it is finished or unknown."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            started_at=utcnow(),
            message=N_("Running"),
            message_args=None,
        )
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    return db.session.get(Job, job_id)


def safe_error(exc: BaseException) -> tuple[str, dict[str, Any] | None]:
    """What the job page says about a failure, as a msgid and its values: our own safe messages,
    else only the type."""
    if isinstance(exc, JobError):
        return exc.message[:ERROR_MAX_LEN], exc.values or None
    if isinstance(exc, PermissionDenied):
        return (str(exc) or type(exc).__name__)[:ERROR_MAX_LEN], None
    if isinstance(exc, ValidationFailed):
        fields = ", ".join(sorted(getattr(exc, "errors", {}) or {}))[:ERROR_MAX_LEN]
        if not fields:
            return N_("The input was refused."), None
        return N_("The input was refused (%(fields)s)."), {"fields": fields}
    return (
        N_("Unexpected error (%(error)s); the server log has the details."),
        {"error": type(exc).__name__},
    )


def error_text(job: Job) -> str:
    """The job's error in the reader's language ('' for none)."""
    return translate(job.error or "", job.error_args)


def execute(job_id: int, *, final_attempt: bool | None = None) -> JobState:
    """Run the job once. Returns its state; raises the job's error after recording and logging
    it (so that RQ retries it). A job already done or failed is left alone (its state is
    returned)."""
    job = _claim(job_id)
    if job is None:
        existing = db.session.get(Job, job_id)
        return existing.state if existing is not None else JobState.FAILED
    spec = KINDS.get(job.kind)
    user = job.created_by
    context = JobContext(job=job, user=user, params=dict(job.params or {}))
    try:
        if spec is None:
            raise JobError(N_("Unknown kind of job: %(kind)s."), kind=job.kind)
        if user is not None and not user.is_active:
            raise PermissionDenied(N_("The account that started this job is no longer active."))
        spec.run(context)
        job.state = JobState.DONE
        job.progress = 100
        job.message, job.message_args = N_("Done"), None
        job.error, job.error_args = None, None
        job.finished_at = utcnow()
        db.session.commit()
        return JobState.DONE
    except BaseException as exc:
        db.session.rollback()
        retryable = spec is not None and spec.retry and retried(exc)
        attempts = db.session.scalar(select(Job.attempts).where(Job.id == job_id)) or 0
        last = final_attempt if final_attempt is not None else attempts > RETRIES
        state = JobState.FAILED if (last or not retryable) else JobState.QUEUED
        error, error_args = safe_error(exc)
        values: dict[str, Any] = {"state": state, "error": error, "error_args": error_args}
        if state == JobState.FAILED:
            values.update(finished_at=utcnow(), message=N_("Failed"), message_args=None)
        else:
            values.update(
                message=N_("Attempt %(n)s failed; it will be tried again"),
                message_args={"n": attempts},
            )
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()
        # The log says which job and kind failed, with the exception and its traceback (a
        # database error told without its message, ``dberrors``): the queue is given only
        # its class and where it was raised (``queue.run_job``).
        log.warning(
            "job %s (%s) attempt %s failed: %s",
            job_id,
            job.kind,
            attempts,
            error % error_args if error_args else error,
            exc_info=exc,
        )
        raise


# A job still "running" this long after its job timeout has lost its worker (killed, machine
# gone): RQ would have stopped it at the timeout.
ABANDONED_MARGIN = timedelta(minutes=10)


def recover_abandoned(now: datetime | None = None) -> dict[str, int]:
    """Jobs a dead worker left "running": queued again while attempts remain, else failed.

    Running again is safe: a job's work and its final state commit together, so what the dead
    worker did was rolled back with it. Run hourly by the purge job.
    """
    now = now or utcnow()
    limit = timedelta(seconds=current_app.config["JOB_TIMEOUT_SECONDS"]) + ABANDONED_MARGIN
    stuck = db.session.scalars(
        select(Job).where(Job.state == JobState.RUNNING, Job.started_at < now - limit)
    ).all()
    again = []
    for job in stuck:
        spec = KINDS.get(job.kind)
        if spec is not None and spec.retry and job.attempts <= RETRIES:
            job.state, job.message = JobState.QUEUED, N_("The worker stopped; queued again")
            job.message_args = None
            again.append(job)
        else:
            job.state, job.message, job.finished_at = JobState.FAILED, N_("Failed"), now
            job.message_args, job.error_args = None, None
            job.error = N_("The worker running this job stopped before it finished.")
    db.session.commit()
    for job in again:
        dispatch(job)
    return {"requeued": len(again), "abandoned": len(stuck) - len(again)}


# --- result files --------------------------------------------------------------------------


def _result_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "jobs"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _binding(storage_name: str) -> str:
    return f"jobs/{storage_name}"


def store_result_file(job: Job, content: bytes, name: str, mimetype: str) -> None:
    """Write ``content`` encrypted (like documents) and attach it to ``job`` until it expires."""
    directory = _result_dir()
    storage_name = secrets.token_hex(32)
    key_id, data_key = keyring().active_key(db.session.connection())
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".job-")
    try:
        with os.fdopen(fd, "wb") as out:
            sealer = sealedfiles.FileSealer(
                out, key_id=key_id, data_key=data_key, binding=_binding(storage_name)
            )
            for start in range(0, len(content), sealedfiles.CHUNK):
                sealer.write(content[start : start + sealedfiles.CHUNK])
            sealer.close()
        os.replace(tmp_name, directory / storage_name)
        os.chmod(directory / storage_name, 0o600)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _remove_result_file(job)
    job.result_file = storage_name
    job.result_name = name[:100]
    job.result_type = mimetype[:100]
    job.result_expires_at = utcnow() + timedelta(hours=current_app.config["JOB_RESULT_HOURS"])


def result_available(job: Job) -> bool:
    return (
        job.state == JobState.DONE
        and job.result_file is not None
        and job.result_expires_at is not None
        and job.result_expires_at > utcnow()
        and (_result_dir() / job.result_file).is_file()
    )


def open_result(user: Any, job: Job) -> IO[bytes]:
    """The job's file, decrypted and authenticated whole; audited. Only its creator gets it."""
    if not permissions.can_download_job_result(user, job):
        raise PermissionDenied(_("Only the person who started this job may download its file."))
    if not result_available(job):
        raise JobError(_("The file of this job is not available (it has expired or was removed)."))
    ring = keyring()
    conn = db.session.connection()

    def lookup(key_id: str) -> bytes:
        return ring.data_key(conn, key_id)

    path = _result_dir() / job.result_file
    binding = _binding(job.result_file)
    sealedfiles.verify(path, lookup, binding)
    record(user, "job.downloaded", job, kind=job.kind)
    return io.BufferedReader(sealedfiles.PlaintextReader(path, lookup, binding))


def _remove_result_file(job: Job) -> None:
    if job.result_file:
        (_result_dir() / job.result_file).unlink(missing_ok=True)


def purge_expired_results() -> int:
    """Delete the files of expired jobs (the job rows stay). Returns how many."""
    jobs = db.session.scalars(
        select(Job).where(Job.result_file.is_not(None), Job.result_expires_at <= utcnow())
    ).all()
    for job in jobs:
        _remove_result_file(job)
        job.result_file = None
    return len(jobs)


# --- listing -------------------------------------------------------------------------------


def jobs_for(user: Any, limit: int = 100) -> list[Job]:
    """The jobs ``user`` may see, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(permissions.jobs_clause(user))
            .options(joinedload(Job.created_by))
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )


def status(job: Job, user: Any) -> dict[str, Any]:
    """The job as the JSON of its progress endpoint (nothing identifying)."""
    available = result_available(job)
    download = available and permissions.can_download_job_result(user, job)
    return {
        "id": job.public_id,
        "kind": job.kind,
        "label": kind_label(job.kind),
        "state": job.state.value,
        "state_label": job.state.label,
        "progress": job.progress,
        "message": translate(job.message or "", job.message_args),
        "error": error_text(job) or None,
        "attempts": job.attempts,
        "finished": job.finished,
        "result": job.result or {},
        "download": download,
        # Its creator's file, held back: they may no longer read every case in it.
        "access_lost": available and not download and job.created_by_id == user.id,
    }
