"""Building a URL for every rule of the app, for tests that walk the whole URL map."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.routing import IntegerConverter, Rule


def build_url(rule: Rule, value_for: Callable[[str], str | None] = lambda name: None) -> str:
    """A URL for ``rule``: ``value_for(argument)`` if it gives one, else a value of the right kind."""
    args: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        items = getattr(converter, "items", None)  # any(...) accepts only its items
        given = value_for(name)
        if items and given not in items:
            args[name] = sorted(items)[0]  # an any(...) argument takes only its own items
        elif given is not None:
            args[name] = given
        elif isinstance(converter, IntegerConverter):
            args[name] = 999_999
        else:
            args[name] = "zz" + "9" * 14
    return rule.build(args, append_unknown=False)[1]
