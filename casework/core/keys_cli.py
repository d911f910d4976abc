"""``flask --app casework keys ...``: master key generation, rotation and status.

Rotating the master key (data keys are re-wrapped, values are not touched)::

    # 1. make a new key, keep the old one at hand
    flask --app casework keys generate --file /etc/casework/master_key.new
    # 2. re-wrap every data key; resumable: run it again after an interruption
    CASEWORK_OLD_MASTER_KEY_FILE=/etc/casework/master_key \\
    CASEWORK_MASTER_KEY_FILE=/etc/casework/master_key.new flask --app casework keys rotate
    # 3. keep only the new key, check, then destroy the old one
    CASEWORK_MASTER_KEY_FILE=/etc/casework/master_key.new flask --app casework keys status
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from casework.core.crypto import CryptoError, MasterKey, new_key_text
from casework.core.db import db
from casework.core.keyring import key_status, keyring, retire_active_keys, rotate_master_key
from config import ConfigError, read_key_file

keys_cli = AppGroup("keys", help="Master key and data keys (encryption at rest).")


def _key_option(option_path: str | None, env_name: str, default: str | None) -> MasterKey | None:
    try:
        if option_path:
            return MasterKey.parse(read_key_file(Path(option_path)))
        text = os.environ.get(f"CASEWORK_{env_name}")
        file_name = os.environ.get(f"CASEWORK_{env_name}_FILE")
        if not text and file_name:
            text = read_key_file(Path(file_name))
        text = text or default
        return MasterKey.parse(text) if text else None
    except (ConfigError, CryptoError) as exc:
        raise click.ClickException(str(exc)) from exc


@keys_cli.command("generate")
@click.option("--file", "path", type=click.Path(dir_okay=False), help="Write it here (mode 0600).")
def generate_command(path: str | None) -> None:
    """Make a new random master key."""
    key = new_key_text()
    if path is None:
        click.echo(key)
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} exists; it is never overwritten") from exc
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    click.echo(f"master key {MasterKey.parse(key).id} written to {path}")


@keys_cli.command("rotate")
@click.option(
    "--old-key-file",
    type=click.Path(dir_okay=False),
    help="The current key (default: CASEWORK_OLD_MASTER_KEY or CASEWORK_OLD_MASTER_KEY_FILE).",
)
@click.option(
    "--new-key-file",
    type=click.Path(dir_okay=False),
    help="The new key (default: CASEWORK_NEW_MASTER_KEY[_FILE], else the configured master key).",
)
def rotate_command(old_key_file: str | None, new_key_file: str | None) -> None:
    """Re-wrap every data key under a new master key. Safe to run again after an interruption."""
    old = _key_option(old_key_file, "OLD_MASTER_KEY", current_app.config.get("OLD_MASTER_KEY"))
    new = _key_option(new_key_file, "NEW_MASTER_KEY", current_app.config["MASTER_KEY"])
    if old is None or new is None:
        raise click.ClickException("give the old master key (CASEWORK_OLD_MASTER_KEY_FILE)")
    if old.id == new.id:
        raise click.ClickException("the old and the new master key are the same key")
    try:
        report = rotate_master_key(db.engine, old, new)
    except CryptoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{report.rewrapped} data key(s) re-wrapped, {report.already_done} already under "
        f"master key {new.id}. Every data key is now wrapped by {new.id}: the old key "
        f"{old.id} can be removed."
    )


@keys_cli.command("status")
def status_command() -> None:
    """Check that the configured master key(s) unwrap every data key."""
    try:
        with db.engine.connect() as conn:
            counts = key_status(conn, keyring())
    except CryptoError as exc:
        raise click.ClickException(str(exc)) from exc
    current = keyring().master.id
    for master_id, n in sorted(counts.items()):
        mark = " (configured)" if master_id == current else " (old: run `keys rotate`)"
        click.echo(f"master key {master_id}{mark}: {n} data key(s)")
    if not counts:
        click.echo("no data keys yet")


@keys_cli.command("new-data-key")
def new_data_key_command() -> None:
    """Seal new values with a fresh data key (older keys keep decrypting older values)."""
    with db.engine.begin() as conn:
        retire_active_keys(conn)
        key_id, _key = keyring().create_key(conn)
    click.echo(f"new values are sealed with data key {key_id}")
