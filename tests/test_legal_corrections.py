"""The corrected catalogue: each checked fact pinned, and the upgrade over an older seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from casework.advocacy import services as advocacy_services
from casework.advocacy.models import TargetBody
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import (
    ActionType,
    ActType,
    EventType,
    FollowUpStatus,
    InstrumentType,
    InterimMeasures,
    Role,
    WantedNotice,
)
from casework.legal import seeding, services
from casework.legal.models import Instrument, Provision

PREVIOUS = Path(__file__).parent / "fixtures" / "legal_catalogue_v1.json"

NEW_CODES = [
    "ICPPED:16",
    "ICPPED:30",
    "DED1992:8",
    "ICCPR-OP2",
    "ICCPR:2.3",
    "CSR51:1A.2",
    "CSR51:1F",
    "CSR51:31",
    "CSR51:32",
    "CAT:3.2",
    "HRC-GC36:30",
    "HRC-GC35",
    "UNHCR-EXTRADITION-2008",
    "UNHCR-ASSURANCES-2006",
    "CAT-RULES:114",
    "HRC-RULES:94",
    "KZ-CONST:4.3",
    "CAT-CO-KAZ-2",
    "CCPR-CO-KAZ-1",
    "CAT-554/2013",
]


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


def _previous() -> dict:
    return json.loads(PREVIOUS.read_text(encoding="utf-8"))


def _summary(code: str) -> str:
    return services.get_provision(code).summary


# --------------------------------------------------------------------------- the facts


def test_abdussamatov_complainants_handover_and_findings(catalogue):
    decision = services.get_instrument("CAT-444/2010")
    assert "29 complainants (27 Uzbek and 2 Tajik nationals)" in decision.summary
    assert "28 were handed over to Uzbekistan on 9 June 2011" in decision.summary
    assert decision.articles_found == "3, 22"
    assert decision.interim_measures == InterimMeasures.NOT_RESPECTED
    assert decision.adopted_on == "2012-06-01"
    summary = _summary("CAT-444/2010")
    assert "found violations of Articles 3 and 22" in summary
    assert "1 June 2012" in summary
    assert "a violation of Article 3:" not in summary


def test_israil_keeps_invoked_apart_from_found_and_stays_flagged(catalogue):
    decision = services.get_instrument("HRC-2024/2011")
    assert decision.articles_invoked == "6, 7, 9"
    assert decision.articles_found is None
    assert decision.follow_up_status == FollowUpStatus.UNKNOWN
    provision = services.get_provision("HRC-2024/2011")
    assert provision.needs_verification
    assert "found violations of Articles 6, 7 and 9" not in provision.summary
    assert "invoked Articles 6, 7 and 9" in provision.summary
    assert "30 May 2011" in decision.summary


def test_cat_general_comment_4_paragraph_4_list(catalogue):
    summary = _summary("CAT-GC4")
    assert (
        "expulsion, extradition, forcible return, forcible transfer, rendition and rejection at "
        "the frontier, and pushbacks"
    ) in summary
    assert "It does not list abduction" in summary
    assert "abduction, rendition" not in summary
    assert services.get_instrument("CAT-GC4").adopted_on == "2017-12-06"


def test_iccpr_articles_6_13_14(catalogue):
    art6 = _summary("ICCPR:6")
    assert "abolished the death penalty" in art6
    assert "Second Optional Protocol (in force for it on 24 June 2022)" in art6
    assert "capital charges without credible assurances" in art6
    art13 = _summary("ICCPR:13")
    assert "except where compelling reasons of national security otherwise require" in art13
    assert "be represented for the purpose before" in art13
    art14 = _summary("ICCPR:14")
    assert "flagrant denial of justice" in art14
    assert "falls under Articles 13 and 2(3), not Article 14" in art14


def test_refugee_convention_article_33(catalogue):
    summary = _summary("CSR51:33")
    assert (
        "race, religion, nationality, membership of a particular social group or political opinion"
    ) in summary
    assert "reasonable grounds for regarding as a danger to the security of the country" in summary
    assert (
        "convicted by a final judgment of a particularly serious crime, constitutes a danger to "
        "the community"
    ) in summary


def test_regional_and_bilateral_agreements(catalogue):
    chisinau = _summary("CHISINAU02")
    assert "Uzbekistan and Turkmenistan are not parties" in chisinau
    assert "Minsk Convention and its 1997 Protocol govern extraditions" in chisinau
    minsk = services.get_provision("MINSK93")
    assert "Article 57 has no refugee, political-offence or torture ground" in minsk.summary
    assert minsk.needs_verification
    sco = _summary("SCO01")
    assert "NGO critique, not treaty text" in sco
    assert "NGO critique" in services.get_instrument("SCO01").summary
    kz_uz = services.get_provision("KZ-UZ-1997")
    assert kz_uz.needs_verification and "extradition chapter is not verified" in kz_uz.summary
    assert services.get_instrument("KZ-UZ-1997").kz_date == "1998-11-29"


def test_missing_instruments_are_added(catalogue):
    codes = set(db.session.scalars(select(Provision.code)))
    assert set(NEW_CODES) <= codes
    icpped = services.get_instrument("ICPPED")
    assert icpped.kz_status == "Party" and icpped.kz_date == "2009"
    assert "urgent" in services.get_provision("ICPPED:30").title.lower()
    assert services.get_instrument("ICCPR-OP2").kz_date == "2022-06-24"
    assert [p.code for p in services.get_instrument("ICCPR").provisions][0] == "ICCPR:2.3"
    assert services.get_provision("CAT-RULES:114").needs_verification
    assert services.get_provision("HRC-RULES:94").needs_verification
    x = services.get_provision("CAT-554/2013")
    assert x.needs_verification and x.instrument.instrument_type == InstrumentType.JURISPRUDENCE
    assert (
        services.get_instrument("CAT-CO-KAZ-2").instrument_type
        == InstrumentType.CONCLUDING_OBSERVATIONS
    )


def test_timeline_events_carry_their_huridocs_codes():
    """Domain brief, section 4: the HURIDOCS "types of acts" codes worth mapping to include
    030101 Arrest, 030102 Detention, 030103 Disappearance and 020111110000 Torture; the README
    says an attempted removal has no act code because "the arrest and detention events carry
    the codes"."""
    assert EventType.ARREST.huridocs_code == "030101"
    assert EventType.DETENTION_PENDING_EXTRADITION.huridocs_code == "030102"
    assert EventType.AFTER_RETURN_DETENTION.huridocs_code == "030102"
    assert EventType.DISAPPEARANCE.huridocs_code == "030103"
    assert EventType.TORTURE_ALLEGATION.huridocs_code == "020111110000"
    # A death is "death in detention" (010106010000) only when in detention: not inferred.
    assert EventType.DEATH.huridocs_code is None
    assert EventType.ASYLUM_APPLICATION.huridocs_code is None


def test_vocabularies():
    assert ActType.ATTEMPTED_REMOVAL.huridocs_code is None
    assert ActType.EXTRADITION.huridocs_code == "380101"
    assert ActType.DEPORTATION.huridocs_code == ActType.EXPULSION.huridocs_code == "330101"
    assert WantedNotice.INTERPOL_DIFFUSION.label == "INTERPOL diffusion"
    assert "Regional Anti-Terrorist Structure" in WantedNotice.SCO_RATS_LIST.label
    assert ActionType.CED_URGENT_ACTION.label == "CED urgent action"
    assert EventType.DIPLOMATIC_ASSURANCES_RECEIVED.label == "Diplomatic assurances received"
    assert EventType.REFUGEE_STATUS_REVOKED.label == "Refugee status revoked"


def test_target_bodies_seeded_and_torture_title_corrected():
    old = "UN Special Rapporteur on torture and other cruel, inhuman or degrading treatment"
    db.session.add(TargetBody(name=old, short_name="SR torture"))
    db.session.commit()
    assert "1 renamed" in advocacy_services.seed_target_bodies()
    db.session.commit()
    names = {b.short_name: b.name for b in advocacy_services.list_bodies()}
    assert names["SR torture"].endswith("degrading treatment or punishment")
    assert old not in names.values()
    assert names["CED"] == "UN Committee on Enforced Disappearances"
    assert "countering terrorism" in names["SR counter-terrorism"]
    assert names["SR FoRB"] == "UN Special Rapporteur on freedom of religion or belief"


# --------------------------------------------------------------------------- the upgrade


def _seed_previous_release(legacy: bool) -> None:
    """A database seeded by the previous catalogue; ``legacy``: by the release before seeded
    values were kept (the migration leaves them empty)."""
    seeding.apply_catalogue(_previous())
    db.session.commit()
    if legacy:
        db.session.execute(update(Instrument).values(seeded_values=None))
        db.session.execute(update(Provision).values(seeded_values=None))
        db.session.commit()
    assert "3, 22" not in (services.get_instrument("CAT-444/2010").articles_found or "")


def _lawyer_edits(lawyer) -> None:
    provision = services.get_provision("CAT-444/2010")
    services.update_provision(
        lawyer,
        provision,
        provision.version,
        title=provision.title,
        summary="Our own reading of the decision.",
        needs_verification=False,
    )
    sco = services.get_instrument("SCO01")
    services.update_instrument(
        lawyer,
        sco,
        sco.version,
        title=sco.title,
        instrument_type=sco.instrument_type,
        direction=sco.direction,
        adopted_on=sco.adopted_on,
        kz_status="Ratified (law of 2002)",
        kz_date=sco.kz_date,
        summary=sco.summary,
    )
    db.session.commit()


def _assert_upgraded() -> None:
    db.session.expire_all()
    # Corrections reached the entries nobody edited ...
    assert "It does not list abduction" in _summary("CAT-GC4")
    assert "24 June 2022" in _summary("ICCPR:6")
    assert services.get_provision("HRC-2024/2011").needs_verification
    assert services.get_instrument("CAT-444/2010").articles_found == "3, 22"
    assert services.get_provision("KZ-UZ-1997").needs_verification
    assert "Uzbekistan and Turkmenistan" in _summary("CHISINAU02")
    # ... new entries were added, in the catalogue's order ...
    assert services.get_provision("ICPPED:16") is not None
    iccpr = [p.code for p in services.get_instrument("ICCPR").provisions]
    assert iccpr[:2] == ["ICCPR:2.3", "ICCPR:6"]
    # ... and the lawyers' edits were left alone.
    assert _summary("CAT-444/2010") == "Our own reading of the decision."
    assert services.get_instrument("SCO01").kz_status == "Ratified (law of 2002)"
    assert "NGO critique" not in services.get_instrument("SCO01").summary
    # The provision of SCO01 was not edited: it was corrected.
    assert "NGO critique" in _summary("SCO01")


@pytest.mark.parametrize("legacy", [True, False], ids=["before-snapshots", "with-snapshots"])
def test_seed_over_previous_release_corrects_and_reports(app, make_user, legacy):
    lawyer = make_user(Role.LAWYER)
    _seed_previous_release(legacy)
    _lawyer_edits(lawyer)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    line = next(li for li in result.output.splitlines() if li.startswith("legal catalogue:"))
    assert "not updated because a lawyer changed them (2): SCO01, CAT-444/2010" in line
    assert "CAT-GC4" in line.split("corrected")[1]
    _assert_upgraded()
    corrected = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == seeding.SEED_CORRECTED)
    ).all()
    assert corrected and all(e.actor_id is None for e in corrected)

    # A second run changes nothing more and still reports the two entries.
    report = seeding.apply_catalogue()
    assert report.corrected == [] and report.added_provisions == 0
    assert [c.code for c in report.conflicts] == ["SCO01", "CAT-444/2010"]
    conflict = report.conflicts[1]
    assert conflict.kind == "provision" and conflict.fields == ("summary",)


def test_edit_made_outside_the_forms_is_also_detected(make_user):
    _seed_previous_release(legacy=False)
    provision = services.get_provision("CAT-GC4")
    provision.summary = "Edited directly"
    db.session.commit()
    report = seeding.apply_catalogue()
    db.session.commit()
    assert [c.code for c in report.conflicts] == ["CAT-GC4"]
    assert _summary("CAT-GC4") == "Edited directly"


def test_lawyer_edit_with_no_newer_catalogue_is_not_reported(catalogue, make_user):
    lawyer = make_user(Role.LAWYER)
    provision = services.get_provision("CAT:3")
    services.update_provision(
        lawyer, provision, provision.version, title="Article 3", summary="Mine"
    )
    db.session.commit()
    report = seeding.apply_catalogue()
    assert report.conflicts == [] and report.corrected == []
    assert _summary("CAT:3") == "Mine"


def test_catalogue_page_lists_entries_a_lawyer_changed(client, login, make_user):
    lawyer = make_user(Role.LAWYER)
    _seed_previous_release(legacy=True)
    _lawyer_edits(lawyer)
    seeding.apply_catalogue()
    db.session.commit()

    login(make_user(Role.MONITOR))
    page = client.get("/legal/").get_data(as_text=True)
    assert "Catalogue corrections not applied" not in page
    assert client.post("/legal/corrections/provision/CAT-444/2010", data={}).status_code == 403
    client.post("/logout")

    login(lawyer)
    page = client.get("/legal/").get_data(as_text=True)
    assert "Catalogue corrections not applied" in page
    assert "<code>CAT-444/2010</code> (provision): summary" in page
    assert "<code>SCO01</code> (instrument): kz_status, summary" in page
    assert "found violations of Articles 3 and 22" in page  # the catalogue's version, shown

    response = client.post("/legal/corrections/provision/CAT-444/2010", data={"accept": "1"})
    assert response.status_code == 302
    response = client.post("/legal/corrections/instrument/SCO01", data={"accept": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert "found violations of Articles 3 and 22" in _summary("CAT-444/2010")
    assert services.get_instrument("SCO01").kz_status == "Ratified (law of 2002)"
    page = client.get("/legal/").get_data(as_text=True)
    assert "Catalogue corrections not applied" not in page
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"legal.seed_correction_accepted", "legal.seed_correction_declined"} <= actions
    assert seeding.apply_catalogue().conflicts == []
    response = client.post(
        "/legal/corrections/provision/NOPE:1", data={"accept": "1"}, follow_redirects=True
    )
    assert "NOPE:1 is not in the shipped catalogue" in response.get_data(as_text=True)


def test_entry_a_lawyer_added_before_the_catalogue_had_it_is_not_overwritten(make_user):
    lawyer = make_user(Role.LAWYER)
    _seed_previous_release(legacy=True)
    instrument = services.create_instrument(
        lawyer,
        code="ICPPED",
        title="Enforced disappearance convention",
        instrument_type="treaty",
        direction="protective",
    )
    services.create_provision(lawyer, instrument, code="ICPPED:16", title="Art 16")
    db.session.commit()
    report = seeding.apply_catalogue()
    db.session.commit()
    assert {"ICPPED", "ICPPED:16"} <= {c.code for c in report.conflicts}
    assert services.get_instrument("ICPPED").title == "Enforced disappearance convention"
    assert services.get_provision("ICPPED:16").title == "Art 16"
    assert services.get_provision("ICPPED:30").instrument.code == "ICPPED"
