"""Background jobs: one row per job, so any app server shows its state and progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import PublicIdMixin, UTCDateTime, db, utcnow
from casework.core.i18n import N_
from casework.core.types import VocabType
from casework.core.vocab import Vocab

MESSAGE_MAX_LEN = 200
ERROR_MAX_LEN = 500


class JobState(Vocab):
    QUEUED = "queued", N_("Waiting")
    RUNNING = "running", N_("Running")
    DONE = "done", N_("Done")
    FAILED = "failed", N_("Failed")


class Job(PublicIdMixin, db.Model):
    """A background job. ``params``, ``message``, ``result`` and ``error`` hold codes, counts
    and options only, never identifying data: the job table is not encrypted, and the page of
    a job is shown to administrators as well."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    state: Mapped[JobState] = mapped_column(
        VocabType(JobState), nullable=False, default=JobState.QUEUED
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(String(MESSAGE_MAX_LEN))
    # None for scheduled jobs (reminders, backups): the system started them.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Counts and codes the job reports (cases exported, rows imported...).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A file for its creator to download: stored encrypted under a random name, until it expires.
    result_file: Mapped[str | None] = mapped_column(String(64))
    result_name: Mapped[str | None] = mapped_column(String(100))
    result_type: Mapped[str | None] = mapped_column(String(100))
    result_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX_LEN))
    # ``message`` and ``error`` are English msgids (marked with ``N_``), translated when shown;
    # the values of their placeholders ("%(done)s of %(total)s rows checked") are kept here.
    message_args: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_args: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    created_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def __repr__(self) -> str:
        return f"<Job {self.public_id} {self.kind} {self.state}>"
