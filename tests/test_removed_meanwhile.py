"""An edit sent after someone else removed the record from the case keeps what was typed.

A lawyer edits a legal link's analysis; meanwhile a coordinator hides the link. For a user who
may not see hidden records the loader answered the save as it answers a record that does not
exist (404): the analysis typed was lost. The save now gets the conflict display (409): what
the user typed, to copy, and that the record was removed, with nothing of the record shown,
nothing saved and nothing brought back. A user who may restore hidden records is answered as
before; an unknown id, or a record of another case, is still a plain 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.cases.models import CasePerson, Event
from casework.core.db import db
from casework.core.hiding import hide
from casework.core.vocab import Role, TeamRole
from casework.evidence.models import Source
from casework.legal import services as legal
from casework.legal.models import CaseProvision, Remedy
from casework.people.models import Person
from tests.clients import client_for
from tests.factories import make_case
from tests.html_forms import form_fields
from tests.world import CaseWorld, build_world

TYPED = "Typed while it was being removed: three paragraphs of analysis, not saved anywhere else"
# What someone saved on the record, then why they removed it: neither is the editor's to see.
THEIR_CHANGE = "Their last wording of the record, never shown to the editor"
THEIR_REASON = "Removed as entered by mistake, with a reason the editor may not read"
REMOVED = "removed from the case"


@dataclass(frozen=True)
class Kind:
    """An edit form of a hideable record: who edits, the form, the field typed into, how
    someone else changes and removes the record, and what the record holds afterwards."""

    name: str
    editor: Role
    form_url: Any  # (CaseWorld) -> the page holding the form
    action: Any  # (CaseWorld) -> where the form posts ("" for its own page)
    field: str
    change: Any  # (CaseWorld) -> None: someone else's save, before the removal
    remove: Any  # (CaseWorld, coordinator) -> None
    saved: Any  # (CaseWorld) -> the value of ``field`` as stored now
    hidden: Any  # (CaseWorld) -> is the record still removed?
    record: Any  # (CaseWorld) -> the record the form edits, as stored now


def _case_url(cw: CaseWorld) -> str:
    return f"/cases/{cw.case.public_id}"


def _link(cw: CaseWorld) -> CaseProvision:
    return db.session.get(CaseProvision, cw.link.id)


def _event(cw: CaseWorld) -> Event:
    return db.session.get(Event, cw.event.id)


def _source(cw: CaseWorld) -> Source:
    return db.session.get(Source, cw.source.id)


def _remedy(cw: CaseWorld) -> Remedy:
    return db.session.get(Remedy, cw.remedy.id)


def _person_link(cw: CaseWorld) -> CasePerson:
    return db.session.scalar(
        select(CasePerson).where(
            CasePerson.case_id == cw.case.id, CasePerson.person_id == cw.person.id
        )
    )


def _person(cw: CaseWorld) -> Person:
    return db.session.get(Person, cw.person.id)


def _set(record: Any, name: str, value: str) -> None:
    setattr(record, name, value)  # its version moves at the flush


def _names(cw: CaseWorld) -> list[str]:
    return [n.name for n in _person(cw).names]


KINDS = [
    Kind(
        "legal link",
        Role.LAWYER,
        lambda cw: f"{_case_url(cw)}/legal/links/{cw.link.public_id}/edit",
        lambda cw: "",
        "analysis",
        lambda cw: _set(_link(cw), "analysis", THEIR_CHANGE),
        lambda cw, who: legal.hide_link(who, _link(cw), THEIR_REASON),
        lambda cw: _link(cw).analysis,
        lambda cw: _link(cw).is_hidden,
        _link,
    ),
    Kind(
        "event",
        Role.MONITOR,
        lambda cw: f"{_case_url(cw)}/events/{cw.event.public_id}/edit",
        lambda cw: "",
        "description",
        lambda cw: _set(_event(cw), "description", THEIR_CHANGE),
        lambda cw, who: hide(_event(cw), who, THEIR_REASON, case=cw.case),
        lambda cw: _event(cw).description,
        lambda cw: _event(cw).is_hidden,
        _event,
    ),
    Kind(
        "source",
        Role.MONITOR,
        lambda cw: f"{_case_url(cw)}/sources/{cw.source.public_id}",
        lambda cw: "",
        "how_they_know",
        lambda cw: _set(_source(cw), "how_they_know", THEIR_CHANGE),
        lambda cw, who: hide(_source(cw), who, THEIR_REASON, case=cw.case),
        lambda cw: _source(cw).how_they_know,
        lambda cw: _source(cw).is_hidden,
        _source,
    ),
    Kind(
        "remedy",
        Role.LAWYER,
        lambda cw: f"{_case_url(cw)}/legal/remedies/{cw.remedy.public_id}/edit",
        lambda cw: "",
        "notes",
        lambda cw: _set(_remedy(cw), "notes", THEIR_CHANGE),
        lambda cw, who: legal.hide_remedy(who, _remedy(cw), THEIR_REASON),
        lambda cw: _remedy(cw).notes,
        lambda cw: _remedy(cw).is_hidden,
        _remedy,
    ),
    Kind(
        "person",
        Role.MONITOR,
        lambda cw: f"{_case_url(cw)}/people/{cw.person.public_id}",
        lambda cw: "",
        "notes",
        lambda cw: _set(_person(cw), "notes", THEIR_CHANGE),
        lambda cw, who: hide(_person_link(cw), who, THEIR_REASON, case=cw.case),
        lambda cw: _person(cw).notes,
        lambda cw: _person_link(cw).is_hidden,
        _person,
    ),
    Kind(
        "person's name",
        Role.MONITOR,
        lambda cw: f"{_case_url(cw)}/people/{cw.person.public_id}",
        lambda cw: f"{_case_url(cw)}/people/{cw.person.public_id}/names",
        "name-name",
        lambda cw: _set(_person(cw), "notes", THEIR_CHANGE),
        lambda cw, who: hide(_person_link(cw), who, THEIR_REASON, case=cw.case),
        lambda cw: "\n".join(_names(cw)),
        lambda cw: _person_link(cw).is_hidden,
        _person,
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_an_edit_sent_after_the_record_was_removed_keeps_what_was_typed(app, kind):
    world = build_world()
    cw = world.ordinary
    editor = client_for(app, world.on[kind.editor])
    page = editor.get(kind.form_url(cw))
    assert page.status_code == 200
    action = kind.action(cw)
    form = form_fields(page.get_data(as_text=True), action)
    form[kind.field] = TYPED
    # Meanwhile someone else saves the record, then a coordinator removes it from the case.
    coordinator = world.on[Role.COORDINATOR]
    kind.change(cw)
    kind.remove(cw, coordinator)
    db.session.commit()

    response = editor.post(action or kind.form_url(cw), data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert TYPED in html  # theirs to copy
    assert REMOVED in html
    # Nothing of the record as it is now: not someone else's wording, not why it was removed.
    assert THEIR_CHANGE not in html and THEIR_REASON not in html
    db.session.expire_all()
    assert TYPED not in (kind.saved(cw) or "")  # nothing saved...
    assert kind.hidden(cw)  # ...and nothing brought back
    # Audited as any refusal on a record that exists, with the answer given.
    refusals = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "access.refused", AuditEntry.actor_id == world.on[kind.editor].id
        )
    ).all()
    assert [entry.details for entry in refusals] == [{"status": 409}]
    # The page of the removed record still does not open for the editor.
    assert editor.get(kind.form_url(cw)).status_code == 404


def test_a_suggestion_accepted_after_it_was_dismissed_keeps_the_analysis(app):
    world = build_world()
    cw = world.ordinary
    lawyer = client_for(app, world.on[Role.LAWYER])
    url = f"{_case_url(cw)}/legal/links/{cw.suggestion.public_id}/accept"
    form = form_fields(lawyer.get(url).get_data(as_text=True), "")
    form["analysis"] = TYPED
    legal.hide_link(world.on[Role.COORDINATOR], cw.suggestion, THEIR_REASON)
    db.session.commit()
    response = lawyer.post(url, data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert TYPED in html and THEIR_REASON not in html


def test_a_coordinator_who_restores_records_is_answered_as_before(app):
    """Who may restore hidden records still reaches the removed link: its save is refused
    with the form kept, and the link stays as it was, hidden."""
    world = build_world()
    cw = world.ordinary
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    url = f"{_case_url(cw)}/legal/links/{cw.link.public_id}/edit"
    form = form_fields(coordinator.get(url).get_data(as_text=True), "")
    form["analysis"] = TYPED
    legal.hide_link(world.on[Role.LAWYER], _link(cw), THEIR_REASON)
    db.session.commit()
    response = coordinator.post(url, data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "restore it before changing it" in html and TYPED in html
    db.session.expire_all()
    assert _link(cw).is_hidden and _link(cw).analysis != TYPED


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_restorer_saving_into_a_removed_record_is_refused_with_the_text_kept(app, kind):
    """Whoever may restore the record still reaches it: a save into it is refused, whatever
    the kind of record, as for a legal link; the record is neither changed nor brought back."""
    world = build_world()
    cw = world.ordinary
    coordinator_user = world.on[Role.COORDINATOR]
    coordinator = client_for(app, coordinator_user)
    page = coordinator.get(kind.form_url(cw))
    assert page.status_code == 200
    action = kind.action(cw)
    form = form_fields(page.get_data(as_text=True), action)
    form[kind.field] = TYPED
    kind.remove(cw, world.on[Role.LAWYER] if kind.editor == Role.LAWYER else coordinator_user)
    db.session.commit()
    # Sent as if loaded after the removal: refused for being removed, not for being stale.
    for key, record in (("version", kind.record(cw)), ("person_version", _person(cw))):
        if key in form:
            form[key] = str(record.version)

    response = coordinator.post(action or kind.form_url(cw), data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "before changing" in html
    if not action:  # a form of its own page is shown again as typed (a name is one line)
        assert TYPED in html
    db.session.expire_all()
    assert TYPED not in (kind.saved(cw) or "")
    assert kind.hidden(cw)
    if not kind.name.startswith("person"):  # a person's page serves their other cases too
        assert coordinator.get(kind.form_url(cw)).status_code == 404


def test_an_unknown_or_foreign_record_is_still_not_found(app):
    """No oracle: an id that is not a record of the case, and a removed record reached through
    a case it does not belong to or a case the user may not read, answer a plain 404."""
    world = build_world()
    cw = world.ordinary
    legal.hide_link(world.on[Role.COORDINATOR], _link(cw), THEIR_REASON)
    db.session.commit()
    data = {"assessment": "violated", "violation_status": "likely", "analysis": TYPED}
    lawyer = client_for(app, world.on[Role.LAWYER])
    unknown = lawyer.post(f"{_case_url(cw)}/legal/links/no-such-link/edit", data=data)
    assert unknown.status_code == 404

    # Another lawyer, who reads a case of their own but not this one.
    outsider_user = world.off[Role.LAWYER]
    own = make_case(world.off[Role.MONITOR], team=((outsider_user, TeamRole.LAWYER),))
    db.session.commit()
    outsider = client_for(app, outsider_user)
    for url in (
        f"/cases/{own.public_id}/legal/links/{cw.link.public_id}/edit",
        f"{_case_url(cw)}/legal/links/{cw.link.public_id}/edit",
    ):
        response = outsider.post(url, data=dict(data, version=str(_link(cw).version)))
        assert response.status_code == 404, url
        assert TYPED not in response.get_data(as_text=True)
    # The lawyer of the case is told (and keeps their text) where the outsider is not.
    entitled = lawyer.post(
        f"{_case_url(cw)}/legal/links/{cw.link.public_id}/edit",
        data=dict(data, version=str(_link(cw).version)),
    )
    assert entitled.status_code == 409 and TYPED in entitled.get_data(as_text=True)


def test_the_typed_fields_are_named_in_the_readers_language(app):
    world = build_world()
    cw = world.ordinary
    lawyer_user = world.on[Role.LAWYER]
    lawyer_user.language = "ru"
    db.session.commit()
    lawyer = client_for(app, lawyer_user)
    url = f"{_case_url(cw)}/legal/links/{cw.link.public_id}/edit"
    form = form_fields(lawyer.get(url).get_data(as_text=True), "")
    form["analysis"] = TYPED
    legal.hide_link(world.on[Role.COORDINATOR], _link(cw), THEIR_REASON)
    db.session.commit()
    html = lawyer.post(url, data=form).get_data(as_text=True)
    assert "Анализ" in html and "Оценка" in html
    assert "Analysis" not in html and "Form key" not in html


def _family_relation(cw: CaseWorld) -> str | None:
    from casework.people.models import FamilyLink

    db.session.expire_all()
    link = db.session.scalar(
        select(FamilyLink).where(
            FamilyLink.person_id == cw.relative.id, FamilyLink.relative_id == cw.person.id
        )
    )
    return None if link is None else link.relation.value


def test_a_family_link_is_not_given_to_a_person_removed_from_the_case(app):
    """The family form of a removed person's page, sent after they were removed, changes
    nothing of their record: refused as their other forms are, the reason shown on the case's
    page (the removed person's own page no longer opens, as no removed record's does). Restored,
    the person is linked from their own page as before."""
    world = build_world()
    cw = world.ordinary
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    assert _family_relation(cw) == "spouse"
    hide(_person_link(cw), world.on[Role.COORDINATOR], THEIR_REASON, case=cw.case)
    db.session.commit()

    removed_page = f"{_case_url(cw)}/people/{cw.person.public_id}"
    assert coordinator.get(removed_page).status_code == 404  # restored from the case's page
    response = coordinator.post(
        f"{removed_page}/family",
        data={"family-relative": cw.relative.public_id, "family-relation": "parent"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and response.request.path == _case_url(cw)
    assert _family_relation(cw) == "spouse"
    assert "before changing" in response.get_data(as_text=True)
    assert _person_link(cw).is_hidden

    # Restored, the person is linked as anyone is.
    from casework.core.hiding import restore

    restore(_person_link(cw), world.on[Role.COORDINATOR], case=cw.case)
    db.session.commit()
    response = coordinator.post(
        f"{removed_page}/family",
        data={"family-relative": cw.relative.public_id, "family-relation": "parent"},
    )
    assert response.status_code == 302
    assert _family_relation(cw) == "parent"
    assert coordinator.get(removed_page).status_code == 200
