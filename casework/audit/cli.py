"""``flask --app casework audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from casework.audit import chain
from casework.core.db import db

audit_cli = AppGroup("audit", help="The audit trail.")


def _anchor(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list:
    anchors = []
    for value in values:
        seq, _, digest = value.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter(f"{value!r} is not SEQ:HASH (as printed by audit verify)")
        anchors.append((int(seq), digest.lower()))
    return anchors


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    callback=_anchor,
    metavar="SEQ:HASH",
    help="A link noted earlier outside the database; it must still be in the chain.",
)
def verify_command(anchors: list[tuple[int, str]]) -> None:
    """Walk the hash chain; name the first broken link and exit 1 if there is one."""
    verdict = chain.verify(db.session, anchors=anchors)
    if verdict.ok:
        click.echo(f"Audit trail intact: {verdict.checked} entries.")
        click.echo(f"Head: {verdict.head_seq}:{verdict.head_hash}")
        return
    click.echo(f"Audit trail BROKEN at {verdict.broken}.", err=True)
    click.echo(f"The {verdict.checked} entries before it are intact.", err=True)
    raise SystemExit(1)
