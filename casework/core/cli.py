"""``flask --app casework seed``: load the reference data every installation needs."""

from __future__ import annotations

from collections.abc import Callable

import click

from casework.core.db import db

# Each seeder is idempotent: it adds what is missing and never overwrites what users edited.
SEEDERS: list[tuple[str, Callable[[], str]]] = []


def register_seeder(name: str, seeder: Callable[[], str]) -> None:
    """Add a seeder (called once per `seed` run, in registration order)."""
    if all(existing != name for existing, _ in SEEDERS):
        SEEDERS.append((name, seeder))


def run_seeders() -> list[str]:
    """Run every seeder; return their reports."""
    return [f"{name}: {seeder()}" for name, seeder in SEEDERS]


@click.command("seed")
def seed_command() -> None:
    """Load reference data (legal catalogue, target bodies...). Safe to run again."""
    for line in run_seeders():
        click.echo(line)
    db.session.commit()
