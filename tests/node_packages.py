"""Node.js packages pinned under tests/ (tests/oidc, tests/interop, tests/dcc), for the tests
that check us from outside.

``node_with_packages(folder, marker, check)`` returns the node binary once ``npm ci`` has
installed that folder's package-lock.json (only when ``marker`` is missing from its
node_modules). Parallel pytest workers take turns: the first runs ``npm ci`` while holding
a lock on the folder, the others wait and then find the marker. Without node or npm the
calling test skips with the reason; REQUIRE_NODE=1 (set by .ci/run) turns that skip into a
failure, as REQUIRE_POSTGRES does.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest


def not_available(check: str, reason: str) -> NoReturn:
    """Skip the test (or fail it under REQUIRE_NODE=1), naming what ``check`` needed."""
    if os.environ.get("REQUIRE_NODE") == "1":
        pytest.fail(f"REQUIRE_NODE=1 but {reason}", pytrace=False)
    pytest.skip(f"{check} skipped: {reason}")


def node_and_npm(check: str) -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        not_available(check, "node and npm are needed (apt-get install nodejs npm)")
    return node, npm


def node_with_packages(folder: Path, marker: str, check: str) -> str:
    """The node binary, with ``folder``'s pinned packages installed."""
    node, npm = node_and_npm(check)
    with _held(folder):
        # `npm ci` first deletes node_modules: a second one running would pull the packages
        # from under the first, and a check reading them meanwhile would find half a tree.
        if not (folder / "node_modules" / marker).exists():
            result = subprocess.run(  # noqa: S603 - a fixed command on our own lock file
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                not_available(check, f"npm ci failed in {folder}: {result.stderr.strip()[-500:]}")
    return node


@contextmanager
def _held(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (flock on the directory itself, no lock file)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
