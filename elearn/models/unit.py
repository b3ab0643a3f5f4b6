"""The organisation-unit tree: instansi → perangkat daerah → unit kerja."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow


class UnitKind(StrEnum):
    INSTANSI = "instansi"
    PERANGKAT_DAERAH = "perangkat_daerah"
    UNIT_KERJA = "unit_kerja"


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    # IANA zone such as Asia/Makassar; children inherit it when empty.
    timezone: Mapped[str | None] = mapped_column(String(40))
    siasn_unor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def ancestors(self) -> list[Unit]:
        """Return this unit and its ancestors, nearest first."""
        chain: list[Unit] = []
        unit: Unit | None = self
        while unit is not None and unit not in chain:
            chain.append(unit)
            unit = unit.parent
        return chain

    @property
    def instansi(self) -> Unit:
        return self.ancestors()[-1]

    @property
    def path(self) -> str:
        return " › ".join(u.name for u in reversed(self.ancestors()))

    def resolved_timezone(self) -> str | None:
        return next((u.timezone for u in self.ancestors() if u.timezone), None)
