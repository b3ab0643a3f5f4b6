"""Fixtures for learning tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.learning.helpers import FrozenClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Freeze elearn's notion of now at 2026-03-02 08:00 UTC."""
    frozen = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    monkeypatch.setattr("elearn.clock.now", frozen)
    return frozen
