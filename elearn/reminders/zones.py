"""Every unit's resolved time zone, read in one query, grouped so each zone is one pass."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Unit


def unit_zones(default_zone: str) -> dict[int, ZoneInfo]:
    """Each unit's zone: its own, else its nearest ancestor's, else ``default_zone``.

    Units number in the thousands at most, so the tree is walked here rather than with a
    recursive query per dialect.
    """
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.timezone)).all()
    parents = {unit_id: parent_id for unit_id, parent_id, _ in rows}
    own = {unit_id: zone for unit_id, _, zone in rows if zone}
    zones: dict[int, ZoneInfo] = {}
    for unit_id in parents:
        seen: set[int] = set()
        current: int | None = unit_id
        name = default_zone
        while current is not None and current not in seen:
            seen.add(current)
            if current in own:
                name = own[current]
                break
            current = parents.get(current)
        zones[unit_id] = ZoneInfo(name)
    return zones


def units_by_zone(zones: dict[int, ZoneInfo]) -> dict[ZoneInfo, list[int]]:
    grouped: dict[ZoneInfo, list[int]] = defaultdict(list)
    for unit_id, zone in zones.items():
        grouped[zone].append(unit_id)
    return {zone: sorted(ids) for zone, ids in grouped.items()}
