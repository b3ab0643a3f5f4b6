"""Node verifiers for interoperability checks: node and npm, and this folder's node_modules.

Without node/npm the tests skip with the reason; REQUIRE_NODE=1 (for CI) turns the skip into
a failure, as REQUIRE_POSTGRES does. node_modules is installed here with ``npm ci`` (exactly
package-lock.json) when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_NODE"):
        pytest.fail(f"REQUIRE_NODE is set but {reason}")
    pytest.skip(f"Node interop check skipped: {reason}")


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with this folder's packages installed."""
    node_path, npm_path = shutil.which("node"), shutil.which("npm")
    if node_path is None or npm_path is None:
        _unavailable("node and npm are not both on PATH")
    assert node_path is not None and npm_path is not None
    if not (HERE / "node_modules" / "jose" / "package.json").exists():
        done = subprocess.run(
            [npm_path, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci failed in {HERE}: {done.stderr.strip()[-500:]}")
    return node_path
