"""Course zips waiting for, going through or done with processing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.unit import Unit
from elearn.models.user import User


class UploadStatus(StrEnum):
    QUEUED = "queued"  # stored, not yet picked up
    PROCESSING = "processing"  # being parsed and rendered in the render process
    DONE = "done"  # a version exists (new, or identical to an earlier one)
    FAILED = "failed"  # the authors' errors or a limit; nothing was stored
    CONFLICT = "conflict"  # another upload or publish of the same course won the race


class CourseUpload(Base):
    """One uploaded course zip and what became of it; the status page reads this."""

    __tablename__ = "course_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    # The zip itself, emptied once processed: the version keeps the content.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The unit that will manage a new course; NULL means platform-wide (admins only).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[UploadStatus] = mapped_column(String(12), default=UploadStatus.QUEUED)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(String(500), default="")
    course_slug: Mapped[str | None] = mapped_column(String(80))
    version_number: Mapped[int | None]
    new_version: Mapped[bool | None]  # False: identical to an existing version
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status not in (UploadStatus.QUEUED, UploadStatus.PROCESSING)
