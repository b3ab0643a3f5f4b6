"""Issuing the Pembelajar ASN badge exactly once per learner and year.

Who is owed a badge is read in SQL with the JP duty's own rollup query
(``reports.jp_duty.learner_jp``: certificates not revoked plus verified external
trainings, in the year of the learner's zone), so a badge is issued exactly when the
career record shows the target reached. Each badge is signed here and inserted with
``ON CONFLICT DO NOTHING`` on the unique (learner, year): of two issuers at once (the
request that moved the JP and the hourly pass, say) the second inserts nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite

from elearn.certificates import status_list
from elearn.certificates.keys import current_key_id, signing_key
from elearn.certificates.signing import sign_payload
from elearn.extensions import db
from elearn.i18n import zone_for
from elearn.models import EmployeeType, ExternalTraining, JpBadge, LearnerJpTotal, User
from elearn.reports.jp_duty import UnitZones, learner_jp
from elearn.settings import Settings

# Any civil servant who learns is recognised; the JP duty page counts PNS only.
EVERYONE = (EmployeeType.PNS, EmployeeType.PPPK)
# Units per statement, as in the reminders pass.
UNIT_CHUNK = 1000
# Badges per INSERT: nine parameters a row stays far below SQLite's limit.
INSERT_CHUNK = 500
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Owed:
    """A learner whose JP of ``year`` reached the target and who has no badge for it yet."""

    user_id: int
    name: str
    nip: str
    year: int
    jp: int


def new_code() -> str:
    """A random, URL-safe verification code of 128 bits (as a certificate's)."""
    return secrets.token_urlsafe(16)


def owed_badges(
    year: int,
    unit_ids: Collection[int],
    zones: UnitZones,
    target: int,
    user_ids: Collection[int] | None = None,
) -> list[Owed]:
    """Learners of ``unit_ids`` (or only ``user_ids``) at ``target`` JP in ``year``, unbadged."""
    if not unit_ids:
        return []
    statement = learner_jp(year, set(unit_ids), zones, EVERYONE)
    if user_ids is not None:
        statement = statement.where(User.id.in_(sorted(user_ids)))
    learners = statement.subquery()
    badged = exists().where(JpBadge.user_id == learners.c.user_id, JpBadge.year == year)
    rows = db.session.execute(
        select(learners.c.user_id, learners.c.name, learners.c.nip, learners.c.jp)
        .where(learners.c.jp >= target, ~badged)
        .order_by(learners.c.user_id)
    )
    return [Owed(user_id, name, nip, year, int(jp)) for user_id, name, nip, jp in rows]


def badge_payload(
    owed: Owed, code: str, now: datetime, zone: ZoneInfo, settings: Settings
) -> dict[str, Any]:
    """The signed content of the badge (strings and ints only)."""
    return {
        "code": code,
        "learner_name": owed.name,
        "nip": owed.nip,
        "year": owed.year,
        "jp": owed.jp,
        "target": settings.jp_target_per_year,
        "issuer_name": settings.certificates.issuer_name,
        "issued_on": now.astimezone(zone).date().isoformat(),
    }


def issue(
    owed: Iterable[Owed], zone_of_user: dict[int, ZoneInfo], now: datetime, settings: Settings
) -> list[int]:
    """Sign and insert a badge for each ``owed``; return the ids of those inserted now."""
    key, kid = signing_key(), current_key_id()
    rows = []
    for entry in owed:
        code = new_code()
        payload = badge_payload(entry, code, now, zone_of_user[entry.user_id], settings)
        rows.append(
            {
                "code": code,
                "user_id": entry.user_id,
                "year": entry.year,
                "jp": entry.jp,
                "issued_at": now,
                "payload": payload,
                "signature": sign_payload(key, payload),
                "key_id": kid,
            }
        )
    dialect = db.session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    issued: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        statement = (
            insert(JpBadge)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["user_id", "year"])
            .returning(JpBadge.id)
        )
        issued.extend(db.session.scalars(statement))
    status_list.allocate(now, badge_ids=issued)
    return issued


def _units_by_zone(zones: UnitZones) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for unit_id, zone in zones.zone.items():
        grouped[zone].append(unit_id)
    return {zone: sorted(ids) for zone, ids in sorted(grouped.items())}


def issue_due_badges(
    now: datetime, settings: Settings, *, years: Collection[int] | None = None
) -> int:
    """Issue every badge owed at ``now``; return how many were issued. Commits.

    ``years`` None checks the learners' current and previous local year (the hourly
    pass: an external training verified in January may complete last year's target).
    """
    zones = UnitZones(settings.default_timezone)
    issued = 0
    for zone_name, unit_ids in _units_by_zone(zones).items():
        zone = ZoneInfo(zone_name)
        local_year = now.astimezone(zone).year
        recent = [local_year - 1, local_year]
        checked = recent if years is None else sorted(y for y in years if y <= local_year)
        for start in range(0, len(unit_ids), UNIT_CHUNK):
            chunk = unit_ids[start : start + UNIT_CHUNK]
            for year in checked:
                owed = owed_badges(year, chunk, zones, settings.jp_target_per_year)
                if owed:
                    issued += len(issue(owed, {o.user_id: zone for o in owed}, now, settings))
                    db.session.commit()  # signed and stored: short transactions
    db.session.commit()
    return issued


def years_with_jp() -> list[int]:
    """Every year some learner has JP in (and the next: a late-December completion counts
    for the next local year east of UTC), for the catch-up of ``flask badges issue-missing``."""
    found = set(
        db.session.scalars(select(LearnerJpTotal.year).where(LearnerJpTotal.jp > 0).distinct())
    )
    return sorted(found | {year + 1 for year in found})


@dataclass(frozen=True)
class JpChange:
    """A learner whose JP of ``year`` (in their zone) just moved, with their unit and zone."""

    user_id: int
    unit_id: int
    zone: str
    year: int


def training_change(training: ExternalTraining, settings: Settings) -> JpChange:
    """The JP year a verified external training moved: the year it finished."""
    user: User = training.user
    zone = zone_for(user, settings.default_timezone)
    return JpChange(user.id, user.unit_id, zone.key, training.finished_on.year)


class _KnownZones(UnitZones):
    """The zones of a few units already known from the learners loaded: no reads."""

    def __init__(self, zones: dict[int, str]) -> None:
        self.zone = zones  # no super().__init__(): it would read every unit


def award_after_change(changes: Iterable[JpChange], now: datetime, settings: Settings) -> int:
    """Issue the badges learners are owed after their JP changed (committed before).

    One statement per (zone, year) among ``changes``, usually one in all: the caller knows
    the learner's unit, zone and the year that moved. Run in a transaction of its own: a
    failure is logged and left to the hourly pass, never undoing the completion or the
    review that moved the JP.
    """
    groups: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)  # user → unit
    for change in changes:
        groups[(change.zone, change.year)][change.user_id] = change.unit_id
    issued = 0
    try:
        for (zone_name, year), units_of in sorted(groups.items()):
            zone = ZoneInfo(zone_name)
            if year > now.astimezone(zone).year:
                continue
            unit_ids = set(units_of.values())
            zones = _KnownZones(dict.fromkeys(unit_ids, zone_name))
            owed = owed_badges(year, unit_ids, zones, settings.jp_target_per_year, set(units_of))
            if owed:
                issued += len(issue(owed, {o.user_id: zone for o in owed}, now, settings))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the JP change itself is already safe
        db.session.rollback()
        learners = sorted(user for units_of in groups.values() for user in units_of)
        logger.exception("badges of learners %s not issued yet; the hourly pass retries", learners)
        return 0
    return issued
