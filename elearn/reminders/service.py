"""One reminders pass: create what is due in every zone where it is daytime, then deliver."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from elearn.extensions import db
from elearn.reminders.channels import Channel
from elearn.reminders.create import create_deadline_reminders, create_nudges
from elearn.reminders.delivery import deliver_pending
from elearn.reminders.windows import deadline_windows, is_daytime
from elearn.reminders.zones import unit_zones, units_by_zone
from elearn.settings import Settings

# Units per statement: learners are selected by unit, well under SQLite's parameter limit.
UNIT_CHUNK = 1000


@dataclass(frozen=True)
class Summary:
    """What a pass did: reminders created by kind, and deliveries by channel."""

    created: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)

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
    for zone, unit_ids in units_by_zone(zones).items():
        if not is_daytime(now, zone, settings.reminders):
            continue
        created.update(_create_in_zone(zone, unit_ids, now, settings))
    db.session.commit()
    sent = deliver_pending(now, settings, zones, channels)
    return Summary(created, sent)


def _create_in_zone(
    zone: ZoneInfo, unit_ids: list[int], now: datetime, settings: Settings
) -> Counter[str]:
    today = now.astimezone(zone).date()
    windows = deadline_windows(today, settings.reminders)
    created: Counter[str] = Counter()
    for start in range(0, len(unit_ids), UNIT_CHUNK):
        chunk = unit_ids[start : start + UNIT_CHUNK]
        created.update(create_deadline_reminders(chunk, today, windows, now))
        created.update(create_nudges(chunk, now, settings.reminders))
        db.session.commit()  # short transactions: parallel passes wait on each other briefly
    return created
