"""Who issues credentials: one issuer profile per instansi (and the platform's), with its keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime
from elearn.models.unit import Unit

PLATFORM_SLUG = "platform"


class IssuerProfile(Base):
    """The Open Badges issuer ``Profile`` of an instansi, or of the platform (``unit_id`` NULL).

    The platform's profile signs credentials of courses that belong to no instansi and every
    certificate issued before issuers were per instansi (``certificate.issuer_id`` NULL).
    """

    __tablename__ = "issuer_profile"
    __table_args__ = (
        CheckConstraint(
            f"(unit_id IS NULL) = (slug = '{PLATFORM_SLUG}')", name="platform_has_no_unit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    # Printed before the date of issue: "Palu, 3 Desember 2026".
    city: Mapped[str] = mapped_column(String(100), default="")
    # Re-encoded PNG (never the uploaded bytes), served at /issuers/<slug>/logo.png. Deferred:
    # the profile is read on every certificate issued and every public page, the logo only there.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship()
    keys: Mapped[list[IssuerKey]] = relationship(
        back_populates="issuer", order_by="IssuerKey.created_at"
    )

    @property
    def is_platform(self) -> bool:
        return self.unit_id is None


class IssuerKey(Base):
    """One Ed25519 key in an issuer's history: the current one signs, retired ones still verify.

    The private key is not stored here (``instance/issuer-keys/<kid>.pem``, or the deployment's
    CERTIFICATE_SIGNING_KEY for the platform's first key); the public key is, so that every
    credential ever signed stays verifiable from the database alone.
    """

    __tablename__ = "issuer_key"
    __table_args__ = (
        # One current (unretired) key per issuer, however many rotations run at once.
        Index(
            "uq_issuer_key_current",
            "issuer_id",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuer_profile.id", ondelete="RESTRICT"), index=True
    )
    kid: Mapped[str] = mapped_column(String(64), unique=True)  # RFC 7638 thumbprint
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64url
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[IssuerProfile] = relationship(back_populates="keys")
