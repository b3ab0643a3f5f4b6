"""Coordinator tests process uploads in their job, run inline, with the renderer in-process.

Tests that check the limited render process switch it back (see test_uploads.py).
"""

import pytest
from flask import Flask

from elearn.settings import with_changes


@pytest.fixture(autouse=True)
def inline_uploads(app: Flask) -> None:
    """Render each upload without the render process, for fast tests."""
    with_changes(app, content_sandbox=False)
