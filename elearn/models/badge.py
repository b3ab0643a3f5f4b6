"""The "Pembelajar ASN <year>" badge: a learner reached the yearly JP target, once a year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime


class JpBadge(Base):
    """An Open Badges 3.0 achievement: the learner's JP of one calendar year reached the target.

    ``payload`` is the signed snapshot (name, NIP, year, JP as evidence) the verification
    page and the VC-JWT are made from, as a certificate's is. The unique constraint makes
    each (learner, year) badge exist once, whichever of two parallel issuers inserts it.
    """

    __tablename__ = "jp_badge"
    __table_args__ = (UniqueConstraint("user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(43), unique=True)
    # Archive records like certificates: an account with badges is anonymised, not deleted.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    year: Mapped[int]  # the calendar year, in the learner's zone
    jp: Mapped[int]  # the year's JP when the badge was issued: its evidence
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
