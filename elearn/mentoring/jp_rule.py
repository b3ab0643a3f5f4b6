"""How a confirmed coaching or mentoring session becomes JP: the one place the rule lives.

1 JP = 45 minutes (LAN); a session earns whole JP only, rounded down, so a 100-minute
session is 2 JP and a 40-minute one none. The minutes per JP are the setting
``MENTORING_MINUTES_PER_JP`` (docs/jp-duty.md).
"""

from __future__ import annotations


def session_jp(duration_minutes: int, minutes_per_jp: int) -> int:
    """The JP a confirmed session of ``duration_minutes`` counts for."""
    return max(duration_minutes, 0) // minutes_per_jp
