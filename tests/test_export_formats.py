"""The export formats as a reader's program takes them: JSON records with named fields."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from casework.core.db import db
from casework.core.types import PartialDate
from casework.legal import services as legal
from casework.reports import services
from casework.reports.anonymise import Output
from tests import report_world
from tests.clients import client_for


@pytest.fixture
def world(app):
    return report_world.build()


def _appeal(world, **details) -> None:
    """An appeal against extradition filed 2012-07, decided 2013 (partial dates)."""
    legal.add_remedy(
        world.lawyer,
        world.case,
        kind="extradition_appeal",
        filed_on=PartialDate(2012, 7),
        decided_on=PartialDate(2013),
        **details,
    )
    db.session.commit()


def test_json_export_and_case_json_name_every_field_of_remedies_provisions_analyses(app, world):
    """A remedy's filing and decision dates (partial: strings) and why it is not effective are
    told apart by name, not by their place in a list a reader has to guess."""
    _appeal(world, ineffective_because="The court never hears such appeals.")
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/archive/review", data={})
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    exported = json.loads(client.post("/reports/export", data={"format": "json"}).get_data())
    archive = client.get(f"/cases/{world.case.public_id}/outputs/archive/file?format=zip")
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as zipped:
        archived = json.loads(zipped.read("case.json"))
    for label, case in (("export", exported["cases"][0]), ("archive", archived)):
        remedies = {r["filed"]: r for r in case["remedies"]}
        assert remedies["2012-07"] == {
            "kind": "Court appeal against extradition",
            "filed": "2012-07",
            "outcome": "Pending",
            "exhausted": False,
            "argued_ineffective": True,
            "ineffective_because": "The court never hears such appeals.",
            "decided": "2013",
            "authority": None,
        }, label
        assert remedies["2012-06-20"]["ineffective_because"] is None, label
        assert case["provisions"] == [
            {
                "code": "TSTR:3",
                "title": "Non-refoulement",
                "assessment": "Violated",
                "violation_status": "Unknown",
            }
        ], label
        assert case["analyses"][0]["provision"] == "TSTR:3", label
        assert "faces torture" in case["analyses"][0]["analysis"], label


def test_an_export_made_as_a_job_is_in_english_as_the_page_gives_it(app, world, monkeypatch):
    """An exchange format's labels are English whoever exports: a large export, made as a
    background job, gives the same labels as the page's (Russian readers included)."""
    monkeypatch.setitem(app.config, "EXPORT_JOB_CASES", 0)
    world.coordinator.language = "ru"
    db.session.commit()
    client = client_for(app, world.coordinator)
    response = client.post("/reports/export", data={"format": "csv"})
    assert response.status_code == 302
    job_page = response.headers["Location"]
    text = client.get(job_page.rstrip("/") + "/download").get_data().decode("utf-8-sig")
    assert "Verified" in text and "Extradition" in text and "Uzbekistan" in text


def _rows(client, fmt: str) -> list[dict[str, str]]:
    content = client.post("/reports/export", data={"format": fmt}).get_data()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_export_holds_the_timeline_and_each_remedys_dates(app, world, fmt):
    """A coordinator sorting cases in a spreadsheet needs what happened when, and each
    remedy's dates: not only in the JSON export. Descriptions leave as the narrative does:
    after a review, with the names withheld."""
    _appeal(world, outcome="rejected")
    client = client_for(app, world.coordinator)
    [row] = [r for r in _rows(client, fmt) if r["reference"] == world.case.reference]
    assert row["events"].startswith("2012-06-09 Arrest (Almaty)"), row["events"]
    assert "2012-07-01 Removal" in row["events"]
    assert "taken to the KNB" not in row["events"]  # not reviewed: no free text
    remedy = "Court appeal against extradition (filed 2012-07, decided 2013): Rejected"
    assert remedy in row["remedies"], row["remedies"]

    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    [row] = [r for r in _rows(client, fmt) if r["reference"] == world.case.reference]
    assert "were taken to the KNB" in row["events"], row["events"]
    for name in ("Kholmatov", "Юсупова", "Nazarov", "Abay"):
        assert name not in row["events"], name


def test_a_cell_longer_than_a_spreadsheet_holds_is_cut_and_says_so(app, world):
    world.case.narrative = "Свидетель рассказал. " * 2_000  # 42,000 characters
    db.session.commit()
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    client = client_for(app, world.coordinator)
    [row] = [r for r in _rows(client, "xlsx") if r["reference"] == world.case.reference]
    assert len(row["narrative"]) == services.XLSX_CELL_MAX
    assert row["narrative"].endswith(services.XLSX_CUT)
    # CSV has no such limit: the whole text.
    [row] = [r for r in _rows(client, "csv") if r["reference"] == world.case.reference]
    assert len(row["narrative"]) == len(world.case.narrative)
