"""Node verifiers for interoperability checks: node and npm, and this folder's node_modules.

Without node/npm the tests skip with the reason; REQUIRE_NODE=1 (for CI) turns the skip into
a failure, as REQUIRE_POSTGRES does. node_modules is installed here with ``npm ci`` (exactly
package-lock.json) when it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.node_packages import node_with_packages

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with this folder's packages installed."""
    return node_with_packages(HERE, "jose/package.json", "Node interop check")
