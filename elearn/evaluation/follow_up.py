"""The level-3 follow-up survey: created N days after a completion, mailed once per recipient.

A learner who completed a course on day D is asked on day D + N, both days counted in the
zone of the learner's unit (``Unit.timezone``, inherited from the parent units, else
``DEFAULT_TIMEZONE``), and so is their supervisor (``User.supervisor_id``) about them. The
e-mails wait while it is night where the recipient's unit is. Each pass inserts the surveys
now due with ``INSERT … SELECT … ON CONFLICT DO NOTHING``: the unique constraints on (enrolment,
recipient) and (enrolment, respondent) make a rerun, or two passes at once, create nothing
twice, and each survey's e-mail is a ``mail.send`` job keyed by the survey, so it goes out
once too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from elearn.extensions import db
from elearn.jobs.service import Jobs
from elearn.mail.job import queue_mail
from elearn.mail.message import Message
from elearn.models import Course, CourseVersion, Enrollment, FollowUpSurvey, Respondent, User
from elearn.models.base import UTCDateTime
from elearn.reminders.inbox import course_title
from elearn.reminders.texts import translations_for
from elearn.reminders.zones import units_by_zone

# A pass that did not run for a while still asks about completions up to this many days
# past their day N; older ones (say, everything before the feature was switched on) never.
CATCH_UP_DAYS = 30
CHUNK = 500
UNIT_CHUNK = 1000


@dataclass(frozen=True)
class FollowUpPlan:
    """When to ask: ``days`` after completion, counted in whole days of the learner's zone.

    ``unit_zones`` maps each unit to its zone (``elearn.reminders.zones.unit_zones``); when
    empty, every learner is counted in ``zone``.
    """

    days: int
    zone: ZoneInfo
    unit_zones: Mapping[int, ZoneInfo] = field(default_factory=dict)

    def zone_groups(self) -> list[tuple[ZoneInfo, list[int] | None]]:
        """Each zone with the units in it (None: every unit), chunked for ``IN`` lists."""
        if not self.unit_zones:
            return [(self.zone, None)]
        groups: list[tuple[ZoneInfo, list[int] | None]] = []
        for zone, unit_ids in units_by_zone(dict(self.unit_zones)).items():
            for start in range(0, len(unit_ids), UNIT_CHUNK):
                groups.append((zone, unit_ids[start : start + UNIT_CHUNK]))
        return groups


def due_window(today: date, plan: FollowUpPlan) -> tuple[datetime, datetime]:
    """Completions in ``[start, end)`` are due today: their day N is today or in the catch-up."""
    last_day = today - timedelta(days=plan.days)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), plan.zone)

    return midnight(last_day - timedelta(days=CATCH_UP_DAYS)), midnight(
        last_day + timedelta(days=1)
    )


def _insert() -> postgresql.Insert | sqlite.Insert:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(FollowUpSurvey)


def create_follow_ups(now: datetime, plan: FollowUpPlan) -> int:
    """Create the surveys due at ``now`` for learners and their supervisors; how many.

    A course version's own ``follow_up_days`` (course.md) replaces ``plan.days``: one pass
    per distinct value, each over the versions that use it.
    """
    overrides = db.session.scalars(
        select(CourseVersion.follow_up_days)
        .where(CourseVersion.follow_up_days.is_not(None))
        .distinct()
    ).all()
    created = 0
    for days in [None, *overrides]:
        uses = (
            CourseVersion.follow_up_days.is_(None)
            if days is None
            else CourseVersion.follow_up_days == days
        )
        for zone, unit_ids in plan.zone_groups():
            in_zone = replace(plan, days=days or plan.days, zone=zone)
            created += _create_due(now, in_zone, uses, unit_ids)
    db.session.commit()
    return created


def _create_due(
    now: datetime, plan: FollowUpPlan, uses: ColumnElement[bool], unit_ids: list[int] | None
) -> int:
    start, end = due_window(now.astimezone(plan.zone).date(), plan)
    at = literal(now, UTCDateTime())
    learner = aliased(User)
    supervisor = aliased(User)
    completed = and_(
        Enrollment.completed_at >= literal(start, UTCDateTime()),
        Enrollment.completed_at < literal(end, UTCDateTime()),
        learner.is_active.is_(True),
        uses,
    )
    if unit_ids is not None:
        completed = and_(completed, learner.unit_id.in_(unit_ids))
    columns = ["enrollment_id", "recipient_id", "respondent", "created_at", "comment"]
    created = 0
    for respondent, recipient in (
        (Respondent.LEARNER, learner.id),
        (Respondent.SUPERVISOR, supervisor.id),
    ):
        already = exists().where(
            FollowUpSurvey.enrollment_id == Enrollment.id,
            FollowUpSurvey.respondent == respondent.value,
        )
        rows = (
            select(Enrollment.id, recipient, literal(respondent.value), at, literal(""))
            .join(learner, learner.id == Enrollment.user_id)
            .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
            .where(completed, ~already)
        )
        if respondent is Respondent.SUPERVISOR:
            rows = rows.join(supervisor, supervisor.id == learner.supervisor_id).where(
                supervisor.is_active.is_(True), supervisor.id != learner.id
            )
        statement = (
            _insert()
            .from_select(columns, rows)
            .on_conflict_do_nothing()
            .returning(FollowUpSurvey.id)
        )
        created += len(db.session.scalars(statement).all())
    return created


def mail_follow_ups(
    now: datetime,
    jobs: Jobs,
    base_url: str,
    awake: Callable[[int], bool] = lambda unit_id: True,
) -> int:
    """Queue one e-mail per survey not mailed yet (recipients with an address); how many.

    A recipient whose unit is not ``awake`` (night there) is left for a later pass.
    """
    learner = aliased(User)
    recipient = aliased(User)
    sent = 0
    after = 0
    while True:
        rows = db.session.execute(
            select(
                FollowUpSurvey.id,
                FollowUpSurvey.respondent,
                recipient.id,
                recipient.full_name,
                recipient.email,
                recipient.locale,
                recipient.unit_id,
                learner.full_name,
                course_title(),
            )
            .join(recipient, recipient.id == FollowUpSurvey.recipient_id)
            .join(Enrollment, Enrollment.id == FollowUpSurvey.enrollment_id)
            .join(learner, learner.id == Enrollment.user_id)
            .join(Course, Course.id == Enrollment.course_id)
            .where(
                FollowUpSurvey.mailed_at.is_(None),
                recipient.email.is_not(None),
                FollowUpSurvey.id > after,
            )
            .order_by(FollowUpSurvey.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return sent
        after = rows[-1][0]
        mailed: list[int] = []
        for row in rows:
            survey_id, respondent, user_id, name, email, locale, unit_id = row[:7]
            learner_name, title = row[7:]
            if not awake(unit_id):
                continue
            message = survey_message(
                respondent=Respondent(respondent),
                to=email,
                name=name,
                learner_name=learner_name,
                course=title,
                url=f"{base_url}/evaluation/follow-up/{survey_id}",
                locale=locale or "id",
            )
            queue_mail(jobs, message, key=f"follow-up:{survey_id}", owner_id=user_id)
            mailed.append(survey_id)
            sent += 1
        # Marked after queueing, one statement per chunk (as the reminders' delivery does): a
        # pass that stops in between queues again under the same keys, which find the first
        # jobs instead of sending twice.
        if mailed:
            db.session.execute(
                update(FollowUpSurvey).where(FollowUpSurvey.id.in_(mailed)).values(mailed_at=now)
            )
        db.session.commit()


def survey_message(
    *,
    respondent: Respondent,
    to: str,
    name: str,
    learner_name: str,
    course: str,
    url: str,
    locale: str,
) -> Message:
    """The e-mail asking one recipient, in their language."""
    tr = translations_for(locale)
    if respondent is Respondent.SUPERVISOR:
        question = tr.gettext(
            "Apakah %(learner)s sudah menerapkan kompetensi dari kursus \u201c%(course)s\u201d "
            "dalam pekerjaannya?"
        ) % {"learner": learner_name, "course": course}
    else:
        question = tr.gettext(
            "Apakah Anda sudah menerapkan kompetensi dari kursus \u201c%(course)s\u201d "
            "dalam pekerjaan Anda?"
        ) % {"course": course}
    greeting = tr.gettext("Yth. %(name)s,") % {"name": name}
    answer = tr.gettext("Jawab dalam satu menit (skala 1\u20135 dan komentar):")
    return Message(
        to=to,
        subject=tr.gettext("Survei tindak lanjut: %(course)s") % {"course": course},
        text=f"{greeting}\n\n{question}\n\n{answer}\n{url}\n",
    )
