"""A change to a record's links alone is a change: a form loaded before it cannot undo it.

Optimistic locking counted only a record's own row: changing only an event's agencies or
sources, a legal link's sources or an action's cases left the version as it was, and a form
opened before that change saved over it (no 409, nothing in the trail about the reversal).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from casework.core.db import db
from casework.core.vocab import Role
from tests.clients import client_for
from tests.world import build_world


class _Forms(HTMLParser):
    """Every form of a page with its fields as a browser sends them (several values kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._textarea: list[str] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("file", "password"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1][1].append((a["name"], a.get("value", "y")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select, self._options, self._multiple = a["name"], [], "multiple" in a
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            name, value = self._textarea
            self.forms[-1][1].append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]
            self.forms[-1][1].extend((self._select, v) for v in chosen)
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def _form(client, url: str) -> MultiDict:
    """The fields of the form of ``url`` that posts to itself, as loaded now."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    for action, fields in parser.forms:
        if action in ("", url):
            return MultiDict(fields)
    raise LookupError(url)


@pytest.mark.parametrize("field", ["agencies", "source_ids"])
def test_event_edit_of_agencies_or_sources_is_not_overwritten_by_a_stale_form(app, field):
    world = build_world()
    cw = world.ordinary
    url = f"/cases/{cw.case.public_id}/events/{cw.event.public_id}/edit"
    monitor = client_for(app, world.on[Role.MONITOR])
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    mine = _form(monitor, url)
    theirs = _form(coordinator, url)  # opened at the same time, same version

    if field == "agencies":
        mine["agencies"] = "Border guards"
    else:
        mine.setlist("source_ids", [cw.source.public_id])
    assert monitor.post(url, data=mine).status_code == 302  # the entitled edit is saved
    db.session.expire_all()
    assert (
        [a.name for a in cw.event.agencies] == ["Border guards"]
        if field == "agencies"
        else [s.id for s in cw.event.sources] == [cw.source.id]
    )

    theirs["description"] = "Coordinator's rewording"
    response = coordinator.post(url, data=theirs)
    db.session.expire_all()
    # The second save was made on an older version: it must be refused (409) and the
    # monitor's change kept, as for any other field of the event.
    assert response.status_code == 409
    if field == "agencies":
        assert [a.name for a in cw.event.agencies] == ["Border guards"]
    else:
        assert [s.id for s in cw.event.sources] == [cw.source.id]


def test_legal_link_sources_are_not_overwritten_by_a_stale_form(app):
    world = build_world()
    cw = world.ordinary
    url = f"/cases/{cw.case.public_id}/legal/links/{cw.link.public_id}/edit"
    lawyer = client_for(app, world.on[Role.LAWYER])
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    mine = _form(lawyer, url)
    theirs = _form(coordinator, url)

    mine.setlist("sources", [cw.source.public_id])
    assert lawyer.post(url, data=mine).status_code == 302
    db.session.expire_all()
    assert [s.id for s in cw.link.sources] == [cw.source.id]

    theirs["analysis"] = "Coordinator's analysis"
    response = coordinator.post(url, data=theirs)
    db.session.expire_all()
    assert response.status_code == 409
    assert [s.id for s in cw.link.sources] == [cw.source.id]


def test_action_cases_are_not_overwritten_by_a_stale_form(app):
    world = build_world()
    action = world.ordinary.action
    url = f"/advocacy/actions/{action.public_id}/edit"
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    lawyer = client_for(app, world.on[Role.LAWYER])
    mine = _form(coordinator, url)
    theirs = _form(lawyer, url)

    both = f"{world.ordinary.case.reference}, {world.restricted.case.reference}"
    mine["cases"] = both
    assert coordinator.post(url, data=mine).status_code == 302
    db.session.expire_all()
    assert {c.id for c in action.cases} == {world.ordinary.case.id, world.restricted.case.id}

    theirs["title"] = "Urgent appeal (renamed)"
    response = lawyer.post(url, data=theirs)
    db.session.expire_all()
    assert response.status_code == 409
    assert {c.id for c in action.cases} == {world.ordinary.case.id, world.restricted.case.id}


def test_only_links_count_not_child_rows(app):
    """Many-to-many links are edited in the record's own form; child rows (a case's team, its
    people) are records of their own, and only what changes the case touches it."""
    from casework.cases.models import CaseMember
    from casework.core.vocab import TeamRole
    from tests.factories import make_user

    world = build_world()
    case = world.ordinary.case
    version = case.version
    lawyer = make_user(Role.LAWYER)
    case.members.append(CaseMember(user_id=lawyer.id, team_role=TeamRole.LAWYER))
    db.session.commit()
    db.session.expire_all()
    assert case.version == version
