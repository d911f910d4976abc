"""A working day at 50 users: coordinators and monitors listing, reading case files, searching
names, editing cases (optimistic locking: reload on conflict), uploading documents, looking at
the dashboard and reports. Run by ``make load`` (``benchmarks.load``), which also checks the
outcome; by hand:

    LOAD_ACCOUNTS=accounts.json LOAD_WRITES=writes.jsonl \\
        locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 3m --host http://127.0.0.1:8350

Each user signs in with an account of its own (``LOAD_ACCOUNTS``, written by
``benchmarks.generate --accounts``). Every write the server confirmed is appended to
``LOAD_WRITES`` (JSON lines) for ``benchmarks.load_check``: kind, case, and for an edit the
marker it appended to the narrative, which must still be there at the end.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from typing import Any

import pyotp
from locust import HttpUser, between, task

from benchmarks.bench_names import known_name

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
WRITES = open(os.environ.get("LOAD_WRITES", "load-writes.jsonl"), "a", encoding="utf-8")  # noqa: SIM115
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([A-Za-z0-9_-]{16})"')
# Who logs in: every coordinator account, then monitors, one account per simulated user.
_ACCOUNTS = itertools.chain(
    (("coordinator", a) for a in ACCOUNTS["users"].get("coordinator", [])),
    (("monitor", a) for a in ACCOUNTS["users"].get("monitor", [])),
)
_SEQ = itertools.count(1)
# A tiny valid PDF; each upload gets a unique comment so that no two files are the same.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _Form(HTMLParser):
    """The fields of the page's form that carries ``version`` (the case edit form)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        form = self.forms[-1] if self.forms else {}
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form[name] = a.get("value") or "y"
            elif kind not in ("submit", "button", "file"):
                form[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            form.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            form[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            form[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def edit_form(html: str) -> dict[str, Any] | None:
    parser = _Form()
    parser.feed(html)
    for form in parser.forms:
        if "version" in form and "narrative" in form:
            # A textarea's first newline is not part of its value.
            form["narrative"] = form["narrative"].removeprefix("\n")
            form["after_return"] = form.get("after_return", "").removeprefix("\n")
            return form
    return None


def record(kind: str, **details: Any) -> None:
    WRITES.write(json.dumps({"kind": kind, "at": time.time(), **details}) + "\n")
    WRITES.flush()


class CaseworkUser(HttpUser):
    wait_time = between(0.5, 2.5)

    def on_start(self) -> None:
        self.role, account = next(_ACCOUNTS)
        self.email = account["email"]
        page = self.client.get("/login", name="login (password)")
        self.client.post(
            "/login",
            data={"email": self.email, "password": ACCOUNTS["password"], "csrf_token": self._csrf(page.text)},
            name="login (password)",
        )  # fmt: skip
        totp = pyotp.TOTP(account["totp_secret"])
        for _ in range(3):
            code_page = self.client.get("/login/code", name="login (code)")
            response = self.client.post(
                "/login/code",
                data={"code": totp.now(), "csrf_token": self._csrf(code_page.text)},
                name="login (code)",
            )
            if "/login" not in response.url:
                break
            time.sleep(31 - time.time() % 30)  # this step's code was used: the next one
        home = self.client.get("/", name="dashboard")
        self.token = self._csrf(home.text)
        # Coordinators edit a few shared cases (the first page by reference): conflicts happen.
        listing = self.client.get("/cases?sort=reference" if self.role == "coordinator" else "/cases",
                                  name="case list")  # fmt: skip
        self.cases = list(dict.fromkeys(CASE_LINK.findall(listing.text)))
        self.shared = self.cases[:10]

    @staticmethod
    def _csrf(html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else ""

    def _case(self) -> str:
        return random.choice(self.cases)

    @task(10)
    def case_list(self) -> None:
        page = random.choice(
            ["", "?status=verified", "?provision=CAT:3", "?sort=act_date", "?urgency=urgent"]
        )
        response = self.client.get("/cases" + page, name="case list")
        found = CASE_LINK.findall(response.text)
        if found:
            self.cases = list(dict.fromkeys(self.cases + found))[-200:]

    @task(10)
    def case_file(self) -> None:
        self.client.get(f"/cases/{self._case()}", name="case file")

    @task(4)
    def name_search(self) -> None:
        self.client.post("/cases/search", data={"name": known_name(random), "csrf_token": self.token},
                         name="name search")  # fmt: skip

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")

    @task(1)
    def report(self) -> None:
        if self.role == "coordinator":
            self.client.get("/reports/statistics", name="report: statistics")
        else:
            self.client.get(f"/cases/{self._case()}/print", name="report: case print")

    @task(3)
    def edit_case(self) -> None:
        case = random.choice(self.shared if self.role == "coordinator" else self.cases)
        marker = f"edit-{os.getpid()}-{next(_SEQ)}"
        conflicts = 0
        for _ in range(5):
            page = self.client.get(f"/cases/{case}/edit", name="case edit (form)")
            form = edit_form(page.text)
            if form is None:
                return  # not editable by this user (not on its team)
            form["narrative"] = (form["narrative"] + f" [{marker}]").strip()
            time.sleep(random.uniform(0.5, 3))  # typing: meanwhile another user may save
            with self.client.post(f"/cases/{case}/edit", data=form, name="case edit (save)",
                                  allow_redirects=False, catch_response=True) as response:  # fmt: skip
                if response.status_code == 409:
                    response.success()  # someone saved first: reload and apply again
                    conflicts += 1
                    continue
                if response.status_code == 302:
                    record("case.updated", case=case, marker=marker, conflicts=conflicts)
                    return
                response.failure(f"edit answered {response.status_code}")
                return
        record("edit.gave_up", case=case, marker=marker, conflicts=conflicts)

    @task(2)
    def upload_document(self) -> None:
        case = self._case()
        marker = f"doc-{os.getpid()}-{next(_SEQ)}"
        with self.client.post(
            f"/cases/{case}/documents/new",
            data={"description": "Court decision (scan)", "csrf_token": self.token},
            files={"file": (f"decision-{marker}.pdf", PDF + f"% {marker}\n".encode(), "application/pdf")},
            name="document upload",
            allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code == 302:
                record("document.uploaded", case=case, marker=marker)
            elif response.status_code == 403 or response.status_code == 404:
                response.success()  # not on this case's team: the page says so, nothing written
            else:
                response.failure(f"upload answered {response.status_code}")
