"""The enrolment, JP, survey, account and certificate-number rollups, counted while generating.

benchmarks/seed_scale.py used to compute these after the load with the migrations' own
``INSERT … SELECT`` statements (still there: ``rollup_statements`` and friends, which
tests/reports/test_seed_scale.py compares with these rows). At 1,000,000 × 10 those statements
scan 10 M enrolments and 6 M certificates several times over; here each enrolment costs a few
counter increments. The per-learner rows (JP per year) are written with the learner's other
rows; the small tables once, after the last learner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

NOT_COMPLETED = "9999-12-01"  # elearn.models.rollup.NOT_COMPLETED

TALLY_COLUMNS = {
    "learner_jp_year": "user_id year jp",
    "learner_jp_total": "user_id year jp",
    "enrollment_month_count": "unit_id version_id month enrolled enrolled_completed completed",
    "enrollment_span_count": "unit_id version_id enrolled_month completed_month enrollments",
    "course_evaluation_count": "unit_id course_id responses relevance clarity applicability",
    "unit_user_count": "unit_id users",
    "jp_band_count": "unit_id year band users",
    "certificate_counter": "year last_sequence",
}
# Tables written through the learner's rows, the rest by Tally.totals().
PER_LEARNER = ("learner_jp_year", "learner_jp_total")


def jp_band(jp: int) -> int:
    """The band of migration 0009's backfill (and elearn.reports.learner_rollups)."""
    return 1 if jp < 10 else 2 if jp < 20 else 3


@dataclass
class Tally:
    """Running counts; months are 'YYYY-MM-01' UTC keys, years UTC years of completion."""

    # (unit, version, month) -> [enrolled, enrolled_completed, completed]
    months: dict[tuple[int, int, str], list[int]] = field(default_factory=dict)
    spans: Counter[tuple[int, int, str, str]] = field(default_factory=Counter)
    # (unit, course) -> [responses, relevance, clarity, applicability]
    evaluations: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    users: Counter[int] = field(default_factory=Counter)
    bands: Counter[tuple[int, int, int]] = field(default_factory=Counter)
    jp_year: dict[int, int] = field(default_factory=dict)  # the current learner's

    def enrolment(
        self, unit_id: int, version_id: int, jp: int, enrolled_month: str,
        completed: tuple[str, int] | None, revoked: bool,
    ) -> None:  # fmt: skip
        """One enrolment; ``completed`` is its completion's (month key, year)."""
        row = self.months.get((unit_id, version_id, enrolled_month))
        if row is None:
            row = self.months[(unit_id, version_id, enrolled_month)] = [0, 0, 0]
        row[0] += 1
        if completed is None:
            self.spans[(unit_id, version_id, enrolled_month, NOT_COMPLETED)] += 1
            return
        month, year = completed
        row[1] += 1
        done = self.months.get((unit_id, version_id, month))
        if done is None:
            done = self.months[(unit_id, version_id, month)] = [0, 0, 0]
        done[2] += 1
        self.spans[(unit_id, version_id, enrolled_month, month)] += 1
        if not revoked:  # a revoked certificate takes its JP off again
            self.jp_year[year] = self.jp_year.get(year, 0) + jp

    def evaluation(self, unit_id: int, course_id: int, scores: tuple[int, int, int]) -> None:
        row = self.evaluations.get((unit_id, course_id))
        if row is None:
            row = self.evaluations[(unit_id, course_id)] = [0, 0, 0, 0]
        row[0] += 1
        row[1] += scores[0]
        row[2] += scores[1]
        row[3] += scores[2]

    def learner(
        self, uid: int, unit_id: int, active: bool, external: tuple[int, int] | None,
        rows: dict[str, list[tuple[Any, ...]]],
    ) -> None:  # fmt: skip
        """Close a learner: their JP rows, and the account and band counts of their unit.

        ``external`` is a verified external training's (year, JP).
        """
        years = self.jp_year
        totals = dict(years)
        if external is not None:
            totals[external[0]] = totals.get(external[0], 0) + external[1]
        if years:
            rows["learner_jp_year"].extend([(uid, y, jp) for y, jp in years.items()])
            self.jp_year = {}
        if totals:
            rows["learner_jp_total"].extend([(uid, y, jp) for y, jp in totals.items()])
        if active:
            self.users[unit_id] += 1
            for year, jp in totals.items():
                if jp > 0:
                    self.bands[(unit_id, year, jp_band(jp))] += 1

    def totals(self, sequences: dict[int, int]) -> dict[str, list[tuple[Any, ...]]]:
        """Rows of the small rollup tables; ``sequences`` is the last number per year."""
        return {
            "enrollment_month_count": [(*k, *v) for k, v in self.months.items()],
            "enrollment_span_count": [(*k, n) for k, n in self.spans.items()],
            "course_evaluation_count": [(*k, *v) for k, v in self.evaluations.items()],
            "unit_user_count": list(self.users.items()),
            "jp_band_count": [(*k, n) for k, n in self.bands.items()],
            "certificate_counter": list(sequences.items()),
        }
