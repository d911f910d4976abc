"""Background jobs: large imports and exports as jobs, progress, retries, downloads, schedule.

Without Redis (the tests' configuration) a job runs at once in the process that starts it; the
tests marked ``redis`` run the same jobs through RQ with a real Redis (a database of its own,
``CASEWORK_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/1``, the next number for each
further parallel worker) and are skipped without one.
"""

from __future__ import annotations

import base64
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from casework.cases.models import Case
from casework.core.db import db, utcnow
from casework.core.vocab import Role
from casework.jobs import queue, services
from casework.jobs.models import Job, JobState
from casework.legal.seeding import seed_catalogue
from tests import workers
from tests.clients import client_for

DATA = Path(__file__).parent / "data"
REDIS_URL = workers.redis_url(
    os.environ.get("CASEWORK_TEST_REDIS_URL") or "redis://127.0.0.1:6379/1"
)
SECRET = "Kholmatov Alisher"  # stands for identifying data in an exception message


def _job(public_id: str) -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.public_id == public_id))


def _job_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert "/jobs/" in location, location
    return location.rsplit("/", 1)[1]


@pytest.fixture
def calls():
    """Test kinds: one that always fails (with a name in its message), one that fails once."""
    seen: list[str] = []

    @services.job_kind("test.fail", "Always fails")
    def always_fails(ctx):
        seen.append("fail")
        ctx.progress(50, "half way")
        raise RuntimeError(f"cannot process {SECRET}")

    @services.job_kind("test.flaky", "Fails once")
    def fails_once(ctx):
        seen.append("flaky")
        if seen.count("flaky") == 1:
            raise ConnectionError("the mail server went away")
        ctx.result(done=1)

    yield seen
    services.KINDS.pop("test.fail")
    services.KINDS.pop("test.flaky")


def _system_job(kind: str) -> Job:
    job = services.enqueue(kind, {}, None)
    db.session.commit()
    return job


# --- large imports and exports become jobs --------------------------------------------------


def _upload(client, content: bytes, name: str = "legacy.csv", **fields):
    return client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), name), **fields},
        content_type="multipart/form-data",
    )


def test_a_large_import_is_checked_then_written_by_jobs_with_progress(app, make_user, monkeypatch):
    """A large file's check runs as a job too (a web request has a time limit): its page links
    to the report, which leads to the same confirmation, and that starts the writing job."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    client = client_for(app, coordinator)
    content = (DATA / "cases-sample.csv").read_bytes()
    check_id = _job_id(_upload(client, content))
    check = _job(check_id)
    assert (check.kind, check.state, check.progress, check.attempts) == (
        "imports.check",
        JobState.DONE,
        100,
        1,
    )
    assert check.result == {
        "rows_read": 22,
        "cases_to_create": 22,
        "people_to_create": 22,
        "rejected_rows": 0,
        "possible_duplicates": 2,
        "warnings": 23,
    }
    # The job's row (not encrypted, its page shown to administrators) holds no name, nor
    # anything of the file but the key it waits under.
    assert set(check.params) == {"token"}
    assert "Gulyamov" not in str(check.params) + str(check.result) + (check.message or "")
    staged = Path(app.config["UPLOAD_DIR"]) / "imports"
    # The file and what its check found wait encrypted.
    assert sorted(p.name for p in staged.iterdir()) == [
        check.params["token"],
        check.params["token"] + "-check",
    ]
    assert not any(b"Gulyamov" in p.read_bytes() for p in staged.iterdir())
    page = client.get(f"/jobs/{check_id}").get_data(as_text=True)
    assert "Check of a file to import" in page and "Done" in page and "Rows read" in page
    assert f"/imports/cases/checks/{check_id}" in page and "Show the report" in page
    report = client.get(f"/imports/cases/checks/{check_id}")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "Checked: nothing written yet" in html
    assert "Rows read: 22." in html and "Possible duplicates" in html
    assert "Import 22 cases now" in html
    assert db.session.scalar(select(func.count(Case.id))) == 0

    job_id = _job_id(client.post("/imports/cases/confirm"))
    job = _job(job_id)
    assert (job.kind, job.state, job.progress, job.attempts) == (
        "imports.cases",
        JobState.DONE,
        100,
        1,
    )
    assert set(job.params) == {"token"}
    assert job.result == {"cases": 22, "people": 22, "rejected_rows": 0, "possible_duplicates": 2}
    assert db.session.scalar(select(func.count(Case.id))) == 22
    assert list(staged.iterdir()) == []  # the staged file and its report went with the commit
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Import of cases" in page and "Done" in page and "job-progress.js" not in page
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["state"] == "done" and status["progress"] == 100 and status["finished"]
    assert "Gulyamov" not in str(job.params) + str(job.result) + (job.message or "")
    # Confirmed once: a second confirmation has nothing to write.
    assert client.post("/imports/cases/confirm").status_code == 400
    # Run again (a retry after a lost acknowledgement): nothing is imported twice.
    assert services.execute(job.id) == JobState.DONE
    assert db.session.scalar(select(func.count(Case.id))) == 22


def test_a_large_files_report_is_its_creators_alone(app, make_user, monkeypatch):
    """The report quotes the file and names the people it may match: the administrator, who
    sees every job, sees the check's counts only; another coordinator not even the job."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    client = client_for(app, coordinator)
    check_id = _job_id(_upload(client, (DATA / "cases-sample.csv").read_bytes()))
    report_url = f"/imports/cases/checks/{check_id}"

    other = client_for(app, make_user(Role.COORDINATOR))
    assert other.get(f"/jobs/{check_id}").status_code == 404
    assert other.get(report_url).status_code == 404
    assert other.post("/imports/cases/confirm").status_code == 400
    admin = client_for(app, make_user(Role.ADMIN))
    page = admin.get(f"/jobs/{check_id}")
    assert page.status_code == 200 and "Rows read" in page.get_data(as_text=True)
    assert report_url not in page.get_data(as_text=True)
    assert "Gulyamov" not in page.get_data(as_text=True)
    assert admin.get(report_url).status_code == 403
    monitor = client_for(app, make_user(Role.MONITOR))
    assert monitor.get(report_url).status_code == 404
    assert db.session.scalar(select(func.count(Job.id))) == 1  # nobody else started anything

    # Its creator reads it, and confirms.
    assert "Import 22 cases now" in client.get(report_url).get_data(as_text=True)
    _job_id(client.post("/imports/cases/confirm"))
    assert db.session.scalar(select(func.count(Case.id))) == 22


def test_a_large_file_with_rejected_rows_is_reported_and_not_kept(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 1)
    client = client_for(app, make_user(Role.COORDINATOR))
    content = (
        b"person_name,act_type,act_date\n"
        b"Dilshad Memet,abduction,2016-06-03\n"
        b"Alisher Kholmatov,extradition,someday\n"
    )
    check_id = _job_id(_upload(client, content))
    check = _job(check_id)
    assert check.state == JobState.DONE and check.result["rejected_rows"] == 1
    html = client.get(f"/imports/cases/checks/{check_id}").get_data(as_text=True)
    assert "Nothing can be imported yet" in html and "someday" in html
    assert "cases now" not in html  # nothing to confirm
    # The file is gone; its report waits (sealed) to be read, as long as a staged file would.
    staged = Path(app.config["UPLOAD_DIR"]) / "imports"
    assert [p.name for p in staged.iterdir()] == [check.params["token"] + "-check"]
    assert client.post("/imports/cases/confirm").status_code == 400
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Job.id))) == 1

    # Asked for the good rows only, it may be confirmed.
    check_id = _job_id(_upload(client, content, valid_only="y"))
    html = client.get(f"/imports/cases/checks/{check_id}").get_data(as_text=True)
    assert "Import 1 case now" in html
    _job_id(client.post("/imports/cases/confirm"))
    assert db.session.scalar(select(func.count(Case.id))) == 1


def test_a_russian_readers_large_file_is_reported_in_russian(app, make_user, monkeypatch):
    """The check runs away from the page, in the language of the page that asked for it."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 1)
    client = client_for(app, make_user(Role.COORDINATOR, language="ru"))
    content = (
        b"person_name,act_type,act_date\n"
        b"Dilshad Memet,abduction,2016-06-03\n"
        b"Alisher Kholmatov,extradition,someday\n"
    )
    check_id = _job_id(_upload(client, content))
    page = client.get(f"/jobs/{check_id}").get_data(as_text=True)
    assert "Проверка файла для импорта" in page and "Отклонено строк" in page
    assert "Показать отчёт" in page
    html = client.get(f"/imports/cases/checks/{check_id}").get_data(as_text=True)
    assert "Прочитано строк: 2." in html and "someday" in html
    assert "is not a date" not in html


def test_a_large_file_that_cannot_be_imported_says_why_on_its_report(app, make_user, monkeypatch):
    """Why may quote the file (an unknown column's header can be a name): the job's row says
    where to read it, its report (sealed) says it, once: a retry would only repeat it."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 1)
    client = client_for(app, make_user(Role.COORDINATOR))
    content = (
        f"person_name,act_type,act_date,{SECRET}\n"
        "Dilshad Memet,abduction,2016-06-03,x\n"
        "Another Person,extradition,2011,y\n"
    ).encode()
    check_id = _job_id(_upload(client, content))
    check = _job(check_id)
    assert (check.state, check.attempts) == (JobState.FAILED, 1)
    assert check.error == "The file cannot be imported; the report of the check says why."
    assert SECRET not in str(check.params) + str(check.result) + str(check.error_args)
    page = client.get(f"/jobs/{check_id}")
    assert page.status_code == 200
    assert "the report of the check says why" in page.get_data(as_text=True)
    report = client.get(f"/imports/cases/checks/{check_id}")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "The file cannot be imported" in html
    assert SECRET in html and "cases now" not in html
    # Checked again from there: the form sends the file to the import page.
    assert 'action="/imports/cases" enctype="multipart/form-data"' in html
    staged = Path(app.config["UPLOAD_DIR"]) / "imports"
    assert [p.name for p in staged.iterdir()] == [check.params["token"] + "-check"]
    assert client.post("/imports/cases/confirm").status_code == 400


def test_a_check_that_breaks_says_so_on_its_report_not_a_500(app, make_user, monkeypatch):
    from casework.imports import checking

    def breaks(*args, **kwargs):
        raise RuntimeError(f"cannot process {SECRET}")

    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    monkeypatch.setattr(checking, "import_cases", breaks)
    client = client_for(app, make_user(Role.COORDINATOR))
    check_id = _job_id(_upload(client, (DATA / "cases-sample.csv").read_bytes()))
    check = _job(check_id)
    assert check.state == JobState.FAILED and check.attempts == services.RETRIES + 1
    assert SECRET not in str(check.error) + str(check.error_args) + str(check.result)
    report = client.get(f"/imports/cases/checks/{check_id}")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and SECRET not in html
    assert "The check stopped before it finished (Unexpected error (RuntimeError)" in html
    assert "cases now" not in html
    assert client.post("/imports/cases/confirm").status_code == 400


def _checked(app, make_user, monkeypatch, content: bytes | None = None):
    """A coordinator's browser and the report of their large file's check, found importable."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    client = client_for(app, coordinator)
    content = content or (DATA / "cases-sample.csv").read_bytes()
    check_id = _job_id(_upload(client, content))
    assert _job(check_id).state == JobState.DONE
    return coordinator, client, check_id


def test_a_large_file_is_confirmed_from_any_of_its_uploaders_sessions(app, make_user, monkeypatch):
    """The staged file and its report are the uploader's, not their browser's: in another of
    their sessions (another browser, signed in again) the report offers the confirmation, as
    in the one that uploaded it; once. Nobody else confirms it, even naming the check."""
    from tests.html_forms import form_fields

    coordinator, client, check_id = _checked(app, make_user, monkeypatch)
    report_url = f"/imports/cases/checks/{check_id}"
    elsewhere = client_for(app, coordinator)
    html = elsewhere.get(report_url).get_data(as_text=True)
    assert "Import 22 cases now" in html
    fields = form_fields(html, "/imports/cases/confirm")
    assert fields["check"] == check_id
    # Another coordinator does not see the check; an administrator may not import.
    other = client_for(app, make_user(Role.COORDINATOR))
    assert other.post("/imports/cases/confirm", data=fields).status_code == 404
    admin = client_for(app, make_user(Role.ADMIN))
    assert admin.post("/imports/cases/confirm", data=fields).status_code == 403
    assert db.session.scalar(select(func.count(Job.id))) == 1
    # A check that does not exist, or is no check, is not confirmed.
    assert elsewhere.post("/imports/cases/confirm", data={"check": "x" * 70}).status_code == 404
    job_id = _job_id(elsewhere.post("/imports/cases/confirm", data=fields))
    job = _job(job_id)
    assert (job.kind, job.state) == ("imports.cases", JobState.DONE)
    assert db.session.scalar(select(func.count(Case.id))) == 22
    # Confirmed once: neither session confirms it again.
    assert elsewhere.post("/imports/cases/confirm", data=fields).status_code == 400
    assert client.post("/imports/cases/confirm").status_code == 400
    assert elsewhere.post("/imports/cases/confirm", data={"check": job_id}).status_code == 404
    assert db.session.scalar(select(func.count(Case.id))) == 22


def test_a_large_file_being_written_is_not_offered_again(app, make_user, monkeypatch):
    """While the writing job waits for a worker, the file is still staged: no session is
    offered to write it a second time."""
    from casework.jobs import queue as job_queue

    coordinator, client, check_id = _checked(app, make_user, monkeypatch)
    monkeypatch.setattr(job_queue, "dispatch", lambda job_id, retry=True: None)
    job_id = _job_id(client.post("/imports/cases/confirm"))
    assert _job(job_id).state == JobState.QUEUED
    elsewhere = client_for(app, coordinator)
    html = elsewhere.get(f"/imports/cases/checks/{check_id}").get_data(as_text=True)
    assert "Checked: nothing written yet" in html and "cases now" not in html
    data = {"check": check_id}
    assert elsewhere.post("/imports/cases/confirm", data=data).status_code == 400
    assert db.session.scalar(select(func.count(Job.id))) == 2


def test_a_write_that_can_only_fail_the_same_way_is_not_retried(app, make_user, monkeypatch):
    """As a check that finds its file cannot be imported fails at once, so does the writing:
    a file gone, or one that cannot be imported, or a value a rule refuses, would fail the same
    way at every attempt."""
    from casework.core.errors import ValidationFailed
    from casework.imports import checking
    from casework.imports.reading import UnusableInput

    coordinator, client, check_id = _checked(app, make_user, monkeypatch)
    refusals = {
        "no file": None,
        "unusable": UnusableInput(f"the header names {SECRET}"),
        "refused": ValidationFailed({"act_date": [f"{SECRET} is not a date"]}),
    }
    errors = {}
    for name, refusal in refusals.items():
        if refusal is None:
            job = checking.start_writing(coordinator, "0" * 32)
        else:

            def refuses(*args, refusal=refusal, **kwargs):
                raise refusal

            monkeypatch.setattr(checking, "import_cases", refuses)
            job = checking.start_writing(coordinator, _job(check_id).params["token"])
        job = _job(job.public_id)
        assert (job.state, job.attempts) == (JobState.FAILED, 1), name
        errors[name] = services.error_text(job)
        assert SECRET not in errors[name] + str(job.error_args)
    assert errors == {
        "no file": "The checked file is no longer there: check it again on the import page.",
        "unusable": "The file can no longer be read; check it again.",
        "refused": "The input was refused (act_date).",
    }
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_a_write_whose_rows_are_refused_by_then_is_not_retried(app, make_user, monkeypatch):
    """Between the check and the confirmation, the same case keys were imported: every row is
    refused at each attempt, so the writing fails at once, saying so."""
    content = b"case_key,person_name,act_type,act_date\n" + b"".join(
        f"K-{n},Person {n},extradition,2011\n".encode() for n in range(6)
    )
    coordinator, client, check_id = _checked(app, make_user, monkeypatch, content)
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 100)
    small = client_for(app, coordinator)
    _upload(small, content)
    assert "Imported" in small.post("/imports/cases/confirm").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == 6
    job = _write_checked(coordinator, check_id)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert services.error_text(job).startswith("Nothing was written: 6 row(s) were rejected.")
    assert db.session.scalar(select(func.count(Case.id))) == 6


def _write_checked(coordinator, check_id: str) -> Job:
    from casework.imports import checking

    return _job(checking.start_writing(coordinator, _job(check_id).params["token"]).public_id)


def test_a_write_that_loses_the_database_is_tried_again(app, make_user, monkeypatch):
    """A transient failure (the database connection lost) may pass: the writing is tried
    again, and succeeds."""
    from sqlalchemy.exc import OperationalError

    from casework.imports import checking

    coordinator, client, check_id = _checked(app, make_user, monkeypatch)
    real = checking.import_cases
    failures = []

    def loses_the_connection_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("INSERT ...", {}, ConnectionError("server closed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(checking, "import_cases", loses_the_connection_once)
    job = _write_checked(coordinator, check_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert db.session.scalar(select(func.count(Case.id))) == 22


def test_a_file_is_counted_without_being_read_to_choose_where_it_is_checked():
    from openpyxl import Workbook

    from casework.imports.reading import rows_at_most

    assert rows_at_most(b"a,b\n1,2\n3,4\n", "x.csv") == 2
    assert rows_at_most(b"a,b\r\n1,2\r\n3,4", "x.csv") == 2
    assert rows_at_most(b"a,b\r1,2\r3,4\r", "x.csv") == 2  # old Mac line ends
    assert rows_at_most(b"a,b\n", "x.csv") == 0
    assert rows_at_most(b"", "x.csv") == 0
    assert rows_at_most("a,b\n1,2\n".encode("utf-16"), "x.csv") == 1
    book = Workbook()
    for n in range(30):
        book.active.append([f"r{n}", n])
    book.create_sheet("More").append(["x"])
    buf = io.BytesIO()
    book.save(buf)
    assert rows_at_most(buf.getvalue(), "x.xlsx") == 30  # 31 rows in all, less a header
    assert rows_at_most(b"PK\x03\x04 not a workbook", "x.xlsx") == 0


def test_the_sheet_chosen_by_its_name_is_not_kept_by_name_in_the_job(app, make_user, monkeypatch):
    """A sheet may be named after the people in it. The job's row is not encrypted and its page
    is shown to administrators: it keeps which sheet by its place in the workbook, and the
    import reads that sheet."""
    from openpyxl import Workbook

    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 1)
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Family Kholmatov")
    sheet.append(["person_name", "act_type", "act_date"])
    sheet.append(["Dilshad Memet", "abduction", "2016-06-03"])
    sheet.append(["Alisher Kholmatov", "extradition", "2011-06"])
    buf = io.BytesIO()
    book.save(buf)
    client = client_for(app, make_user(Role.COORDINATOR))
    check = _job(_job_id(_upload(client, buf.getvalue(), "cases.xlsx", sheet="Family Kholmatov")))
    html = client.get(f"/imports/cases/checks/{check.public_id}").get_data(as_text=True)
    assert "Import 2 cases now" in html
    assert "Kholmatov" not in str(check.params) + str(check.result) + (check.message or "")
    job = _job(_job_id(client.post("/imports/cases/confirm")))
    assert job.state == JobState.DONE and job.result["cases"] == 2
    assert db.session.scalar(select(func.count(Case.id))) == 2
    assert "Kholmatov" not in str(job.params) + str(job.result) + (job.message or "")


def test_a_small_import_still_runs_in_the_page(app, make_user):
    seed_catalogue()
    db.session.commit()
    client = client_for(app, make_user(Role.COORDINATOR))
    content = (DATA / "cases-sample.csv").read_bytes()
    client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "legacy.csv")},
        content_type="multipart/form-data",
    )
    response = client.post("/imports/cases/confirm")
    assert response.status_code == 200 and "Imported" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_large_export_is_a_file_only_its_creator_downloads(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", 0)
    coordinator = make_user(Role.COORDINATOR)
    from tests.factories import make_case

    make_case(coordinator)
    client = client_for(app, coordinator)
    job_id = _job_id(client.post("/reports/export", data={"format": "csv"}))
    job = _job(job_id)
    assert job.state == JobState.DONE and job.result["cases"] == 1
    # Stored encrypted, like documents.
    stored = Path(app.config["UPLOAD_DIR"]) / "jobs" / job.result_file
    assert stored.is_file() and b"KZ-" not in stored.read_bytes()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/download" in page
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert b"KZ-" in download.get_data()

    other = client_for(app, make_user(Role.COORDINATOR))
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/download").status_code == 404
    assert job_id not in other.get("/jobs").get_data(as_text=True)
    admin = client_for(app, make_user(Role.ADMIN))
    assert job_id in admin.get("/jobs").get_data(as_text=True)
    admin_page = admin.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Only the person who started this job" in admin_page
    assert admin.get(f"/jobs/{job_id}/download").status_code == 403

    # Once expired, the file is no longer offered, and the clean-up job removes it.
    db.session.execute(
        update(Job).where(Job.id == job.id).values(result_expires_at=utcnow() - timedelta(1))
    )
    db.session.commit()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    purge = _system_job("jobs.purge")
    queue.run_inline(app, purge.id, attempts=1)
    assert _job(purge.public_id).result == {
        "removed": 1,
        "form_keys": 0,
        "requeued": 0,
        "abandoned": 0,
    }
    assert not stored.exists() and _job(job_id).result_file is None


def test_export_below_the_threshold_downloads_at_once(app, make_user):
    client = client_for(app, make_user(Role.COORDINATOR))
    response = client.post("/reports/export", data={"format": "json"})
    assert response.status_code == 200 and response.mimetype == "application/json"


# --- running, retrying, failing --------------------------------------------------------------


def test_a_failing_job_is_retried_then_fails_with_a_clear_message(app, make_user, calls):
    admin = make_user(Role.ADMIN)
    job = _system_job("test.fail")
    state = queue.run_inline(app, job.id, attempts=services.RETRIES + 1)
    assert state == JobState.FAILED
    job = _job(job.public_id)
    assert calls == ["fail"] * 4 and job.attempts == 4
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert services.error_text(job) == (
        "Unexpected error (RuntimeError); the server log has the details."
    )
    assert SECRET not in (job.error + (job.message or "") + str(job.error_args))
    page = client_for(app, admin).get(f"/jobs/{job.public_id}").get_data(as_text=True)
    assert "Failed" in page and "RuntimeError" in page and SECRET not in page
    # A failed job run again does nothing.
    assert services.execute(job.id) == JobState.FAILED and len(calls) == 4


def test_a_russian_reader_reads_a_jobs_counts_and_failure_in_russian(app, make_user, calls):
    admin = make_user(Role.ADMIN, language="ru")
    browser = client_for(app, admin)
    job = _system_job("test.fail")
    with pytest.raises(RuntimeError):
        services.execute(job.id, final_attempt=False)
    job = _job(job.public_id)
    assert (job.message, job.message_args) == (
        "Attempt %(n)s failed; it will be tried again",
        {"n": 1},
    )
    status = browser.get(f"/jobs/{job.public_id}/status").get_json()
    assert status["message"] == "Попытка 1 не удалась; задача будет повторена"
    assert status["error"] == (
        "Непредвиденная ошибка (RuntimeError); подробности — в журнале сервера."
    )
    page = browser.get(f"/jobs/{job.public_id}").get_data(as_text=True)
    assert "Попытка 1 не удалась" in page and "Attempt 1 failed" not in page
    # Progress with counts, as an import reports it.
    context = services.JobContext(job=job, user=None)
    context.counter(200, "%(done)s of %(total)s rows checked")(50)
    db.session.commit()
    status = browser.get(f"/jobs/{job.public_id}/status").get_json()
    assert status["message"] == "Проверено строк: 50 из 200"
    english = client_for(app, make_user(Role.ADMIN)).get(f"/jobs/{job.public_id}/status")
    assert english.get_json()["message"] == "50 of 200 rows checked"


def test_a_russian_reader_reads_every_kinds_result_labels_in_russian(app, make_user, monkeypatch):
    """The job page names each count or code of a job's result: an export's format, the
    reminders sent, the files a clean-up removed were shown in English on the Russian page."""
    import re

    from tests.factories import make_case

    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", 0)
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, language="ru")
    make_case(coordinator)
    client = client_for(app, coordinator)
    pages = {
        "reports.export": client.post("/reports/export", data={"format": "csv"}),
        "imports.check": _upload(client, (DATA / "cases-sample.csv").read_bytes()),
    }
    pages["imports.cases"] = client.post("/imports/cases/confirm")
    admin = make_user(Role.ADMIN, language="ru")
    browser = client_for(app, admin)
    for kind in ("reminders.send", "jobs.purge"):
        pages[kind] = browser.post("/jobs", data={"kind": kind})
    # The kinds a test cannot run whole: their results as they record them.
    for kind, result in (
        ("keys.rotate", {"rewrapped": 2, "already_done": 1}),
        ("backup", {"done": True}),
    ):
        job = services.enqueue(kind, {}, None)
        job.state, job.result = JobState.DONE, result
        db.session.commit()
        pages[kind] = browser.get(f"/jobs/{job.public_id}")
    assert set(pages) == {kind for kind in services.KINDS if not kind.startswith("test.")}
    labels = {}
    for kind, response in pages.items():
        job = _job(_job_id(response) if response.status_code == 302 else response.request.path[6:])
        assert job.state == JobState.DONE and job.result, (kind, job.error)
        html = browser.get(f"/jobs/{job.public_id}").get_data(as_text=True)
        labels[kind] = re.findall(r"<dt>(.*?)</dt>", html)
        assert len(labels[kind]) == len(job.result), kind
    english = [
        label for found in labels.values() for label in found if re.search("[A-Za-z]", label)
    ]
    assert english == [], labels
    assert labels["reports.export"] == ["Дела", "Формат", "Обезличено"]


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("ru", "Да", "Нет")])
def test_a_jobs_yes_or_no_results_read_as_yes_or_no_in_the_readers_language(
    app, make_user, language, yes, no
):
    """An export's "anonymised", a backup's "done", the reminders' "configured" showed as
    "True" and "False", in English on the Russian page too."""
    import re

    browser = client_for(app, make_user(Role.ADMIN, language=language))
    shown = {}
    for kind, result in (
        ("reports.export", {"cases": 3, "format": "csv", "anonymised": False}),
        ("backup", {"done": True}),
        ("reminders.send", {"configured": False, "sent": 0}),
    ):
        # As the kind records it (a test cannot run a backup or send mail).
        job = services.enqueue(kind, {}, None)
        job.state, job.result = JobState.DONE, result
        db.session.commit()
        html = browser.get(f"/jobs/{job.public_id}").get_data(as_text=True)
        shown[kind] = re.findall(r"<dd>(.*?)</dd>", html)
    assert shown == {
        "reports.export": ["3", "csv", no],
        "backup": [yes],
        "reminders.send": [no, "0"],
    }


def test_a_job_that_fails_once_succeeds_on_retry(app, calls):
    job = _system_job("test.flaky")
    assert queue.run_inline(app, job.id, attempts=4) == JobState.DONE
    job = _job(job.public_id)
    assert (job.attempts, job.result, job.error) == (2, {"done": 1}, None)
    assert services.execute(job.id) == JobState.DONE and calls == ["flaky", "flaky"]


def test_who_starts_which_job(app, make_user):
    from casework.core.errors import PermissionDenied, ValidationFailed

    monitor, admin = make_user(Role.MONITOR), make_user(Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.enqueue("imports.cases", {}, monitor)
    with pytest.raises(PermissionDenied):
        services.enqueue("reminders.send", {}, monitor)
    with pytest.raises(ValidationFailed):
        services.enqueue("no.such.kind", {}, admin)
    client = client_for(app, admin)
    job_id = _job_id(client.post("/jobs", data={"kind": "reminders.send"}))
    job = _job(job_id)
    # No SMTP in tests: the reminders job finishes and says nothing was configured.
    assert job.state == JobState.DONE and job.result == {"configured": False, "sent": 0}
    assert (
        client_for(app, monitor).post("/jobs", data={"kind": "reminders.send"}).status_code == 403
    )


def test_the_backup_job_needs_a_folder_and_the_backup_service(
    app, make_user, tmp_path, monkeypatch
):
    from casework.jobs.tasks import backup_function

    monkeypatch.setitem(app.config, "BACKUP_DIR", None)
    job = _system_job("backup")
    queue.run_inline(app, job.id, attempts=1)
    assert _job(job.public_id).error == "No backup folder is configured (CASEWORK_BACKUP_DIR)."
    app.config["BACKUP_DIR"] = str(tmp_path)
    try:
        job = _system_job("backup")
        queue.run_inline(app, job.id, attempts=1)
        job = _job(job.public_id)
        if backup_function() is None:
            assert job.error == "This installation has no backup service."
        else:
            assert job.state == JobState.DONE
        assert "backup" in [entry.kind for entry in queue.schedule(app)]
    finally:
        app.config["BACKUP_DIR"] = None


def test_the_daily_reminder_and_the_nightly_backup_are_in_the_schedule(app, monkeypatch):
    entries = {entry.kind: entry.cron for entry in queue.schedule(app)}
    assert entries["reminders.send"] == "0 6 * * *"
    # Backups are on by default (into instance/backups), at CASEWORK_BACKUP_CRON.
    assert "jobs.purge" in entries and entries["backup"] == "30 2 * * *"
    monkeypatch.setitem(app.config, "BACKUP_DIR", None)
    assert "backup" not in {entry.kind for entry in queue.schedule(app)}


# --- with a real Redis --------------------------------------------------------------------


@pytest.fixture
def redis_queue(app, monkeypatch):
    from redis import Redis
    from redis.exceptions import RedisError

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    conn.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setattr(queue, "RETRY_INTERVALS", [0, 0, 0])
    app.extensions.pop("casework.jobs.redis", None)
    yield queue.get_queue(app)
    app.extensions.pop("casework.jobs.redis", None)
    conn.flushdb()


def _work(q) -> None:
    from rq import SimpleWorker

    SimpleWorker([q], connection=q.connection).work(burst=True)


def test_a_worker_runs_an_export_job_from_redis(app, make_user, monkeypatch, redis_queue):
    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", 0)
    coordinator = make_user(Role.COORDINATOR)
    from tests.factories import make_case

    make_case(coordinator)
    client = client_for(app, coordinator)
    job_id = _job_id(client.post("/reports/export", data={"format": "xlsx"}))
    job = _job(job_id)
    assert job.state == JobState.QUEUED and job.progress == 0  # waiting for a worker
    assert client.get(f"/jobs/{job_id}/status").get_json()["state"] == "queued"
    assert "job-progress.js" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert redis_queue.count == 1
    _work(redis_queue)
    job = _job(job_id)
    assert (job.state, job.progress, job.attempts, job.result["cases"]) == (
        JobState.DONE,
        100,
        1,
        1,
    )
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["finished"] and status["download"]
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.get_data()[:2] == b"PK"


def test_a_worker_checks_then_writes_a_large_import_from_redis(
    app, make_user, monkeypatch, redis_queue
):
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    seed_catalogue()
    db.session.commit()
    client = client_for(app, make_user(Role.COORDINATOR))
    check_id = _job_id(_upload(client, (DATA / "cases-sample.csv").read_bytes()))
    assert _job(check_id).state == JobState.QUEUED
    # Not checked yet: the report's address leads to the job's progress.
    waiting = client.get(f"/imports/cases/checks/{check_id}")
    assert waiting.status_code == 302 and waiting.headers["Location"].endswith(f"/jobs/{check_id}")
    assert client.post("/imports/cases/confirm").status_code == 400  # nothing checked to confirm
    check_id = _job_id(_upload(client, (DATA / "cases-sample.csv").read_bytes()))
    _work(redis_queue)
    assert _job(check_id).state == JobState.DONE
    html = client.get(f"/imports/cases/checks/{check_id}").get_data(as_text=True)
    assert "Import 22 cases now" in html
    job_id = _job_id(client.post("/imports/cases/confirm"))
    assert _job(job_id).state == JobState.QUEUED
    _work(redis_queue)
    assert _job(job_id).state == JobState.DONE
    assert db.session.scalar(select(func.count(Case.id))) == 22


def test_rq_retries_a_failing_job_then_it_ends_failed(app, calls, redis_queue):
    job = _system_job("test.fail")
    services.dispatch(job)
    _work(redis_queue)
    job = _job(job.public_id)
    assert calls == ["fail"] * 4
    assert (job.state, job.attempts) == (JobState.FAILED, 4)
    assert services.error_text(job) == (
        "Unexpected error (RuntimeError); the server log has the details."
    )
    from rq.job import Job as RQJob

    assert RQJob.fetch(queue.rq_job_id(job.id), connection=redis_queue.connection).is_failed


def _everything_in(conn) -> list[str]:
    """Every key and value of the queue's Redis database as text, each value also decoded as
    RQ encodes some (a job's data and exception compressed, a result's exception and value in
    base64 as well)."""
    import binascii
    import zlib
    from contextlib import suppress

    def text(raw) -> str:
        forms = [raw]
        with suppress(binascii.Error, ValueError):
            forms.append(base64.b64decode(raw, validate=True))
        for form in list(forms):
            with suppress(zlib.error):
                forms.append(zlib.decompress(form))
        return "\n".join(form.decode("utf-8", "replace") for form in forms)

    found: list[str] = []
    for key in conn.scan_iter():
        kind = conn.type(key).decode()
        if kind == "string":
            values = [conn.get(key)]
        elif kind == "hash":
            values = [v for pair in conn.hgetall(key).items() for v in pair]
        elif kind == "list":
            values = conn.lrange(key, 0, -1)
        elif kind in ("set", "zset"):
            values = list(conn.smembers(key) if kind == "set" else conn.zrange(key, 0, -1))
        elif kind == "stream":
            values = [v for _, entry in conn.xrange(key) for pair in entry.items() for v in pair]
        else:
            values = []
        found += [text(key), *(text(v) for v in values if isinstance(v, bytes))]
    return found


def test_a_failed_jobs_message_never_reaches_the_queue(app, redis_queue, caplog):
    """The queue keeps a failed job's exception (its result, the failed jobs' registry): a
    library's message may quote a cell of an imported spreadsheet, a name. Only database errors
    reached it told without their message; any other exception reaches it as its class and
    where it was raised; the server's log tells it so too, with its traceback."""
    import logging

    from rq.job import Job as RQJob

    cell = "Kholmatov Dilshod"  # a cell of an imported file, quoted by a library

    @services.job_kind("test.quoting", "Quotes a name")
    def quotes_a_name(ctx):
        raise ValueError(cell)

    try:
        job = _system_job("test.quoting")
        with caplog.at_level(logging.WARNING):
            services.dispatch(job)
            _work(redis_queue)
    finally:
        services.KINDS.pop("test.quoting")
    job = _job(job.public_id)
    assert (job.state, job.attempts) == (JobState.FAILED, services.RETRIES + 1)
    assert (
        services.error_text(job) == "Unexpected error (ValueError); the server log has the details."
    )
    rq_job = RQJob.fetch(queue.rq_job_id(job.id), connection=redis_queue.connection)
    assert rq_job.is_failed and rq_job.id in redis_queue.failed_job_registry.get_job_ids()
    told = rq_job.latest_result().exc_string
    assert "ValueError" in told and "quotes_a_name" in told and "test_jobs" in told
    everything = _everything_in(redis_queue.connection)
    assert any("ValueError" in value for value in everything)
    assert not [value for value in everything if "Kholmatov" in value]
    # The server's log has the failure, from the app's logger, at each attempt: the kind of
    # error and its traceback, the message withheld.
    logged = [r for r in caplog.records if r.name.startswith("casework.") and r.exc_text]
    assert len(logged) == services.RETRIES + 1
    assert all("ValueError" in r.exc_text and "quotes_a_name" in r.exc_text for r in logged)
    assert "Kholmatov" not in caplog.text
    # A database error reaches the queue told by its kind and constraint, as before.
    from sqlalchemy.exc import IntegrityError

    from casework.core.dberrors import DatabaseFailure

    class ServerError(Exception):
        sqlstate = "23505"

    quoted = IntegrityError("INSERT ...", {}, ServerError("Key (name)=(Kholmatov) exists"))
    assert isinstance(queue.for_the_queue(quoted), DatabaseFailure)
    assert "Kholmatov" not in str(queue.for_the_queue(quoted))


# rq-scheduler hands crontab a naive UTC time, which is what it means; crontab warns anyway.
@pytest.mark.filterwarnings("ignore:Version 0.22.0. of crontab:FutureWarning")
def test_the_daily_reminder_is_registered_with_the_scheduler(app, redis_queue, monkeypatch):
    from rq_scheduler import Scheduler

    monkeypatch.setitem(app.config, "BACKUP_DIR", None)
    scheduler = Scheduler(queue_name=queue.QUEUE_NAME, connection=redis_queue.connection)
    queue.register_schedule(scheduler, app)
    queue.register_schedule(scheduler, app)  # again, at the next start: no duplicates
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["casework-schedule-jobs-purge", "casework-schedule-reminders-send"]
    reminder = jobs["casework-schedule-reminders-send"]
    assert reminder.meta["cron_string"] == "0 6 * * *"
    assert reminder.func_name == "casework.jobs.queue.run_scheduled"
    assert reminder.args == ["reminders.send"]
    # What the cron entry fires: a job row started by the system, run by a worker.
    job_id = queue.run_scheduled("reminders.send")
    _work(redis_queue)
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    assert job.created_by_id is None and job.state == JobState.DONE


def test_an_unreachable_queue_fails_the_job_with_a_clear_message(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", -1)  # even none
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:8199/0")  # nothing listens
    app.extensions.pop("casework.jobs.redis", None)
    try:
        client = client_for(app, make_user(Role.COORDINATOR))
        job_id = _job_id(client.post("/reports/export", data={"format": "csv"}))
    finally:
        app.extensions.pop("casework.jobs.redis", None)
    job = _job(job_id)
    assert job.state == JobState.FAILED
    assert job.error == "The job queue cannot be reached; try again later."


def test_a_checked_file_that_does_not_decrypt_is_checked_again(app, make_user):
    """A file staged unencrypted (by an older version) or damaged: refused, never a 500."""
    from casework.imports import staging

    client = client_for(app, make_user(Role.COORDINATOR))
    content = b"person_name,act_type,act_date\nA B,extradition,2011\n"
    client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "cases.csv")},
        content_type="multipart/form-data",
    )
    [path] = list((Path(app.config["UPLOAD_DIR"]) / "imports").iterdir())
    path.write_bytes(content)  # as an older version left it
    assert staging.read(path.name) is None and not path.exists()
    assert client.post("/imports/cases/confirm").status_code == 400


def test_a_job_left_running_by_a_dead_worker_is_queued_again_or_failed(app, calls):
    """A worker killed mid-job leaves its row "running"; the hourly purge job finds it."""
    stale = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT_SECONDS"]) - timedelta(hours=1)
    retried = _system_job("test.flaky")
    spent = _system_job("test.flaky")
    recent = _system_job("test.flaky")
    for job, attempts, started in (
        (retried, 1, stale),
        (spent, services.RETRIES + 1, stale),
        (recent, 1, utcnow()),  # still within its timeout: perhaps still running
    ):
        db.session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(state=JobState.RUNNING, attempts=attempts, started_at=started)
        )
    db.session.commit()

    purge = _system_job("jobs.purge")
    services.dispatch(purge)  # no Redis in tests: runs now, and so does what it queues again
    assert _job(purge.public_id).result == {
        "removed": 0,
        "form_keys": 0,
        "requeued": 1,
        "abandoned": 1,
    }
    # Queued again, then run at once (in-process): it fails once, as it does, then succeeds.
    assert _job(retried.public_id).state == JobState.DONE and calls == ["flaky", "flaky"]
    assert _job(spent.public_id).state == JobState.FAILED
    assert "stopped" in _job(spent.public_id).error
    assert _job(recent.public_id).state == JobState.RUNNING


def test_an_exports_file_is_not_given_once_its_creator_may_no_longer_read_its_cases(
    app, make_user, monkeypatch
):
    """A lawyer's export of their cases stayed downloadable for a day after the lawyer was
    taken off a case's team: the case left with the file. The file is given only while its
    creator may still read every case in it; a colleague's access is unchanged."""
    import casework.core.db as core_db
    from casework.cases import services as case_services
    from casework.core.vocab import TeamRole
    from tests.factories import make_case

    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", 0)
    monkeypatch.setattr(core_db, "IN_CHUNK", 1)  # the cases are checked a slice at a time
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    coordinator = make_user(Role.COORDINATOR)
    make_case(lawyer)  # a case of their own, which they keep
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    marker = case.reference.encode()
    client = client_for(app, lawyer)
    first = _job_id(client.post("/reports/export", data={"format": "csv"}))
    second = _job_id(client.post("/reports/export", data={"format": "json"}))
    assert marker in client.get(f"/jobs/{first}/download").get_data()

    case_services.remove_member(coordinator, case, lawyer)
    db.session.commit()
    for job_id in (first, second):
        refused = client.get(f"/jobs/{job_id}/download")
        assert refused.status_code == 403
        assert marker not in refused.get_data()
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert f"/jobs/{job_id}/download" not in page
        assert "no longer read every case" in page

    # Back on the team, the file is theirs again; a coordinator's export is unaffected.
    case_services.add_member(coordinator, case, lawyer, TeamRole.LAWYER)
    db.session.commit()
    assert client.get(f"/jobs/{first}/download").status_code == 200
    theirs = client_for(app, coordinator)
    job_id = _job_id(theirs.post("/reports/export", data={"format": "csv"}))
    assert marker in theirs.get(f"/jobs/{job_id}/download").get_data()
    # Restricted by its team, the case is no longer the off-team coordinator's to read.
    case_services.set_restricted(coordinator, case, True)
    db.session.commit()
    assert theirs.get(f"/jobs/{job_id}/download").status_code == 403
