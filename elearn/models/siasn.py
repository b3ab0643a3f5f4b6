"""SIASN: per-instansi code lists, the SIASN person id of a user, and one push per record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.certificate import Certificate
from elearn.models.record import ExternalTraining
from elearn.models.unit import Unit
from elearn.models.user import User


class CodeList(StrEnum):
    """SIASN reference lists whose ids differ per deployment (see docs/career-record.md)."""

    INSTANSI = "instansi"
    LOKASI = "lokasi"
    JENIS_KURSUS = "jenis-kursus"
    JENIS_DIKLAT = "jenis-diklat"
    LATIHAN_STRUKTURAL = "latihan-struktural"


class SiasnCode(Base):
    """One SIASN id of an instansi: ``key`` is our value (route, competency or ``default``)."""

    __tablename__ = "siasn_code"
    __table_args__ = (UniqueConstraint("instansi_id", "list_name", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    list_name: Mapped[CodeList] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instansi: Mapped[Unit] = relationship()


class SiasnPerson(Base):
    """SIASN's ``pnsOrangId`` for a user, looked up once from the NIP."""

    __tablename__ = "siasn_person"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    nip: Mapped[str] = mapped_column(String(18))  # the NIP it was found by: a new NIP looks again
    pns_orang_id: Mapped[str] = mapped_column(String(64))
    looked_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PushState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a push job; another job takes it only after the lease
    SENT = "sent"
    REFUSED = "refused"
    UNCERTAIN = "uncertain"  # the save's answer was lost: SIASN may have it; a person checks


class PushShape(StrEnum):
    KURSUS = "kursus"
    DIKLAT = "diklat"


class SiasnPush(Base):
    """The push of one record (a certificate or an external training) to SIASN.

    One row per record, enforced by unique keys: a record is sent at most once, and
    SIASN's id for it is kept here.
    """

    __tablename__ = "siasn_push"
    __table_args__ = (
        UniqueConstraint("certificate_id"),
        UniqueConstraint("training_id"),
        CheckConstraint("(certificate_id IS NULL) <> (training_id IS NULL)", name="one_source"),
        # A push run and the status page read one year (of one instansi) by state.
        Index("ix_siasn_push_year_instansi", "year", "instansi_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE")
    )
    training_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_training.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    instansi_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    year: Mapped[int]
    shape: Mapped[PushShape] = mapped_column(String(10))
    state: Mapped[PushState] = mapped_column(String(10), default=PushState.PENDING)
    siasn_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    certificate: Mapped[Certificate | None] = relationship()
    training: Mapped[ExternalTraining | None] = relationship()

    @property
    def record_name(self) -> str:
        if self.certificate is not None:
            return str(self.certificate.payload.get("course_title") or self.certificate.number)
        return self.training.name if self.training is not None else ""
