"""Revocation any verifier can read: the issuer's W3C Bitstring Status List.

https://www.w3.org/TR/vc-bitstring-status-list/ — each credential carries a
``BitstringStatusListEntry`` naming a list URL and an index; the list is itself a signed
credential whose ``encodedList`` is the GZIP-compressed bitstring, base64url-encoded with
the multibase prefix ``u``. Bit 0 is the left-most bit of the first byte; a set bit means
revoked. See docs/credentials.md.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from elearn import clock
from elearn.certificates.credential import VC_CONTEXT
from elearn.extensions import db
from elearn.models import Certificate, ProgramCertificate, StatusListEntry

# The spec's minimum: 16 KB of bits, so one revoked bit hides among 131,072 credentials.
LIST_BITS = 131_072
STATUS_PATH = "/certificates/status"  # the platform's lists (elearn.issuers.urls)
# A new list is opened when this many draws in a row hit taken indexes: with random draws
# that happens only once a list is well over half full.
DRAWS_PER_LIST = 16
PURPOSE = "revocation"
# The columns naming an entry's owner: exactly one is set (the model's one_credential check).
CERTIFICATE, BADGE, PROGRAM_CERTIFICATE = "certificate_id", "badge_id", "program_certificate_id"
OWNERS = (CERTIFICATE, BADGE, PROGRAM_CERTIFICATE)


def _draw() -> int:
    """A uniformly random index: no order of issue can be read from it."""
    return secrets.randbelow(LIST_BITS)


def list_url(list_base: str, list_no: int) -> str:
    """The URL of list <list_no> of the issuer whose lists are ``<list_base>/<n>``
    (``elearn.issuers.urls.status_list_base``)."""
    return f"{list_base.rstrip('/')}/{list_no}"


def status_entry(list_base: str, entry: StatusListEntry) -> dict[str, str]:
    """The ``credentialStatus`` of a credential (a BitstringStatusListEntry)."""
    url = list_url(list_base, entry.list_no)
    return {
        "id": f"{url}#{entry.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(entry.status_index),
        "statusListCredential": url,
    }


def allocate(
    now: datetime,
    *,
    certificate_ids: Iterable[int] = (),
    badge_ids: Iterable[int] = (),
    program_certificate_ids: Iterable[int] = (),
    revoked_certificates: Iterable[int] = (),
    list_no: int | None = None,
) -> None:
    """Give each credential its own random bit, once; safe under any number of parallel calls.

    Rows go in with ``ON CONFLICT (list_no, status_index) DO NOTHING``: a draw that hits a
    taken bit (in this batch or committed by another issuer) inserts nothing and is drawn
    again. Credentials that already hold an entry raise IntegrityError: callers allocate only
    for rows they have just inserted. ``revoked_certificates`` are owners (of any kind) whose
    bit starts set. ``list_no``: the current list's number (``CURRENT_LIST_NO``) as the
    caller read it before taking a lock it holds until its commit; one that went full since
    costs a few draws before the next list is taken.
    """
    revoked = set(revoked_certificates)
    pending: list[tuple[str, int]] = [(CERTIFICATE, i) for i in certificate_ids]
    pending += [(BADGE, i) for i in badge_ids]
    pending += [(PROGRAM_CERTIFICATE, i) for i in program_certificate_ids]
    if not pending:
        return
    if list_no is None:
        list_no = current_list_no()
    misses = 0
    while pending:
        drawn: dict[tuple[int, int], tuple[str, int]] = {}
        for owner in pending:
            index = _draw()
            while (list_no, index) in drawn:  # two of this batch on one bit
                index = _draw()
            drawn[(list_no, index)] = owner
        rows = [
            {
                "list_no": ln,
                "status_index": index,
                **{name: owner_id if name == column else None for name in OWNERS},
                "revoked": column != BADGE and owner_id in revoked,
                "changed_at": now,
            }
            for (ln, index), (column, owner_id) in drawn.items()
        ]
        taken = set(_insert(rows))
        pending = [owner for key, owner in drawn.items() if key not in taken]
        misses = misses + 1 if pending else 0
        if misses >= DRAWS_PER_LIST:
            list_no, misses = list_no + 1, 0


def _insert(rows: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    dialect = db.session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(StatusListEntry)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["list_no", "status_index"])
        .returning(StatusListEntry.list_no, StatusListEntry.status_index)
    )
    return [(ln, index) for ln, index in db.session.execute(statement)]


# The number of the list new bits are drawn from (list 1 before there is any).
CURRENT_LIST_NO = func.coalesce(select(func.max(StatusListEntry.list_no)).scalar_subquery(), 1)


def current_list_no() -> int:
    return int(db.session.scalar(select(CURRENT_LIST_NO)))


def entry_of(column: str, owner_id: int) -> StatusListEntry | None:
    """The entry of the credential whose ``column`` (one of OWNERS) is ``owner_id``."""
    return db.session.scalar(
        select(StatusListEntry).where(getattr(StatusListEntry, column) == owner_id)
    )


def set_bit(column: str, owner_id: int, revoked: bool, now: datetime) -> None:
    """Flip a credential's bit, in the caller's transaction (the one that revokes)."""
    db.session.execute(
        update(StatusListEntry)
        .where(getattr(StatusListEntry, column) == owner_id)
        .values(revoked=revoked, changed_at=now)
    )


def encode_bits(indexes: Iterable[int], size: int = LIST_BITS) -> str:
    """The spec's ``encodedList``: multibase base64url (no padding) of the GZIP'd bitstring."""
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same bytes, so the list's ETag is stable.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (ValueError when it is not one)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList lacks the multibase base64url prefix 'u'")
    text = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"encodedList is not GZIP'd base64url: {exc}") from None


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} outside a list of {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_state(
    list_no: int, issuer_id: int | None = None
) -> tuple[list[int], datetime | None, int]:
    """The revoked indexes of a list, its last change and how many entries it holds.

    With ``issuer_id``, only the entries of that instansi issuer's certificates (of courses
    and of programs): indexes are
    drawn from one space for all issuers, so each issuer's list <n> is its share of it.
    """
    scope = [StatusListEntry.list_no == list_no]
    if issuer_id is not None:
        scope.append(
            or_(
                StatusListEntry.certificate_id.in_(
                    select(Certificate.id).where(Certificate.issuer_id == issuer_id)
                ),
                StatusListEntry.program_certificate_id.in_(
                    select(ProgramCertificate.id).where(ProgramCertificate.issuer_id == issuer_id)
                ),
            )
        )
    revoked = list(
        db.session.scalars(
            select(StatusListEntry.status_index).where(*scope, StatusListEntry.revoked.is_(True))
        )
    )
    changed, count = db.session.execute(
        select(func.max(StatusListEntry.changed_at), func.count()).where(*scope)
    ).one()
    return revoked, changed, int(count)


def build_status_list_credential(
    *,
    list_base: str,
    list_no: int,
    issuer_id: str,
    issuer_name: str,
    revoked_indexes: Iterable[int],
    changed_at: datetime | None,
) -> dict[str, Any]:
    """The list as an unsigned BitstringStatusListCredential (sign it with encode_vc_jwt).

    ``validFrom`` is the list's last change, so an unchanged list is byte-identical.
    ``issuer_id`` and ``list_base`` are the issuer's (``elearn.issuers.urls``).
    """
    url = list_url(list_base, list_no)
    moment = (changed_at or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": issuer_name,
        },
        "validFrom": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_bits(revoked_indexes),
        },
    }


def is_revoked_in(status_list: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Read a credential's bit from a verified status list credential (ValueError if unfit)."""
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise ValueError("not a BitstringStatusList credential")
    if status_list.get("id") != entry.get("statusListCredential"):
        raise ValueError("the status list is not the one the credential names")
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise ValueError("the status list's purpose differs from the entry's")
    bits = decode_bits(str(subject.get("encodedList", "")))
    if len(bits) * 8 < LIST_BITS:
        raise ValueError("the status list is shorter than 131,072 bits")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        raise ValueError("statusListIndex is not an integer") from None
    return bit_is_set(bits, index)


def certificate_status(certificate_id: int, revoked: bool, list_base: str) -> dict[str, str]:
    """The certificate's credentialStatus, giving it a bit first if it has none (a row made
    outside issuance, e.g. restored from an old backup); the caller commits.

    ``list_base`` is the issuer's (``elearn.issuers.urls.status_list_base``)."""
    return owner_status(CERTIFICATE, certificate_id, revoked, list_base)


def badge_status(badge_id: int, base_url: str) -> dict[str, str]:
    """The badge's credentialStatus, giving it a bit first if it has none; the caller commits.

    Badges are the platform's: their bits are in the platform's lists."""
    return owner_status(BADGE, badge_id, False, f"{base_url.rstrip('/')}{STATUS_PATH}")


def owner_status(column: str, owner_id: int, revoked: bool, list_base: str) -> dict[str, str]:
    """The credentialStatus of any credential (``column`` one of OWNERS), giving it a bit
    first if it has none; the caller commits."""
    entry = entry_of(column, owner_id)
    if entry is None:
        owners: dict[str, Any] = {f"{column.removesuffix('_id')}_ids": [owner_id]}
        allocate(clock.now(), **owners, revoked_certificates=[owner_id] if revoked else [])
        entry = entry_of(column, owner_id)
    if entry is None:  # allocate() inserts or raises: this cannot happen
        raise RuntimeError("status list entry missing right after allocation")
    return status_entry(list_base, entry)
