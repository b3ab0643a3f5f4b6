"""The evaluation report's tables: the level-2 gain and the level-3 results, with names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from elearn.evaluation.answers import FollowUpResult, follow_up_results
from elearn.evaluation.gain import Gain, gains
from elearn.extensions import db
from elearn.models import Course, Respondent, Unit
from elearn.reminders.inbox import course_title
from elearn.reports.jp_duty_export import Table

GAIN_COLUMNS = (
    "kursus", "unit_kerja", "peserta", "rata_pre", "rata_post", "rata_peningkatan",
    "gain_ternormalisasi_per_peserta", "gain_ternormalisasi_kelas",
)  # fmt: skip
FOLLOW_UP_COLUMNS = (
    "kursus", "responden", "dikirim", "dijawab", "rata_penerapan_1_5",
)  # fmt: skip
RESPONDENT_LABELS = {Respondent.LEARNER: "peserta", Respondent.SUPERVISOR: "atasan"}


@dataclass(frozen=True)
class EvaluationReport:
    gains: list[Gain]
    follow_ups: list[FollowUpResult]
    courses: dict[int, str]  # id → title
    units: dict[int, str]  # id → name


def evaluation_report(unit_ids: set[int] | None) -> EvaluationReport:
    """Both tables for the viewer's units (None: all), in four queries."""
    return _named(gains(unit_ids), follow_up_results(unit_ids))


def _named(gain_rows: list[Gain], follow_ups: list[FollowUpResult]) -> EvaluationReport:
    """The rows with the course titles and unit names they show."""
    course_ids = {g.course_id for g in gain_rows} | {f.course_id for f in follow_ups}
    unit_ids_shown = {g.unit_id for g in gain_rows if g.unit_id is not None}
    courses: dict[int, str] = dict(
        db.session.execute(select(Course.id, course_title()).where(Course.id.in_(course_ids))).all()
    )
    units = dict(
        db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids_shown))).all()
    )
    return EvaluationReport(gain_rows, follow_ups, courses, units)


def _round(value: float | None, digits: int) -> float | str:
    return "" if value is None else round(value, digits)


def gain_table(unit_ids: set[int] | None) -> Table:
    """The level-2 table for the CSV (the follow-up results are not read)."""
    report = _named(gains(unit_ids), [])
    return Table(
        "Peningkatan belajar",
        GAIN_COLUMNS,
        [
            (
                report.courses.get(g.course_id, ""),
                "" if g.unit_id is None else report.units.get(g.unit_id, ""),
                g.learners,
                _round(g.mean_pre, 1),
                _round(g.mean_post, 1),
                _round(g.mean_gain, 1),
                _round(g.normalised_gain, 3),
                _round(g.class_normalised_gain, 3),
            )
            for g in report.gains
        ],
    )


def follow_up_table(unit_ids: set[int] | None) -> Table:
    """The level-3 table for the CSV (the gains are not computed)."""
    report = _named([], follow_up_results(unit_ids))
    return Table(
        "Survei tindak lanjut",
        FOLLOW_UP_COLUMNS,
        [
            (
                report.courses.get(f.course_id, ""),
                RESPONDENT_LABELS[f.respondent],
                f.sent,
                f.answered,
                _round(f.mean_rating, 2),
            )
            for f in report.follow_ups
        ],
    )
