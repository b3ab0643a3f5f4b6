"""The third-party test data beside the repository (../shared/testdata).

Tests that read it skip, with the path in the reason, when it is absent. CI has it, so there
REQUIRE_TESTDATA=1 (set by .ci/run) turns such a skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"


def require_shared(path: Path) -> Path:
    """Return ``path`` if it exists; otherwise skip, or fail when the data is required."""
    if path.exists():
        return path
    message = f"shared test data absent: {path}"
    if os.environ.get("REQUIRE_TESTDATA"):
        pytest.fail(f"REQUIRE_TESTDATA is set but {message}")
    pytest.skip(message)
