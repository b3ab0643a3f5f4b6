"""Key files in instance/: written whole (fsynced, then moved into place), owner-readable only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_once(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (mode 600) unless the file exists; True if this call wrote it.

    Two workers starting together must not each use a key that the other then
    overwrites: link() never replaces an existing file, unlike rename(). The loser
    reads the winner's file.
    """
    temporary = _synced_temporary(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)
    _fsync_directory(path.parent)
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 600), replacing it atomically."""
    temporary = _synced_temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _synced_temporary(path: Path, data: bytes) -> str:
    """A new file beside ``path`` holding ``data``, mode 600, on disk; return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the file itself is synced
    finally:
        os.close(fd)
