"""Accounts: a civil servant identified by NIP, with roles scoped to units."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.unit import Unit


class Role(StrEnum):
    LEARNER = "learner"
    COORDINATOR = "coordinator"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


# Roles that only make sense over some units (and their sub-units).
SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.EVALUATOR})


class EmployeeType(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


def new_session_token() -> str:
    """Return a fresh token; changing it signs the user out everywhere."""
    return secrets.token_urlsafe(32)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    employee_type: Mapped[EmployeeType] = mapped_column(String(8), default=EmployeeType.PNS)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str | None] = mapped_column(String(200))  # jabatan
    # Atasan langsung: approves development plans and sees the reports' competency gaps.
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    rank: Mapped[str | None] = mapped_column(String(100))  # pangkat/golongan
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Inactivity nudges are not mandatory: the learner may turn them off (reminders of
    # assigned deadlines still come).
    nudges_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    supervisor: Mapped[User | None] = relationship(remote_side="User.id")
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    role_scopes: Mapped[list[RoleScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol. The id in the session is the session token, not the
    # primary key, so rotating the token invalidates every session and cookie.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def preload_unread(self, count: int) -> None:
        """Remember the unread notifications counted in the sign-in loader's statement."""
        vars(self)["_preloaded_unread"] = count

    @property
    def preloaded_unread(self) -> int | None:
        """The unread count read with the user, or None when it was loaded another way."""
        count: int | None = vars(self).get("_preloaded_unread")
        return count

    def preload_roles(self, roles: frozenset[Role]) -> None:
        """Remember roles read along with the user, so role checks load no grant objects.

        The sign-in loader reads them in its one statement; changing the grants forgets them.
        """
        vars(self)["_preloaded_roles"] = roles

    @property
    def roles(self) -> frozenset[Role]:
        preloaded: frozenset[Role] | None = vars(self).get("_preloaded_roles")
        if preloaded is not None:
            return preloaded
        return frozenset(Role(grant.role) for grant in self.role_grants)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def nip_grouped(self) -> str:
        n = self.nip
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"

    @property
    def timezone(self) -> str | None:
        return self.unit.resolved_timezone() if self.unit else None


@event.listens_for(User.role_grants, "append")
@event.listens_for(User.role_grants, "remove")
def _forget_preloaded(user: User, *_args: object) -> None:
    vars(user).pop("_preloaded_roles", None)


class RoleGrant(Base):
    __tablename__ = "role_grant"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")


class RoleScope(Base):
    """A unit a coordinator or evaluator is responsible for (sub-units included)."""

    __tablename__ = "role_scope"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="role_scopes")
    unit: Mapped[Unit] = relationship()
