"""``flask backup create`` and ``flask backup restore``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app

from elearn import clock
from elearn.backup.keys import (
    Placement,
    check_passphrase,
    collect_keys,
    keys_path,
    place,
    plan_placements,
    seal,
    unseal,
)
from elearn.backup.snapshots import BackupError, create_snapshot, restore_snapshot
from elearn.extensions import db
from elearn.settings import current_settings

backup_cli = click.Group("backup", help="Back up and restore the database and its keys.")

PASSPHRASE_ENV = "BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name
ASK_FOR_IT = (
    "no passphrase for the keys: give --passphrase-file FILE, set BACKUP_PASSPHRASE, or run "
    "in a terminal to be asked"
)
WITHOUT_KEYS_WARNING = (
    "WARNING: the certificate signing key and SECRET_KEY are NOT in this backup. Restored on "
    "another machine, no certificate will verify unless you restore the key yourself."
)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _passphrase(passphrase_file: Path | None, *, confirm: bool) -> str | None:
    """From the file, else BACKUP_PASSPHRASE, else a hidden prompt in a terminal, else None."""
    if passphrase_file is not None:
        return passphrase_file.read_text(encoding="utf-8").rstrip("\r\n")
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if _interactive():
        return str(
            click.prompt(
                "Passphrase for the backup's keys", hide_input=True, confirmation_prompt=confirm
            )
        )
    return None


_PASSPHRASE_FILE = click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"File whose first line is the passphrase (else ${PASSPHRASE_ENV}, else a prompt).",
)


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: instance/backups/elearn-<UTC time>.<ext>).",
)
@_PASSPHRASE_FILE
@click.option(
    "--without-keys",
    is_flag=True,
    help="Leave the signing key and SECRET_KEY out (restored certificates will not verify).",
)
def create_command(output: Path | None, passphrase_file: Path | None, without_keys: bool) -> None:
    """Write a consistent snapshot and, next to it, its keys sealed with a passphrase.

    The snapshot is SQLite's online backup or pg_dump's custom format; the keys go to
    <snapshot>.keys.age (age, passphrase mode). Keep both files together.
    """
    passphrase = None
    if not without_keys:
        passphrase = _passphrase(passphrase_file, confirm=True)
        if passphrase is None:
            raise click.ClickException(
                f"{ASK_FOR_IT}; or pass --without-keys to back up the database alone. "
                "Nothing was written."
            )
    url = current_settings().database_url
    if output is None:
        extension = "sqlite" if url.startswith("sqlite") else "dump"
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        output = Path(current_app.instance_path) / "backups" / f"elearn-{stamp}.{extension}"
    try:
        if passphrase is not None:
            check_passphrase(passphrase)  # before writing anything
            keys = collect_keys(current_app.instance_path, current_app.config)
        path = create_snapshot(url, output)
        if passphrase is not None:
            sealed = seal(keys, path, passphrase)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {path} ({path.stat().st_size} bytes)")
    if passphrase is None:
        click.echo(WITHOUT_KEYS_WARNING, err=True)
        return
    names = ", ".join(f"{k.name} (from {k.source})" for k in keys)
    click.echo(f"keys written to {sealed}: {names}; keep both files together")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_PASSPHRASE_FILE
@click.option(
    "--without-keys", is_flag=True, help="Restore the database alone, ignoring any keys file."
)
@click.option(
    "--replace-keys",
    is_flag=True,
    help="Install the backup's keys over different ones here (the old files are kept).",
)
def restore_command(
    path: Path, yes: bool, passphrase_file: Path | None, without_keys: bool, replace_keys: bool
) -> None:
    """Replace ALL current data with the backup at PATH, and put its keys back (stop the app).

    A key file here that holds a different key is never overwritten without --replace-keys.
    """
    try:
        placements = [] if without_keys else _plan_keys(path, passphrase_file, replace_keys)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes:
        click.confirm(f"Replace every row of the current database with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old state
    try:
        restore_snapshot(current_settings().database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored from {path}")
    if without_keys:
        click.echo("WARNING: keys not restored (--without-keys)", err=True)
        return
    place(placements, stamp=clock.now().strftime("%Y%m%dT%H%M%SZ"))
    current_app.extensions.pop("certificate_signing_key", None)  # load the restored one
    for placement in placements:
        click.echo(placement.note)
    for placement in placements:
        if placement.key.source == "environment" and placement.target is not None:
            click.echo(
                f"ACTION NEEDED: put {placement.key.name} back into the environment "
                f"from {placement.target}",
                err=True,
            )


def _plan_keys(path: Path, passphrase_file: Path | None, replace_keys: bool) -> list[Placement]:
    """Decrypt the keys and decide where they go; BackupError before anything changes."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    sealed = keys_path(path)
    if not sealed.is_file():
        raise BackupError(
            f"{sealed} not found: copy it next to the backup, or pass --without-keys to "
            "restore the database alone (certificates then verify only if this instance "
            "already has the signing key). Nothing was changed."
        )
    passphrase = _passphrase(passphrase_file, confirm=False)
    if passphrase is None:
        raise BackupError(f"{ASK_FOR_IT}. Nothing was changed.")
    keys = unseal(path, passphrase)
    placements = plan_placements(keys, current_app.instance_path, current_app.config)
    clashes = [p for p in placements if p.replaces]
    if clashes and not replace_keys:
        names = ", ".join(str(p.target) for p in clashes)
        raise BackupError(
            f"{names} already hold(s) a different key; nothing was changed. Pass "
            "--replace-keys to install the backup's keys (the old files are kept as "
            "<file>.replaced-<time>)."
        )
    return placements
