"""``flask --app casework search reindex``: rebuild the keyed token index of free text."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from casework.cases.events import reindex_places
from casework.core import indexversions
from casework.core.db import db
from casework.search.index import INDEX_NAME, RULES_VERSION, reindex_all

search_cli = AppGroup("search", help="Full-text search: the keyed token index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild every record's tokens and every place's key (existing data, a new
    BLIND_INDEX_KEY, new rules)."""
    started = time.perf_counter()
    count = reindex_all()
    indexversions.record(INDEX_NAME, RULES_VERSION)
    # Places are found again by a key of their name under the same key (cases.events).
    places = reindex_places()
    db.session.commit()
    click.echo(
        f"Indexed {count} records and {places} places in {time.perf_counter() - started:.1f} s."
    )
