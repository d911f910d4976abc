"""Pages of background jobs (``/jobs``) and the ``flask --app casework jobs`` commands."""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.cli import AppGroup
from flask_login import current_user
from sqlalchemy import select

from casework import permissions
from casework.accounts.models import User
from casework.core.db import db
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.i18n import gettext as _
from casework.jobs import queue, services, tasks  # noqa: F401  (tasks registers the kinds)
from casework.jobs.models import Job
from casework.loader import load

bp = Blueprint("jobs", __name__)

# Kinds an administrator may start from the jobs page.
SYSTEM_KINDS = ("reminders.send", "jobs.purge", "backup", "keys.rotate")


@bp.get("/jobs")
def job_list():
    if not permissions.has_right(current_user, "view_jobs"):
        raise PermissionDenied()
    return render_template(
        "jobs/list.html",
        jobs=services.jobs_for(current_user),
        label=services.kind_label,
        all_jobs=permissions.has_right(current_user, "view_all_jobs"),
        system_kinds=[(k, services.kind_label(k)) for k in SYSTEM_KINDS]
        if permissions.can_run_system_jobs(current_user)
        else [],
    )


@bp.post("/jobs")
def start_job():
    """An administrator starts a system job (reminders, clean-up, backup, key rotation)."""
    if not permissions.can_run_system_jobs(current_user):
        raise PermissionDenied()
    kind = request.form.get("kind", "")
    if kind not in SYSTEM_KINDS:
        flash(_("Choose one of the listed jobs."), "error")
        return redirect(url_for("jobs.job_list"))
    job = services.start(kind, {}, current_user)
    return redirect(url_for("jobs.detail", job_id=job.public_id))


@bp.get("/jobs/<job_id>")
def detail(job_id: str):
    job = load(Job, job_id, current_user)
    report = services.report_endpoint(job, current_user)
    return render_template(
        "jobs/detail.html",
        job=job,
        status=services.status(job, current_user),
        label=services.kind_label(job.kind),
        results=services.result_labels(job),
        report_url=url_for(report, job_id=job.public_id) if report else None,
    )


@bp.get("/jobs/<job_id>/status")
def status(job_id: str):
    """The job's progress as JSON, for the page's poll (counts and codes only)."""
    job = load(Job, job_id, current_user)
    response = jsonify(services.status(job, current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<job_id>/download")
def download(job_id: str):
    """The job's file: its creator only, while it has not expired."""
    job = load(Job, job_id, current_user, need=permissions.can_download_job_result)
    try:
        content = services.open_result(current_user, job)
    except services.JobError:
        abort(404)
    db.session.commit()  # the audit entry of the download
    response = send_file(
        content,
        mimetype=job.result_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or "download",
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- command line ---------------------------------------------------------------------------

jobs_cli = AppGroup("jobs", help="Background jobs: worker, scheduler, starting a job.")


def _redis():
    conn = queue.redis_connection()
    if conn is None:
        raise click.ClickException("CASEWORK_REDIS_URL is not set: jobs run in the web process.")
    return conn


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not move due retries into the queue.")
def worker_command(burst: bool, no_scheduler: bool) -> None:
    """Run a worker on the casework queue (RQ); several may run, on several machines."""
    from rq import Worker

    connection = _redis()
    worker = Worker([queue.get_queue()], connection=connection)
    # Each job runs in a forked process: none may inherit a database connection of this one.
    db.engine.dispose()
    worker.work(burst=burst, with_scheduler=not no_scheduler)


@jobs_cli.command("scheduler")
@click.option("--interval", default=30, show_default=True, help="Seconds between checks.")
def scheduler_command(interval: int) -> None:
    """Register the periodic jobs (reminders, clean-up, backups) and run rq-scheduler."""
    from rq_scheduler import Scheduler

    scheduler = Scheduler(queue_name=queue.QUEUE_NAME, connection=_redis(), interval=interval)
    for entry in queue.register_schedule(scheduler):
        click.echo(f"{entry.kind}: {entry.cron} (UTC)")
    scheduler.run()


@jobs_cli.command("schedule")
def schedule_command() -> None:
    """Show the periodic jobs of this configuration."""
    for entry in queue.schedule():
        click.echo(f"{entry.kind}: {entry.cron} (UTC)")


@jobs_cli.command("run")
@click.argument("kind")
@click.option("--as", "email", help="The account that starts it (system jobs: an administrator).")
def run_command(kind: str, email: str | None) -> None:
    """Start a job (on the queue, or here and now without Redis) and print its id."""
    user = None
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise click.UsageError("No active account with that e-mail.")
    elif kind not in SYSTEM_KINDS:
        raise click.UsageError("Give --as EMAIL: the job acts with that account's access.")
    try:
        job = services.start(kind, {}, user)
    except (ValidationFailed, PermissionDenied) as exc:
        raise click.ClickException(str(exc) or "refused") from exc
    db.session.refresh(job)
    click.echo(f"job {job.public_id}: {job.state.value} {services.error_text(job)}".rstrip())


def init_app(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    if current_app_is_production(app) and not app.config.get("REDIS_URL"):
        app.logger.warning("CASEWORK_REDIS_URL is not set: background jobs run inside web requests")


def current_app_is_production(app: Flask) -> bool:
    return app.config.get("ENV_NAME") == "production"
