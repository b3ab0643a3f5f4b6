"""Coordinator tests process uploads in their job, run inline, with the renderer in-process.

Tests that check the limited render process switch it back (see test_uploads.py).
"""

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def inline_uploads(app: Flask) -> None:
    """Render each upload without the render process, for fast tests."""
    app.config.update(CONTENT_SANDBOX=False)
