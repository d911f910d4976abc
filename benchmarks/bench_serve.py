"""Throughput of ``/healthz`` and of a case file: gunicorn (``make serve``'s settings, 2 workers)
against Flask's development server, both in the production configuration.

    python -m benchmarks.bench_serve [--seconds 10] [--connections 8] [--workers 2]

Builds a scratch SQLite database (or uses ``$BENCH_DATABASE_URL``, PostgreSQL, whose tables it
drops and rebuilds: never point it at a database you want to keep) with a coordinator and a case
with people and events, logs in through the real login (password, then code), and measures with
``wrk`` when it is installed (``apt-get install wrk``), else with a small threaded client.
Rate limits live in ``$BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/1``), as production
requires. Ports: ``$BENCH_PORT`` and the next one (default 8101).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _environment(tmp: Path) -> dict[str, str]:
    from casework.core.crypto import new_key_text

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    return {
        **os.environ,
        "CASEWORK_ENV": "production",
        "CASEWORK_DATABASE_URL": url,
        "CASEWORK_ALLOW_SQLITE": "1",
        "CASEWORK_SECRET_KEY": secrets.token_urlsafe(48),
        "CASEWORK_MASTER_KEY": new_key_text(),
        "CASEWORK_BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "CASEWORK_RATELIMIT_STORAGE_URL": os.environ.get(
            "BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"
        ),
        "CASEWORK_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
        "CASEWORK_INSTANCE_DIR": str(tmp / "instance"),
        "CASEWORK_UPLOAD_DIR": str(tmp / "uploads"),
        "CASEWORK_LOG_LEVEL": "warning",
    }


def _prepare(env: dict[str, str]) -> tuple[str, str, str]:
    """Migrate, create a coordinator and a case; returns (email, TOTP secret, case id)."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from casework import create_app
    from casework.cases.services import IntakeInput, intake
    from casework.core.db import db
    from casework.core.vocab import Role
    from tests.factories import PASSWORD, make_user

    app = create_app()
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        upgrade()
        user = make_user(Role.COORDINATOR)
        secret = user.totp_secret
        case, _warnings = intake(
            user,
            IntakeInput(
                name="Alisher Kholmatov",
                narrative="Detained in Almaty, held 40 days, handed over at the border.",
                act_type="extradition",
                act_date="2011-06-09",
                act_place="Almaty",
                destination_country="UZ",
                urgency="urgent",
            ),
        )
        db.session.commit()
        assert PASSWORD
        return user.email, secret, case.public_id


class Session:
    """Cookies and CSRF token of one logged-in browser, over plain HTTP."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, data.decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _, html = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email: str, password: str, totp_secret: str) -> None:
        token = self.csrf("/login")
        response, _ = self.request(
            "POST", "/login", {"email": email, "password": password, "csrf_token": token}
        )
        assert response.status == 302, response.status
        token = self.csrf("/login/code")
        code = pyotp.TOTP(totp_secret).now()
        response, _ = self.request("POST", "/login/code", {"code": code, "csrf_token": token})
        assert response.status == 302 and "/login" not in response.headers["Location"]

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def _wait(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server on port {port} stopped (exit {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start")


def _wrk(port: int, path: str, cookie: str, seconds: int, connections: int) -> float:
    out = subprocess.run(  # noqa: S603  # nosec B603
        [
            shutil.which("wrk") or "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{errors.group(1)} failed requests on {path}:\n{out}")
    return float(match.group(1)) if match else 0.0


def _threads(port: int, path: str, cookie: str, seconds: int, connections: int) -> float:
    done = [0] * connections
    failed = []
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                failed.append(response.status)
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise SystemExit(f"{len(failed)} failed requests on {path}")
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = int(os.environ.get("BENCH_PORT", "8101"))
    tmp = Path(tempfile.mkdtemp(prefix="casework-bench-serve-"))
    env = _environment(tmp)
    email, totp_secret, case_id = _prepare(env)
    from tests.factories import PASSWORD

    measure = _wrk if shutil.which("wrk") else _threads
    servers = {
        f"gunicorn, {args.workers} workers": [
            str(BIN / "gunicorn"),
            "-c",
            "python:casework.gunicorn_conf",
            "casework:create_app()",
        ],
        "development server (threaded)": [
            str(BIN / "flask"),
            "--app",
            "casework",
            "run",
            "--port",
            str(port + 1),
        ],
    }
    print(
        f"client: {measure.__name__.strip('_')}, {args.connections} connections, {args.seconds} s"
    )
    print(f"database: {env['CASEWORK_DATABASE_URL'].split(':', 1)[0]}")
    for offset, (label, command) in enumerate(servers.items()):
        server_port = port + offset
        server_env = {
            **env,
            "CASEWORK_BIND": f"127.0.0.1:{server_port}",
            "CASEWORK_WORKERS": str(args.workers),
        }
        log = open(tmp / f"server-{offset}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(  # noqa: S603  # nosec B603
            command, env=server_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait(server_port, proc)
            browser = Session(server_port)
            browser.log_in(email, PASSWORD, totp_secret)
            cookie = browser.cookie_header
            # Warm up: every worker has loaded the app before the clock starts.
            measure(server_port, f"/cases/{case_id}", cookie, 3, args.connections)
            for path, name in (("/healthz", "/healthz"), (f"/cases/{case_id}", "case file")):
                rate = measure(server_port, path, cookie, args.seconds, args.connections)
                print(f"{label:32} {name:10} {rate:8.1f} requests/s")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
