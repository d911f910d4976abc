"""A link built for each row of a page is the link url_for builds, the rule walked once."""

from __future__ import annotations

import pytest
from flask import url_for

from casework.core import rowurls
from casework.core.rowurls import row_url

ROWS = [
    ("cases.hide_record", {"public_id": "AbC-12_x", "kind": "people", "record_id": "Zz9_-q"}),
    ("cases.hide_record", {"public_id": "AbC-12_x", "kind": "comments", "record_id": 42}),
    ("cases.restore_record", {"public_id": "AbC-12_x", "kind": "events", "record_id": "e1"}),
    ("cases.edit_event", {"public_id": "AbC-12_x", "event_id": "Ev-1"}),
    ("legal.provision", {"code": "CAT:3"}),
    ("legal.provision", {"code": "ICCPR:7.1"}),
    # Values url_for writes otherwise: built by url_for itself.
    ("legal.provision", {"code": "ЕКПЧ 3"}),
    ("legal.provision", {"code": "a/b?c#d"}),
    ("cases.edit_event", {"public_id": "AbC-12_x", "event_id": "Rowurlstandin0Rowurlstandin"}),
    # An argument the rule does not take goes in the query string: url_for's.
    ("cases.case_list", {"page": 2}),
    ("core.dashboard", {}),
]


def test_each_row_gets_the_link_url_for_gives(app):
    with app.test_request_context("/"):
        for endpoint, values in ROWS * 2:
            assert row_url(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)


def test_a_kind_of_record_the_rule_does_not_know_is_refused_as_url_for_refuses_it(app):
    with app.test_request_context("/"):
        values = {"public_id": "AbC", "kind": "people", "record_id": "x"}
        row_url("cases.hide_record", **values)
        with pytest.raises(Exception) as refused:
            url_for("cases.hide_record", **{**values, "kind": "cases"})
        with pytest.raises(type(refused.value)):
            row_url("cases.hide_record", **{**values, "kind": "cases"})


def test_the_rule_is_walked_once_per_request_and_kind_not_per_row(app, monkeypatch):
    built: list[str] = []

    def counted(endpoint: str, **values):
        built.append(endpoint)
        return url_for(endpoint, **values)

    monkeypatch.setattr(rowurls, "url_for", counted)
    with app.test_request_context("/"):
        for i in range(30):
            for kind in ("people", "events"):
                row_url("cases.hide_record", public_id="Case1", kind=kind, record_id=f"r{i}")
            row_url("cases.edit_event", public_id="Case1", event_id=f"e{i}")
    # hide_record: one refused stand-in for the kind, then one pattern per kind; edit_event: one.
    assert len(built) <= 6, built


def test_a_row_link_costs_a_few_calls(app):
    """Once its rule is walked, each row's link is its values put in place: a few calls, not
    a generator resumed for every piece of the URL."""
    import sys
    from pathlib import Path

    own = str(Path(rowurls.__file__))
    counted = 0

    def profile(frame, event, arg) -> None:
        nonlocal counted
        while frame is not None and event in ("call", "c_call"):
            if frame.f_code.co_filename == own:
                counted += 1
                return
            frame = frame.f_back

    with app.test_request_context("/"):
        row_url("cases.case_file", public_id="Case0")
        sys.setprofile(profile)
        try:
            links = [row_url("cases.case_file", public_id=f"Case{i}") for i in range(25)]
        finally:
            sys.setprofile(None)
        assert links == [url_for("cases.case_file", public_id=f"Case{i}") for i in range(25)]
    assert counted <= 25 * 19, counted  # 25 * 22 with a generator per link
