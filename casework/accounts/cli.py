"""``flask --app casework user ...``: account administration from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from casework.accounts import services
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.vocab import Role

user_cli = AppGroup("user", help="Manage accounts.")


@user_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", default=None, help="Display name.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
def create_command(email: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account with EMAIL and ROLE; the password is prompted for."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, password, role, display_name)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@user_cli.command("list")
def list_command() -> None:
    """List accounts (e-mail, role, active)."""
    for user in services.list_users():
        state = "active" if user.is_active_account else "deactivated"
        click.echo(f"{user.email}\t{user.role.value}\t{state}")
