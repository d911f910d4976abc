"""``flask --app casework people ...``: who may be the same person, and the matching index."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from casework.accounts.services import get_by_email
from casework.audit.services import record
from casework.core import indexversions
from casework.core.db import db
from casework.people.matching import INDEX_NAME, RULES_VERSION, find_matches, reindex_all

people_cli = AppGroup("people", help="People: matching names across scripts.")


def cli_user(email: str | None):
    """The active account the command acts as (``--as``); a usage error otherwise."""
    if not email:
        raise click.UsageError("Say whose access to use: --as EMAIL.")
    user = get_by_email(email)
    if user is None or not user.is_active:
        raise click.UsageError("No active account with that e-mail address.")
    return user


# A command's arguments stay in the shell's history, and every account of the server reads them
# (``ps``) while it runs: a name is typed when asked, as the pages and the API take it in a
# form's body rather than in an address.
NAME_ON_COMMAND_LINE = (
    "A name given on the command line stays in the shell's history and is shown to every "
    "account of the server while the command runs: leave it out and type it when asked (or "
    "give it on standard input)."
)


@people_cli.command("match")
@click.argument("name", required=False, metavar="")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this account (its access).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of candidates.")
@click.option("--birth-year", type=int, default=None, help="Birth year, if known.")
@click.option("--nationality", default=None, help="ISO 3166 alpha-2 code, if known.")
def match_command(
    name: str | None,
    as_email: str | None,
    as_json: bool,
    birth_year: int | None,
    nationality: str | None,
) -> None:
    """People the account may see who may be the person whose name (any script) is typed when
    asked, or given on standard input (one line)."""
    if name is not None:
        raise click.UsageError(NAME_ON_COMMAND_LINE)
    user = cli_user(as_email)
    # The prompt goes to standard error: standard output is the answer (--json reads it).
    name = click.prompt("Name", err=True).strip()
    found = find_matches(user, [name], birth_year=birth_year, nationality=nationality)
    # Names of people are read: audited as the pages' and the API's name searches are.
    record(user, "case.name_search", object_type="search", results=len(found))
    db.session.commit()
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=1))
        return
    if not found:
        click.echo("Nobody likely.")
    for c in found:
        click.echo(f"{c.person.public_id}\t{c.score:.0f}\t{' / '.join(c.names)}")
        for reason in c.reasons:
            click.echo(f"\t\t{reason}")


@people_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the matching keys of every name (after changing BLIND_INDEX_KEY or an upgrade
    that changes how names are normalised)."""
    count = reindex_all()
    indexversions.record(INDEX_NAME, RULES_VERSION)
    db.session.commit()
    click.echo(f"Indexed {count} names.")
