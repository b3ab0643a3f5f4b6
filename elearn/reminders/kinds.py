"""Reminder kinds by name: ``due_in_14``, ``due_today``, ``overdue_week_2``, ``inactive_14``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    DUE_IN = "due_in"  # before the due day
    DUE_TODAY = "due_today"  # on it
    OVERDUE = "overdue_week"  # each week after it, until completed
    INACTIVE = "inactive"  # a nudge on an idle enrolment; the learner may opt out


@dataclass(frozen=True)
class Kind:
    """A family and its number: days before the due day, week overdue, or idle days."""

    family: Family
    number: int = 0

    @property
    def name(self) -> str:
        """The stored name; its number keeps each window's reminder unique."""
        if self.family is Family.DUE_TODAY:
            return self.family.value
        return f"{self.family.value}_{self.number}"

    @property
    def is_nudge(self) -> bool:
        return self.family is Family.INACTIVE

    @classmethod
    def parse(cls, name: str) -> Kind:
        if name == Family.DUE_TODAY.value:
            return cls(Family.DUE_TODAY)
        family, _, number = name.rpartition("_")
        return cls(Family(family), int(number))
