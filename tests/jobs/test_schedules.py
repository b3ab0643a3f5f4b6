"""Recurring jobs follow their settings: the owed-certificates period is configurable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import TestConfig
from elearn import create_app
from elearn.certificates.owed_job import OWED_KIND
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.models.job import Job
from tests.conftest import FrozenClock, sqlite_app


def _owed_jobs() -> int:
    count = db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == OWED_KIND))
    return count or 0


def _sweeps(path: Path, clock: FrozenClock, offsets: list[int], **settings: object) -> list[int]:
    """Sweep once at each offset (seconds from the frozen start); owed jobs after each."""
    counts = []
    for app in sqlite_app(path, **settings):
        start = clock.current
        for offset in offsets:
            clock.current = start + timedelta(seconds=offset)
            current_jobs(app).sweep()
            counts.append(_owed_jobs())
    return counts


def test_the_owed_certificates_job_recurs_every_configured_period(
    tmp_path: Path, clock: FrozenClock
) -> None:
    # The frozen start (08:00:00) begins a period of 10 s and of 300 s alike.
    counts = _sweeps(tmp_path / "ten.sqlite", clock, [0, 9, 10, 19, 20],
                     CERTIFICATES_OWED_EVERY_SECONDS=10)  # fmt: skip
    assert counts == [1, 1, 2, 2, 3]


def test_by_default_it_recurs_every_five_minutes(tmp_path: Path, clock: FrozenClock) -> None:
    assert TestConfig.CERTIFICATES_OWED_EVERY_SECONDS == 300
    counts = _sweeps(tmp_path / "default.sqlite", clock, [0, 20, 299, 300])
    assert counts == [1, 1, 1, 2]


def test_a_period_under_one_second_is_refused() -> None:
    config = type("Config", (TestConfig,), {"CERTIFICATES_OWED_EVERY_SECONDS": 0})
    with pytest.raises(ValueError, match="CERTIFICATES_OWED_EVERY_SECONDS must be at least 1"):
        create_app(config)
