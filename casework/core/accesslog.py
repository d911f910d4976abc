"""Request logs without secrets: no query strings, and secret URL paths redacted.

Query strings carry filter values (nationality, status, dates...) and some paths carry a
credential (the calendar feed's secret). The web server's request logger (Werkzeug in
development, gunicorn's access log in production) writes whole request lines, so a filter on
those loggers rewrites each line before any handler sees it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Loggers that write one line per request.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[redacted]"

_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
_RULE_VARIABLE = re.compile(r"<[^>]+>")


def _secret_path(rule: str) -> tuple[re.Pattern[str], str]:
    """A pattern matching the URL rule ``rule`` and its replacement with variables redacted."""
    literals = _RULE_VARIABLE.split(rule)
    pattern = r"[^/\s\"'?]+".join(re.escape(part) for part in literals)
    return re.compile(pattern), REDACTED.join(literals)


class AccessLogFilter(logging.Filter):
    """Rewrites request log lines: strips query strings, redacts the given secret paths."""

    def __init__(self, secret_rules: Iterable[str] = ()) -> None:
        super().__init__()
        self.secret_paths = [_secret_path(rule) for rule in secret_rules]

    def redact(self, line: str) -> str:
        line = _QUERY.sub(r"\1", line)
        for pattern, replacement in self.secret_paths:
            line = pattern.sub(replacement, line)
        return line

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = ()
        return True


def install(secret_rules: Iterable[str]) -> AccessLogFilter:
    """Put one filter (replacing any earlier one) on every request logger."""
    access_filter = AccessLogFilter(secret_rules)
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, AccessLogFilter)]:
            logger.removeFilter(old)
        logger.addFilter(access_filter)
    return access_filter
