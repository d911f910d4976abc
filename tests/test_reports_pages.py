"""Statistics, UPR drafts, the organisation profile, exports from the command line."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from casework.reports import services
from casework.reports.models import ReportDraft
from casework.reports.statistics import Filters, statistics
from tests import report_world
from tests.clients import client_for
from tests.extract import text_of
from tests.factories import make_user
from tests.html_forms import form_fields


def _tables(user, **filters):
    return {t.key: t for t in statistics(user, Filters(**filters))}


def test_statistics_count_only_readable_cases_of_the_chosen_status(app):
    world = report_world.build()
    mine = _tables(world.coordinator)
    assert mine["year"].rows == [["2012", 1]]  # the restricted case of another team is not counted
    assert mine["destination"].rows == [["Uzbekistan", 1]]
    assert mine["provisions"].rows == [["TSTR:3 Non-refoulement", 1]]
    assert mine["interim_measures"].rows == [
        ["Requested", 1],
        ["Granted", 1],
        # Removed in 2012, interim measures granted last week: no breach, as on the case file.
        ["Granted, yet the person was removed", 0],
    ]
    assert mine["advocacy"].rows == [["Interim-measures request", 1, 1, "100%"]]
    assert ["Uzbekistan", 2] in mine["nationality"].rows  # two people at risk
    assert _tables(world.coordinator, statuses=("draft",))["year"].rows == []
    assert _tables(world.coordinator, year_from=2013)["year"].rows == []
    team = db.session.get(type(world.coordinator), world.restricted.created_by_id)
    assert _tables(make_user(Role.COORDINATOR))["year"].rows == [["2012", 1]]
    assert team.role == Role.MONITOR  # monitors have no statistics page: the service is the test


def test_statistics_page_charts_tables_and_csv(app):
    world = report_world.build()
    client = client_for(app, world.coordinator)
    page = client.get("/reports/statistics").get_data(as_text=True)
    assert "<svg" in page and "Cases by year of the act" in page
    assert world.restricted.reference not in page and world.case.reference not in page
    response = client.get("/reports/statistics/destination.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    # A download is for publication: one case to Uzbekistan is no count to publish.
    assert rows == [["Destination", "Cases"], ["Other (small groups combined)", "<5"]]
    assert client.get("/reports/statistics/nothing.csv").status_code == 404
    assert client.get("/reports/statistics?status=closed&from=2000&to=2020").status_code == 200
    monitor = client_for(app, make_user(Role.MONITOR))
    assert monitor.get("/reports/statistics").status_code == 403
    assert monitor.get("/reports/statistics/year.csv").status_code == 403


def test_upr_draft_versions_word_limit_and_scrubbed_export(app):
    world = report_world.build()
    client = client_for(app, world.coordinator)
    response = client.post(
        "/reports/upr",
        data={"period_from": "2010-01-01", "period_to": "2014-12-31", "co_authors": "Partner NGO"},
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    url = f"/reports/upr/{draft.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert "of 2815 words" in page and "Version 1" in page
    # The coordinator types a withheld name into the text and goes over the limit.
    body = draft.body + "\n\nAlisher Kholmatov spoke to us. " + "word " * 3000
    response = client.post(
        url, data={"body": body, "co_authors": "Partner NGO", "version": draft.version}
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "over the limit of 2815" in page and "Version 2" in page
    db.session.expire_all()
    assert len(draft.versions) == 2 and "word word" in draft.body  # nothing was cut
    # A stale save is refused and loses nothing that was saved.
    response = client.post(url, data={"body": "short", "co_authors": "", "version": "1"})
    assert response.status_code == 409 and "Someone else saved this record" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert len(draft.versions) == 2 and "word word" in draft.body
    text = text_of(client.get(f"{url}/docx").get_data(), "docx")
    assert "Kholmatov" not in text and "Alisher" not in text
    assert "Partner NGO" in text and "1. This submission covers" in text
    assert client_for(app, world.lawyer).get(url).status_code == 403


def test_organisation_profile_heads_the_documents(app):
    world = report_world.build()
    client = client_for(app, world.coordinator)
    fields = form_fields(client.get("/reports/organisation").get_data(as_text=True), "")
    fields.update(name="Refugee Rights Monitor", founded="2009", contact="info@rrm.example")
    response = client.post("/reports/organisation", data=fields)
    assert response.status_code == 302
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    text = text_of(client.get(f"/cases/{world.case.public_id}/outputs/cat/file").get_data(), "docx")
    assert "Refugee Rights Monitor" in text and "Founded in 2009" in text
    assert "rule 114" in text
    assert (
        client.post("/reports/organisation", data={"name": "", "version": "1"}).status_code == 200
    )


def _profile_form(client) -> dict[str, str]:
    """The profile form as a browser sends it (which drops a textarea's leading newline)."""
    fields = form_fields(client.get("/reports/organisation").get_data(as_text=True), "")
    return {name: value.removeprefix("\r\n") for name, value in fields.items()}


def test_organisation_profile_saved_meanwhile_is_a_conflict_not_overwritten(app):
    world = report_world.build()
    first = client_for(app, world.coordinator)
    second = client_for(app, make_user(Role.COORDINATOR))
    # Both open the blank profile; the first saves it, then both open it again.
    blank = _profile_form(second)
    fields = _profile_form(first)
    fields.update(name="Refugee Rights Monitor", contact="info@rrm.example")
    assert first.post("/reports/organisation", data=fields).status_code == 302
    blank.update(name="Another name")
    response = second.post("/reports/organisation", data=blank)
    assert response.status_code == 409
    mine = _profile_form(first)
    theirs = _profile_form(second)
    mine.update(founded="2009")
    assert first.post("/reports/organisation", data=mine).status_code == 302
    theirs.update(contact="")  # typed on the version before the founding year was saved
    response = second.post("/reports/organisation", data=theirs)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else saved this record" in page
    assert 'value="2009"' not in page.split("<form")[1]  # the form keeps what they typed...
    assert "2009" in page  # ...and shows the saved version beside it
    profile = services.organisation()
    assert (profile.name, profile.founded, profile.contact) == (
        "Refugee Rights Monitor",
        2009,
        "info@rrm.example",
    )
    # A save that does not say which version it was made on is refused, not applied blind.
    assert second.post("/reports/organisation", data={"name": "Blind"}).status_code == 400
    assert services.organisation().name == "Refugee Rights Monitor"


def test_cli_export_follows_the_account(app, tmp_path):
    world = report_world.build()
    runner = app.test_cli_runner()
    out = tmp_path / "cases.json"
    result = runner.invoke(args=["export", "cases", "--format", "json", str(out)])
    assert result.exit_code != 0 and "--as" in result.output
    admin = make_user(Role.ADMIN)
    result = runner.invoke(
        args=["export", "cases", "--format", "json", str(out), "--as", admin.email]
    )
    assert result.exit_code != 0
    result = runner.invoke(
        args=["export", "cases", "--format", "json", str(out), "--anonymise", "--as",
              world.off_coordinator.email]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert world.case.reference in text and world.restricted.reference not in text
    assert "Bakhrom Toshev" not in text  # anonymised: nobody by name
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "output.generated"))
    assert entry.actor_id == world.off_coordinator.id
    assert entry.details == {"output": "export", "format": "json", "cases": 1, "anonymised": True}


def test_dossier_pages_are_confidential_and_numbered_archive_manifest_holds(app):
    import hashlib
    import zipfile

    from pypdf import PdfReader

    world = report_world.build()
    client = client_for(app, world.lawyer)
    case = world.case.public_id
    pdf = PdfReader(io.BytesIO(client.get(f"/cases/{case}/outputs/dossier/file").get_data()))
    pages = [page.extract_text() for page in pdf.pages]
    for number, text in enumerate(pages, start=1):
        assert "CONFIDENTIAL" in text and f"Page {number} of {len(pages)}" in text
    assert "SHA-256" in pages[-1]
    data = client.get(f"/cases/{case}/outputs/archive/file?anonymise=1").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {"case.json", "communication.txt", "MANIFEST.sha256"} <= names
        assert not any(n.startswith("documents/") for n in names)  # anonymised: no documents
        for line in archive.read("MANIFEST.sha256").decode().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    # Reviewed and not anonymised: the documents go too, under neutral names.
    client.post(f"/cases/{case}/outputs/archive/review", data={})
    data = client.get(f"/cases/{case}/outputs/archive/file").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        documents = [n for n in archive.namelist() if n.startswith("documents/")]
        assert documents == ["documents/001.txt"]
        assert b"Court decision" in archive.read(documents[0])


def test_generating_a_document_is_a_read_not_a_change_of_the_case(app):
    from casework.audit import services as audit

    world = report_world.build()
    client = client_for(app, world.lawyer)
    assert client.get(f"/cases/{world.case.public_id}/outputs/cat/file").status_code == 200
    every = audit.entries(case_id=world.case.id)
    changes = audit.entries(case_id=world.case.id, changes_only=True)
    assert any(e.action == "output.generated" for e in every)
    assert not any(e.action == "output.generated" for e in changes)


def test_statistics_are_computed_once_per_change_of_the_data(app, count_queries, monkeypatch):
    from casework.audit.services import data_version, record
    from casework.cases.models import Case
    from casework.core.vocab import CaseStatus

    # Every count published, to read them in the CSV (small counts: test_statistics_definitions).
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 1)

    world = report_world.build()
    client = client_for(app, world.coordinator)
    other = client_for(app, world.off_coordinator)

    def destinations(c) -> list[list[str]]:
        body = c.get("/reports/statistics/destination.csv").get_data().decode("utf-8-sig")
        return list(csv.reader(io.StringIO(body)))[1:]

    with count_queries() as first:
        client.get("/reports/statistics")
    with count_queries() as again:
        client.get("/reports/statistics")
    assert again["n"] < first["n"] - 5  # the aggregates are not run again
    assert destinations(client) == [["Uzbekistan", "1"]]
    # Each user has the result of their own policy (the restricted case counts for its team).
    for user, c in ((world.coordinator, client), (world.off_coordinator, other)):
        table = _tables(user)["destination"]
        assert destinations(c) == [[label, str(n)] for label, n in table.rows]

    # A read changes nothing; a change (audited, as every change is) shows at once.
    version = data_version()
    record(world.coordinator, "case.viewed", world.case, case=world.case)
    db.session.commit()
    assert data_version() == version
    case = Case(
        reference="KZ-2013-0009",
        created_by_id=world.coordinator.id,
        status=CaseStatus.VERIFIED,
        act_date="2013-05",
        destination_country="CN",
    )
    db.session.add(case)
    db.session.flush()
    record(world.coordinator, "case.created", case, case=case)
    db.session.commit()
    assert data_version() != version
    assert destinations(client) == [["China", "1"], ["Uzbekistan", "1"]]


def test_a_period_holds_every_case_whose_partial_date_may_fall_in_it(app):
    from datetime import date

    from casework.core.vocab import CaseStatus
    from casework.reports.services import readable_cases
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    dated = {
        "2011": True,  # any day of 2011
        "2011-06": True,
        "2011-06-19": False,
        "2011-06-20": True,
        "2011-07": True,
        "2011-07-05": True,
        "2011-07-06": False,
        "2011-08": False,
        "2010": False,
        "2010-12-31": False,
        "2012": False,
        None: False,
    }
    refs = {}
    for act_date in dated:
        case = make_case(coordinator, status=CaseStatus.VERIFIED, act_date=act_date)
        refs[case.reference] = act_date
    db.session.commit()
    found = readable_cases(
        coordinator, statuses=[CaseStatus.VERIFIED], date_from=date(2011, 6, 20),
        date_to=date(2011, 7, 5),
    )  # fmt: skip
    assert sorted(refs[c.reference] for c in found) == sorted(
        d for d, inside in dated.items() if inside
    )


def test_a_upr_text_counts_the_cases_of_its_period_not_of_its_years(app, monkeypatch):
    """The statistics of a UPR submission are those of the cases it covers: a case of the
    period's first year, but before the period, is neither documented nor counted. They are
    published statistics: two cases are no count to publish."""
    from datetime import date

    from casework.core.vocab import CaseStatus
    from casework.reports import upr
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    for act_date, country in (
        ("2011-03-01", "CN"),  # the period's first year, before the period
        ("2011-06-25", "UZ"),
        ("2011-07", "UZ"),  # a month that ends in the period
        ("2012-02-10", "KG"),  # the period's last year, after the period
    ):
        make_case(coordinator, status=CaseStatus.VERIFIED, act_date=act_date,
                  destination_country=country)  # fmt: skip
    db.session.commit()
    period = upr.Period(date(2011, 6, 20), date(2012, 1, 5))
    text = upr.generate_text(coordinator, period, joint=False)
    (years,) = [line for line in text.splitlines() if line.startswith("Cases by year")]
    assert years.endswith(": Other (small groups combined): <5."), years
    (countries,) = [line for line in text.splitlines() if line.startswith("Cases by destination")]
    assert "Uzbekistan" not in countries, countries
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 1)  # every count published
    text = upr.generate_text(coordinator, period, joint=False)
    assert "We documented 2 verified case(s)" in text
    (years,) = [line for line in text.splitlines() if line.startswith("Cases by year")]
    assert years.endswith("2011: 2."), years
    (countries,) = [line for line in text.splitlines() if line.startswith("Cases by destination")]
    assert "Uzbekistan: 2" in countries and "China" not in countries, countries
    assert "Kyrgyzstan" not in countries, countries


def test_an_export_read_in_batches_is_the_whole_export(app, monkeypatch):
    """An export of the whole archive holds one batch of cases at a time: the files are the
    same, case for case and in the same order, however small the batches."""
    import json
    import zipfile

    from openpyxl import load_workbook

    from casework.reports import services
    from tests.factories import make_case

    world = report_world.build()
    for _ in range(3):
        make_case(world.lawyer)
    files = {fmt: services.export_cases(world.lawyer, fmt)[0] for fmt in services.EXPORT_FORMATS}
    batches = []
    real = services.readable_case_batches
    monkeypatch.setattr(
        services,
        "readable_case_batches",
        lambda user: [batches.append(len(b)) or b for b in real(user, size=2)],
    )
    for fmt, whole in files.items():
        batched = services.export_cases(world.lawyer, fmt)[0]
        if fmt == "xlsx":
            rows = [
                [[c.value for c in row] for row in load_workbook(io.BytesIO(f)).active.iter_rows()]
                for f in (whole, batched)
            ]
            assert rows[0] == rows[1] and len(rows[0]) >= 5
            assert zipfile.ZipFile(io.BytesIO(batched)).testzip() is None
        else:
            assert batched == whole
    assert set(batches) <= {1, 2} and len(batches) >= 3
    cases = json.loads(files["json"])["cases"]
    assert [c["reference"] for c in cases] == sorted(c["reference"] for c in cases)
    # The JSON is the document json.dumps(..., indent=2) writes in one go.
    parsed = json.loads(files["json"])
    assert files["json"].decode() == json.dumps(parsed, ensure_ascii=False, indent=2)
    sheet = load_workbook(io.BytesIO(files["xlsx"])).active
    assert [c.value for c in next(sheet.iter_rows())] == list(services.EXPORT_COLUMNS)
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)  # text, whatever it holds


def test_statistics_ignore_a_year_that_is_not_one_and_say_so(app):
    world = report_world.build()
    client = client_for(app, world.coordinator)
    # "²" is a digit to str.isdigit() but not to int(); the others are no year at all.
    for value in ("²", "abc", "1800", "99999999999999999999"):
        response = client.get("/reports/statistics", query_string={"from": value, "to": value})
        assert response.status_code == 200, value
        assert f"“{value}” is not a year from 1900 to 2100; ignored." in response.get_data(
            as_text=True
        )
        csv_file = client.get("/reports/statistics/year.csv", query_string={"from": value})
        assert csv_file.status_code == 200, value
    # A year in another script's digits is still a year.
    response = client.get("/reports/statistics", query_string={"from": "٢٠١٣"})
    assert response.status_code == 200 and "not a year" not in response.get_data(as_text=True)


def test_upr_draft_conflict_keeps_the_text_shows_the_saved_one_and_lets_it_be_saved(app):
    world = report_world.build()
    client = client_for(app, world.coordinator)
    other = client_for(app, make_user(Role.COORDINATOR))
    client.post("/reports/upr", data={"period_from": "2010-01-01", "period_to": "2014-12-31"})
    draft = db.session.scalar(select(ReportDraft))
    url = f"/reports/upr/{draft.public_id}"
    mine = form_fields(client.get(url).get_data(as_text=True), "")
    theirs = form_fields(other.get(url).get_data(as_text=True), "")
    theirs["body"] = "Their paragraph, saved first."
    assert other.post(url, data=theirs).status_code == 302
    mine["body"] = "My paragraph, typed meanwhile."
    response = client.post(url, data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My paragraph, typed meanwhile." in page  # still in the form
    assert "Their paragraph, saved first." in page  # the saved text, to merge with
    db.session.expire_all()
    assert draft.body == "Their paragraph, saved first."
    # Sent again as it now stands (merged), the form saves: it holds the saved version.
    merged = form_fields(page, "")
    merged["body"] = "Their paragraph, saved first.\n\nMy paragraph, typed meanwhile."
    assert client.post(url, data=merged).status_code == 302
    db.session.expire_all()
    assert draft.body == merged["body"]


def test_statistics_name_countries_in_the_readers_language(app, monkeypatch):
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 1)  # the one case published
    world = report_world.build()
    world.coordinator.language = "ru"
    db.session.commit()
    client = client_for(app, world.coordinator)
    page = client.get("/reports/statistics").get_data(as_text=True)
    assert "Узбекистан" in page and "Uzbekistan" not in page
    response = client.get("/reports/statistics/destination.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1] == ["Узбекистан", "1"]


def test_a_upr_draft_is_scrubbed_against_its_cases_after_they_left_its_period(app):
    """The names a coordinator types into a draft are withheld in its Word document against the
    people of the cases the draft was written from, also once a case no longer counts for the
    period (its facts changed and it went back into legal review, its act moved)."""
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus

    world = report_world.build()
    client = client_for(app, world.coordinator)
    client.post("/reports/upr", data={"period_from": "2010-01-01", "period_to": "2014-12-31"})
    draft = db.session.scalar(select(ReportDraft))
    url = f"/reports/upr/{draft.public_id}"
    body = draft.body + "\n\nAlisher Kholmatov and Юсупова spoke to us."
    response = client.post(url, data={"body": body, "co_authors": "", "version": draft.version})
    assert response.status_code == 302
    for change in ({"status": CaseStatus.IN_REVIEW}, {"act_date": PartialDate(2016, 3)}):
        world.case.status, world.case.act_date = CaseStatus.VERIFIED, PartialDate(2012, 6)
        for key, value in change.items():
            setattr(world.case, key, value)
        db.session.commit()
        text = text_of(client.get(f"{url}/docx").get_data(), "docx")
        assert "spoke to us" in text
        for word in ("Kholmatov", "Alisher", "Юсупова"):
            assert word not in text, (change, word)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_two_publications_of_a_table_cannot_be_subtracted_to_reveal_a_small_group(app):
    """Each published table hides its small counts, but two of them for filters that differ by
    a few cases gave those cases away: Uzbekistan 13 for 2010-2012, then Uzbekistan 12 for
    2011-2012, told of the one case of 2010. A download's filters are recorded with it, and a
    download whose rows differ from an earlier publication's by a small count is refused,
    saying why; the same filters, or filters differing by a large group, are published."""
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    for year, n in ((2010, 1), (2011, 6), (2012, 6), (2013, 7)):
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(year, 3),
                      destination_country="UZ")  # fmt: skip
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"

    first = client.get(url, query_string={"from": "2010", "to": "2012"})
    assert _rows(first) == [["Destination", "Cases"], ["Uzbekistan", "13"]]
    [published] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "output.generated")
    )
    assert published.details["table"] == "destination"
    assert published.details["statuses"] == ["verified"]
    assert (published.details["year_from"], published.details["year_to"]) == (2010, 2012)

    refused = client.get(url, query_string={"from": "2011", "to": "2012"})
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith("/reports/statistics?from=2011&to=2012")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "would reveal a small group" in page
    assert "published on" in page
    db.session.expire_all()
    assert len(list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "output.generated")))) == 1  # fmt: skip

    # The same filters again, and filters differing by a year of seven cases, are published.
    assert _rows(client.get(url, query_string={"from": "2010", "to": "2012"}))[1] == [
        "Uzbekistan", "13"
    ]  # fmt: skip
    assert _rows(client.get(url, query_string={"from": "2010", "to": "2013"}))[1] == [
        "Uzbekistan", "20"
    ]  # fmt: skip
    # Years that share no case (2011 alone, then 2013 alone: 6 and 7) tell nothing by their
    # difference: a yearly report after another is published.
    assert _rows(client.get(url, query_string={"from": "2011", "to": "2011"}))[1] == [
        "Uzbekistan", "6"
    ]  # fmt: skip
    assert _rows(client.get(url, query_string={"from": "2013", "to": "2013"}))[1] == [
        "Uzbekistan", "7"
    ]  # fmt: skip


def test_two_overlapping_publications_cannot_be_subtracted_to_reveal_a_small_group(app):
    """Filters that share some cases but where neither holds the other (2012-2013, then
    2013-2014) were not compared: with no case to Uzbekistan in 2012, Uzbekistan 6 for
    2012-2013, then 8 for 2013-2014, told of the two cases of 2014, which 2014 alone publishes
    only as "<5". Such a download is refused as a nested one is; filters sharing no case (2014,
    then 2012-2013) still publish."""
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    for year, country, n in ((2012, "TJ", 6), (2013, "UZ", 6), (2014, "UZ", 2), (2014, "TJ", 6)):
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(year, 3),
                      destination_country=country)  # fmt: skip
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"

    alone = _rows(client.get(url, query_string={"from": "2014", "to": "2014"}))
    assert ["Uzbekistan", "2"] not in alone  # 2014 alone hides the two
    assert ["Uzbekistan", "6"] in _rows(
        client.get(url, query_string={"from": "2012", "to": "2013"})
    )

    refused = client.get(url, query_string={"from": "2013", "to": "2014"})
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "would reveal a small group" in page


def test_downloads_of_other_tables_do_not_push_a_publication_out_of_the_comparison(
    app, monkeypatch
):
    """A download was compared with the newest downloads of any table: enough downloads of the
    other tables since (the year, the nationalities...) left the earlier destination table out,
    and the two destination tables subtracted gave a small group away. It is compared with
    the newest downloads of its own table."""
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus
    from casework.reports import statistics as stats
    from tests.factories import make_case

    monkeypatch.setattr(stats, "PUBLICATIONS_COMPARED", 3)
    coordinator = make_user(Role.COORDINATOR)
    for year, n in ((2010, 1), (2011, 6), (2012, 6)):
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(year, 3),
                      destination_country="UZ")  # fmt: skip
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"
    assert _rows(client.get(url, query_string={"from": "2010", "to": "2012"}))[1] == [
        "Uzbekistan", "13"
    ]  # fmt: skip
    for key in ("year", "situation", "nationality"):
        response = client.get(f"/reports/statistics/{key}.csv", query_string={"from": "2011"})
        assert response.status_code == 200

    refused = client.get(url, query_string={"from": "2011", "to": "2012"})
    assert refused.status_code == 302
    assert "would reveal a small group" in client.get(refused.headers["Location"]).get_data(
        as_text=True
    )


def test_the_case_archive_leaves_out_a_file_that_records_where_it_was_taken(app):
    """The reviewed archive for a partner bundled every document as stored: a photo whose GPS
    coordinates (flagged at upload "Location data in file", to be cleaned before it leaves)
    gave the exact place, and so did an older photo stored before files were checked for it.
    Both now stay behind, the review page says so, and the photo without a place still goes."""
    import zipfile

    from casework.evidence.services import store_document
    from tests.photos import photo

    world = report_world.build()
    store_document(world.lawyer, io.BytesIO(photo(gps=True)), "IMG_1.jpg", case=world.case)
    older = store_document(world.lawyer, io.BytesIO(photo(gps=True)), "IMG_2.jpg", case=world.case)
    older.records_location = None  # stored before uploads were checked for a place
    store_document(world.lawyer, io.BytesIO(photo(gps=False)), "IMG_3.jpg", case=world.case)
    db.session.commit()
    client = client_for(app, world.lawyer)
    case = world.case.public_id
    client.post(f"/cases/{case}/outputs/archive/review", data={})
    page = client.get(f"/cases/{case}/outputs/archive").get_data(as_text=True)
    # The flagged one is named before the download; the older one is found as it is made.
    assert "1 document of this case records where it was taken" in page
    assert "the archive leaves it out" in page

    data = client.get(f"/cases/{case}/outputs/archive/file").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        documents = sorted(n for n in archive.namelist() if n.startswith("documents/"))
        contents = [archive.read(n) for n in documents]
    assert documents == ["documents/001.txt", "documents/004.jpg"]
    assert photo(gps=False) in contents
    assert not any(b"GPS" in c or photo(gps=True) == c for c in contents)


def _cases_to(coordinator, *groups) -> None:
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus
    from tests.factories import make_case

    for year, country, n in groups:
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(year, 3),
                      destination_country=country)  # fmt: skip


def test_three_publications_cannot_be_combined_to_reveal_a_small_group(app):
    """Each pair of publications was compared: 2011-2012 (12), 2012-2013 (12) and 2011-2013
    (22) differ pairwise by 0 or 10, yet 12 + 12 - 22 gives the two cases of 2012 away. A
    download is refused when, with the earlier publications of the table, it determines a
    small group; the message names the earlier publications it would be combined with."""
    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 10), (2012, "UZ", 2), (2013, "UZ", 10))
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"
    assert _rows(client.get(url, query_string={"from": "2011", "to": "2012"}))[1] == [
        "Uzbekistan", "12"
    ]  # fmt: skip
    assert _rows(client.get(url, query_string={"from": "2012", "to": "2013"}))[1] == [
        "Uzbekistan", "12"
    ]  # fmt: skip

    refused = client.get(url, query_string={"from": "2011", "to": "2013"})
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "would reveal a small group" in page
    assert "2011–2012" in page and "2012–2013" in page  # the two it would be combined with
    db.session.expire_all()
    assert len(list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "output.generated")))) == 2  # fmt: skip
    # Another table, or the other years alone, are no such combination.
    assert (
        client.get("/reports/statistics/year.csv", query_string={"from": "2011"}).status_code == 200
    )


def test_publications_of_years_that_share_no_case_still_go_out(app):
    """A yearly table after another tells nothing by their combination, nor a table of the
    years together after each year alone, as each year's rows are published whole."""
    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 7), (2011, "TJ", 3), (2011, "KG", 4),
              (2012, "UZ", 8), (2012, "TJ", 4), (2012, "KG", 3), (2013, "UZ", 9))  # fmt: skip
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"
    for years in (("2011", "2011"), ("2012", "2012"), ("2013", "2013"), ("2011", "2012")):
        response = client.get(url, query_string={"from": years[0], "to": years[1]})
        assert response.status_code == 200, years
    assert ["Uzbekistan", "15"] in _rows(response)


def test_the_audit_of_publications_counts_only_the_years_and_statuses_holding_cases(
    app, monkeypatch
):
    """The atoms are the years between the filters' bounds by status: the audit counts a
    table once for each of those holding some case, whatever the number of publications and
    their bounds, and once per change of the data."""
    from casework.core.vocab import CaseStatus
    from casework.reports import statistics as stats

    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 6), (2013, "UZ", 7))
    verified = (CaseStatus.VERIFIED,)
    for start in range(1990, 2030, 4):
        services.record_output(coordinator, "statistics", "csv", 0, table="destination",
                               **stats.publication_details(Filters(verified, start, start + 5)))  # fmt: skip
    db.session.commit()
    counted = []
    single_table = stats._single_table
    monkeypatch.setattr(
        stats, "_single_table", lambda key, where: counted.append(key) or single_table(key, where)
    )
    assert stats.earlier_publication_clash(coordinator, "destination", Filters(verified)) is None
    # Regions of two years from 1990, the years before and after, no year: two hold cases.
    assert counted == ["destination"] * 2
    stats.earlier_publication_clash(coordinator, "destination", Filters(verified, 2013))
    assert len(counted) == 3  # 2013 alone is a new region; 2011's is remembered


def test_the_view_for_publication_is_recorded_and_audited_as_the_downloads(app):
    """The view for publication shows the downloads' tables, yet was neither recorded nor
    audited: after 2011-2012 (12) and 2012-2013 (12) were published, it showed 22 for
    2011-2013, giving the 2 cases of 2012 away, and its own tables were no publication a
    download was audited with. Each table it shows is now recorded as a publication, and a
    table that would give a small group away with the earlier ones is withheld, saying why."""
    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 10), (2012, "UZ", 2), (2013, "UZ", 10))
    client = client_for(app, coordinator)
    page_url = "/reports/statistics"

    def view(**years) -> str:
        response = client.get(page_url, query_string={"published": "1", **years})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def published() -> list[AuditEntry]:
        db.session.expire_all()
        return list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "output.generated").order_by(AuditEntry.id)))  # fmt: skip

    assert "<td>Uzbekistan</td><td>12</td>" in view(**{"from": "2011", "to": "2012"})
    shown = published()
    assert {e.details["table"] for e in shown} >= {"destination", "year", "interim_measures"}
    assert {(e.details["format"], e.details["year_from"], e.details["year_to"]) for e in shown} == {
        ("html", 2011, 2012)
    }
    assert "<td>Uzbekistan</td><td>12</td>" in view(**{"from": "2012", "to": "2013"})
    before = len(published())

    page = view(**{"from": "2011", "to": "2013"})
    assert "<td>22</td>" not in page
    assert "Not shown: this table was published" in page and "would reveal a small group" in page
    assert "Cases by destination country" in page  # its title stays, with the reason
    assert "<td>Requested</td><td>0</td>" in page  # a table that gives nothing away is shown
    tables = {e.details["table"] for e in published()[before:]}
    assert "interim_measures" in tables and "destination" not in tables
    # The download audits with the views as with downloads.
    refused = client.get(
        "/reports/statistics/destination.csv", query_string={"from": "2011", "to": "2013"}
    )
    assert refused.status_code == 302
    # The working view (exact counts, not for publication) is neither recorded nor audited.
    assert "<td>22</td>" in client.get(
        page_url, query_string={"from": "2011", "to": "2013"}
    ).get_data(as_text=True)


def test_publications_by_status_and_of_undated_acts_are_audited_as_years_are(app):
    """The atoms run over statuses and the acts with no date as over years: verified and
    closed (12) after verified (10) gives the 2 closed cases away, every year (12) after 2000
    on (10) the 2 verified with no date; closed alone ("<5") publishes no count to combine."""
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 10))
    for status, act_date in (
        (CaseStatus.CLOSED, PartialDate(2011, 5)),
        (CaseStatus.VERIFIED, None),
    ):
        for _ in range(2):
            make_case(coordinator, status=status, act_date=act_date, destination_country="UZ")
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"
    assert _rows(client.get(url, query_string={"from": "2000"}))[1] == ["Uzbekistan", "10"]
    both = {"from": "2000", "status": ["verified", "closed"]}
    assert client.get(url, query_string=both).status_code == 302
    assert client.get(url).status_code == 302
    closed = client.get(url, query_string={"from": "2000", "status": "closed"})
    assert _rows(closed)[1] == ["Other (small groups combined)", "<5"]
    assert client.get(url, query_string={"from": "2012"}).status_code == 200  # nothing: 0


def test_views_of_the_same_filters_again_do_not_push_a_publication_out_of_the_audit(
    app, monkeypatch
):
    """The audit read the table's newest publications (500): each view for publication is one,
    so the same page viewed again and again pushed an earlier publication out of the audit, and
    the two combined gave a small group away. It reads the newest publications for distinct
    filters."""
    from casework.reports import statistics as stats

    monkeypatch.setattr(stats, "PUBLICATIONS_COMPARED", 2)
    coordinator = make_user(Role.COORDINATOR)
    _cases_to(coordinator, (2011, "UZ", 10), (2012, "UZ", 2), (2013, "UZ", 10))
    client = client_for(app, coordinator)
    url = "/reports/statistics/destination.csv"
    assert client.get(url, query_string={"from": "2011", "to": "2012"}).status_code == 200
    for _ in range(3):
        page = client.get("/reports/statistics", query_string={"published": "1", "from": "2012"})
        assert "<td>Uzbekistan</td><td>12</td>" in page.get_data(as_text=True)
    refused = client.get(url, query_string={"from": "2011", "to": "2013"})
    assert refused.status_code == 302
