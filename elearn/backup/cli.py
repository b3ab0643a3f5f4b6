"""``flask backup create`` and ``flask backup restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from elearn import clock
from elearn.backup.snapshots import BackupError, create_snapshot, restore_snapshot
from elearn.extensions import db

backup_cli = click.Group("backup", help="Back up and restore the database.")


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: instance/backups/elearn-<UTC time>.<ext>).",
)
def create_command(output: Path | None) -> None:
    """Write a consistent snapshot: SQLite online backup, or pg_dump's custom format."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if output is None:
        extension = "sqlite" if url.startswith("sqlite") else "dump"
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        output = Path(current_app.instance_path) / "backups" / f"elearn-{stamp}.{extension}"
    try:
        path = create_snapshot(url, output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {path} ({path.stat().st_size} bytes)")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace ALL current data with the backup at PATH (stop the app first)."""
    if not yes:
        click.confirm(f"Replace every row of the current database with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old state
    try:
        restore_snapshot(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored from {path}")
