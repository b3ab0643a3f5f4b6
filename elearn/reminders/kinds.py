"""Reminder kinds by name: ``due_in_14``, ``due_today``, ``overdue_week_2``, ``inactive_14``,
``jp_pace`` (a month's line on the 20 JP duty) and ``overdue_digest`` (a coordinator's week)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    DUE_IN = "due_in"  # before the due day
    DUE_TODAY = "due_today"  # on it
    OVERDUE = "overdue_week"  # each week after it, until completed
    INACTIVE = "inactive"  # a nudge on an idle enrolment; the learner may opt out
    JP_PACE = "jp_pace"  # once a month, behind the pace to the year's JP target; optional too
    DIGEST = "overdue_digest"  # once an ISO week, to a coordinator: overdue learners in scope


# Families whose stored name carries no number.
UNNUMBERED = frozenset({Family.DUE_TODAY, Family.JP_PACE, Family.DIGEST})
# Families of a period (a month, a week) rather than of a course.
PERIODIC = frozenset({Family.JP_PACE, Family.DIGEST})


@dataclass(frozen=True)
class Kind:
    """A family and its number: days before the due day, week overdue, or idle days."""

    family: Family
    number: int = 0

    @property
    def name(self) -> str:
        """The stored name; its number keeps each window's reminder unique."""
        if self.family in UNNUMBERED:
            return self.family.value
        return f"{self.family.value}_{self.number}"

    @property
    def is_nudge(self) -> bool:
        """Not mandatory: the learner may turn these off (and each e-mail says how)."""
        return self.family in (Family.INACTIVE, Family.JP_PACE)

    @property
    def is_periodic(self) -> bool:
        return self.family in PERIODIC

    @classmethod
    def parse(cls, name: str) -> Kind:
        if name in {family.value for family in UNNUMBERED}:
            return cls(Family(name))
        family, _, number = name.rpartition("_")
        return cls(Family(family), int(number))
