"""Audit the hash-pinned lock file with pip-audit; fail on any known vulnerability.

pip-audit asks a vulnerability service about every pinned release: PyPI's JSON API first,
then OSV. A dependency that no service could answer for is a failure too (--strict), except
when *no* service answered at all (a machine that reaches only a package index): then the
audit says loudly that nothing was audited, and fails unless CASEWORK_AUDIT_OFFLINE_OK=1.

Known findings that do not apply go in IGNORED, each with the reason beside it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"
SERVICES = ("pypi", "osv")
# Vulnerability id -> why it does not apply. Empty: there is no accepted finding.
IGNORED: dict[str, str] = {}


def _audit(service: str) -> tuple[int, dict]:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(LOCK),
        "--require-hashes",
        "--disable-pip",
        "--vulnerability-service",
        service,
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    for vuln_id in IGNORED:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  (a fixed argument list)
    try:
        return result.returncode, json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        return result.returncode, {}


def main() -> int:
    for service in SERVICES:
        code, report = _audit(service)
        dependencies = report.get("dependencies", [])
        audited = [d for d in dependencies if "skip_reason" not in d]
        if not audited:
            print(f"pip-audit: the {service} vulnerability service did not answer")
            continue
        vulnerable = [d for d in audited if d.get("vulns")]
        skipped = [d for d in dependencies if "skip_reason" in d]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                print(
                    f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fix: {vuln.get('fix_versions')})"
                )
        for dep in skipped:
            print(f"NOT AUDITED {dep['name']} {dep['version']}: {dep['skip_reason']}")
        print(
            f"pip-audit ({service}): {len(audited)} pinned releases audited, {len(vulnerable)} vulnerable"
        )
        return 1 if vulnerable or skipped or code not in (0, 1) else 0
    print("WARNING: NO vulnerability service answered; the dependencies were NOT audited.")
    return 0 if os.environ.get("CASEWORK_AUDIT_OFFLINE_OK") == "1" else 1


if __name__ == "__main__":
    sys.exit(main())
