"""Recording a coaching or mentoring session, and its confirmation by the named mentor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from elearn import clock
from elearn.accounts.nip import normalize_nip
from elearn.badges.issuance import JpChange
from elearn.extensions import db
from elearn.i18n import zone_for
from elearn.mentoring.jp_rule import session_jp
from elearn.models import MentoringSession, SessionKind, SessionStatus, User
from elearn.problem_text import Problem
from elearn.records.entries import today_for
from elearn.records.routes import COMPETENCIES
from elearn.reports.audit import audit
from elearn.reports.learner_rollups import jp_changed
from elearn.settings import Settings

MIN_MINUTES = 15
MAX_MINUTES = 480  # a working day; longer coaching is recorded as several sessions


class SessionRefused(ValueError):
    """The session cannot be recorded or decided; the message is for the user (Indonesian)."""


@dataclass(frozen=True)
class SessionReport:
    kind: str
    mentor_nip: str
    held_on: date
    starts_at: time
    duration_minutes: int
    topic: str
    competency: str
    outcome: str


def find_mentor(nip: str) -> User | None:
    """The active account with this NIP, if any."""
    return db.session.scalar(
        select(User).where(User.nip == normalize_nip(nip), User.is_active.is_(True))
    )


def _same_session(mentee: User, mentor: User, report: SessionReport) -> bool:
    found = db.session.scalar(
        select(MentoringSession.id).where(
            MentoringSession.mentee_id == mentee.id,
            MentoringSession.mentor_id == mentor.id,
            MentoringSession.held_on == report.held_on,
            MentoringSession.starts_at == report.starts_at,
            MentoringSession.status != SessionStatus.REJECTED,
        )
    )
    return found is not None


def record_session(mentee: User, report: SessionReport) -> MentoringSession:
    """Record a session the mentee attended; it counts once the mentor confirms it."""
    if report.kind not in {k.value for k in SessionKind}:
        raise SessionRefused(Problem("Jenis sesi tidak dikenal."))
    if report.competency not in dict(COMPETENCIES):
        raise SessionRefused(Problem("Jenis kompetensi tidak dikenal."))
    if report.held_on > today_for(mentee):
        raise SessionRefused(Problem("Sesi yang belum berlangsung belum dapat dicatat."))
    if not MIN_MINUTES <= report.duration_minutes <= MAX_MINUTES:
        raise SessionRefused(
            Problem("Durasi sesi harus %(min)d–%(max)d menit.", min=MIN_MINUTES, max=MAX_MINUTES)
        )
    mentor = find_mentor(report.mentor_nip)
    if mentor is None:
        raise SessionRefused(Problem("Tidak ada pegawai aktif dengan NIP mentor tersebut."))
    if mentor.id == mentee.id:
        raise SessionRefused(Problem("Anda tidak dapat menjadi mentor bagi diri sendiri."))
    if _same_session(mentee, mentor, report):
        raise SessionRefused(
            Problem("Sesi dengan mentor ini pada tanggal dan jam yang sama sudah dicatat.")
        )
    session = MentoringSession(
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        kind=SessionKind(report.kind),
        held_on=report.held_on,
        starts_at=report.starts_at,
        duration_minutes=report.duration_minutes,
        topic=report.topic.strip()[:300],
        competency=report.competency,
        outcome=report.outcome.strip()[:4000],
        status=SessionStatus.PENDING,
        created_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError:
        # The same session recorded at the same moment (a double click): the index decided.
        raise SessionRefused(
            Problem("Sesi dengan mentor ini pada tanggal dan jam yang sama sudah dicatat.")
        ) from None
    return session


def withdraw_session(session: MentoringSession, mentee: User) -> bool:
    """Delete the mentee's own pending session; False once the mentor has decided it."""
    if session.mentee_id != mentee.id:
        return False
    deleted = db.session.execute(
        delete(MentoringSession).where(
            MentoringSession.id == session.id,
            MentoringSession.status == SessionStatus.PENDING,
        )
    )
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def decide_session(
    session_id: int, mentor: User, *, confirm: bool, note: str, minutes_per_jp: int
) -> bool:
    """Confirm or reject a pending session as its named mentor; False if not theirs to decide.

    One conditional UPDATE: two confirmations at the same moment (two tabs, a double
    click) change the row once, so its JP are counted once. A rejection needs a reason
    the mentee will read.
    """
    if not confirm and not note.strip():
        raise SessionRefused(Problem("Alasan penolakan wajib diisi."))
    session = db.session.get(MentoringSession, session_id)
    if session is None or session.mentor_id != mentor.id or not mentor.is_active:
        return False
    values: dict[str, Any] = {
        "status": SessionStatus.CONFIRMED if confirm else SessionStatus.REJECTED,
        "jp": session_jp(session.duration_minutes, minutes_per_jp) if confirm else 0,
        "decided_at": clock.now(),
        "decision_note": note.strip()[:2000],
    }
    result = db.session.execute(
        update(MentoringSession)
        .where(
            MentoringSession.id == session_id,
            MentoringSession.mentor_id == mentor.id,
            MentoringSession.status == SessionStatus.PENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    mentee_id, year = session.mentee_id, session.held_on.year
    db.session.expire(session)
    if confirm:
        # The JP-duty report and the badge read this rollup, in the same transaction.
        jp_changed(mentee_id, year, values["jp"])
    details = {"session_id": session_id, "mentee_id": mentee_id}
    audit(mentor, "mentoring.confirm" if confirm else "mentoring.reject", details, 1)
    return True


def session_change(session: MentoringSession, settings: Settings) -> JpChange:
    """The JP year a confirmed session moved (its date's), for the badge issued right away."""
    mentee: User = session.mentee
    zone = zone_for(mentee, settings.default_timezone)
    return JpChange(mentee.id, mentee.unit_id, zone.key, session.held_on.year)


Mentor = aliased(User, name="mentor")
Mentee = aliased(User, name="mentee")


def sessions_of_mentee(mentee: User) -> Select[MentoringSession, str]:
    """The mentee's own sessions with their mentor's name, newest first: one statement."""
    return (
        select(MentoringSession, Mentor.full_name)
        .outerjoin(Mentor, Mentor.id == MentoringSession.mentor_id)
        .where(MentoringSession.mentee_id == mentee.id)
        .order_by(MentoringSession.held_on.desc(), MentoringSession.starts_at.desc())
    )


def pending_for_mentor(mentor: User) -> int:
    """How many requests wait for ``mentor``'s decision."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MentoringSession)
            .where(
                MentoringSession.mentor_id == mentor.id,
                MentoringSession.status == SessionStatus.PENDING,
            )
        )
        or 0
    )


def sessions_of_mentor(mentor: User, limit: int = 100) -> Select[MentoringSession, str]:
    """Sessions naming ``mentor``: pending first (oldest first), then the latest decided."""
    pending_first = (MentoringSession.status != SessionStatus.PENDING).label("decided")
    return (
        select(MentoringSession, Mentee.full_name)
        .join(Mentee, Mentee.id == MentoringSession.mentee_id)
        .where(MentoringSession.mentor_id == mentor.id)
        .order_by(pending_first, MentoringSession.created_at)
        .limit(limit)
    )


def sessions_in_units(
    unit_ids: set[int] | None,
) -> Select[MentoringSession, str, str]:
    """Sessions of mentees in ``unit_ids`` (None: all), for coordinators to read."""
    statement = (
        select(MentoringSession, Mentee.full_name, Mentor.full_name)
        .join(Mentee, Mentee.id == MentoringSession.mentee_id)
        .outerjoin(Mentor, Mentor.id == MentoringSession.mentor_id)
        .order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc())
    )
    if unit_ids is not None:
        statement = statement.where(Mentee.unit_id.in_(unit_ids))
    return statement
