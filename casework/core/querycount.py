"""SQL statements per request, for benchmarks only: ``CASEWORK_COUNT_QUERIES=1`` makes every
response carry an ``X-Query-Count`` header. Off (nothing installed) unless that variable is set;
never set it in production (the header tells a client how much work a page does)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

ENV_VAR = "CASEWORK_COUNT_QUERIES"


def enabled() -> bool:
    return os.environ.get(ENV_VAR) == "1"


def init_query_count(app: Flask) -> None:
    """Count statements sent to the database during each request (bench runs only)."""
    if not enabled():
        return

    def count(*_args: Any, **_kwargs: Any) -> None:
        if has_request_context():
            g._query_count = g.get("_query_count", 0) + 1

    event.listen(Engine, "before_cursor_execute", count)

    @app.after_request
    def add_header(response: Any) -> Any:
        response.headers["X-Query-Count"] = str(g.get("_query_count", 0))
        return response
