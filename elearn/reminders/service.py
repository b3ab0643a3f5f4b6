"""One reminders pass: create what is due in every zone where it is daytime, then deliver.

The same hourly pass issues the Pembelajar ASN badges learners are owed (elearn/badges):
those are not messages, so they are not held back at night.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from elearn.badges.issuance import issue_due_badges
from elearn.extensions import db
from elearn.reminders.channels import Channel
from elearn.reminders.create import create_deadline_reminders, create_nudges
from elearn.reminders.delivery import deliver_pending
from elearn.reminders.digest import create_digests
from elearn.reminders.pace import create_pace_lines
from elearn.reminders.windows import deadline_windows, is_daytime
from elearn.reminders.zones import unit_zones, units_by_zone
from elearn.reports.jp_duty import UnitZones
from elearn.settings import Settings

# Units per statement: learners are selected by unit, well under SQLite's parameter limit.
UNIT_CHUNK = 1000


@dataclass(frozen=True)
class Summary:
    """What a pass did: reminders created by kind, deliveries by channel, badges issued."""

    created: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    badges: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def run_reminders(now: datetime, settings: Settings, channels: Sequence[Channel] = ()) -> Summary:
    """Create the reminders due at ``now`` and hand the undelivered ones to ``channels``.

    Learners are handled per time zone: a zone where it is night is skipped and its
    reminders come with the first pass after the day starts there. Commits.
    """
    zones = unit_zones(settings.default_timezone)
    created: Counter[str] = Counter()
    jp_zones: UnitZones | None = None  # read once, the first time a zone is awake
    for zone, unit_ids in units_by_zone(zones).items():
        if not is_daytime(now, zone, settings.reminders):
            continue
        jp_zones = jp_zones or UnitZones(settings.default_timezone)
        created.update(_create_in_zone(zone, unit_ids, now, settings, jp_zones))
    db.session.commit()
    badges = issue_due_badges(now, settings)
    sent = deliver_pending(now, settings, zones, channels)
    return Summary(created, sent, badges)


def _create_in_zone(
    zone: ZoneInfo, unit_ids: list[int], now: datetime, settings: Settings, jp_zones: UnitZones
) -> Counter[str]:
    today = now.astimezone(zone).date()
    windows = deadline_windows(today, settings.reminders)
    created: Counter[str] = Counter()
    for start in range(0, len(unit_ids), UNIT_CHUNK):
        chunk = unit_ids[start : start + UNIT_CHUNK]
        created.update(create_deadline_reminders(chunk, today, windows, now))
        created.update(create_nudges(chunk, now, settings.reminders))
        if settings.reminders.jp_pace:
            target = settings.jp_target_per_year
            created.update(create_pace_lines(chunk, today, now, jp_zones, target))
        created.update(
            create_digests(
                chunk,
                today,
                now,
                settings.reminders.digest_weekday,
                settings.reminders.digest_size,
            )
        )
        db.session.commit()  # short transactions: parallel passes wait on each other briefly
    return created
