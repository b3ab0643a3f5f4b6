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

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import aliased

from elearn.extensions import db
from elearn.models import (
    Certificate,
    CourseItem,
    CourseVersion,
    Enrollment,
    EnrollmentMonthCount,
    EnrollmentSpanCount,
    JpBandCount,
    LearnerJpYear,
    QuestionScoreCount,
    QuizAttempt,
    QuizScoreCount,
    ScoreSpanCount,
    Unit,
    User,
)
from elearn.models.rollup import ATTEMPTS_KEY, NOT_COMPLETED
from elearn.reports.counters import Rows, add_counts
from elearn.reports.learner_rollups import Counts
from elearn.reports.upserts import merged, upsert_tables

MonthKey = tuple[int, int, date]  # unit, version, first day of the UTC month


def month_of(moment: datetime) -> date:
    """The first day of ``moment``'s UTC month: the rollup's month key."""
    utc = moment.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def _roots() -> Any:
    """Every unit with its instansi (the top of its tree) and its perangkat daerah (the
    unit directly under the instansi; the instansi itself for the instansi): one recursive
    CTE over ``unit``.

    These are the nodes ``score_span_count`` counts a learner's attempts under. Joined into
    the statements an event already runs, so keying the span score rollups by them adds no
    statement (the quiz submit has a statement budget).
    """
    top = (
        select(
            Unit.id.label("unit_id"),
            Unit.id.label("instansi_id"),
            Unit.id.label("perangkat_daerah_id"),
        )
        .where(Unit.parent_id.is_(None))
        .cte("unit_root", recursive=True)
    )
    below = aliased(Unit)
    office = case((top.c.unit_id == top.c.instansi_id, below.id), else_=top.c.perangkat_daerah_id)
    return top.union_all(
        select(below.id, top.c.instansi_id, office).join(top, below.parent_id == top.c.unit_id)
    )


ROOTS = _roots()

Nodes = tuple[int, ...]  # the score_span_count nodes of a learner's unit


def _nodes(instansi_id: int, perangkat_daerah_id: int) -> Nodes:
    """A learner's span score nodes: the instansi, and the perangkat daerah below it if any."""
    if perangkat_daerah_id == instansi_id:  # a learner of the instansi itself
        return (instansi_id,)
    return (instansi_id, perangkat_daerah_id)


class RollupBatch:
    """Counts gathered while one service runs, written together by ``write``.

    A busy rollup row (every learner of a unit finishing the same quiz) stays locked
    from its upsert until the transaction commits; written last, it is locked for
    the commit only, and counts that cancel out (an attempt counted as not completed,
    then moved with the completion) are never written at all.
    """

    def __init__(self) -> None:
        self.rows: dict[Any, list[tuple[Mapping[str, Any], Mapping[str, int]]]] = {}
        # enrolment id → (unit, span score nodes, version JP) as ``attempt_scored`` read
        # them (locked), so a completion in the same service needs no second read.
        self.facts: dict[int, tuple[int, Nodes, int]] = {}

    def add(self, model: Any, rows: Rows) -> None:
        self.rows.setdefault(model, []).extend(rows)

    def write(self) -> None:
        """Write the gathered counts, the rows every learner shares last.

        First the learner's own rows (JP of the year and its total), then the session's
        pending ORM rows (progress; a quiz submit writes its events just before), then
        the rows shared with every learner of the unit, course or quiz (month and span
        counts, score counts, JP bands): one
        statement on PostgreSQL, tables in one fixed order and rows in key order, so two
        transactions lock them in the same order, and hold them for that statement and
        the commit only. Under a rush of completions they are what every submit queues
        for; each round trip more while holding them (the thread then waits for the
        GIL too) lengthened that queue.
        """
        bands = Counts()
        own = self.rows.pop(LearnerJpYear, [])
        if own:
            add_counts(LearnerJpYear, sorted(own, key=_key_order), bands)
        db.session.flush()
        shared = [
            (model, merged(model, sorted(self.rows.pop(model, []), key=_key_order)))
            for model in SHARED_ORDER
        ]
        upsert_tables([*shared, (JpBandCount, bands.take(JpBandCount))])


def _key_order(row: tuple[Mapping[str, Any], Mapping[str, int]]) -> tuple[Any, ...]:
    return tuple(row[0].values())


# The shared rollups in the order every writer locks them (JP bands after them).
SHARED_ORDER = (
    EnrollmentMonthCount,
    EnrollmentSpanCount,
    QuizScoreCount,
    QuestionScoreCount,
    ScoreSpanCount,
)


def _add(model: Any, rows: Rows, batch: RollupBatch | None = None) -> None:
    """Add the counts now (``counters.add_counts``), or to ``batch`` for ``batch.write()``."""
    if batch is None:
        add_counts(model, rows)
    else:
        batch.add(model, rows)


def _unit_of(user_id: int) -> int:
    return db.session.execute(select(User.unit_id).where(User.id == user_id)).scalar_one()


def nodes_of(unit_id: int) -> Nodes:
    """The nodes the span score rollups count ``unit_id``'s learners under."""
    found = db.session.execute(
        select(ROOTS.c.instansi_id, ROOTS.c.perangkat_daerah_id).where(ROOTS.c.unit_id == unit_id)
    ).one()
    return _nodes(*found)


def nodes_by_unit() -> dict[int, Nodes]:
    """Every unit's span score nodes (one statement over the unit tree)."""
    rows = db.session.execute(
        select(ROOTS.c.unit_id, ROOTS.c.instansi_id, ROOTS.c.perangkat_daerah_id)
    )
    return {unit_id: _nodes(instansi_id, office) for unit_id, instansi_id, office in rows}


def _span(
    unit_id: int, version_id: int, enrolled_at: datetime, completed_at: datetime | None, sign: int
) -> tuple[Mapping[str, Any], Mapping[str, int]]:
    """The enrolment span row one enrolment adds to (sign 1) or takes off (sign −1)."""
    keys = {
        "unit_id": unit_id,
        "version_id": version_id,
        "enrolled_month": month_of(enrolled_at),
        "completed_month": NOT_COMPLETED if completed_at is None else month_of(completed_at),
    }
    return keys, {"enrollments": sign}


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
    unit_id = _unit_of(enrollment.user_id)
    _month_counts(
        unit_id,
        enrollment.version_id,
        (month_of(enrollment.enrolled_at), {"enrolled": 1}),
        batch=batch,
    )
    span = _span(unit_id, enrollment.version_id, enrollment.enrolled_at, None, 1)
    _add(EnrollmentSpanCount, [span], batch)


def completed(enrollment: Enrollment, at: datetime, batch: RollupBatch | None = None) -> None:
    """An enrolment was completed at ``at`` (called once, by the update that completed it)."""
    facts = batch.facts.get(enrollment.id) if batch is not None else None
    if facts is None:
        found = db.session.execute(
            select(User.unit_id, ROOTS.c.instansi_id, ROOTS.c.perangkat_daerah_id, CourseVersion.jp)
            .select_from(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .join(ROOTS, ROOTS.c.unit_id == User.unit_id)
            .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
            .where(Enrollment.id == enrollment.id)
        ).one()
        facts = (found[0], _nodes(found[1], found[2]), found[3])
    unit_id, nodes, jp = facts
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
    version_id, enrolled_at = enrollment.version_id, enrollment.enrolled_at
    spans = [
        _span(unit_id, version_id, enrolled_at, None, -1),
        _span(unit_id, version_id, enrolled_at, at, 1),
    ]
    _add(EnrollmentSpanCount, spans, batch)
    year = at.astimezone(UTC).year
    _add(LearnerJpYear, [({"user_id": enrollment.user_id, "year": year}, {"jp": jp})], batch)
    # Its scored attempts were counted as not completed; they move with it.
    _move_attempts(
        enrollment.id,
        [
            (unit_id, nodes, version_id, enrolled_at, None, -1),
            (unit_id, nodes, version_id, enrolled_at, at, 1),
        ],
        batch,
    )


def certificate_revoked(certificate: Certificate) -> None:
    """A certificate was revoked: its JP no longer counts."""
    _count_certificate_jp(certificate, -1)


def certificate_unrevoked(certificate: Certificate) -> None:
    """An admin took a revocation back: its JP count again."""
    _count_certificate_jp(certificate, 1)


def _count_certificate_jp(certificate: Certificate, sign: int) -> None:
    row = db.session.execute(
        select(Enrollment.user_id, Enrollment.completed_at, CourseVersion.jp)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .where(Enrollment.id == certificate.enrollment_id)
    ).one()
    if row.completed_at is not None:
        year = row.completed_at.astimezone(UTC).year
        _add(LearnerJpYear, [({"user_id": row.user_id, "year": year}, {"jp": sign * row.jp})])


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


Move = tuple[int, Nodes, int, datetime, datetime | None, int]
# unit, span score nodes, version, enrolled at, completed at (None: open), sign


def _attempt_rows(move: Move, quiz: str, score: float, results: Any) -> dict[Any, list[Any]]:
    """The rows of each score rollup one scored attempt adds to (sign 1) or takes off."""
    unit_id, nodes, version_id, enrolled_at, completed_at, sign = move
    score, answered, correct = _paper_counts(score, results or [])
    keys = {
        "unit_id": unit_id,
        "version_id": version_id,
        "quiz": quiz,
        "completed": completed_at is not None,
        "score": score,
    }
    span = {
        "version_id": version_id,
        "quiz": quiz,
        "enrolled_month": month_of(enrolled_at),
        "completed_month": NOT_COMPLETED if completed_at is None else month_of(completed_at),
        "score": score,
    }
    counts = [
        (key, {"answered": sign * n, "correct": sign * correct[key]}) for key, n in answered.items()
    ]
    attempt = {"answered": sign, "correct": 0}
    return {
        QuizScoreCount: [(keys, {"attempts": sign})],
        QuestionScoreCount: [({**keys, "question_key": key}, c) for key, c in counts],
        ScoreSpanCount: [
            row
            for node in nodes
            for row in (
                ({"node_id": node, **span, "question_key": ATTEMPTS_KEY}, attempt),
                *(({"node_id": node, **span, "question_key": key}, c) for key, c in counts),
            )
        ],
    }


def _add_all(rows: dict[Any, list[Any]], batch: RollupBatch | None) -> None:
    for model, model_rows in rows.items():
        _add(model, model_rows, batch)


# What a scored attempt is counted under. Locked: a completion committing meanwhile would
# otherwise move the enrolment's attempts without this one, which would then stay counted
# as not completed. Built once with bound parameters: building it took as long as
# running it (SQLAlchemy caches the compiled SQL, not the statement).
_SCORED_ENROLLMENT = (
    select(
        Enrollment.version_id,
        Enrollment.enrolled_at,
        Enrollment.completed_at,
        User.unit_id,
        ROOTS.c.instansi_id,
        ROOTS.c.perangkat_daerah_id,
        CourseItem.title,
        CourseVersion.jp,
    )
    .join(User, User.id == Enrollment.user_id)
    .join(ROOTS, ROOTS.c.unit_id == User.unit_id)
    .join(CourseItem, CourseItem.id == bindparam("item_id"))
    .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
    .where(Enrollment.id == bindparam("enrollment_id"))
    .with_for_update(of=Enrollment)
)


def attempt_scored(attempt: QuizAttempt, batch: RollupBatch | None = None) -> None:
    """A quiz attempt was scored (called once, by the update that scored it)."""
    found = db.session.execute(
        _SCORED_ENROLLMENT,
        {"enrollment_id": attempt.enrollment_id, "item_id": attempt.item_id},
    ).one()
    nodes = _nodes(found.instansi_id, found.perangkat_daerah_id)
    if batch is not None:
        batch.facts[attempt.enrollment_id] = (found.unit_id, nodes, found.jp)
    move = (
        found.unit_id,
        nodes,
        found.version_id,
        found.enrolled_at,
        found.completed_at,
        1,
    )
    _add_all(_attempt_rows(move, found.title, attempt.score or 0.0, attempt.results), batch)


# An enrolment's scored attempts, as ``_move_attempts`` counts them; built once.
_SCORED_ATTEMPTS = (
    select(QuizAttempt.score, QuizAttempt.results, CourseItem.title)
    .join(CourseItem, QuizAttempt.item_id == CourseItem.id)
    .where(
        QuizAttempt.enrollment_id == bindparam("enrollment_id"),
        QuizAttempt.submitted_at.is_not(None),
    )
)


def _move_attempts(
    enrollment_id: int, moves: Iterable[Move], batch: RollupBatch | None = None
) -> None:
    """Add (sign 1) or take off (sign −1) the counts of an enrolment's scored attempts.

    One read of the attempts and one upsert per table, whatever the number of moves.
    """
    attempts = db.session.execute(_SCORED_ATTEMPTS, {"enrollment_id": enrollment_id}).all()
    rows: dict[Any, list[Any]] = {}
    for move in moves:
        for score, results, title in attempts:
            for model, model_rows in _attempt_rows(move, title, score or 0.0, results).items():
                rows.setdefault(model, []).extend(model_rows)
    _add_all(rows, batch)


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
    span = _span(unit_id, version_id, found.enrolled_at, found.completed_at, sign)
    _add(EnrollmentSpanCount, [span])
    move = (unit_id, nodes_of(unit_id), version_id, found.enrolled_at, found.completed_at, sign)
    _move_attempts(enrollment_id, [move])


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
