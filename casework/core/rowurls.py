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

from flask import g, has_request_context, url_for
from werkzeug.routing import BuildError

_PLAIN = re.compile(r"[A-Za-z0-9_.:-]+")
# A stand-in url_for writes as it is, which no value of ours holds.
_STAND_IN = "Rowurlstandin{}Rowurlstandin"
_KEY = "casework_row_urls"


def _plain(value: Any) -> bool:
    return (
        isinstance(value, str | int)
        and not isinstance(value, bool)
        and _PLAIN.fullmatch(str(value)) is not None
    )


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
    if not has_request_context() or not values or not all(map(_plain, values.values())):
        return url_for(endpoint, **values)
    patterns = g.setdefault(_KEY, {})
    names = (endpoint, tuple(sorted(values)))
    if names not in patterns:
        patterns[names] = _built_in(endpoint, values)
    built_in = patterns[names]
    if built_in is None:
        return url_for(endpoint, **values)
    key = (names, tuple([values[name] for name in built_in]) if built_in else ())
    if key not in patterns:
        patterns[key] = _pattern(endpoint, values, built_in)
    pieces = patterns[key]
    if pieces is None:
        return url_for(endpoint, **values)
    # Lists, not generators: a generator is resumed (a call) for each piece of each row.
    return "".join([str(values[p]) if i % 2 else p for i, p in enumerate(pieces)])
