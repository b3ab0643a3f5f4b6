"""Adding counts to the rollups: rows merged by key, one upsert per table.

``elearn.reports.rollups`` and ``elearn.reports.learner_rollups`` write through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from elearn.models import LearnerJpYear
from elearn.reports.learner_rollups import jp_changed
from elearn.reports.upserts import COUNTS, upsert_rows

Rows = Iterable[tuple[Mapping[str, Any], Mapping[str, int]]]


def add_counts(model: Any, rows: Rows) -> None:
    """Add each row's counts to the row its keys name, creating it when missing.

    Rows with the same keys are merged first, so one statement (executemany for
    several rows) never touches a row twice. A learner's platform JP moving also
    moves their JP band (``learner_rollups``), in the same transaction.
    """
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for keys, counts in rows:
        row = merged.setdefault(tuple(keys.values()), {**keys, **dict.fromkeys(COUNTS[model], 0)})
        for name, count in counts.items():
            row[name] += count
    params = [row for row in merged.values() if any(row[n] for n in COUNTS[model])]
    upsert_rows(model, params)
    if model is LearnerJpYear:
        for row in params:
            jp_changed(row["user_id"], row["year"], row["jp"])
