"""The legal catalogue: seeding, pages, and lawyers' edits (audited, optimistic locking)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEntry
from casework.core.cli import SEEDERS
from casework.core.db import db
from casework.core.vocab import InstrumentType, NormDirection, Role
from casework.legal import seeding, services
from casework.legal.models import Instrument, Provision

DOMAIN_CODES = [
    "CSR51:33",
    "CSR67:1",
    "CAT:3",
    "CAT:22",
    "ICCPR:6",
    "ICCPR:7",
    "ICCPR:9",
    "ICCPR:13",
    "ICCPR:14",
    "ICCPR-OP1:1",
    "HRC-GC31:12",
    "HRC-GC20:9",
    "CAT-GC4",
    "EXCOM:6",
    "KZ-REF-2009",
    "KZ-CPC-2014",
    "MINSK93",
    "CHISINAU02",
    "SCO01",
    "SCO09",
    "SCO17",
    "KZ-CN-1996",
    "KZ-UZ-1997",
]
DECISIONS = ["CAT-444/2010", "HRC-2024/2011", "HRC-2104/2011", "CAT-475/2011", "CAT-538/2013"]


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


def _codes() -> set[str]:
    return set(db.session.scalars(select(Provision.code)))


def test_fresh_database_seed_has_every_domain_code(app):
    assert "legal catalogue" in [name for name, _ in SEEDERS]
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "legal catalogue" in result.output
    db.session.expire_all()
    codes = _codes()
    assert set(DOMAIN_CODES + DECISIONS) <= codes
    for code in DECISIONS:
        instrument = services.get_instrument(code)
        assert instrument.instrument_type == InstrumentType.JURISPRUDENCE
        assert [p.code for p in instrument.provisions] == [code]
    assert services.get_instrument("MINSK93").direction == NormDirection.JUSTIFYING
    assert services.get_instrument("KZ-CN-1996").instrument_type == InstrumentType.BILATERAL_TREATY
    assert services.get_instrument("CAT").direction == NormDirection.PROTECTIVE
    assert services.get_provision("MINSK93").needs_verification
    assert services.get_provision("KZ-REF-2009").needs_verification
    assert not services.get_provision("CAT:3").needs_verification
    assert services.get_instrument("CAT").kz_status


def test_seed_is_idempotent_and_never_overwrites_edits(app, catalogue):
    count = db.session.scalar(select(func.count(Provision.id)))
    provision = services.get_provision("CAT:3")
    provision.title = "Edited by a lawyer"
    provision.retired = True
    db.session.commit()
    assert seeding.seed_catalogue() == "0 instruments and 0 provisions added"
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Provision.id))) == count
    assert services.get_provision("CAT:3").title == "Edited by a lawyer"
    assert services.get_provision("CAT:3").retired
    result = app.test_cli_runner().invoke(args=["legal", "seed"])
    assert result.exit_code == 0 and "0 instruments" in result.output


def test_seed_adds_missing_entries_only(catalogue):
    db.session.delete(services.get_provision("SCO17"))
    db.session.commit()
    assert seeding.seed_catalogue() == "0 instruments and 1 provisions added"


def test_catalogue_pages_for_every_case_role(client, login, make_user, catalogue):
    login(make_user(Role.MONITOR))
    page = client.get("/legal/").get_data(as_text=True)
    assert "CAT:3" in page and "MINSK93" in page and "Add an instrument" not in page
    assert client.get("/legal/provisions/CAT-444/2010").status_code == 200
    assert client.get("/legal/instruments/CAT-444/2010").status_code == 200
    assert client.get("/legal/provisions/cat:3").status_code == 200
    assert client.get("/legal/provisions/NOPE:1").status_code == 404
    assert client.get("/legal/instruments/NOPE").status_code == 404


@pytest.mark.parametrize("role", [Role.MONITOR, Role.ADMIN])
def test_only_lawyers_and_coordinators_manage_the_catalogue(
    client, login, make_user, catalogue, role
):
    login(make_user(role))
    version = services.get_provision("CAT:3").version
    assert client.get("/legal/instruments/new").status_code == 403
    assert client.post("/legal/instruments/new", data={"code": "X"}).status_code == 403
    assert client.get("/legal/provisions/edit/CAT:3").status_code == 403
    assert (
        client.post(
            "/legal/provisions/edit/CAT:3", data={"title": "x", "version": version}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/legal/provisions/retire/CAT:3", data={"retire": "1", "version": version}
        ).status_code
        == 403
    )
    assert (
        client.post("/legal/instruments/add-provision/CAT", data={"code": "CAT:1"}).status_code
        == 403
    )
    db.session.expire_all()
    assert not services.get_provision("CAT:3").retired


def _instrument_data(**overrides):
    data = {
        "code": "echr",
        "title": "European Convention on Human Rights",
        "instrument_type": "treaty",
        "direction": "protective",
        "kz_status": "Not a party",
        "summary": "For comparison.",
        "url": "https://example.org/echr",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.LAWYER, Role.COORDINATOR])
def test_lawyer_adds_instrument_and_provision(client, login, make_user, catalogue, role):
    login(make_user(role))
    response = client.post("/legal/instruments/new", data=_instrument_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/legal/instruments/ECHR")
    response = client.post(
        "/legal/instruments/add-provision/ECHR",
        data={"code": "ECHR:3", "title": "Article 3", "needs_verification": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    provision = services.get_provision("ECHR:3")
    assert provision.instrument.code == "ECHR" and provision.needs_verification
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"legal.instrument_created", "legal.provision_created"} <= actions
    page = client.get("/legal/provisions/ECHR:3").get_data(as_text=True)
    assert "added the provision ECHR:3" in page


def test_instrument_cited_as_whole_gets_its_provision(client, login, make_user, catalogue):
    login(make_user(Role.LAWYER))
    data = _instrument_data(code="KZ-EXT-2099", cited_as_whole="y", direction="justifying")
    assert client.post("/legal/instruments/new", data=data).status_code == 302
    db.session.expire_all()
    assert services.get_provision("KZ-EXT-2099").instrument.code == "KZ-EXT-2099"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "CAT"}, "already in the catalogue"),
        ({"code": "bad code!"}, "Use letters, digits"),
        ({"url": "javascript:alert(1)"}, "https://"),
        ({"instrument_type": "nonsense"}, "Not a valid choice"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_instrument_input_shows_field_errors(
    client, login, make_user, catalogue, overrides, message
):
    login(make_user(Role.LAWYER))
    response = client.post("/legal/instruments/new", data=_instrument_data(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Instrument.id))) == 36


def test_duplicate_provision_code_is_refused(client, login, make_user, catalogue):
    login(make_user(Role.LAWYER))
    response = client.post(
        "/legal/instruments/add-provision/CAT", data={"code": "cat:3", "title": "Again"}
    )
    assert response.status_code == 200
    assert "already in the catalogue" in response.get_data(as_text=True)


def test_edit_provision_is_audited_and_code_is_stable(client, login, make_user, catalogue):
    login(make_user(Role.LAWYER))
    provision = services.get_provision("CAT:3")
    response = client.post(
        "/legal/provisions/edit/CAT:3",
        data={
            "code": "CAT:99",
            "title": "Article 3 (non-refoulement)",
            "summary": provision.summary,
            "version": provision.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    provision = services.get_provision("CAT:3")
    assert provision.title == "Article 3 (non-refoulement)"
    assert services.get_provision("CAT:99") is None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "legal.provision_updated")
    )
    assert entry.details["fields"] == ["title"]
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert "changed the provision: the title" in page


def test_stale_instrument_edit_shows_current_and_submitted_values(
    client, login, make_user, catalogue
):
    login(make_user(Role.LAWYER))
    instrument = services.get_instrument("MINSK93")
    old_version = instrument.version
    instrument.summary = "Changed by a colleague"
    db.session.commit()
    data = _instrument_data(
        title="My new title", instrument_type="regional_agreement", direction="justifying"
    )
    data.pop("code")
    data["version"] = old_version
    response = client.post("/legal/instruments/edit/MINSK93", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "My new title" in page and "Changed by a colleague" in page
    db.session.expire_all()
    assert services.get_instrument("MINSK93").title.startswith("CIS Convention")


def test_stale_provision_edit_is_refused(client, login, make_user, catalogue):
    login(make_user(Role.COORDINATOR))
    response = client.post("/legal/provisions/edit/CAT:22", data={"title": "Mine", "version": "0"})
    assert response.status_code == 409
    assert "Mine" in response.get_data(as_text=True)


def test_retire_and_reinstate_provision(client, login, make_user, catalogue):
    login(make_user(Role.LAWYER))
    version = services.get_provision("SCO09").version
    response = client.post(
        "/legal/provisions/retire/SCO09", data={"retire": "1", "version": version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    provision = services.get_provision("SCO09")
    assert provision.retired
    assert provision not in services.usable_provisions()
    response = client.post(
        "/legal/provisions/retire/SCO09", data={"retire": "0", "version": provision.version}
    )
    db.session.expire_all()
    assert not services.get_provision("SCO09").retired
    actions = list(db.session.scalars(select(AuditEntry.action)))
    assert "legal.provision_retired" in actions and "legal.provision_reinstated" in actions


def test_retired_instrument_hides_its_provisions_from_new_links(
    client, login, make_user, catalogue
):
    login(make_user(Role.LAWYER))
    version = services.get_instrument("SCO17").version
    client.post("/legal/instruments/retire/SCO17", data={"retire": "1", "version": version})
    db.session.expire_all()
    assert "SCO17" not in [p.code for p in services.usable_provisions()]


def test_catalogue_counts_citing_cases_up_to_a_cap(
    client, login, make_user, catalogue, monkeypatch
):
    from casework.core.vocab import Assessment, TeamRole
    from tests.factories import make_case

    monkeypatch.setattr(services, "CATALOGUE_COUNT_CAP", 2)
    monitor, lawyer, outsider = (
        make_user(Role.MONITOR),
        make_user(Role.LAWYER),
        make_user(Role.LAWYER),
    )
    cat3 = db.session.scalar(select(Provision).where(Provision.code == "CAT:3"))
    iccpr7 = db.session.scalar(select(Provision).where(Provision.code == "ICCPR:7"))
    cases = [make_case(monitor, team=((lawyer, TeamRole.LAWYER),)) for _ in range(3)]
    for case in cases:
        services.add_link(lawyer, case, provision=cat3, assessment=Assessment.AT_RISK)
    services.add_link(lawyer, cases[0], provision=iccpr7, assessment=Assessment.VIOLATED)
    db.session.commit()

    counts = services.citation_counts(lawyer, [cat3.id, iccpr7.id])
    assert counts == {cat3.id: 3, iccpr7.id: 1}  # 3 = more than the cap of 2
    assert services.citation_counts(outsider, [cat3.id, iccpr7.id]) == {}  # not their cases
    login(lawyer)
    page = client.get("/legal/").get_data(as_text=True)
    assert "more than 2 cases" in page and "1 case<" in page
    page = client.get(f"/legal/instruments/{cat3.instrument.code}").get_data(as_text=True)
    assert "more than 2" in page
