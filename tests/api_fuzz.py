"""`make api-fuzz`: schemathesis against the OpenAPI document, with a token of each role.

Builds a fresh SQLite database with the test world (users of every role on and off the teams of
an ordinary and a restricted case full of records), serves the app on a free local port, and runs
schemathesis once per role: no answer may be a server error or break the document's schemas.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from casework import create_app
from casework.core.db import db
from casework.core.vocab import Role
from tests.api_clients import token_for
from tests.world import build_world

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
MAX_EXAMPLES = os.environ.get("API_FUZZ_MAX_EXAMPLES", "5")
# Invalid input (the 422 paths) is tried as a monitor (intake) and a coordinator (every case);
# lawyers and administrators get valid input only, which keeps the whole run near three minutes.
# API_FUZZ_MODE=all tries invalid input with every role.
MODES = {
    Role.MONITOR: "all",
    Role.LAWYER: "positive",
    Role.COORDINATOR: "all",
    Role.ADMIN: "positive",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="casework-fuzz-"))
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'fuzz.db'}",
            "UPLOAD_DIR": str(workdir / "uploads"),
        }
    )
    with app.app_context():
        upgrade()
        world = build_world()
        tokens = {role: token_for(world.on[role]) for role in world.on}
        db.session.remove()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    failed: list[str] = []
    try:
        for role in (Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN):
            print(f"--- schemathesis as {role.value}", flush=True)
            result = subprocess.run(  # noqa: S603  (our own tool, fixed arguments)
                [
                    schemathesis or "schemathesis",
                    "run",
                    f"http://127.0.0.1:{port}/api/v1/openapi.json",
                    "--header",
                    f"Authorization: Bearer {tokens[role]}",
                    "--checks",
                    CHECKS,
                    "--max-examples",
                    MAX_EXAMPLES,
                    "--mode",
                    os.environ.get("API_FUZZ_MODE", MODES[role]),
                    "--generation-deterministic",
                    "--no-color",
                ],
                check=False,
                cwd=workdir,  # its cache of findings stays out of the repository
            )
            if result.returncode != 0:
                failed.append(role.value)
    finally:
        server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print(f"api-fuzz: failures as {', '.join(failed)}")
        return 1
    print("api-fuzz: no server error and no schema violation for any role")
    return 0


if __name__ == "__main__":
    sys.exit(main())
