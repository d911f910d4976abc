"""Production serving: gunicorn's settings, and what its access log may show."""

from __future__ import annotations

import http.client
import importlib
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casework import gunicorn_conf
from casework.core.crypto import new_key_text
from tests import workers

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("CASEWORK_TEST_SERVE_PORT") or workers.port(8150))


def test_workers_are_two_per_core_plus_one_capped():
    assert gunicorn_conf.default_workers(1) == 3
    assert gunicorn_conf.default_workers(2) == 5
    assert gunicorn_conf.default_workers(64) == gunicorn_conf.MAX_WORKERS


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CASEWORK_WORKERS", "2")
    monkeypatch.setenv("CASEWORK_THREADS", "4")
    monkeypatch.setenv("CASEWORK_BIND", "0.0.0.0:9000")
    try:
        conf = importlib.reload(gunicorn_conf)
        assert (conf.workers, conf.threads, conf.worker_class, conf.bind) == (
            2,
            4,
            "gthread",
            "0.0.0.0:9000",
        )
        assert conf.graceful_timeout == 30 and conf.timeout == 60
        monkeypatch.setenv("CASEWORK_WORKERS", "many")
        with pytest.raises(SystemExit, match="CASEWORK_WORKERS must be a whole number"):
            importlib.reload(gunicorn_conf)
    finally:
        monkeypatch.undo()
        importlib.reload(gunicorn_conf)


def test_the_access_log_format_has_no_query_body_or_referrer():
    fmt = gunicorn_conf.access_log_format
    # %(r)s is the request line (with its query), %(q)s the query, %(f)s the referrer,
    # %(a)s the user agent, %({...}i)s any request header (cookies).
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%(a)s", "}i)s", "}e)s"):
        assert atom not in fmt, atom
    assert "%(U)s" in fmt  # the path alone


def test_gunicorn_serves_and_logs_paths_without_query_strings(tmp_path):
    env = {
        **os.environ,
        "CASEWORK_ENV": "production",
        "CASEWORK_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CASEWORK_ALLOW_SQLITE": "1",
        "CASEWORK_SECRET_KEY": secrets.token_urlsafe(48),
        "CASEWORK_MASTER_KEY": new_key_text(),
        "CASEWORK_BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "CASEWORK_RATELIMIT_STORAGE_URL": "memory://",
        "CASEWORK_REDIS_URL": "redis://127.0.0.1:6379/14",  # the job queue: named, not used
        "CASEWORK_INSTANCE_DIR": str(tmp_path),
        "CASEWORK_BIND": f"127.0.0.1:{PORT}",
        "CASEWORK_WORKERS": "1",
    }
    # Production refuses in-memory rate limits: gunicorn's worker exits, and gunicorn with it.
    refused = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:casework.gunicorn_conf"]
        + ["casework:create_app()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "CASEWORK_RATELIMIT_STORAGE_URL must name a shared store" in refused.stderr
    # The rate-limit storage is checked by name only at start-up; no Redis is needed for this.
    env["CASEWORK_RATELIMIT_STORAGE_URL"] = "redis://127.0.0.1:8199/0"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:casework.gunicorn_conf"]
            + ["casework:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status = None
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and status is None:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                    try:
                        conn.request("GET", "/healthz?name=Kholmatov")
                        response = conn.getresponse()
                        response.read()
                        status = response.status
                    finally:
                        conn.close()
                except OSError:
                    time.sleep(0.5)
            assert status == 200
        finally:
            server.terminate()
            server.wait(timeout=60)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text, text
    assert "Kholmatov" not in text and "name=" not in text
