"""Coordinator tests process uploads before the upload request answers, renderer in-process.

Tests that check the background thread or the limited render process switch
these back (see test_uploads.py).
"""

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def inline_uploads(app: Flask) -> None:
    """Process each upload inline and without the render process, for fast tests."""
    app.config.update(COURSE_UPLOAD_RUNNER="inline", CONTENT_SANDBOX=False)
