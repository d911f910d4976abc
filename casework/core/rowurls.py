"""Links built once per row of a page (each person, event, legal link or action of a case file
has its own Edit and Remove): ``row_url`` gives what ``url_for`` gives, with the endpoint's rule
walked once per request rather than once per row.

The first call for an endpoint (with these argument names) builds its URL with a stand-in for
each value, and each call puts its values in their places. A value the rule allows only some of
(the kind of record) is built in rather than stood in for. Only a value that ``url_for`` writes as
it is (letters, digits and ``-_.:``: public ids, numbers, provision codes) is put in that way;
any other, an argument the rule would add as a query string, and a rule that refuses a stand-in
(a number) go through ``url_for`` itself.
"""

from __future__ import annotations

import re
from typing import Any

from flask import has_request_context, url_for
from flask.globals import _cv_app
from werkzeug.routing import BuildError

_PLAIN = re.compile(r"[A-Za-z0-9_.:-]+")
_PLAIN_MATCH = _PLAIN.fullmatch
# A stand-in url_for writes as it is, which no value of ours holds.
_STAND_IN = "Rowurlstandin{}Rowurlstandin"
_KEY = "casework_row_urls"
_UNKNOWN: Any = object()  # not looked at yet (None: looked at, url_for builds it)


def _pattern(endpoint: str, values: dict[str, Any], built_in: tuple[str, ...]) -> list[str] | None:
    """The URL in pieces: text, a value's name, text... (None: a stand-in is refused, or the
    URL is not made of its values in place)."""
    stand_ins = {
        name: _STAND_IN.format(i) for i, name in enumerate(sorted(values)) if name not in built_in
    }
    try:
        url = url_for(endpoint, **{**values, **stand_ins})
    except (BuildError, ValueError):
        return None
    if "?" in url:
        return None
    names = {v: k for k, v in stand_ins.items()}
    pieces = re.split("(" + "|".join(map(re.escape, names)) + ")", url)
    if sorted(pieces[1::2]) != sorted(names):  # each exactly once
        return None
    return [names[p] if i % 2 else p for i, p in enumerate(pieces)]


def _built_in(endpoint: str, values: dict[str, Any]) -> tuple[str, ...] | None:
    """The names whose values are built in: none if the rule takes a stand-in for each, else
    the one it refuses one for (an ``any`` of some kinds); None if neither works."""
    if _pattern(endpoint, values, ()) is not None:
        return ()
    for name in sorted(values):
        if _pattern(endpoint, values, (name,)) is not None:
            return (name,)
    return None


def row_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)``, the rule walked once per request."""
    if not values or not has_request_context():
        return url_for(endpoint, **values)
    # A plain loop, not a generator: this runs for every link of every row.
    for value in values.values():
        kind = type(value)
        if not (kind is str or kind is int) or _PLAIN_MATCH(str(value)) is None:
            return url_for(endpoint, **values)
    # Per request: the names built in for an endpoint and its argument names, and the URL's
    # pieces for those and the values built in.
    built_ins, patterns = _cv_app.get().g.__dict__.setdefault(_KEY, ({}, {}))
    names = (endpoint, *values)
    built_in = built_ins.get(names, _UNKNOWN)
    if built_in is _UNKNOWN:
        built_in = built_ins[names] = _built_in(endpoint, values)
    if built_in is None:
        return url_for(endpoint, **values)
    key = (names, *[values[name] for name in built_in]) if built_in else (names,)
    pieces = patterns.get(key, _UNKNOWN)
    if pieces is _UNKNOWN:
        pieces = patterns[key] = _pieces(_pattern(endpoint, values, built_in))
    if pieces is None:
        return url_for(endpoint, **values)
    url = ""
    for text, name in pieces:
        url += text if name is None else str(values[name])
    return url


def _pieces(pattern: list[str] | None) -> list[tuple[str, str | None]] | None:
    """The pattern as (text, None) and ("", value's name) pairs, in order."""
    if pattern is None:
        return None
    return [("", p) if i % 2 else (p, None) for i, p in enumerate(pattern)]
