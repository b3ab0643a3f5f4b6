"""The ``evaluation.follow-up`` job: one pass of follow-up surveys, submitted hourly."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask

from elearn import clock
from elearn.evaluation.follow_up import FollowUpPlan, create_follow_ups, mail_follow_ups
from elearn.jobs.binding import current_jobs
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.reminders.windows import is_daytime
from elearn.reminders.zones import unit_zones
from elearn.settings import current_settings

FOLLOW_UP_KIND = "evaluation.follow-up"


def follow_up_kind(app: Flask) -> JobKind:
    """The kind; settings and jobs are looked up at run time (tests rebind them)."""

    def run(context: JobContext) -> Outcome:
        settings = current_settings()
        now = clock.now()
        zone = ZoneInfo(settings.default_timezone)
        zones = unit_zones(settings.default_timezone)
        plan = FollowUpPlan(settings.follow_up_days, zone, zones)
        created = create_follow_ups(now, plan)

        def awake(unit_id: int) -> bool:
            # Like the reminders: nothing arrives at night where the recipient works; the
            # first pass after the day starts there sends it.
            return is_daytime(now, zones.get(unit_id, zone), settings.reminders)

        mailed = mail_follow_ups(now, current_jobs(app), settings.public_base_url, awake)
        return Outcome(info={"created": created, "mailed": mailed})

    return JobKind(FOLLOW_UP_KIND, run, max_attempts=3, lease_seconds=1800)
