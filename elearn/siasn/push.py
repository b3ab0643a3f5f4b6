"""Push a year's countable records to SIASN, each exactly once, refusals kept per row.

Each record gets one ``siasn_push`` row (unique per certificate / training). A job claims
a row with a conditional update (pending → sending) before sending it and records the
outcome right after, so two jobs never send the same row, and a rerun finds nothing left
to send. A row a dead job left in "sending" is taken again after the lease; that is the
one case in which SIASN could see a record twice (the save went out but its answer was
never recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.extensions import db
from elearn.models import ExternalTraining, PushState, SiasnPerson, SiasnPush, User
from elearn.siasn.client import SiasnClient, SiasnRefused, SiasnUncertain
from elearn.siasn.documents import Document
from elearn.siasn.mapping import Codes, map_record
from elearn.siasn.records import PushRecord, countable_records

MESSAGE_CHARS = 1000


@dataclass
class PushReport:
    sent: int = 0
    refused: int = 0
    uncertain: int = 0
    skipped: int = 0  # claimed by another job at the same time
    refusals: list[tuple[int, str]] = field(default_factory=list)  # (push id, message)


def _key(record: PushRecord) -> tuple[str, int]:
    return record.source, record.source_id


def _scope(year: int, instansi_id: int | None) -> list[object]:
    conditions: list[object] = [SiasnPush.year == year]
    if instansi_id is not None:
        conditions.append(SiasnPush.instansi_id == instansi_id)
    return conditions


def plan_pushes(records: list[PushRecord], year: int) -> int:
    """Give every record its push row (once: the unique keys keep it so); commit."""
    existing = {
        ("certificate", c) if c is not None else ("training", t)
        for c, t in db.session.execute(
            select(SiasnPush.certificate_id, SiasnPush.training_id).where(SiasnPush.year == year)
        )
    }
    added = 0
    for record in records:
        if _key(record) in existing:
            continue
        push = SiasnPush(
            certificate_id=record.source_id if record.source == "certificate" else None,
            training_id=record.source_id if record.source == "training" else None,
            user_id=record.user_id,
            instansi_id=record.instansi_id,
            year=year,
            shape=record.shape,
            state=PushState.PENDING,
            created_at=clock.now(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(push)
        except IntegrityError:  # planned by another job at the same moment
            continue
        added += 1
    db.session.commit()
    return added


def retry_refused(year: int, instansi_id: int | None, *, uncertain: bool = False) -> int:
    """Put refused rows (or rows whose answer was lost) back to pending; commit.

    For the lost ones only once a person has checked SIASN does not have them already.
    """
    state = PushState.UNCERTAIN if uncertain else PushState.REFUSED
    result = db.session.execute(
        update(SiasnPush)
        .where(SiasnPush.state == state, *_scope(year, instansi_id))  # type: ignore[arg-type]
        .values(state=PushState.PENDING, message="")
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def _claim(push_id: int, lease: timedelta) -> bool:
    now = clock.now()
    claimable = or_(
        SiasnPush.state == PushState.PENDING,
        and_(SiasnPush.state == PushState.SENDING, SiasnPush.claimed_at < now - lease),
    )
    result = db.session.execute(
        update(SiasnPush)
        .where(SiasnPush.id == push_id, claimable)
        .values(state=PushState.SENDING, claimed_at=now, attempts=SiasnPush.attempts + 1)
    )
    db.session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _finish(push_id: int, state: PushState, **values: object) -> None:
    db.session.execute(
        update(SiasnPush)
        .where(SiasnPush.id == push_id, SiasnPush.state == PushState.SENDING)
        .values(state=state, claimed_at=None, **values)
    )
    db.session.commit()


def known_people(user_ids: set[int]) -> dict[int, tuple[str, str]]:
    """user id → (NIP, pnsOrangId) of the people already looked up, in one statement."""
    rows = db.session.execute(
        select(SiasnPerson.user_id, SiasnPerson.nip, SiasnPerson.pns_orang_id).where(
            SiasnPerson.user_id.in_(user_ids)
        )
    )
    return {user_id: (nip, pns_orang_id) for user_id, nip, pns_orang_id in rows}


def person_id(
    client: SiasnClient, user_id: int, nip: str, known: dict[int, tuple[str, str]]
) -> str:
    """SIASN's person id for the user: known, else looked up by NIP and kept."""
    cached = known.get(user_id)
    if cached is not None and cached[0] == nip:  # a changed NIP is looked up again
        return cached[1]
    found = client.person_id(nip)
    try:
        with db.session.begin_nested():
            db.session.merge(
                SiasnPerson(user_id=user_id, nip=nip, pns_orang_id=found, looked_up_at=clock.now())
            )
    except IntegrityError:  # another push job stored the same person a moment ago
        pass
    db.session.commit()
    known[user_id] = (nip, found)
    return found


def push_year(
    client: SiasnClient,
    year: int,
    instansi_id: int | None,
    *,
    default_zone: str,
    document_for: Callable[[PushRecord], Document],
    lease: timedelta,
    progress: Callable[[int], None] = lambda percent: None,
) -> PushReport:
    """Send every unsent countable record of ``year``; SiasnUnavailable stops the run
    (the job retries later, and only what is left is sent then)."""
    records = countable_records(year, instansi_id, default_zone)
    plan_pushes(records, year)
    by_key = {_key(r): r for r in records}
    due = db.session.execute(
        select(SiasnPush.id, SiasnPush.certificate_id, SiasnPush.training_id)
        .where(
            SiasnPush.state.in_([PushState.PENDING, PushState.SENDING]),
            *_scope(year, instansi_id),  # type: ignore[arg-type]
        )
        .order_by(SiasnPush.id)
    ).all()
    known = known_people({record.user_id for record in records})
    db.session.commit()
    report = PushReport()
    codes: dict[int, Codes] = {}
    for done, (push_id, certificate_id, training_id) in enumerate(due):
        progress(done * 100 // max(len(due), 1))
        if not _claim(push_id, lease):
            report.skipped += 1
            continue
        source = ("certificate", certificate_id) if certificate_id else ("training", training_id)
        record = by_key.get(source)  # type: ignore[arg-type]
        try:
            if record is None:  # revoked or rejected since it was planned
                raise SiasnRefused("Catatan tidak lagi dihitung (dicabut atau ditolak)")
            if record.instansi_id not in codes:
                codes[record.instansi_id] = Codes.of(record.instansi_id)
            instansi_codes = codes[record.instansi_id]
            mapped = map_record(record, instansi_codes)
            if mapped.missing:
                raise SiasnRefused("Data belum lengkap: " + ", ".join(mapped.missing))
            body = dict(
                mapped.body, pnsOrangId=person_id(client, record.user_id, record.nip, known)
            )
            if client.settings.upload_documents:
                body["path"] = [client.upload(*document_for(record))]
            siasn_id = client.save(mapped.shape, body)
        except SiasnRefused as refusal:
            db.session.rollback()
            message = str(refusal)[:MESSAGE_CHARS]
            _finish(push_id, PushState.REFUSED, message=message)
            report.refused += 1
            report.refusals.append((push_id, message))
            continue
        except SiasnUncertain as lost:
            db.session.rollback()
            message = f"Jawaban SIASN tidak diterima ({lost}); periksa riwayat di SIASN"
            _finish(push_id, PushState.UNCERTAIN, message=message[:MESSAGE_CHARS])
            report.uncertain += 1
            continue
        except BaseException:
            db.session.rollback()
            # Not sent (or not known to be): pending again for the retry.
            db.session.execute(
                update(SiasnPush)
                .where(SiasnPush.id == push_id, SiasnPush.state == PushState.SENDING)
                .values(state=PushState.PENDING, claimed_at=None)
            )
            db.session.commit()
            raise
        _finish(push_id, PushState.SENT, siasn_id=siasn_id, sent_at=clock.now(), message="")
        report.sent += 1
    return report


@dataclass(frozen=True)
class PushStatus:
    counts: dict[str, int]
    refused: list[SiasnPush]


def push_status(year: int, instansi_id: int | None, limit: int = 500) -> PushStatus:
    """How many rows are in each state, and the refused (or uncertain) ones with their
    learners and records, read together."""
    counts = {
        str(state): int(count)
        for state, count in db.session.execute(
            select(SiasnPush.state, func.count())
            .where(*_scope(year, instansi_id))  # type: ignore[arg-type]
            .group_by(SiasnPush.state)
        )
    }
    refused = list(
        db.session.scalars(
            select(SiasnPush)
            .join(User, SiasnPush.user_id == User.id)
            .where(
                SiasnPush.state.in_([PushState.REFUSED, PushState.UNCERTAIN]),
                *_scope(year, instansi_id),  # type: ignore[arg-type]
            )
            .options(
                joinedload(SiasnPush.user),
                joinedload(SiasnPush.certificate),
                joinedload(SiasnPush.training).defer(ExternalTraining.evidence),
            )
            .order_by(User.full_name, SiasnPush.id)
            .limit(limit)
        )
    )
    return PushStatus(counts, refused)
