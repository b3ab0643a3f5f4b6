"""Consistent database snapshots: SQLite's online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with fixed arguments, no shell
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq_url(url: URL) -> str:
    """pg_dump wants a libpq URL: no '+psycopg' driver suffix."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found; install the PostgreSQL client tools")
    return path


def create_snapshot(database_url: str, target: Path) -> Path:
    """Write a consistent snapshot of the database to ``target``."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        # The online backup API copies a consistent state while the app keeps writing.
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return target
    if url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
              f"--dbname={_libpq_url(url)}"])  # fmt: skip
        return target
    raise BackupError(f"unsupported database: {url.get_backend_name()}")


def restore_snapshot(database_url: str, source: Path) -> None:
    """Replace the database's content with the snapshot at ``source``."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as snapshot:
                snapshot.execute("PRAGMA schema_version").fetchone()
                with sqlite3.connect(_sqlite_path(url)) as live:
                    snapshot.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source}: not a SQLite backup ({exc})") from None
        return
    if url.get_backend_name() == "postgresql":
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(url)}", str(source)])  # fmt: skip
        return
    raise BackupError(f"unsupported database: {url.get_backend_name()}")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        # The URL may hold a password: report the tool's own message only.
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:2000]}")
