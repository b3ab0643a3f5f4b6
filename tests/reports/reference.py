"""A naive reference for the dashboard: every row read into Python and counted there."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import (
    Certificate,
    CourseItem,
    Enrollment,
    ExternalTraining,
    QuizAttempt,
    ReviewStatus,
    User,
)
from elearn.reports.filters import ReportFilter, apply_filter, base_statement, narrow_units
from elearn.reports.rows import UnitNames


def reference(  # type: ignore[no-untyped-def]
    report_filter: ReportFilter,
    allowed: set[int] | None,
    zone: ZoneInfo,
    today: date,
    date_zone: ZoneInfo | None = None,
):
    """``date_zone``: where the filter's days begin (the chart's months are in ``zone``)."""
    names = UnitNames()
    rows = db.session.execute(
        apply_filter(
            base_statement(),
            report_filter,
            allowed_units=allowed,
            unit_ids_by_code=names.by_code,
            zone=date_zone or zone,
        )
    ).all()
    by_course: dict[str, list] = {}
    by_unit: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for enrollment, user, version, course in rows:
        entry = by_course.setdefault(course.slug, [version.title, 0, 0])
        entry[0] = max(entry[0], version.title)
        entry[1] += 1
        entry[2] += enrollment.completed_at is not None
        by_unit[user.unit_id][0] += 1
        by_unit[user.unit_id][1] += enrollment.completed_at is not None
    months = []
    y, m = today.year, today.month
    for _ in range(12):
        months.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    months.reverse()
    enrolled: Counter = Counter()
    completed: Counter = Counter()
    for enrollment, *_ in rows:
        local = enrollment.enrolled_at.astimezone(zone)
        enrolled[(local.year, local.month)] += 1
        if enrollment.completed_at:
            done = enrollment.completed_at.astimezone(zone)
            completed[(done.year, done.month)] += 1
    units = narrow_units(report_filter, allowed, names.by_code)
    year = today.year
    totals = {
        u.id: 0
        for u in db.session.scalars(select(User).where(User.is_active.is_(True)))
        if units is None or u.unit_id in units
    }
    for enrollment in db.session.scalars(select(Enrollment)):
        done = enrollment.completed_at
        if enrollment.user_id in totals and done and done.astimezone(UTC).year == year:
            cert = db.session.scalar(
                select(Certificate).where(Certificate.enrollment_id == enrollment.id)
            )
            if cert is None or cert.revoked_at is None:
                totals[enrollment.user_id] += enrollment.version.jp
    for training in db.session.scalars(select(ExternalTraining)):
        if (
            training.user_id in totals
            and training.status == ReviewStatus.VERIFIED
            and training.finished_on.year == year
        ):
            totals[training.user_id] += training.jp
    bands = [0, 0, 0, 0]
    for jp in totals.values():
        bands[0 if jp == 0 else 1 if jp < 10 else 2 if jp < 20 else 3] += 1
    ids = {enrollment.id for enrollment, *_ in rows}
    papers = [
        (a.score or 0.0, a.results or [], db.session.get(CourseItem, a.item_id).title)
        for a in db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None))
        )
        if a.enrollment_id in ids
    ]
    score_bands = [0] * 10
    for score, _, _ in papers:
        score_bands[min(9, int(score // 10))] += 1
    items = {}
    for quiz in {t for _, _, t in papers}:
        mine = sorted(((s, r) for s, r, t in papers if t == quiz), key=lambda p: p[0])
        size = max(1, round(len(mine) * 0.27))
        at = Counter(s for s, _ in mine)

        def weights(ordered, size=size, at=at, mine=mine):  # type: ignore[no-untyped-def]
            # each attempt's share of the group; ties on the boundary share it equally
            taken: Counter = Counter()
            for s, _ in ordered[:size]:
                taken[s] += 1
            return [Fraction(taken[s], at[s]) for s, _ in mine]

        low, high = weights(mine), weights(mine[::-1])
        keys = {r["key"] for _, res in mine for r in res if r.get("scored", True)}
        for key in keys:
            marks = [
                (i, bool(r["correct"]))
                for i, (_, res) in enumerate(mine)
                for r in res
                if r["key"] == key and r.get("scored", True)
            ]

            def share(w, marks=marks):  # type: ignore[no-untyped-def]
                # exact, as the dashboard: a float sum rounds 0.625 either way
                seen = sum((w[i] for i, _ in marks), Fraction())
                return sum((w[i] for i, ok in marks if ok), Fraction()) / seen if seen else 0

            items[(quiz, key)] = (
                len(marks),
                round(sum(ok for _, ok in marks) / len(marks), 2),
                float(round(share(high) - share(low), 2)),
            )
    return {
        "by_course": sorted((s, t, n, c) for s, (t, n, c) in by_course.items()),
        "by_unit": sorted((str(u), n, c) for u, (n, c) in by_unit.items()),
        "enrolled": [enrolled[m] for m in months],
        "completed": [completed[m] for m in months],
        "jp": bands,
        "scores": score_bands,
        "items": items,
    }


def figures(dashboard):  # type: ignore[no-untyped-def]
    """The dashboard's numbers in the reference's shape."""
    return {
        "by_course": sorted(
            (r.slug, r.title, r.enrolled, r.completed) for r in dashboard.by_course
        ),
        "by_unit": sorted((r.slug, r.enrolled, r.completed) for r in dashboard.by_unit),
        "enrolled": dashboard.enrolments_per_month,
        "completed": dashboard.completions_per_month,
        "jp": dashboard.jp_bands,
        "scores": dashboard.score_bands,
        "items": {
            (i.quiz, i.key): (i.answered, i.difficulty, i.discrimination) for i in dashboard.items
        },
    }
