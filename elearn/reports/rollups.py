"""Keep the reporting rollups exact: each event adds to its counters in its own transaction.

Every function here is called from the service that records the event, inside
that service's transaction, so a counter can never disagree with the rows it
counts. The writes are upserts (``INSERT … ON CONFLICT DO UPDATE SET n = n + k``),
which the database applies atomically, so parallel completions never lose a count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update

from elearn.extensions import db
from elearn.models import (
    Certificate,
    CourseItem,
    CourseVersion,
    Enrollment,
    EnrollmentMonthCount,
    LearnerJpYear,
    QuestionScoreCount,
    QuizAttempt,
    QuizScoreCount,
    User,
)
from elearn.reports.counters import Rows, add_counts

MonthKey = tuple[int, int, date]  # unit, version, first day of the UTC month


def month_of(moment: datetime) -> date:
    """The first day of ``moment``'s UTC month: the rollup's month key."""
    utc = moment.astimezone(UTC)
    return date(utc.year, utc.month, 1)


class RollupBatch:
    """Counts gathered while one service runs, written together by ``write``.

    A busy rollup row (every learner of a unit finishing the same quiz) stays locked
    from its upsert until the transaction commits; written last, it is locked for
    the commit only, and counts that cancel out (an attempt counted as not completed,
    then moved with the completion) are never written at all.
    """

    def __init__(self) -> None:
        self.rows: dict[Any, list[tuple[Mapping[str, Any], Mapping[str, int]]]] = {}

    def add(self, model: Any, rows: Rows) -> None:
        self.rows.setdefault(model, []).extend(rows)

    def write(self) -> None:
        """One upsert per table, tables in one fixed order and rows in key order,
        so two transactions lock the rows they share in the same order."""
        for model in (EnrollmentMonthCount, LearnerJpYear, QuizScoreCount, QuestionScoreCount):
            rows = self.rows.pop(model, [])
            if rows:
                _add(model, sorted(rows, key=lambda row: tuple(row[0].values())))


def _add(model: Any, rows: Rows, batch: RollupBatch | None = None) -> None:
    """Add the counts now (``counters.add_counts``), or to ``batch`` for ``batch.write()``."""
    if batch is None:
        add_counts(model, rows)
    else:
        batch.add(model, rows)


def _unit_of(user_id: int) -> int:
    return db.session.execute(select(User.unit_id).where(User.id == user_id)).scalar_one()


def _month_counts(
    unit_id: int,
    version_id: int,
    *months: tuple[date, dict[str, int]],
    batch: RollupBatch | None = None,
) -> None:
    """Add counts to the unit's and version's rows of the given months, in one statement."""
    _add(
        EnrollmentMonthCount,
        [({"unit_id": unit_id, "version_id": version_id, "month": m}, c) for m, c in months],
        batch,
    )


def enrolled(enrollment: Enrollment, batch: RollupBatch | None = None) -> None:
    """A learner enrolled (counted in ``batch`` when a service enrols many at once)."""
    _month_counts(
        _unit_of(enrollment.user_id),
        enrollment.version_id,
        (month_of(enrollment.enrolled_at), {"enrolled": 1}),
        batch=batch,
    )


def completed(enrollment: Enrollment, at: datetime, batch: RollupBatch | None = None) -> None:
    """An enrolment was completed at ``at`` (called once, by the update that completed it)."""
    unit_id, jp = db.session.execute(
        select(User.unit_id, CourseVersion.jp)
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
        .where(Enrollment.id == enrollment.id)
    ).one()
    _add(
        EnrollmentMonthCount,
        [
            ({"unit_id": unit_id, "version_id": enrollment.version_id, "month": month}, counts)
            for month, counts in (
                (month_of(enrollment.enrolled_at), {"enrolled_completed": 1}),
                (month_of(at), {"completed": 1}),
            )
        ],
        batch,
    )
    year = at.astimezone(UTC).year
    _add(LearnerJpYear, [({"user_id": enrollment.user_id, "year": year}, {"jp": jp})], batch)
    # Its scored attempts were counted as not completed; they move with it.
    _move_attempts(
        enrollment.id,
        [(unit_id, enrollment.version_id, False, -1), (unit_id, enrollment.version_id, True, 1)],
        batch,
    )


def certificate_revoked(certificate: Certificate) -> None:
    """A certificate was revoked: its JP no longer counts."""
    row = db.session.execute(
        select(Enrollment.user_id, Enrollment.completed_at, CourseVersion.jp)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .where(Enrollment.id == certificate.enrollment_id)
    ).one()
    if row.completed_at is not None:
        year = row.completed_at.astimezone(UTC).year
        _add(LearnerJpYear, [({"user_id": row.user_id, "year": year}, {"jp": -row.jp})])


def certificate_unrevoked(certificate: Certificate) -> None:
    """An admin took a revocation back: its JP count again."""
    row = db.session.execute(
        select(Enrollment.user_id, Enrollment.completed_at, CourseVersion.jp)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .where(Enrollment.id == certificate.enrollment_id)
    ).one()
    if row.completed_at is not None:
        year = row.completed_at.astimezone(UTC).year
        _add(LearnerJpYear, [({"user_id": row.user_id, "year": year}, {"jp": row.jp})])


def _paper_counts(
    score: float, results: Iterable[Mapping[str, Any]]
) -> tuple[float, Counter[str], Counter[str]]:
    answered: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for result in results:
        if result.get("scored", True):
            answered[result["key"]] += 1
            correct[result["key"]] += bool(result["correct"])
    return score, answered, correct


def _attempt_rows(
    unit_id: int, version_id: int, done: bool, quiz: str, score: float, results: Any, sign: int
) -> tuple[list[Any], list[Any]]:
    """The quiz row and the question rows one scored attempt adds to (sign 1) or takes off."""
    score, answered, correct = _paper_counts(score, results or [])
    keys = {
        "unit_id": unit_id,
        "version_id": version_id,
        "quiz": quiz,
        "completed": done,
        "score": score,
    }
    questions = [
        ({**keys, "question_key": key}, {"answered": sign * n, "correct": sign * correct[key]})
        for key, n in answered.items()
    ]
    return [(keys, {"attempts": sign})], questions


def attempt_scored(attempt: QuizAttempt, batch: RollupBatch | None = None) -> None:
    """A quiz attempt was scored (called once, by the update that scored it)."""
    # Locked: a completion committing meanwhile would otherwise move the enrolment's
    # attempts without this one, which would then stay counted as not completed.
    found = db.session.execute(
        select(Enrollment.version_id, Enrollment.completed_at, User.unit_id, CourseItem.title)
        .join(User, User.id == Enrollment.user_id)
        .join(CourseItem, CourseItem.id == attempt.item_id)
        .where(Enrollment.id == attempt.enrollment_id)
        .with_for_update(of=Enrollment)
    ).one()
    quizzes, questions = _attempt_rows(
        found.unit_id,
        found.version_id,
        found.completed_at is not None,
        found.title,
        attempt.score or 0.0,
        attempt.results,
        1,
    )
    _add(QuizScoreCount, quizzes, batch)
    _add(QuestionScoreCount, questions, batch)


Move = tuple[int, int, bool, int]  # unit, version, completed, sign


def _move_attempts(
    enrollment_id: int, moves: Iterable[Move], batch: RollupBatch | None = None
) -> None:
    """Add (sign 1) or take off (sign −1) the counts of an enrolment's scored attempts.

    One read of the attempts and one upsert per table, whatever the number of moves.
    """
    attempts = db.session.execute(
        select(QuizAttempt.score, QuizAttempt.results, CourseItem.title)
        .join(CourseItem, QuizAttempt.item_id == CourseItem.id)
        .where(QuizAttempt.enrollment_id == enrollment_id, QuizAttempt.submitted_at.is_not(None))
    ).all()
    quizzes: list[Any] = []
    questions: list[Any] = []
    for unit_id, version_id, done, sign in moves:
        for score, results, title in attempts:
            quiz_rows, question_rows = _attempt_rows(
                unit_id, version_id, done, title, score or 0.0, results, sign
            )
            quizzes += quiz_rows
            questions += question_rows
    _add(QuizScoreCount, quizzes, batch)
    _add(QuestionScoreCount, questions, batch)


def _move_enrollment(enrollment_id: int, unit_id: int, version_id: int, sign: int) -> None:
    """Add (sign 1) or take off (sign −1) everything one enrolment contributes."""
    found = db.session.execute(
        select(Enrollment.enrolled_at, Enrollment.completed_at).where(
            Enrollment.id == enrollment_id
        )
    ).one()
    months = [(month_of(found.enrolled_at), {"enrolled": sign})]
    if found.completed_at is not None:
        months.append((month_of(found.enrolled_at), {"enrolled_completed": sign}))
        months.append((month_of(found.completed_at), {"completed": sign}))
    _month_counts(unit_id, version_id, *months)
    _move_attempts(enrollment_id, [(unit_id, version_id, found.completed_at is not None, sign)])


def version_changed(enrollment: Enrollment, new_version_id: int) -> None:
    """An unfinished enrolment moves to another version: call before its version_id changes."""
    unit_id = _unit_of(enrollment.user_id)
    _move_enrollment(enrollment.id, unit_id, enrollment.version_id, -1)
    _move_enrollment(enrollment.id, unit_id, new_version_id, 1)


def learner_moved(user: User, new_unit_id: int) -> None:
    """A learner moves to another unit: call before ``user.unit_id`` changes."""
    if user.id is None:  # a new account has nothing counted yet
        return
    old_unit_id = _unit_of(user.id)
    if old_unit_id == new_unit_id:
        return
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.version_id).where(Enrollment.user_id == user.id)
    ).all()
    for enrollment_id, version_id in rows:
        _move_enrollment(enrollment_id, old_unit_id, version_id, -1)
        _move_enrollment(enrollment_id, new_unit_id, version_id, 1)
    if rows:
        db.session.execute(
            update(Enrollment).where(Enrollment.user_id == user.id).values(unit_id=new_unit_id)
        )
