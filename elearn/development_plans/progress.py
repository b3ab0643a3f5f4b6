"""Each planned activity's progress, read from what the learner did (nothing is stored).

Courses are done by their completion, programs by their certificate, external trainings by a
verified record of them, mentoring by confirmed sessions. All the facts of one plan come in a
fixed number of statements (``facts_for``), however many activities it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import (
    ActivityKind,
    Competency,
    DevelopmentPlan,
    Enrollment,
    ExternalTraining,
    MentoringSession,
    PlanActivity,
    ReviewStatus,
    SessionStatus,
)
from elearn.programs.progress import completed_on_each


@dataclass(frozen=True)
class PlanFacts:
    """What the plan's owner did in the plan's year that may fulfil an activity."""

    completions: dict[int, date]  # course id → completion date (the owner's local date)
    programs: dict[str, date]  # program slug → completion date (its certificate's day)
    trainings: list[tuple[str, str, date]]  # verified: name, route, finish date
    sessions: list[tuple[str, date, int]]  # confirmed: competency kind, date, JP
    kinds: dict[str, str]  # competency code → kind (teknis, manajerial, sosial-kultural)


@dataclass(frozen=True)
class ActivityProgress:
    done_on: date | None
    jp_done: int
    evidence: str = ""  # what fulfilled it, e.g. the verified training's name

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class PlanProgress:
    activities: dict[int, ActivityProgress]  # activity id → progress
    jp_planned: int
    jp_done: int

    @property
    def done_count(self) -> int:
        return sum(1 for p in self.activities.values() if p.done)


def _local(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def facts_for(plan: DevelopmentPlan, zone: ZoneInfo) -> PlanFacts:
    """Gather the owner's completions, programs, trainings and sessions of the year.

    Five statements at most, whatever the number of activities.
    """
    first, last = date(plan.year, 1, 1), date(plan.year, 12, 31)
    course_ids = [a.course_id for a in plan.activities if a.course_id is not None]
    completions: dict[int, date] = {}
    if course_ids:
        for course_id, completed_at in db.session.execute(
            select(Enrollment.course_id, Enrollment.completed_at).where(
                Enrollment.user_id == plan.user_id,
                Enrollment.course_id.in_(course_ids),
                Enrollment.completed_at.is_not(None),
            )
        ):
            on = _local(completed_at, zone)  # type: ignore[arg-type]
            if on.year == plan.year:
                completions[course_id] = on
    slugs = {a.program_slug for a in plan.activities if a.program_slug}
    programs = {
        slug: on
        for slug, on in (
            completed_on_each(db.session, plan.user_id, slugs) if slugs else {}
        ).items()
        if on.year == plan.year
    }
    trainings = [
        (name, route, finished_on)
        for name, route, finished_on in db.session.execute(
            select(ExternalTraining.name, ExternalTraining.route, ExternalTraining.finished_on)
            .where(
                ExternalTraining.user_id == plan.user_id,
                ExternalTraining.status == ReviewStatus.VERIFIED,
                ExternalTraining.finished_on.between(first, last),
            )
            .order_by(ExternalTraining.finished_on)
        )
    ]
    sessions = [
        (kind, held_on, jp)
        for kind, held_on, jp in db.session.execute(
            select(MentoringSession.competency, MentoringSession.held_on, MentoringSession.jp)
            .where(
                MentoringSession.mentee_id == plan.user_id,
                MentoringSession.status == SessionStatus.CONFIRMED,
                MentoringSession.held_on.between(first, last),
            )
            .order_by(MentoringSession.held_on, MentoringSession.id)
        )
    ]
    codes = {a.competency_code for a in plan.activities if a.competency_code}
    kinds = (
        {
            code: str(kind)
            for code, kind in db.session.execute(
                select(Competency.code, Competency.kind).where(Competency.code.in_(codes))
            )
        }
        if codes
        else {}
    )
    return PlanFacts(completions, programs, trainings, sessions, kinds)


def _course_done_on(activity: PlanActivity, facts: PlanFacts) -> ActivityProgress:
    on = facts.completions.get(activity.course_id) if activity.course_id else None
    return ActivityProgress(on, activity.jp if on else 0)


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _external_done_on(activity: PlanActivity, facts: PlanFacts) -> ActivityProgress:
    # The training's own name first; else one on the same learning route (the name
    # recorded afterwards often differs from the one planned).
    match = next((t for t in facts.trainings if _same_words(t[0], activity.title)), None)
    match = match or next((t for t in facts.trainings if t[1] == activity.route), None)
    if match is None:
        return ActivityProgress(None, 0)
    return ActivityProgress(match[2], activity.jp, match[0])


def _mentoring_done_on(activity: PlanActivity, facts: PlanFacts) -> ActivityProgress:
    # Sessions record the competency's kind, not its code: a session developing the same
    # kind counts; an activity with no dictionary code counts every confirmed session.
    kind = facts.kinds.get(activity.competency_code or "")
    jp = 0
    for session_kind, held_on, session_jp in facts.sessions:
        if kind is not None and session_kind != kind:
            continue
        jp += session_jp
        if jp >= max(activity.jp, 1):
            return ActivityProgress(held_on, activity.jp)
    return ActivityProgress(None, min(jp, activity.jp))


def _program_done_on(activity: PlanActivity, facts: PlanFacts) -> ActivityProgress:
    on = facts.programs.get(activity.program_slug) if activity.program_slug else None
    return ActivityProgress(on, activity.jp if on else 0)


DONE_ON: dict[ActivityKind, Callable[[PlanActivity, PlanFacts], ActivityProgress]] = {
    ActivityKind.COURSE: _course_done_on,
    ActivityKind.PROGRAM: _program_done_on,
    ActivityKind.EXTERNAL: _external_done_on,
    ActivityKind.MENTORING: _mentoring_done_on,
}


def activity_done_on(activity: PlanActivity, facts: PlanFacts) -> ActivityProgress:
    """When (and how far) ``activity`` was done, by its kind; the hook for new kinds."""
    return DONE_ON[ActivityKind(activity.kind)](activity, facts)


def plan_progress(plan: DevelopmentPlan, zone: ZoneInfo) -> PlanProgress:
    """Every activity's progress and the plan's JP, planned and done."""
    facts = facts_for(plan, zone)
    activities = {a.id: activity_done_on(a, facts) for a in plan.activities}
    return PlanProgress(
        activities,
        jp_planned=sum(a.jp for a in plan.activities),
        jp_done=sum(p.jp_done for p in activities.values()),
    )
