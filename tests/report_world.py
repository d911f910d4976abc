"""Cases for output tests: people at all four consent levels, a family at risk, a restricted case
of another team. Every identifying value is listed so that a test can look for it anywhere."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from casework.advocacy import services as advocacy
from casework.advocacy.models import TargetBody, UPRCycle, UPRRecommendation
from casework.cases import services as cases
from casework.cases.events import add_event
from casework.cases.models import Case, CaseMember
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseStatus,
    Role,
    Situation,
    TeamRole,
    Urgency,
)
from casework.evidence import services as evidence
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
from casework.people import services as people
from casework.people.services import NameInput
from tests.factories import make_user

# The day the people of the world who consented gave it.
CONSENT_DATE = date(2024, 3, 1)

# Identifying values of people who must never appear in an output: names in every script and
# spelling, UNHCR numbers, contacts, exact addresses.
NONE_PERSON = {
    "names": ["Алишер Холматов", "Alisher Kholmatov"],
    "spellings": ["Kholmatov", "Xolmatov", "Holmatov", "Холматов", "Alisher", "Алишер"],
    "unhcr": "UNHCR-123-45678",
    "contacts": "+7 701 555 1234, alisher.k@example.org",
    "address": "Almaty, Abay avenue 10, apt 5",
}
INTERNAL_PERSON = {
    "names": ["Dilnoza Yusupova", "Дильноза Юсупова"],
    "spellings": ["Yusupova", "Юсупова", "Dilnoza", "Дильноза", "Iusupova"],
    "unhcr": "UNHCR-999-00001",
    "contacts": "+7 702 111 2222",
    "address": "Shymkent, Tauke Khan street 44",
}
ANONYMISED_PERSON = {
    "names": ["Rustam Nazarov", "Рустам Назаров"],
    "spellings": ["Nazarov", "Назаров", "Rustam", "Рустам"],
    "unhcr": "UNHCR-555-77777",
    "contacts": "rustam.n@example.org",
    "address": "Taraz, Tole bi street 3",
}
NAMED_PERSON = {"names": ["Bakhrom Toshev"]}
FAMILY_AT_RISK = {
    "names": ["Shavkat Mirzaev", "Шавкат Мирзаев"],
    "spellings": ["Mirzaev", "Мирзаев", "Shavkat"],
}
RELATIVE = {"names": ["Gulnora Mirzaeva"], "spellings": ["Gulnora", "Гульнора"]}
RESTRICTED = {"names": ["Zafar Restrictedov"], "narrative": "RestrictedNarrativeQx"}


@dataclass
class ReportWorld:
    coordinator: Any
    lawyer: Any
    off_coordinator: Any  # a coordinator off the restricted case's team
    case: Case
    restricted: Case
    people: dict[str, Any] = field(default_factory=dict)

    def forbidden(self) -> dict[str, str]:
        """label -> value that must appear in no output."""
        out: dict[str, str] = {}
        for label, data in (
            ("none", NONE_PERSON),
            ("internal", INTERNAL_PERSON),
            ("anonymised", ANONYMISED_PERSON),
            ("family_at_risk", FAMILY_AT_RISK),
            ("relative", RELATIVE),
        ):
            for i, value in enumerate(data.get("names", []) + data.get("spellings", [])):
                out[f"{label} name {i}"] = value
            for key in ("unhcr", "address"):
                if key in data:
                    out[f"{label} {key}"] = data[key]
            for i, value in enumerate(data.get("contacts", "").split(", ")):
                if value:
                    out[f"{label} contact {i}"] = value
        out["restricted reference"] = self.restricted.reference
        out["restricted name"] = RESTRICTED["names"][0]
        out["restricted narrative"] = RESTRICTED["narrative"]
        return out


def _person(actor, data, consent, **extra):
    names = [NameInput(data["names"][0], None, "as_given")]
    names += [NameInput(n, None, "transliteration") for n in data["names"][1:]]
    return people.create_person(
        actor,
        names,
        consent=consent,
        consent_date=None if consent == "none" else CONSENT_DATE,
        unhcr_number=data.get("unhcr"),
        contacts=data.get("contacts"),
        address=data.get("address"),
        nationality="UZ",
        ethnicity="Uzbek",
        gender="male",
        birth_date="1985-04-12",
        **extra,
    )


def build() -> ReportWorld:
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    off_coordinator = make_user(Role.COORDINATOR)
    case = Case(
        reference="KZ-2012-0001",
        created_by_id=monitor.id,
        status=CaseStatus.VERIFIED,
        urgency=Urgency.IMMINENT,
        act_type=ActType.EXTRADITION,
        act_date=PartialDate(2012, 6),
        act_place="Almaty, Abay avenue 10, apt 5",
        destination_country="UZ",
        current_situation=Situation.DETAINED,
        narrative=(
            "Alisher Kholmatov (Холматов, also written Xolmatov) was arrested at his home at "
            "Almaty, Abay avenue 10, apt 5 together with Dilnoza Yusupova. Юсупова called "
            "+7 702 111 2222 and wrote to alisher.k@example.org. Rustam Nazarov, UNHCR-555-77777, "
            "saw the arrest; Назарова's statement confirms it. Bakhrom Toshev, the lawyer, "
            "filed an appeal. Shavkat Mirzaev's sister Gulnora Mirzaeva lives in Andijan. "
            "Kholmatova, his wife, was questioned. UNHCR card UNHCR-123-45678 was seized."
        ),
        after_return="Холматов is held in Tashkent; Mirzaev was not returned.",
        # Who authorised us and the other procedure name people as typed: free text.
        authorisation="through_family",
        authorised_by="Dilnoza Yusupova (+7 702 111 2222), for Kholmatov",
        authorised_on=date(2012, 6, 12),
        authorisation_note="Юсупова signed it; Kholmatov is held incommunicado by the KNB.",
        other_procedures="withdrawn",
        other_procedures_details="Sent for Alisher Kholmatov in 2012 (UNHCR-123-45678), withdrawn.",
    )
    for user, role in ((monitor, TeamRole.CREATOR), (lawyer, TeamRole.LAWYER)):
        case.members.append(CaseMember(user_id=user.id, team_role=role))
    case.members.append(CaseMember(user_id=coordinator.id, team_role=TeamRole.MEMBER))
    db.session.add(case)
    db.session.flush()
    world = ReportWorld(coordinator, lawyer, off_coordinator, case, case)
    world.people["none"] = _person(monitor, NONE_PERSON, "none")
    world.people["internal"] = _person(monitor, INTERNAL_PERSON, "internal")
    world.people["anonymised"] = _person(monitor, ANONYMISED_PERSON, "anonymised")
    world.people["named"] = _person(monitor, NAMED_PERSON, "named")
    world.people["family_at_risk"] = _person(monitor, FAMILY_AT_RISK, "named", family_at_risk=True)
    world.people["relative"] = _person(monitor, RELATIVE, "named")
    for key, role in (
        ("none", "at_risk"),
        ("internal", "family"),
        ("anonymised", "witness"),
        ("named", "other"),
        ("family_at_risk", "at_risk"),
        ("relative", "other"),
    ):
        cases.add_person_to_case(monitor, case, world.people[key], role)
    people.add_family_link(
        monitor, world.people["relative"], world.people["family_at_risk"], "sibling", case=case
    )
    add_event(
        monitor,
        case,
        {
            "event_type": "arrest",
            "date": "2012-06-09",
            "place": "Almaty, Abay avenue 10, apt 5",
            "agencies": "KNB",
            "description": "Kholmatov and Юсупова were taken to the KNB; Nazarov followed.",
        },
    )
    add_event(monitor, case, {"event_type": "removal", "date": "2012-07-01"})
    evidence.store_document(
        monitor,
        io.BytesIO(b"Court decision, scanned.\n"),
        "Kholmatov court decision.txt",
        case=case,
        description="Decision on Alisher Kholmatov, served at Abay avenue 10",
    )
    instrument = Instrument(
        code="TSTR", title="Test convention", instrument_type="treaty", direction="protective"
    )
    db.session.add(instrument)
    db.session.flush()
    provision = Provision(instrument_id=instrument.id, code="TSTR:3", title="Non-refoulement")
    db.session.add(provision)
    db.session.flush()
    legal.add_link(
        lawyer,
        case,
        provision=provision,
        assessment=Assessment.VIOLATED,
        analysis="Kholmatov faces torture; Yusupova too.",
    )
    legal.add_remedy(
        lawyer,
        case,
        kind="extradition_appeal",
        body="Almaty city court",
        filed_on=date(2012, 6, 20),
        notes="Filed by Toshev for Kholmatov.",
    )
    body = TargetBody(name="Committee against Torture", short_name="CAT")
    db.session.add(body)
    db.session.flush()
    advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.INTERIM_MEASURES_REQUEST,
            title="Rule 114 request",
            target_body_id=body.id,
            status=ActionStatus.RESPONSE_RECEIVED,
            submitted_on=date.today() - timedelta(days=10),
            response_on=date.today() - timedelta(days=5),
            outcome=ActionOutcome.INTERIM_MEASURES_GRANTED,
            case_references=[case.reference],
        ),
    )
    cycle = UPRCycle(state_under_review="Kazakhstan", number=2, review_date=PartialDate(2010, 2))
    db.session.add(cycle)
    db.session.flush()
    recommendation = UPRRecommendation(
        cycle_id=cycle.id,
        number="98.12",
        recommending_state="Norway",
        text="Respect the principle of non-refoulement.",
    )
    recommendation.cases.append(case)
    db.session.add(recommendation)

    # A restricted case of another team, in the same period and status.
    other = make_user(Role.MONITOR)
    restricted = Case(
        reference="KZ-2012-0002",
        created_by_id=other.id,
        status=CaseStatus.VERIFIED,
        act_type=ActType.DEPORTATION,
        act_date=PartialDate(2012, 5),
        destination_country="TJ",
        narrative=RESTRICTED["narrative"],
        restricted=True,
    )
    restricted.members.append(CaseMember(user_id=other.id, team_role=TeamRole.CREATOR))
    db.session.add(restricted)
    db.session.flush()
    hidden = people.create_person(
        other,
        [NameInput(RESTRICTED["names"][0], None, "as_given")],
        consent="named",
        consent_date=CONSENT_DATE,
    )
    db.session.flush()
    restricted.restricted = False  # the monitor's edit rights are checked on an open case
    cases.add_person_to_case(other, restricted, hidden, "at_risk")
    restricted.restricted = True
    world.restricted = restricted
    # The facts above were recorded by monitors; the cases stand verified as built (a change
    # of a verified case's facts would send it back into legal review).
    case.status = restricted.status = CaseStatus.VERIFIED
    db.session.commit()
    return world
