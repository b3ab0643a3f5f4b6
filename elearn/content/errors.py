"""Problems found in course sources, always tied to a file and line.

A problem is an error (the course is not stored) or a warning (the course is
stored, but an author should look: an image without alt text, a list that
renders as a paragraph). Both travel together, sorted by file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

WARNING_LABEL = "peringatan"  # printed between the line and the message of a warning


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in a source file, printed as ``path:line: message``.

    A warning prints as ``path:line: peringatan: message``.
    """

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        if self.is_error:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}:{self.line}: {WARNING_LABEL}: {self.message}"


def warning(path: str, line: int, message: str) -> SourceError:
    """Return a warning: reported with the errors, but it does not stop a course."""
    return SourceError(path, line, message, Severity.WARNING)


def split_problems(problems: Iterable[SourceError]) -> tuple[list[SourceError], list[SourceError]]:
    """Return (errors, warnings) of ``problems``, each sorted by path and line."""
    ordered = sorted(problems)
    return [p for p in ordered if p.is_error], [p for p in ordered if not p.is_error]


class ContentErrors(Exception):
    """Raised with every problem found, so authors can fix them in one pass.

    ``errors`` holds the errors only; ``warnings`` the warnings found with them.
    """

    def __init__(self, problems: Iterable[SourceError]) -> None:
        self.errors, self.warnings = split_problems(problems)
        super().__init__("\n".join(str(e) for e in self.errors))

    @property
    def problems(self) -> list[SourceError]:
        """Errors and warnings together, sorted by path and line."""
        return sorted([*self.errors, *self.warnings])
