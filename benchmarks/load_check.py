"""What the load test must leave behind (run by ``benchmarks.load`` after locust):

- no failed request (locust's CSV statistics);
- exactly one audit entry per write the server confirmed, by kind and by case (the writes the
  simulated users logged against the audit entries added since the run started), and the audit
  chain intact;
- no lost update: the marker each confirmed edit appended to a case's narrative is still in it
  (an edit that met a conflict reloaded and applied again: it counts once, when it was saved).

Prints p50/p95/p99 per request type; exit status 1 when a check fails.

    python -m benchmarks.load_check DATABASE_URL CSV_PREFIX WRITES_FILE START_AUDIT_ID
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.generate import bench_app
from casework.audit import chain
from casework.audit.models import AuditEntry
from casework.cases.models import Case
from casework.core.db import db

CASE_FILE_P95_TARGET_MS = 500
KINDS = ("case.updated", "document.uploaded")


def last_audit_id(url: str) -> int:
    with bench_app(url).app_context():
        return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _stats(prefix: Path) -> tuple[list[dict[str, str]], list[str]]:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    problems = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        for row in csv.DictReader(open(failures_file, encoding="utf-8")):  # noqa: SIM115
            problems.append(
                f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error'][:200]}"
            )
    return rows, problems


def check(url: str, prefix: Path, writes_file: Path, start_id: int) -> int:
    failed: list[str] = []
    rows, failures = _stats(prefix)
    print("\n| request | requests | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | "
              f"{row['95%']} | {row['99%']} | {row['Max Response Time']} | {float(row['Requests/s']):.1f} |")  # fmt: skip
    total = next(r for r in rows if r["Name"] == "Aggregated")
    if int(total["Failure Count"]) or failures:
        failed.append(f"{total['Failure Count']} failed requests: " + "; ".join(failures[:10]))
    case_file = next((r for r in rows if r["Name"] == "case file"), None)
    if case_file and float(case_file["95%"]) >= CASE_FILE_P95_TARGET_MS:
        print(f"case file p95 {case_file['95%']} ms: over the {CASE_FILE_P95_TARGET_MS} ms target")

    writes = [json.loads(line) for line in writes_file.read_text().splitlines() if line.strip()]
    confirmed = Counter(w["kind"] for w in writes if w["kind"] in KINDS)
    conflicts = sum(w.get("conflicts", 0) for w in writes)
    gave_up = [w for w in writes if w["kind"] == "edit.gave_up"]
    with bench_app(url).app_context():
        entries = db.session.execute(
            select(AuditEntry.action, Case.public_id)
            .join(Case, Case.id == AuditEntry.case_id, isouter=True)
            .where(AuditEntry.id > start_id, AuditEntry.action.in_(KINDS))
        ).all()
        audited = Counter(action for action, _ in entries)
        by_case_audit = Counter(entries)
        by_case_writes = Counter((w["kind"], w["case"]) for w in writes if w["kind"] in KINDS)
        for kind in KINDS:
            print(
                f"{kind}: {confirmed[kind]} confirmed by the server, {audited[kind]} audit entries"
            )
            if confirmed[kind] != audited[kind]:
                failed.append(f"{kind}: {confirmed[kind]} writes but {audited[kind]} audit entries")
        mismatched = [
            k for k in by_case_audit | by_case_writes if by_case_audit[k] != by_case_writes[k]
        ]
        if mismatched:
            failed.append(
                f"audit entries differ from the writes on {len(mismatched)} (kind, case): {mismatched[:5]}"
            )
        # Lost updates: every confirmed edit's marker is in the narrative now.
        edits = [w for w in writes if w["kind"] == "case.updated"]
        narratives = {
            c.public_id: c.narrative or ""
            for c in db.session.scalars(
                select(Case).where(Case.public_id.in_({w["case"] for w in edits}))
            )
        }
        lost = [w for w in edits if f"[{w['marker']}]" not in narratives.get(w["case"], "")]
        print(f"edits: {len(edits)} saved on {len(narratives)} cases, {conflicts} conflicts met and "
              f"reloaded, {len(gave_up)} given up after 5 conflicts, {len(lost)} lost")  # fmt: skip
        if not edits or not confirmed["document.uploaded"]:
            failed.append("the run confirmed no edit or no upload: there was nothing to check")
        if lost:
            failed.append(f"{len(lost)} lost updates, e.g. {lost[:3]}")
        verdict = chain.verify(db.session)
        print(f"audit chain: {verdict}")
        if not getattr(verdict, "ok", True):
            failed.append(f"audit chain broken: {verdict}")
    for problem in failed:
        print("FAILED: " + problem)
    print("load test: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    url, prefix, writes, start = sys.argv[1:5]
    sys.exit(check(url, Path(prefix), Path(writes), int(start)))
