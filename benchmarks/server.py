"""The app served under gunicorn on 127.0.0.1 for the benchmarks, and signed-in HTTP clients."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyotp
import requests

from benchmarks.generate import server_environment

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Server:
    """``gunicorn 'casework:create_app()'`` over ``url`` with ``workers`` workers."""

    def __init__(
        self, url: str, port: int, workers: int = 2, extra_env: dict[str, str] | None = None
    ):
        self.url, self.port, self.workers = url, port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.instance = Path(tempfile.mkdtemp(prefix="casework-bench-instance-"))
        self.env = {
            **os.environ,
            **server_environment(url),
            "CASEWORK_INSTANCE_DIR": str(self.instance),
            "CASEWORK_ALLOW_SQLITE": "1",
            # Sync workers (GUNICORN_CMD_ARGS may ask for threads), none replaced mid-run: the
            # steady state is what is measured.
            "CASEWORK_THREADS": "1",
            "CASEWORK_MAX_REQUESTS": "0",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} is taken: another server is running there")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(self.instance / "gunicorn.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603  (our own command line)
            [
                gunicorn,
                # The production settings, with the workers asked for and long requests
                # (imports, reports) let finish; see the environment below for the rest.
                "--config",
                "python:casework.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "600",
                "--graceful-timeout",
                "5",
                "casework:create_app()",
            ],  # fmt: skip
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        try:
            while time.monotonic() < deadline:
                try:
                    if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                        return self
                except requests.RequestException:
                    pass
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        finally:
            if self.process.poll() is not None or time.monotonic() >= deadline:
                self.__exit__()
        raise RuntimeError(f"gunicorn did not start; see {self.instance / 'gunicorn.log'}")

    def __exit__(self, *exc: Any) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def worker_memory_mb(self) -> dict[str, float]:
        """Current and peak resident memory of the largest worker, in MB (from /proc)."""
        rss = hwm = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss = max(rss, int(fields.get("VmRSS", "0 kB").split()[0]))
            hwm = max(hwm, int(fields.get("VmHWM", "0 kB").split()[0]))
        return {"rss_mb": round(rss / 1024, 1), "peak_mb": round(hwm / 1024, 1)}


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def signed_in(base: str, email: str, password: str, totp_secret: str) -> requests.Session:
    """A session signed in through the whole flow (password, then the current TOTP code).

    A code is accepted once: when this account signed in during this time step already, the
    next step's code is used (the server accepts one step of drift), else we wait."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=30)
    response = session.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "/login/code" not in response.headers.get("Location", ""):
        raise RuntimeError(f"password refused for {email}: {response.status_code}")
    code_page = session.get(base + "/login/code", timeout=30)
    totp = pyotp.TOTP(totp_secret)
    for attempt in range(4):
        step = int(time.time()) // 30 + (1 if attempt % 2 else 0)
        response = session.post(
            base + "/login/code",
            data={"code": totp.generate_otp(step), "csrf_token": csrf_token(code_page.text)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code == 302 and "/login" not in response.headers.get("Location", ""):
            session.headers["X-CSRFToken"] = csrf_token(session.get(base + "/", timeout=60).text)
            return session
        if attempt % 2:
            time.sleep(31 - time.time() % 30)
        code_page = session.get(base + "/login/code", timeout=30)
    raise RuntimeError(f"code refused for {email}")
