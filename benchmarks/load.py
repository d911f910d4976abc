"""The load test (``make load``): 50 users for a few minutes against gunicorn over PostgreSQL,
then the checks: no failed request, one audit entry per confirmed write, no lost update.

Settings (environment): ``LOAD_MINUTES`` (3), ``LOAD_USERS`` (50), ``LOAD_CASES`` (10000
generated cases), ``LOAD_PG_URL`` (a scratch database, emptied and refilled), ``LOAD_REUSE=1``
(keep the data of the last run; its accounts file must be there), ``LOAD_PORT`` (8350),
``LOAD_WORKERS`` (2) and ``LOAD_THREADS`` (4) of gunicorn, ``LOAD_REDIS_URL`` (rate limits
shared by the workers, set high for the run), ``LOAD_OUT`` (benchmarks/load-results: CSV
statistics, the writes log, the accounts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import load_check
from benchmarks.generate import generate
from benchmarks.server import Server


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def main() -> int:
    minutes = float(_env("LOAD_MINUTES", "3"))
    users = int(_env("LOAD_USERS", "50"))
    cases = int(_env("LOAD_CASES", "10000"))
    url = _env("LOAD_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_casework_load")
    out = Path(_env("LOAD_OUT", "benchmarks/load-results"))
    out.mkdir(parents=True, exist_ok=True)
    accounts_file, writes_file = out / "accounts.json", out / "writes.jsonl"
    coordinators = max(1, users // 5)
    if os.environ.get("LOAD_REUSE") != "1" or not accounts_file.exists():
        print(f"generating {cases} cases...", flush=True)
        result = generate(url, cases, log=lambda line: None,
                          staff={"coordinator": coordinators, "monitor": users - coordinators})  # fmt: skip
        accounts_file.write_text(json.dumps(result["accounts"]))
        print(f"generated in {result['seconds']} s: {result['counts']}", flush=True)
    writes_file.write_text("")
    start_id = load_check.last_audit_id(url)
    extra = {
        "CASEWORK_RATELIMIT_STORAGE_URL": _env("LOAD_REDIS_URL", "redis://127.0.0.1:6379/3"),
        "CASEWORK_LOGIN_RATE_LIMIT": "100000 per minute",
        "CASEWORK_API_RATE_LIMIT": "100000 per minute",
        "CASEWORK_ACCOUNT_FAILURE_LIMIT": "1000 per minute",
        "GUNICORN_CMD_ARGS": f"--threads {_env('LOAD_THREADS', '4')} --keep-alive 30",
    }
    with Server(
        url, int(_env("LOAD_PORT", "8350")), int(_env("LOAD_WORKERS", "2")), extra
    ) as server:
        locust = str(Path(sys.executable).with_name("locust"))
        command = [
            locust, "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
            "-u", str(users), "-r", _env("LOAD_SPAWN_RATE", "2"), "-t", f"{int(minutes * 60)}s", "--host", server.base,
            "--csv", str(out / "load"), "--only-summary", "--stop-timeout", "30",
        ]  # fmt: skip
        env = {**os.environ, "LOAD_ACCOUNTS": str(accounts_file), "LOAD_WRITES": str(writes_file)}
        started = time.perf_counter()
        finished = subprocess.run(command, env=env, check=False)  # noqa: S603  (our own command)
        print(f"locust ran {time.perf_counter() - started:.0f} s (exit {finished.returncode})")
        memory = server.worker_memory_mb()
        log = (server.instance / "gunicorn.log").read_text(errors="replace")
    errors = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
    print(f"gunicorn workers: {memory}; error lines in the server log: {len(errors)}")
    for line in errors[:10]:
        print("  " + line[:300])
    return load_check.check(url, out / "load", writes_file, start_id)


if __name__ == "__main__":
    sys.exit(main())
