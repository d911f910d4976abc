"""``flask --app casework search reindex``: rebuild the keyed token index of free text."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from casework.cases.events import reindex_places
from casework.cases.services import reindex_external_refs
from casework.core import indexversions
from casework.core.db import db
from casework.search.index import INDEX_NAME, RULES_VERSION, reindex_all

search_cli = AppGroup("search", help="Full-text search: the keyed token index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild every record's tokens, every place's key and the key of every case's own
    reference (existing data, a new BLIND_INDEX_KEY, new rules)."""
    started = time.perf_counter()
    count = reindex_all()
    indexversions.record(INDEX_NAME, RULES_VERSION)
    # Places are found again by a key of their name under the same key (cases.events).
    places = reindex_places()
    # So is a case's own reference, which an import looks a file's case keys up by.
    references = reindex_external_refs()
    db.session.commit()
    click.echo(
        f"Indexed {count} records, {places} places and {references} own references of cases"
        f" in {time.perf_counter() - started:.1f} s."
    )
