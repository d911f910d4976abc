"""``flask --app casework documents recheck``: the upload checks run again over stored files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from casework.core.db import db
from casework.evidence.services import recheck_locations

documents_cli = AppGroup("documents", help="Stored documents.")


@documents_cli.command("recheck")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every document, not only those stored before the checks existed.",
)
def recheck_command(every: bool) -> None:
    """Check stored documents again for a recorded location (GPS coordinates, a GPS track) and
    mark those that record one, as an upload is marked. Documents are named by their id."""
    report = recheck_locations(every=every)
    db.session.commit()
    click.echo(
        f"Checked {report.checked} documents: {len(report.marked)} newly marked as recording"
        " a place."
    )
    if report.marked:
        click.echo(f"Marked: {' '.join(report.marked)}")
    if report.unreadable:
        click.echo(f"Could not be read: {' '.join(report.unreadable)}")
