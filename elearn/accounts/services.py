"""Account rules: creating users, roles and scopes, passwords, deactivation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from elearn import clock
from elearn.accounts.nip import InvalidNip, normalize_nip, validate_nip
from elearn.accounts.passwords import hash_password, needs_rehash, verify_password
from elearn.assignments.arrivals import assign_arrival
from elearn.auth.duties import refuse_own_record
from elearn.extensions import db
from elearn.models import EmployeeType, Role, RoleGrant, RoleScope, Unit, User
from elearn.models.user import SCOPED_ROLES, new_session_token
from elearn.problem_text import Problem, problem_of
from elearn.reports import rollups
from elearn.reports.audit import audit

# The shortest password accepted: a rule of the platform, not a deployment choice.
PASSWORD_MIN_LENGTH = 8


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the user (Indonesian)."""


@dataclass
class UserData:
    """What an admin or an import row supplies for one account."""

    nip: str
    full_name: str
    unit_id: int
    employee_type: EmployeeType = EmployeeType.PNS
    email: str | None = None
    position: str | None = None
    rank: str | None = None
    roles: set[Role] = field(default_factory=lambda: {Role.LEARNER})
    scope_unit_ids: set[int] = field(default_factory=set)


def check_password_strength(password: str, nip: str = "") -> None:
    """Raise AccountError when the password is too weak to accept."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(Problem("Kata sandi minimal %(n)d karakter.", n=PASSWORD_MIN_LENGTH))
    if nip and normalize_nip(password) in {nip, nip[:8]}:
        raise AccountError(Problem("Kata sandi tidak boleh sama dengan NIP atau tanggal lahir."))


def normalize_login(login: str) -> str:
    """The account a login names: the NIP without separators, or the e-mail lower-cased."""
    login = (login or "").strip()
    return login.lower() if "@" in login else normalize_nip(login)


def find_user_by_login(login: str) -> User | None:
    """Find an account by NIP (spaces allowed) or by e-mail address."""
    login = normalize_login(login)
    if "@" in login:
        return db.session.scalar(select(User).where(func.lower(User.email) == login))
    return db.session.scalar(select(User).where(User.nip == login))


def authenticate(login: str, password: str) -> User | None:
    """Return the active user whose credentials match, upgrading an old hash."""
    user = find_user_by_login(login)
    password_hash = user.password_hash if user else None
    # Verifying costs tens of milliseconds of CPU, and on SQLite a sign-in's
    # transaction holds the write lock: end it first, so sign-ins verify side by
    # side and queue only for the short write below.
    db.session.commit()
    if not verify_password(password_hash, password) or user is None or password_hash is None:
        return None
    upgraded = hash_password(password) if needs_rehash(password_hash) else None
    if not user.is_active or user.password_hash != password_hash:  # changed meanwhile
        return None
    if upgraded is not None:
        user.password_hash = upgraded
    user.last_login_at = clock.now()
    return user


def _check_user_data(data: UserData, existing: User | None) -> str:
    try:
        nip = validate_nip(data.nip, data.employee_type)
    except InvalidNip as exc:
        raise AccountError(problem_of(exc)) from None
    if not data.full_name.strip():
        raise AccountError(Problem("Nama lengkap wajib diisi."))
    if db.session.get(Unit, data.unit_id) is None:
        raise AccountError(Problem("Unit kerja tidak ditemukan."))
    clash = db.session.scalar(
        select(User).where(
            or_(User.nip == nip, func.lower(User.email) == (data.email or "").lower())
        )
    )
    if clash is not None and clash is not existing:
        if clash.nip == nip:
            raise AccountError(Problem("NIP sudah dipakai akun lain."))
        raise AccountError(Problem("E-mail sudah dipakai akun lain."))
    if data.roles & SCOPED_ROLES and not data.scope_unit_ids:
        raise AccountError(Problem("Koordinator dan evaluator harus diberi minimal satu unit."))
    for unit_id in data.scope_unit_ids:
        if db.session.get(Unit, unit_id) is None:
            raise AccountError(Problem("Unit lingkup tidak ditemukan."))
    if not data.roles:
        raise AccountError(Problem("Pilih minimal satu peran."))
    return nip


def _apply(user: User, data: UserData, nip: str) -> None:
    user.nip = nip
    user.full_name = data.full_name.strip()
    user.email = (data.email or "").strip().lower() or None
    user.employee_type = data.employee_type
    rollups.learner_moved(user, data.unit_id)
    user.unit_id = data.unit_id
    user.position = (data.position or "").strip() or None
    user.rank = (data.rank or "").strip() or None
    user.role_grants = [RoleGrant(role=role) for role in sorted(data.roles)]
    user.role_scopes = [
        RoleScope(role=role, unit_id=unit_id)
        for role in sorted(data.roles & SCOPED_ROLES)
        for unit_id in sorted(data.scope_unit_ids)
    ]


def create_user(data: UserData, password: str, *, must_change_password: bool = False) -> User:
    """Add a new account (not committed); raise AccountError on bad data."""
    nip = _check_user_data(data, None)
    check_password_strength(password, nip)
    user = User(password_hash=hash_password(password), must_change_password=must_change_password)
    _apply(user, data, nip)
    db.session.add(user)
    db.session.flush()
    assign_arrival(user, clock.now())  # courses already assigned to the unit or jabatan
    return user


def _access_of(user: User) -> tuple[set[Role], set[tuple[Role, int]]]:
    return set(user.roles), {(scope.role, scope.unit_id) for scope in user.role_scopes}


def update_user(user: User, data: UserData, *, actor: User | None = None) -> None:
    """Change an account's details, roles and scopes.

    ``actor`` is the admin doing it (None for the CLI): nobody grants, widens or drops
    their own roles or unit scopes; another admin must, so each grant has a second person.
    """
    nip = _check_user_data(data, user)
    before = _access_of(user)
    wanted = (
        set(data.roles),
        {(role, unit_id) for role in data.roles & SCOPED_ROLES for unit_id in data.scope_unit_ids},
    )
    changed = before != wanted
    details = {
        "user_id": user.id,
        "roles": ",".join(sorted(data.roles)),
        "scopes": ",".join(str(unit_id) for unit_id in sorted(data.scope_unit_ids)),
    }
    if actor is not None and changed:
        refuse_own_record(actor, user.id, "admin.roles", details)
    _apply(user, data, nip)
    db.session.flush()
    assign_arrival(user, clock.now())  # moved into an assigned unit, or a new jabatan
    if actor is not None and changed:
        audit(actor, "admin.roles", details, 1)


def set_password(user: User, password: str, *, must_change: bool = False) -> None:
    """Replace the password and sign the user out of every other session."""
    check_password_strength(password, user.nip)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.session_token = new_session_token()


def change_own_password(user: User, current: str, new: str) -> None:
    """Let a signed-in user change their password after proving the old one."""
    if not verify_password(user.password_hash, current):
        raise AccountError(Problem("Kata sandi saat ini salah."))
    if current == new:
        raise AccountError(Problem("Kata sandi baru harus berbeda dari yang lama."))
    set_password(user, new)


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate; deactivation ends every session at once.

    ``actor`` is the admin doing it (None for the CLI and tests); nobody switches their own
    account, so an admin cannot lock out the last admin by mistake, nor revive themselves.
    """
    action = "admin.activate" if active else "admin.deactivate"
    if actor is not None:
        refuse_own_record(actor, user.id, action, {"user_id": user.id})
    user.is_active = active
    if not active:
        user.session_token = new_session_token()
    if actor is not None:
        audit(actor, action, {"user_id": user.id}, 1)


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of ``user``."""
    user.session_token = new_session_token()


def scoped_unit_ids(user: User, role: Role) -> set[int]:
    """Return the units ``user`` covers in ``role``, sub-units included."""
    roots = {scope.unit_id for scope in user.role_scopes if scope.role == role}
    return descendants_of(roots)


def descendants_of(unit_ids: Iterable[int]) -> set[int]:
    """Return the given units and every unit below them."""
    result = set(unit_ids)
    if not result:
        return result
    children: dict[int, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(unit_id)
    frontier = list(result)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result
