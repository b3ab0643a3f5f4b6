"""A learner's record: platform completions and external trainings, with JP per year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Integer, bindparam, cast, null, select, union_all
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.extensions import db
from elearn.i18n import N_, zone_for, zone_of
from elearn.models import (
    Certificate,
    Enrollment,
    ExternalTraining,
    JpBadge,
    MentoringSession,
    ReviewStatus,
    SessionStatus,
    User,
)
from elearn.models.rows import Columns
from elearn.records.document import CareerRecordDocument, RecordRow, YearTotal
from elearn.records.routes import PLATFORM_ROUTE, ROUTE_LABELS
from elearn.settings import Settings

# Indonesian in the PDF and the CSV; pages show them with _(row.status).
STATUS_LABELS = {
    ReviewStatus.PENDING: N_("Menunggu verifikasi"),
    ReviewStatus.VERIFIED: N_("Terverifikasi"),
    ReviewStatus.REJECTED: N_("Ditolak"),
}


class CompletedVersion(Protocol):
    """What a record reads of a completed course's version."""

    @property
    def title(self) -> str: ...

    @property
    def competency(self) -> str: ...

    @property
    def jp(self) -> int: ...


class CompletedCourse(Protocol):
    """What a record reads of an enrolment: an ``Enrollment`` or the dashboard's row."""

    @property
    def id(self) -> int: ...

    @property
    def enrolled_at(self) -> datetime: ...

    @property
    def completed_at(self) -> datetime | None: ...

    @property
    def version(self) -> CompletedVersion: ...


@dataclass(frozen=True)
class CertificateRow:
    """What a record reads of a certificate: plain values, not a session's object."""

    id: int
    code: str
    number: str
    enrollment_id: int
    issued_at: datetime
    payload: dict[str, Any]
    revoked_at: datetime | None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class BadgeRow:
    """What a record reads of a Pembelajar ASN badge."""

    id: int
    code: str
    year: int
    jp: int


@dataclass(frozen=True)
class SessionRow:
    """What a record reads of a confirmed coaching or mentoring session."""

    id: int
    kind: str
    held_on: date
    topic: str
    competency: str
    jp: int
    status: str


@dataclass(frozen=True)
class TrainingRow:
    """What a record reads of an external training (never its uploaded evidence)."""

    id: int
    name: str
    organiser: str
    route: str
    competency: str
    started_on: date
    finished_on: date
    jp: int
    certificate_number: str
    status: str
    review_note: str


@dataclass(frozen=True)
class RecordSources:
    """What a record is made of, read in two statements whatever its length."""

    certificates: list[CertificateRow]  # oldest first
    completed: Sequence[CompletedCourse]  # with their versions
    trainings: list[TrainingRow]  # newest first
    badges: list[BadgeRow] = field(default_factory=list)  # Pembelajar ASN, newest year first
    # Confirmed coaching/mentoring sessions and their mentor's name (None: account deleted).
    sessions: list[tuple[SessionRow, str | None]] = field(default_factory=list)


def _columns(mapped: type[Any], row: type[Any], table: Any = None) -> Columns:
    """The columns of ``mapped`` that the frozen ``row`` class holds, by its field names."""
    return Columns(mapped, table, keys=tuple(f.name for f in fields(row)))


_CERTIFICATE = _columns(Certificate, CertificateRow)
_BADGE = _columns(JpBadge, BadgeRow)
_SESSION = _columns(MentoringSession, SessionRow)
_MENTOR = Columns(User, User.__table__.alias("session_mentor"), keys=("full_name",))
_TRAINING = _columns(ExternalTraining, TrainingRow)
# Where each part starts in a row of ENTRIES, in the order the statement selects them.
_PARTS = (_CERTIFICATE, _BADGE, _SESSION, _MENTOR, _TRAINING)
_AT = tuple(sum(len(p.keys) for p in _PARTS[:i]) for i in range(len(_PARTS)))


def _entries() -> Any:
    """A union of the learner's certificate, badge, confirmed mentoring-session and external
    training ids, each row joined to one of them (a session with its mentor's name): all four
    lists in one statement, one round trip. Built once (building it cost more than running
    it on /me), the learner bound per call.

    Plain columns, read into frozen rows: the pages only read them, and the ORM's set-up, row
    processing and identity map for four entities cost more than the query. A training's
    uploaded evidence (up to a few MB) is not selected; its download view reads it.
    """
    user_id: Any = bindparam("user_id")
    no_id = cast(null(), Integer)
    certificate, badge, session, training = (
        m.__table__ for m in (Certificate, JpBadge, MentoringSession, ExternalTraining)
    )
    mentor = _MENTOR.columns[0].table
    ids = union_all(
        select(
            certificate.c.id.label("certificate_id"),
            no_id.label("badge_id"),
            no_id.label("session_id"),
            no_id.label("training_id"),
        ).where(certificate.c.user_id == user_id),
        select(no_id, badge.c.id, no_id, no_id).where(badge.c.user_id == user_id),
        select(no_id, no_id, session.c.id, no_id).where(
            session.c.mentee_id == user_id,
            session.c.status == SessionStatus.CONFIRMED,
        ),
        select(no_id, no_id, no_id, training.c.id).where(training.c.user_id == user_id),
    ).subquery()
    return select(*(c for part in _PARTS for c in part.columns)).select_from(
        ids.outerjoin(certificate, certificate.c.id == ids.c.certificate_id)
        .outerjoin(badge, badge.c.id == ids.c.badge_id)
        .outerjoin(session, session.c.id == ids.c.session_id)
        .outerjoin(mentor, mentor.c.id == session.c.mentor_id)
        .outerjoin(training, training.c.id == ids.c.training_id)
    )


ENTRIES = _entries()


@dataclass(frozen=True)
class Entries:
    """A learner's certificates, badges, confirmed sessions and external trainings."""

    certificates: list[CertificateRow]  # oldest first
    badges: list[BadgeRow]  # newest year first
    sessions: list[tuple[SessionRow, str | None]]  # with the mentor's name
    trainings: list[TrainingRow]  # newest first


def entries_of(user: User) -> Entries:
    """The certificates, badges, confirmed mentoring sessions and external trainings of
    ``user``, in one statement."""
    # Session.execute, not the session's connection: the API reads records from the replica.
    rows = db.session.execute(ENTRIES, {"user_id": user.id}).all()
    at_certificate, at_badge, at_session, at_mentor, at_training = _AT
    certificates, badges, sessions, trainings = [], [], [], []
    for row in rows:  # each row holds exactly one of the four, the others' columns null
        if row[at_certificate] is not None:
            certificates.append(CertificateRow(**_CERTIFICATE.values(row, at_certificate)))
        elif row[at_badge] is not None:
            badges.append(BadgeRow(**_BADGE.values(row, at_badge)))
        elif row[at_session] is not None:
            sessions.append((SessionRow(**_SESSION.values(row, at_session)), row[at_mentor]))
        elif row[at_training] is not None:
            trainings.append(TrainingRow(**_TRAINING.values(row, at_training)))
    certificates.sort(key=lambda c: c.issued_at)
    badges.sort(key=lambda b: b.year, reverse=True)
    # Newest first, as the record lists them; the id breaks ties the same way every time.
    trainings.sort(key=lambda t: (t.finished_on, t.id), reverse=True)
    return Entries(certificates, badges, sessions, trainings)


def record_sources(user: User) -> RecordSources:
    """Read the certificates and badges, completed enrolments and external trainings."""
    completed = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.user_id == user.id, Enrollment.completed_at.is_not(None))
        .options(joinedload(Enrollment.version))
    )
    entries = entries_of(user)
    return RecordSources(
        entries.certificates,
        list(completed),
        entries.trainings,
        entries.badges,
        entries.sessions,
    )


def record_rows(user: User, sources: RecordSources | None = None) -> list[RecordRow]:
    """Every development activity of ``user``, newest first."""
    sources = sources or record_sources(user)
    zone = zone_of(user)
    rows: list[RecordRow] = []
    certificates = {c.enrollment_id: c for c in sources.certificates}
    for enrollment in sources.completed:
        if enrollment.completed_at is None:
            continue
        certificate = certificates.get(enrollment.id)
        revoked = certificate is not None and certificate.is_revoked
        version = enrollment.version
        rows.append(
            RecordRow(
                started_on=enrollment.enrolled_at.astimezone(zone).date(),
                finished_on=enrollment.completed_at.astimezone(zone).date(),
                name=version.title,
                organiser=certificate.payload["issuer_name"] if certificate else "eLearn ASN",
                route=ROUTE_LABELS[PLATFORM_ROUTE],
                competency=version.competency,
                jp=version.jp,
                certificate_number=certificate.number if certificate else "",
                source="eLearn ASN",
                status=N_("Dicabut") if revoked else N_("Terverifikasi"),
                counts=not revoked,
            )
        )
    for training in sources.trainings:
        rows.append(
            RecordRow(
                started_on=training.started_on,
                finished_on=training.finished_on,
                name=training.name,
                organiser=training.organiser,
                route=ROUTE_LABELS.get(training.route, training.route),
                competency=training.competency,
                jp=training.jp,
                certificate_number=training.certificate_number,
                source="Eksternal",
                status=STATUS_LABELS[ReviewStatus(training.status)],
                counts=training.status == ReviewStatus.VERIFIED,
            )
        )
    for session, mentor_name in sources.sessions:
        rows.append(mentoring_row(session, mentor_name))
    rows.sort(key=lambda row: (row.finished_on, row.name), reverse=True)
    return rows


# The source column of coaching and mentoring rows; SIASN's route is the session's kind.
MENTORING_SOURCE = "Coaching/Mentoring"
DELETED_MENTOR = "(mentor tidak tercatat)"


def mentoring_row(session: SessionRow, mentor_name: str | None) -> RecordRow:
    """A confirmed session as a record row: the mentor is its organiser."""
    kind = ROUTE_LABELS[str(session.kind)]
    return RecordRow(
        started_on=session.held_on,
        finished_on=session.held_on,
        name=f"{kind}: {session.topic}",
        organiser=f"Mentor: {mentor_name or DELETED_MENTOR}",
        route=kind,
        competency=session.competency,
        jp=session.jp,
        certificate_number="",
        source=MENTORING_SOURCE,
        status=N_("Dikonfirmasi mentor"),
        counts=session.status == SessionStatus.CONFIRMED,
    )


def yearly_totals(rows: list[RecordRow], target: int) -> list[YearTotal]:
    """JP per calendar year (of the finishing date), split by competency, newest first."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.counts:
            totals[row.finished_on.year][row.competency] += row.jp
    return [
        YearTotal(year, sum(split.values()), target, dict(split))
        for year, split in sorted(totals.items(), reverse=True)
    ]


def jp_total_for_year(user: User, year: int, sources: RecordSources | None = None) -> int:
    """The JP that count for ``user`` in ``year`` (revoked and unverified ones do not)."""
    rows = record_rows(user, sources)
    return sum(row.jp for row in rows if row.counts and row.finished_on.year == year)


def current_year(user: User) -> int:
    return clock.now().astimezone(zone_of(user)).year


def record_document(
    user: User, settings: Settings, sources: RecordSources | None = None
) -> CareerRecordDocument:
    """The whole record of ``user``, for the PDF and the CSV."""
    rows = record_rows(user, sources)
    target = settings.jp_target_per_year
    return CareerRecordDocument(
        learner_name=user.full_name,
        nip=user.nip,
        employee_type=str(user.employee_type),
        instansi=user.unit.instansi.name,
        unit=user.unit.path,
        printed_on=clock.now().astimezone(zone_for(user, settings.default_timezone)).date(),
        rows=tuple(rows),
        totals=tuple(yearly_totals(rows, target)),
    )


def today_for(user: User) -> date:
    return clock.now().astimezone(zone_of(user)).date()
