"""Rollups about people: active accounts per unit, JP bands, and the reaction-survey sums.

The JP bands of the dashboard count, per unit and UTC year, the active accounts
whose JP (platform plus verified external) is 1–9, 10–19 or ≥ 20; band 0 is the
unit's active accounts minus those. Accounts, external trainings and surveys are
changed through the ORM in many places (sign-up, admin forms, anonymisation,
review), so their counts follow the session's flushes: the listener below runs
inside the flush, in the same transaction as the change. Platform JP arrives
through ``counters.add_counts`` (``LearnerJpYear``), which calls ``jp_changed``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from elearn.extensions import db
from elearn.models import (
    CourseEvaluation,
    CourseEvaluationCount,
    Enrollment,
    ExternalTraining,
    JpBandCount,
    LearnerJpTotal,
    ReviewStatus,
    UnitUserCount,
    User,
)
from elearn.reports.upserts import COUNTS, add_jp, upsert_rows

RATINGS = ("relevance", "clarity", "applicability")
Key = tuple[Any, ...]


def band_of(jp: int) -> int:
    """0: no JP, 1: 1–9, 2: 10–19, 3: 20 or more (the dashboard's JP_BANDS)."""
    return 0 if jp <= 0 else 1 if jp < 10 else 2 if jp < 20 else 3


class Counts:
    """Counter rows to add, merged by key, written with one upsert per table."""

    def __init__(self) -> None:
        self.rows: dict[Any, dict[Key, dict[str, Any]]] = defaultdict(dict)

    def add(self, model: Any, keys: dict[str, Any], **counts: int) -> None:
        row = self.rows[model].setdefault(
            tuple(keys.values()), {**keys, **dict.fromkeys(COUNTS[model], 0)}
        )
        for name, count in counts.items():
            row[name] += count

    def band(self, unit_id: int, year: int, jp: int, sign: int) -> None:
        if band_of(jp):
            self.add(
                JpBandCount, {"unit_id": unit_id, "year": year, "band": band_of(jp)}, users=sign
            )

    def take(self, model: Any) -> list[dict[str, Any]]:
        """``model``'s rows that add something, in key order; they are no longer kept here."""
        rows = self.rows.pop(model, {})
        return [rows[k] for k in sorted(rows) if any(rows[k][n] for n in COUNTS[model])]

    def write(self) -> None:
        for model in COUNTS:
            upsert_rows(model, self.take(model))


def jp_changed(
    user_id: int, year: int, delta: int, bands: Counts | None = None, *, platform: bool = False
) -> None:
    """A learner's JP of a UTC year moved by ``delta`` (``platform``: JP of this platform,
    added to their platform JP of the year too): keep the total, move the band (now, or in
    ``bands`` for the caller to write)."""
    if not delta:
        return
    # The account is read with a shared lock: an activation or a move of it waits for this
    # transaction, and this waits for one in progress, so a band is never moved from a
    # stale state. The total's row is locked until commit, so parallel changes apply in turn.
    account = add_jp(user_id, year, delta, platform=platform)
    total = account.jp
    if account.is_active:
        counts = Counts() if bands is None else bands
        counts.band(account.unit_id, year, total - delta, -1)
        counts.band(account.unit_id, year, total, 1)
        if bands is None:
            counts.write()


def _before(obj: Any, name: str) -> Any:
    """An attribute's value before this flush."""
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(obj, name)


def _changed(obj: Any, *names: str) -> bool:
    return any(inspect(obj).attrs[name].history.has_changes() for name in names)


def _training_jp(training: ExternalTraining, before: bool) -> tuple[int, int, int] | None:
    """(user, year, JP) the training adds to a learner's total, before or after this flush."""
    value = (
        (lambda name: _before(training, name)) if before else (lambda name: getattr(training, name))
    )
    if value("status") != ReviewStatus.VERIFIED:
        return None
    return value("user_id"), value("finished_on").year, value("jp")


def _trainings(session: Session) -> dict[tuple[int, int], int]:
    """External JP gained or lost per (learner, year) in this flush."""
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    for training in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(training, ExternalTraining):
            continue
        is_new, gone = training in session.new, training in session.deleted
        if not (is_new or gone or _changed(training, "status", "jp", "finished_on", "user_id")):
            continue
        old = None if is_new else _training_jp(training, True)
        new = None if gone else _training_jp(training, False)
        if old:
            deltas[(old[0], old[1])] -= old[2]
        if new:
            deltas[(new[0], new[1])] += new[2]
    return {key: delta for key, delta in deltas.items() if delta}


def _evaluation_sums(user_id: int) -> list[Any]:
    return list(
        db.session.execute(
            select(
                Enrollment.course_id,
                func.count(),
                *(func.sum(getattr(CourseEvaluation, name)) for name in RATINGS),
            )
            .join(Enrollment, CourseEvaluation.enrollment_id == Enrollment.id)
            .where(Enrollment.user_id == user_id)
            .group_by(Enrollment.course_id)
        )
    )


def _accounts(session: Session, counts: Counts) -> None:
    """Count created, (de)activated and moved accounts."""
    for user in (*session.new, *session.dirty):
        if not isinstance(user, User):
            continue
        is_new = user in session.new
        if not is_new and not _changed(user, "is_active", "unit_id"):
            continue
        before = None if is_new else (_before(user, "unit_id"), _before(user, "is_active"))
        after = (user.unit_id, user.is_active is not False)  # None: the column default, True
        if before == after:
            continue
        totals = db.session.execute(
            select(LearnerJpTotal.year, LearnerJpTotal.jp)
            .where(LearnerJpTotal.user_id == user.id)
            .with_for_update()
        ).all()
        for state, sign in ((before, -1), (after, 1)):
            if state is None or not state[1]:
                continue
            counts.add(UnitUserCount, {"unit_id": state[0]}, users=sign)
            for year, jp in totals:
                counts.band(state[0], year, jp, sign)
        if before is not None and before[0] != after[0]:
            for course_id, n, *sums in _evaluation_sums(user.id):
                for unit_id, sign in ((before[0], -1), (after[0], 1)):
                    counts.add(
                        CourseEvaluationCount,
                        {"unit_id": unit_id, "course_id": course_id},
                        responses=sign * n,
                        **{name: sign * int(s) for name, s in zip(RATINGS, sums, strict=True)},
                    )


def _surveys(session: Session, counts: Counts) -> None:
    for survey in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(survey, CourseEvaluation):
            continue
        is_new, gone = survey in session.new, survey in session.deleted
        if not (is_new or gone or _changed(survey, *RATINGS)):
            continue
        found = db.session.execute(
            select(User.unit_id, Enrollment.course_id)
            .join(User, Enrollment.user_id == User.id)
            .where(Enrollment.id == survey.enrollment_id)
        ).one_or_none()
        if found is None:  # its enrolment went in the same flush; the course's rows cascade
            continue
        keys = {"unit_id": found.unit_id, "course_id": found.course_id}
        ratings = []
        if not is_new:
            ratings.append((-1, {name: _before(survey, name) for name in RATINGS}))
        if not gone:
            ratings.append((1, {name: getattr(survey, name) for name in RATINGS}))
        for sign, values in ratings:
            counts.add(
                CourseEvaluationCount,
                keys,
                responses=sign,
                **{name: sign * int(value) for name, value in values.items()},
            )


@event.listens_for(Session, "after_flush")
def _count_flushed(session: Session, context: UOWTransaction) -> None:
    """Count what this flush wrote (the session still holds each object's history)."""
    if not any(
        isinstance(obj, User | ExternalTraining | CourseEvaluation)
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    counts = Counts()
    external = _trainings(session)
    # Accounts first, with the JP totals as they were; this flush's external JP then
    # moves each band from there, in the account's unit as it is now.
    _accounts(session, counts)
    _surveys(session, counts)
    counts.write()
    for (user_id, year), delta in external.items():
        jp_changed(user_id, year, delta)
