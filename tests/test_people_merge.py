"""Merging two records of one person: who may, what is kept, and undoing it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select, update

from casework.audit.models import AuditEntry
from casework.audit.wording import describe
from casework.cases import services as case_services
from casework.cases.models import CasePerson
from casework.core.db import db, utcnow
from casework.core.errors import ValidationFailed
from casework.core.vocab import Role, TeamRole
from casework.people import services as people_services
from casework.people.matching import find_matches
from casework.people.merging import merges_of
from casework.people.models import FamilyLink, Person, PersonName
from casework.people.services import NameInput
from tests.case_helpers import intake, page
from tests.clients import client_for


def _client(app, user):
    return client_for(app, user)


@pytest.fixture
def two_records(app, make_user):
    """One man recorded twice by two monitors, in two cases; a lawyer on both."""
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    m1, m2 = make_user(Role.MONITOR), make_user(Role.MONITOR)
    c1 = intake(_client(app, m1), name="Алишер Холматов")
    c2 = intake(_client(app, m2), name="Alisher Xolmatov")
    for case in (c1, c2):
        case_services.add_member(coordinator, case, lawyer, TeamRole.LAWYER)
    p1, p2 = case_services.primary_person(c1), case_services.primary_person(c2)
    wife = people_services.create_person(m2, [NameInput("Gulnora Xolmatova")])
    case_services.add_person_to_case(m2, c2, wife, "family")
    people_services.add_family_link(m2, wife, p2, "spouse")
    db.session.commit()
    return {"lawyer": lawyer, "m1": m1, "coordinator": coordinator, "c1": c1, "c2": c2,
            "p1": p1, "p2": p2, "wife": wife}  # fmt: skip


def _merge(client, case, survivor, other):
    url = f"/cases/{case.public_id}/people/{survivor.public_id}/merge"
    return client.post(url, data={"other": other.public_id})


def test_person_page_offers_the_likely_other_record(app, two_records):
    client = _client(app, two_records["lawyer"])
    c1, p1 = two_records["c1"], two_records["p1"]
    html = page(client, f"/cases/{c1.public_id}/people/{p1.public_id}")
    assert "Alisher Xolmatov" in html and "Merge into this record" in html


def test_the_merge_candidates_cost_no_query_each(app, two_records, make_user, count_queries):
    """A person's page weighs whether each likely other record may be merged: the cases of all
    of them are read at once, not candidate by candidate."""
    t = two_records
    client = _client(app, t["lawyer"])
    url = f"/cases/{t['c1'].public_id}/people/{t['p1'].public_id}"

    def cost() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            page(client, url)
        return counter["n"]

    page(client, url)  # warms what is kept until the data changes, as before the second count
    one = cost()
    for _ in range(3):  # more records of the same name, in more cases the lawyer is on
        other = intake(_client(app, make_user(Role.MONITOR)), name="Alisher Kholmatov")
        case_services.add_member(t["coordinator"], other, t["lawyer"], TeamRole.LAWYER)
    db.session.commit()
    assert page(client, url).count("Merge into this record") == 4
    assert cost() == one


def test_lawyer_with_both_cases_merges_and_nothing_is_lost(app, two_records):
    t = two_records
    client = _client(app, t["lawyer"])
    assert _merge(client, t["c1"], t["p1"], t["p2"]).status_code == 302
    db.session.expire_all()
    p1, p2 = db.session.get(Person, t["p1"].id), db.session.get(Person, t["p2"].id)
    assert [n.name for n in p1.names] == ["Алишер Холматов", "Alisher Xolmatov"]
    assert p2.is_hidden and p2.merged_into_id == p1.id
    assert {
        cp.case_id for cp in db.session.scalars(select(CasePerson).filter_by(person_id=p1.id))
    } == {
        t["c1"].id,
        t["c2"].id,
    }
    link = db.session.scalar(select(FamilyLink))
    assert (link.person_id, link.relative_id) == (t["wife"].id, p1.id)
    assert [c.person.id for c in find_matches(t["lawyer"], ["Alisher Kholmatov"])] == [p1.id]
    assert db.session.scalar(select(AuditEntry).filter_by(action="person.merged")) is not None
    # Undo: every piece goes back.
    merge_id = page(client, f"/cases/{t['c1'].public_id}/people/{p1.public_id}")
    assert "Undo this merge" in merge_id
    merge = merges_of(p1)[0]
    url = f"/cases/{t['c1'].public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert client.post(url).status_code == 302
    db.session.expire_all()
    p1, p2 = db.session.get(Person, t["p1"].id), db.session.get(Person, t["p2"].id)
    assert [n.name for n in p1.names] == ["Алишер Холматов"]
    assert [n.name for n in p2.names] == ["Alisher Xolmatov"] and not p2.is_hidden
    assert (
        db.session.scalar(
            select(CasePerson).filter_by(case_id=t["c2"].id, role="at_risk")
        ).person_id
        == p2.id
    )
    link = db.session.scalar(select(FamilyLink))
    assert (link.person_id, link.relative_id) == (t["wife"].id, p2.id)
    assert len(find_matches(t["lawyer"], ["Alisher Kholmatov"])) == 2
    assert db.session.scalar(select(AuditEntry).filter_by(action="person.unmerged")) is not None


def test_merge_needs_edit_rights_on_every_case_of_both(app, two_records, make_user):
    t = two_records
    # A monitor holds no merge right: refused before the other record is even looked up.
    response = _merge(_client(app, t["m1"]), t["c1"], t["p1"], t["p2"])
    assert response.status_code == 403
    # A monitor on both teams may see both, but merging is for lawyers and coordinators.
    case_services.add_member(t["coordinator"], t["c2"], t["m1"])
    db.session.commit()
    monitor = _client(app, t["m1"])
    html = page(monitor, f"/cases/{t['c1'].public_id}/people/{t['p1'].public_id}")
    assert "Alisher Xolmatov" in html and "Merge into this record" not in html
    assert _merge(monitor, t["c1"], t["p1"], t["p2"]).status_code == 403
    # A lawyer on one case only.
    other_lawyer = make_user(Role.LAWYER)
    case_services.add_member(t["coordinator"], t["c1"], other_lawyer, TeamRole.LAWYER)
    db.session.commit()
    assert _merge(_client(app, other_lawyer), t["c1"], t["p1"], t["p2"]).status_code == 404
    db.session.expire_all()
    assert not db.session.get(Person, t["p2"].id).is_hidden
    # The coordinator may.
    assert _merge(_client(app, t["coordinator"]), t["c1"], t["p1"], t["p2"]).status_code == 302


def test_merging_people_of_the_same_case_hides_the_duplicate_link(app, two_records):
    t = two_records
    coordinator = t["coordinator"]
    case_services.add_person_to_case(coordinator, t["c1"], t["p2"], "at_risk")
    db.session.commit()
    client = _client(app, coordinator)
    assert _merge(client, t["c1"], t["p1"], t["p2"]).status_code == 302
    db.session.expire_all()
    links = db.session.scalars(select(CasePerson).filter_by(case_id=t["c1"].id)).all()
    assert sorted((cp.person_id, cp.is_hidden) for cp in links) == [
        (t["p1"].id, False),
        (t["p2"].id, True),
    ]
    assert "Alisher Xolmatov" in page(
        client, f"/cases/{t['c1'].public_id}/people/{t['p1'].public_id}"
    )


def test_undoing_a_merge_keeps_a_correction_made_after_it(app, two_records):
    """The merge filled the survivor's empty fields from the other record; undoing it empties
    only those still holding the other record's value, never a correction typed since."""
    t = two_records
    lawyer = client_for(app, t["lawyer"])
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]
    p2.unhcr_number, p2.contacts = "UNHCR-OLD-111", "+7 701 000 0000"
    db.session.commit()
    assert _merge(lawyer, c1, p1, p2).status_code == 302
    db.session.expire_all()
    assert (p1.unhcr_number, p1.contacts) == ("UNHCR-OLD-111", "+7 701 000 0000")  # filled
    people_services.update_person(
        t["lawyer"], p1, {"unhcr_number": "UNHCR-CORRECTED-222"}, p1.version, case=c1
    )
    db.session.commit()
    merge = merges_of(p1)[0]
    url = f"/cases/{c1.public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(url).status_code == 302
    db.session.expire_all()
    assert p2.unhcr_number == "UNHCR-OLD-111" and p2.contacts == "+7 701 000 0000"
    assert p1.unhcr_number == "UNHCR-CORRECTED-222"  # the correction stays
    assert p1.contacts is None  # what the merge copied and nobody changed goes back
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.unmerged"))
    assert entry.details["kept"] == ["unhcr_number"]


def test_a_merge_is_undone_only_once_its_survivor_is_no_longer_merged_away(app, two_records):
    """Kholmatov's second record was merged into the first, then the first into a third. Undoing
    the first merge now would take back names and case links the second merge moved, and the
    later undo would then leave the second record with nothing: the later merge is undone
    first, and each record ends as it began."""
    t = two_records
    coordinator = client_for(app, t["coordinator"])
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]
    p3 = people_services.create_person(t["coordinator"], [NameInput("Alisher Kholmatov")])
    case_services.add_person_to_case(t["coordinator"], c1, p3, "witness")
    db.session.commit()
    assert _merge(coordinator, c1, p1, p2).status_code == 302
    first = merges_of(p1)[0]
    assert _merge(coordinator, c1, p3, p1).status_code == 302
    second = merges_of(p3)[0]

    def undo(person, merge):
        url = f"/cases/{c1.public_id}/people/{person.public_id}/merges/{merge.public_id}/undo"
        return coordinator.post(url, follow_redirects=True).get_data(as_text=True)

    html = undo(p1, first)
    assert "Undo the later merge of this record into another first." in html
    db.session.expire_all()
    assert p2.is_hidden and first.undone_at is None
    assert [n.name for n in p3.names] == [
        "Alisher Kholmatov",
        "Алишер Холматов",
        "Alisher Xolmatov",
    ]
    # In order, the later merge first: every record gets its own names and case back.
    assert "Merge undone" in undo(p3, second)
    assert "Merge undone" in undo(p1, first)
    db.session.expire_all()
    assert [n.name for n in p1.names] == ["Алишер Холматов"]
    assert [n.name for n in p2.names] == ["Alisher Xolmatov"]
    assert [n.name for n in p3.names] == ["Alisher Kholmatov"]
    visible = {
        (cp.case_id, cp.person_id)
        for cp in db.session.scalars(select(CasePerson).where(CasePerson.hidden_at.is_(None)))
    }
    assert {(c1.id, p1.id), (t["c2"].id, p2.id), (c1.id, p3.id)} <= visible


def test_a_record_removed_from_a_case_the_other_is_in_stays_in_it_after_the_merge(app, two_records):
    """The first record had been added to the second case and removed from it again; the
    second record is that case's person at risk. Merged, the person is still the case's
    person at risk (the merge hid the only visible link of the case to him); undone, the
    removal stands again, with its reason."""
    t = two_records
    c2, p1, p2 = t["c2"], t["p1"], t["p2"]
    lawyer, coordinator = client_for(app, t["lawyer"]), client_for(app, t["coordinator"])
    case_services.add_person_to_case(t["coordinator"], c2, p1, "witness")
    db.session.commit()
    url = f"/cases/{c2.public_id}/people/{p1.public_id}/hide"
    assert coordinator.post(url, data={"reason": "Added by mistake"}).status_code == 302
    assert _merge(lawyer, t["c1"], p1, p2).status_code == 302
    db.session.expire_all()
    assert case_services.primary_person(c2) == p1
    html = page(lawyer, f"/cases/{c2.public_id}")
    assert "Alisher Xolmatov" in html and "Person at risk" in html
    merge = merges_of(p1)[0]
    undo = f"/cases/{t['c1'].public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    links = {
        cp.person_id: cp for cp in db.session.scalars(select(CasePerson).filter_by(case_id=c2.id))
    }
    assert links[p1.id].is_hidden and links[p1.id].role.value == "witness"
    assert links[p1.id].hidden_reason == "Added by mistake"
    assert not links[p2.id].is_hidden and case_services.primary_person(c2) == p2


def test_a_person_at_risk_in_a_case_stays_at_risk_when_merged_into_a_witness_of_it(
    app, two_records
):
    """The same man was recorded in the second case twice: as its person at risk, and as a
    witness. Merged into the witness record, he is still the case's person at risk (the case
    had lost him: communications and statistics go by that role); undone, a witness again."""
    t = two_records
    c2, p1, p2 = t["c2"], t["p1"], t["p2"]
    lawyer = client_for(app, t["lawyer"])
    case_services.add_person_to_case(t["coordinator"], c2, p1, "witness")
    db.session.commit()
    assert _merge(lawyer, t["c1"], p1, p2).status_code == 302
    db.session.expire_all()
    assert case_services.primary_person(c2) == p1
    merge = merges_of(p1)[0]
    undo = f"/cases/{t['c1'].public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    links = {
        cp.person_id: cp for cp in db.session.scalars(select(CasePerson).filter_by(case_id=c2.id))
    }
    assert links[p1.id].role.value == "witness" and not links[p1.id].is_hidden
    assert case_services.primary_person(c2) == p2


def test_details_taken_from_the_other_record_keep_their_meaning(app, two_records):
    """The survivor knew neither his birth date nor his legal status, and had no notes; the
    other record had him born around 1985, an asylum seeker. Filled in, the date stays
    approximate (it became exact), and the status and notes are taken too; undone, the
    survivor is as it was."""
    t = two_records
    lawyer = client_for(app, t["lawyer"])
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]
    people_services.update_person(
        t["lawyer"],
        p2,
        {"birth_date": "c. 1985", "legal_status": "asylum_seeker", "notes": "Lives with a cousin"},
        p2.version,
    )
    db.session.commit()
    assert _merge(lawyer, c1, p1, p2).status_code == 302
    db.session.expire_all()
    assert (str(p1.birth_date), p1.birth_date_approximate) == ("1985", True)
    assert p1.legal_status.value == "asylum_seeker" and p1.notes == "Lives with a cousin"
    assert "c. 1985" in page(lawyer, f"/cases/{c1.public_id}")
    merge = merges_of(p1)[0]
    undo = f"/cases/{c1.public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    assert (p1.birth_date, p1.birth_date_approximate) == (None, False)
    assert p1.legal_status.value == "unknown" and p1.notes is None
    assert (str(p2.birth_date), p2.birth_date_approximate) == ("1985", True)


def test_the_stricter_consent_of_either_record_holds_after_a_merge_and_is_audited(app, two_records):
    """One record has Kholmatov's consent to be named and to the government being contacted;
    the other, taken from his family, says nothing may leave, he refuses the contact and his
    relatives at home are at risk. Merged, the stricter word holds (else outputs would name a
    person whose family asked not to), the trail says what changed on the record kept, and an
    unmerge gives each record its own consent back."""
    t = two_records
    lawyer = client_for(app, t["lawyer"])
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]
    people_services.update_person(
        t["lawyer"],
        p1,
        {"consent": "named", "consent_date": date(2024, 3, 1), "government_contact": "agrees"},
        p1.version,
    )
    people_services.update_person(
        t["lawyer"],
        p2,
        {"consent": "none", "government_contact": "refuses", "family_at_risk": True},
        p2.version,
    )
    db.session.commit()
    assert _merge(lawyer, c1, p1, p2).status_code == 302
    db.session.expire_all()
    assert (p1.consent.value, p1.government_contact.value, p1.family_at_risk) == (
        "none",
        "refuses",
        True,
    )
    assert p1.consent_date == p2.consent_date
    entry = db.session.scalar(select(AuditEntry).filter_by(action="person.merged"))
    assert entry.details["changes"]["consent"] == ["named", "none"]
    assert {"consent", "government_contact", "family_at_risk"} <= set(entry.details["fields"])
    assert "Consent" in describe(entry) or "consent" in describe(entry)
    merge = merges_of(p1)[0]
    undo = f"/cases/{c1.public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    assert (p1.consent.value, p1.government_contact.value, p1.family_at_risk) == (
        "named",
        "agrees",
        False,
    )
    assert p1.consent_date == date(2024, 3, 1) and p1.consent_obtained_by_id == t["lawyer"].id
    entry = db.session.scalar(select(AuditEntry).filter_by(action="person.unmerged"))
    assert entry.details["changes"]["consent"] == ["none", "named"]


def test_a_merge_takes_no_looser_consent_from_the_other_record(app, two_records):
    t = two_records
    lawyer = client_for(app, t["lawyer"])
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]
    people_services.update_person(
        t["lawyer"],
        p2,
        {"consent": "named", "consent_date": date(2024, 3, 1), "government_contact": "agrees"},
        p2.version,
    )
    db.session.commit()
    assert _merge(lawyer, c1, p1, p2).status_code == 302
    db.session.expire_all()
    assert (p1.consent.value, p1.government_contact.value) == ("none", "not_asked")


def test_a_merge_into_a_record_merged_away_meanwhile_is_refused(app, two_records):
    """Two lawyers merge the same two records at once, each into the other: both records were
    in use when each looked, and both ended hidden, the person gone from every case. The one
    whose record kept changed meanwhile is told so (409) and nothing of theirs is saved."""
    t = two_records
    c1, p1, p2 = t["c1"], t["p1"], t["p2"]

    done = []

    @event.listens_for(db.session, "before_flush")
    def merged_away(session, flush_context, instances):
        # The other merge commits while this one moves the names: after both looked.
        if done or not any(isinstance(obj, PersonName) for obj in session.dirty):
            return
        done.append(True)
        session.execute(
            update(Person)
            .where(Person.id == p1.id)
            .values(version=Person.version + 1, hidden_at=utcnow(), merged_into_id=p2.id),
            execution_options={"synchronize_session": False},
        )

    try:
        response = _merge(client_for(app, t["lawyer"]), c1, p1, p2)
    finally:
        event.remove(db.session, "before_flush", merged_away)
    assert response.status_code == 409
    assert "Someone else saved this record at the same moment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not p2.is_hidden and [n.name for n in p2.names] == ["Alisher Xolmatov"]
    assert merges_of(p1) == []


def test_a_record_left_without_a_visible_name_says_so_in_the_readers_language(app, two_records):
    """The second record's name, moved by the merge, was removed on the record kept as a
    misspelling; undone, the second record has no name to show. Its page and its wife's family
    list say so in the reader's language; a document for a UN body, written in English, in
    English."""
    from casework.core.i18n import english, force_locale

    t = two_records
    c2, p1, p2, wife = t["c2"], t["p1"], t["p2"], t["wife"]
    t["lawyer"].language = "ru"
    db.session.commit()
    lawyer = client_for(app, t["lawyer"])
    assert _merge(lawyer, t["c1"], p1, p2).status_code == 302
    db.session.expire_all()
    moved = next(n for n in p1.names if n.name == "Alisher Xolmatov")
    people_services.hide_name(t["lawyer"], p1, moved.id, "Misspelt")
    db.session.commit()
    merge = merges_of(p1)[0]
    undo = f"/cases/{t['c1'].public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    assert people_services.visible_names(p2) == []
    for person in (p2, wife):
        html = page(lawyer, f"/cases/{c2.public_id}/people/{person.public_id}")
        assert "(no name)" not in html and "(без имени)" in html
    with force_locale("ru"), english():
        assert p2.primary_name == "(no name)"


def test_a_case_link_a_merge_hid_is_not_restored_the_merge_is_undone(app, two_records):
    """Both records were in the first case; the merge hid the merged-away record's link to it.
    Restoring that link would put a hidden record with no name back in the case, beside the
    record kept: refused, saying to undo the merge, and nothing changes. A person removed
    from the case by hand is restored as ever."""
    t = two_records
    c1, p1, p2, wife = t["c1"], t["p1"], t["p2"], t["wife"]
    coordinator = t["coordinator"]
    case_services.add_person_to_case(coordinator, c1, p2, "witness")
    case_services.add_person_to_case(coordinator, c1, wife, "family")
    db.session.commit()
    client = _client(app, coordinator)
    assert _merge(client, c1, p1, p2).status_code == 302
    # The case file offers no restore of it (the reason says it was merged).
    html = page(client, f"/cases/{c1.public_id}")
    assert "Merged into another record" in html
    assert f"/people/{p2.public_id}/restore" not in html
    response = client.post(
        f"/cases/{c1.public_id}/people/{p2.public_id}/restore", follow_redirects=True
    )
    assert "Restored." not in response.get_data(as_text=True), "restored"
    assert "undo the merge" in response.get_data(as_text=True)
    db.session.expire_all()
    link = db.session.scalar(select(CasePerson).filter_by(case_id=c1.id, person_id=p2.id))
    assert link.is_hidden and p2.is_hidden
    with pytest.raises(ValidationFailed):
        case_services.restore_person_link(coordinator, c1, link)
    # Removed by hand, restored.
    url = f"/cases/{c1.public_id}/people/{wife.public_id}"
    assert client.post(f"{url}/hide", data={"reason": "Not her"}).status_code == 302
    assert f"/people/{wife.public_id}/restore" in page(client, f"/cases/{c1.public_id}")
    assert client.post(f"{url}/restore").status_code == 302
    db.session.expire_all()
    link = db.session.scalar(select(CasePerson).filter_by(case_id=c1.id, person_id=wife.id))
    assert not link.is_hidden


def test_a_person_added_back_to_a_case_keeps_no_trace_of_the_removal_on_the_link(app, two_records):
    """Re-added to a case, a person's link kept who had removed them and why (the trail keeps
    that). The merge had brought the first record back into the second case; removed again,
    then added back, he stays in it when the merge is undone: the stale reason read as the
    merge's own removal, which the undo put back."""
    t = two_records
    c2, p1, p2 = t["c2"], t["p1"], t["p2"]
    lawyer, coordinator = client_for(app, t["lawyer"]), client_for(app, t["coordinator"])
    case_services.add_person_to_case(t["coordinator"], c2, p1, "witness")
    db.session.commit()
    url = f"/cases/{c2.public_id}/people/{p1.public_id}/hide"
    assert coordinator.post(url, data={"reason": "Added by mistake"}).status_code == 302
    assert _merge(lawyer, t["c1"], p1, p2).status_code == 302
    assert coordinator.post(url, data={"reason": "Not the one"}).status_code == 302
    db.session.expire_all()
    link = case_services.add_person_to_case(t["lawyer"], c2, p1, "witness")
    db.session.commit()
    assert (link.hidden_at, link.hidden_by_id, link.hidden_reason) == (None, None, None)
    removals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "record.hidden")
    ).all()
    assert len(removals) == 2  # the trail keeps both removals
    merge = merges_of(p1)[0]
    undo = f"/cases/{t['c1'].public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    links = {
        cp.person_id: cp for cp in db.session.scalars(select(CasePerson).filter_by(case_id=c2.id))
    }
    assert not links[p1.id].is_hidden and links[p1.id].role.value == "witness"
    assert not links[p2.id].is_hidden


def test_a_merged_record_keeps_its_pseudonym_in_the_outputs_of_its_cases(app, two_records):
    """The second case's communication called its person (anonymised) by a pseudonym; his
    record is merged into the first, which had none yet. The next communication of that case
    calls him by the same pseudonym (a UN body that read "Person AB123" reads it again), and
    so does the first case's now; undone, each record has what it had."""
    t = two_records
    c1, c2, p1, p2 = t["c1"], t["c2"], t["p1"], t["p2"]
    for person in (p1, p2):
        people_services.update_person(
            t["lawyer"],
            person,
            {"consent": "anonymised", "consent_date": date(2024, 3, 1)},
            person.version,
        )
    db.session.commit()
    lawyer = client_for(app, t["lawyer"])

    def communication(case) -> str:
        url = f"/cases/{case.public_id}/outputs/special_procedures/file?format=txt"
        response = lawyer.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    before = communication(c2)
    db.session.expire_all()
    pseudonym = p2.pseudonym
    assert pseudonym and pseudonym in before and p1.pseudonym is None
    assert _merge(lawyer, c1, p1, p2).status_code == 302
    assert pseudonym in communication(c2) and pseudonym in communication(c1)
    db.session.expire_all()
    assert (p1.pseudonym, p2.pseudonym) == (pseudonym, None)
    merge = merges_of(p1)[0]
    undo = f"/cases/{c1.public_id}/people/{p1.public_id}/merges/{merge.public_id}/undo"
    assert lawyer.post(undo).status_code == 302
    db.session.expire_all()
    assert (p1.pseudonym, p2.pseudonym) == (None, pseudonym)
    assert pseudonym in communication(c2) and pseudonym not in communication(c1)


def test_the_merges_removal_reads_in_the_readers_language(app, two_records):
    t = two_records
    coordinator = t["coordinator"]
    case_services.add_person_to_case(coordinator, t["c1"], t["p2"], "at_risk")
    coordinator.language = "ru"
    db.session.commit()
    client = _client(app, coordinator)
    assert _merge(client, t["c1"], t["p1"], t["p2"]).status_code == 302
    html = page(client, f"/cases/{t['c1'].public_id}")
    assert "Объединено с другой записью того же лица" in html
    assert "Merged into another record" not in html
