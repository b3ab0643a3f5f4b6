"""Small typed factories for test data; each call makes fresh rows."""

from __future__ import annotations

import itertools

from elearn.accounts.services import UserData, create_user
from elearn.accounts.units import UnitData, save_unit
from elearn.extensions import db
from elearn.models import EmployeeType, Role, Unit, UnitKind, User

DEFAULT_PASSWORD = "rahasia-kuat-123"
_sequence = itertools.count(1)


def make_unit(
    name: str = "Pemerintah Kota Palu",
    *,
    parent: Unit | None = None,
    code: str | None = None,
    timezone: str | None = "Asia/Makassar",
) -> Unit:
    """Create a unit (an instansi when it has no parent)."""
    kind = UnitKind.INSTANSI if parent is None else UnitKind.PERANGKAT_DAERAH
    unit = save_unit(
        UnitData(
            code=code or f"unit-{next(_sequence)}",
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            timezone=timezone if parent is None else None,
        )
    )
    db.session.commit()
    return unit


def next_nip() -> str:
    """Return a valid, unused PNS NIP."""
    return f"19860926201505{1 + next(_sequence) % 2}{next(_sequence) % 999 + 1:03d}"


def make_user(
    *roles: Role,
    unit: Unit | None = None,
    scope: list[Unit] | None = None,
    nip: str | None = None,
    name: str = "Andi Pratama",
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    employee_type: EmployeeType = EmployeeType.PNS,
) -> User:
    """Create an active user with ``roles`` (learner by default) and commit."""
    unit = unit or make_unit()
    user = create_user(
        UserData(
            nip=nip or next_nip(),
            full_name=name,
            unit_id=unit.id,
            employee_type=employee_type,
            email=email,
            roles=set(roles) or {Role.LEARNER},
            scope_unit_ids={u.id for u in scope or []},
        ),
        password,
    )
    db.session.commit()
    return user
