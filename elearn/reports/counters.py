"""Adding counts to the rollups: rows merged by key, one upsert per table.

``elearn.reports.rollups`` and ``elearn.reports.learner_rollups`` write through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from elearn.models import LearnerJpYear
from elearn.reports.learner_rollups import jp_changed
from elearn.reports.upserts import merged, upsert_rows

Rows = Iterable[tuple[Mapping[str, Any], Mapping[str, int]]]


def add_counts(model: Any, rows: Rows, bands: Any = None) -> None:
    """Add each row's counts to the row its keys name, creating it when missing.

    Rows with the same keys are merged first, so one statement (executemany for
    several rows) never touches a row twice. A learner's platform JP moving also
    moves their JP band (``learner_rollups``), in the same transaction; given
    ``bands`` (a ``learner_rollups.Counts``), the band rows are added there instead,
    for the caller to write with its other shared rows.
    """
    params = merged(model, rows)
    if model is not LearnerJpYear:
        upsert_rows(model, params)
        return
    for row in params:  # the year's JP, the total and the account's band in one go
        jp_changed(row["user_id"], row["year"], row["jp"], bands, platform=True)
