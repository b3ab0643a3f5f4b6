"""Issuing a certificate exactly once when an enrolment completes, and revoking it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.accounts.nip import mask_nip
from elearn.badges.issuance import JpChange, award_after_change
from elearn.certificates import revocation, status_list
from elearn.certificates.document import CertificateDocument
from elearn.certificates.keys import current_key_id, signing_key, stored_signature_valid
from elearn.certificates.signing import sign_payload
from elearn.extensions import db
from elearn.i18n import zone_for
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import issuer_of_unit
from elearn.models import (
    Certificate,
    CertificateCounter,
    Course,
    CourseItem,
    CourseVersion,
    Enrollment,
    IssuerProfile,
    LearnerJpTotal,
    ProgramCertificate,
    QuizAttempt,
    Unit,
    User,
)
from elearn.reports import rollups
from elearn.settings import Settings, current_settings

COMPETENCY_NAMES = {
    "teknis": "Teknis",
    "manajerial": "Manajerial",
    "sosial-kultural": "Sosial Kultural",
}
_OWED = "elearn.owed_certificates"  # key in the session's info dict
logger = logging.getLogger(__name__)


def new_code() -> str:
    """A random, URL-safe verification code of 128 bits."""
    return secrets.token_urlsafe(16)


def find_certificate(enrollment: Enrollment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))


# The best passed score of each quiz of the enrolment's version, correlated with the
# enrolment of the statement it is read in.
_BEST_SCORES = (
    select(func.max(QuizAttempt.score).label("best"))
    .join(CourseItem, QuizAttempt.item_id == CourseItem.id)
    .where(
        QuizAttempt.enrollment_id == Enrollment.id,
        QuizAttempt.passed.is_(True),
        CourseItem.version_id == Enrollment.version_id,
    )
    .group_by(QuizAttempt.item_id)
    .correlate(Enrollment)
    .subquery("best_scores")
)
# What issuing reads besides the enrolment, as columns read with it (a certificate job reads
# them with the enrolment, ``_COMPLETED_ENROLLMENT``): the certificate it may have already
# (a job delivered twice), the sum and number of those best scores, and the status list
# its bit is drawn from. All before the year's counter is taken: that row stays locked
# until the commit, and every certificate of the year waits for it.
_ISSUING_FACTS = (
    select(Certificate.id).where(Certificate.enrollment_id == Enrollment.id).scalar_subquery(),
    select(func.sum(_BEST_SCORES.c.best)).scalar_subquery(),
    select(func.count(_BEST_SCORES.c.best)).scalar_subquery(),
    status_list.CURRENT_LIST_NO,
)
_ISSUING_FACTS_OF = select(*_ISSUING_FACTS).where(Enrollment.id == bindparam("enrollment_id"))


@dataclass(frozen=True)
class IssuingFacts:
    """What issuing reads besides the enrolment (``_ISSUING_FACTS``), in that order."""

    certificate_id: int | None  # issued already
    best_sum: float | None
    best_count: int
    status_list_no: int

    @property
    def score_summary(self) -> str:
        """E.g. "Rata-rata nilai kuis 86,5 (2 kuis)": the best passed score of each quiz."""
        if not self.best_count or self.best_sum is None:
            return "Seluruh modul diselesaikan"
        average = f"{self.best_sum / self.best_count:.1f}".replace(".", ",")
        return f"Rata-rata nilai kuis {average} ({self.best_count} kuis)"


def _issuing_facts(enrollment_id: int) -> IssuingFacts:
    row = db.session.execute(_ISSUING_FACTS_OF, {"enrollment_id": enrollment_id}).one()
    return IssuingFacts(*row)


def issue_certificate(
    enrollment: Enrollment, settings: Settings, facts: IssuingFacts | None = None
) -> Certificate | None:
    """Issue the certificate of a completed enrolment, once, even under parallel calls.

    The number comes from the year's counter row (an upsert: parallel issuers
    wait on the row for a moment instead of failing; callers commit right after,
    see ``issue_after_completion``). The unique constraint on
    the enrolment makes a second certificate fail; the loser's savepoint, its
    counter increment included, is rolled back and it returns the winner's.
    ``facts`` are read here unless the caller read them with the enrolment.
    """
    if enrollment.completed_at is None or not enrollment.version.certificate:
        return None
    if facts is None:
        facts = _issuing_facts(enrollment.id)
    if facts.certificate_id is not None:
        return db.session.get_one(Certificate, facts.certificate_id)
    now = clock.now()
    year = now.astimezone(zone_for(enrollment.user, settings.default_timezone)).year
    code = new_code()
    # Every read happens before the number is taken: from then on the counter row
    # stays locked until this transaction commits, so that stretch is kept short.
    issuer = issuer_of_unit(enrollment.version.course.unit, settings, current_keystore(), now)
    draft = certificate_payload(
        enrollment, code, "", now, settings, issuer=issuer, score_summary=facts.score_summary
    )
    try:
        with db.session.begin_nested():
            sequence = next_sequence(year)
            number = settings.certificates.number(year, sequence)
            payload = {**draft, "number": number}
            certificate = Certificate(
                code=code,
                number=number,
                year=year,
                sequence=sequence,
                user_id=enrollment.user_id,
                enrollment_id=enrollment.id,
                version_id=enrollment.version_id,
                issued_at=now,
                payload=payload,
                signature=sign_payload(signing_key(), payload),
                key_id=current_key_id(),
                issuer_id=None if issuer.is_platform else issuer.id,
            )
            db.session.add(certificate)
            db.session.flush()
            status_list.allocate(
                now, certificate_ids=[certificate.id], list_no=facts.status_list_no
            )
    except IntegrityError:
        existing = find_certificate(enrollment)
        if existing is None:
            raise
        return existing
    _render_pdf_ahead(certificate, issuer, settings)
    return certificate


def _render_pdf_ahead(certificate: Certificate, issuer: IssuerProfile, settings: Settings) -> None:
    """With workers, have one render the new certificate's PDF before anyone asks for it.

    Recorded in the issuing transaction, so a rush's certificates are not followed by a
    commit each for their PDF jobs. Inline (no Redis) the job would render in the learner's
    completing request, about 100 ms of CPU: there the first download renders it instead.
    Without PUBLIC_BASE_URL the printed address follows the download's request: that
    request renders it then.
    """
    if not settings.public_base_url:
        return
    # Imported here: the PDF store builds on this module's document_of.
    from elearn.certificates.pdf_store import record_pdf_job
    from elearn.jobs.binding import current_jobs

    jobs = current_jobs()
    if not jobs.runs_inline:
        record_pdf_job(jobs, certificate, issuer, settings.public_base_url)


def next_sequence(year: int) -> int:
    """Take the next number of ``year`` from its counter row, creating the row on first use.

    Course and program certificates (``elearn.programs.certificate``) share the counter.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # The first number of a year carries on from any certificate already there.
    first = (
        select(func.coalesce(func.max(Certificate.sequence), 0) + 1)
        .where(Certificate.year == year)
        .scalar_subquery()
    )
    statement = (
        insert(CertificateCounter)
        .values(year=year, last_sequence=first)
        .on_conflict_do_update(
            index_elements=[CertificateCounter.year],
            set_={"last_sequence": CertificateCounter.last_sequence + 1},
        )
        .returning(CertificateCounter.last_sequence)
    )
    return int(db.session.execute(statement).scalar_one())


def issue_after_completion(
    enrollment: Enrollment, settings: Settings, facts: IssuingFacts | None = None
) -> Certificate | None:
    """Issue in a transaction of its own, after the completion itself was committed.

    A failure here is logged and rolled back alone: the learner's submitted
    attempt and completion stay stored, and ``flask certificates issue-missing``
    (for cron) issues the certificate later.
    """
    if enrollment.completed_at is None:
        return None
    try:
        certificate = issue_certificate(enrollment, settings, facts)
        db.session.commit()
    except Exception:  # noqa: BLE001 - whatever failed, the completion is already safe
        db.session.rollback()
        logger.exception(
            "certificate for enrollment %s not issued yet; flask certificates issue-missing "
            "will retry",
            enrollment.id,
        )
        return None
    return certificate


def note_owed_certificate(enrollment: Enrollment) -> None:
    """Note that this transaction completes ``enrollment``, for the request to issue its
    certificate after the commit (jobs inline: ``owed_job.owe_certificate`` decides)."""
    db.session.info.setdefault(_OWED, set()).add(enrollment.id)


# Whether the learner may have reached the year's JP target: the sum of their
# learner_jp_total rows (UTC years) around the completion. A local year's JP (the badge's
# ``learner_jp``) takes from the UTC years next to it only completions they already count,
# so it never exceeds this sum, and a learner below the target needs no badge query.
_JP_WITHIN_REACH = (
    select(func.coalesce(func.sum(LearnerJpTotal.jp), 0))
    .where(
        LearnerJpTotal.user_id == Enrollment.user_id,
        LearnerJpTotal.year.between(bindparam("first_year"), bindparam("last_year")),
    )
    .scalar_subquery()
)
# A local year is at most one away from the UTC year of the same moment.
_REACH_YEARS = 2

# The enrolment with everything its certificate shows (learner, units up to the instansi,
# version, course), read in one statement and afresh, so a completion rolled back reads as
# not complete; built once, so it is compiled once. With it, the JP within reach (above)
# and what issuing reads (``_ISSUING_FACTS``).
_COMPLETED_ENROLLMENT = (
    select(Enrollment, _JP_WITHIN_REACH, *_ISSUING_FACTS)
    .where(Enrollment.id == bindparam("enrollment_id"))
    .options(
        joinedload(Enrollment.user)
        .joinedload(User.unit)
        .joinedload(Unit.parent)
        .joinedload(Unit.parent),
        joinedload(Enrollment.version)
        .joinedload(CourseVersion.course)
        .joinedload(Course.unit)
        .joinedload(Unit.parent)
        .joinedload(Unit.parent),
    )
    .execution_options(populate_existing=True)
)


def issue_owed_certificates(settings: Settings) -> None:
    """Issue the certificates noted by ``note_owed_certificate``, each after its completion;
    then the Pembelajar ASN badges those completions brought to the year's target."""
    issue_certificates_of(owed_enrollment_ids(), settings)


def owed_enrollment_ids() -> list[int]:
    """The enrolments this transaction completed (``note_owed_certificate``), taken off the list."""
    return sorted(db.session.info.pop(_OWED, set()))


@dataclass(frozen=True)
class Settled:
    """What ``issue_certificates_of`` did: certificates issued now, and whose completions
    these were (their programs are checked next, ``owed_job.settle_completions``)."""

    issued: int
    learners: frozenset[int]


def issue_certificates_of(enrollment_ids: Iterable[int], settings: Settings) -> Settled:
    """Issue the certificates of these completed enrolments, each in its own transaction;
    then the Pembelajar ASN badges those completions brought to the year's target.

    Run after the completions commit: in the request or in a worker (``owed_job``).
    """
    issued = 0
    learners = set()
    changes: list[JpChange] = []
    now_year = clock.now().year
    years = {"first_year": now_year - _REACH_YEARS, "last_year": now_year + _REACH_YEARS}
    for enrollment_id in enrollment_ids:
        found = db.session.execute(
            _COMPLETED_ENROLLMENT, {"enrollment_id": enrollment_id, **years}
        ).one_or_none()
        if found is not None:
            enrollment, reach, *facts = found
            learners.add(enrollment.user_id)
            if enrollment.completed_at is not None:
                change = jp_change_of(enrollment, settings)
                # Years outside the summed ones (a job run long after) are always checked.
                near = abs(change.year - now_year) < _REACH_YEARS
                if not near or int(reach) >= settings.jp_target_per_year:
                    changes.append(change)
            if issue_after_completion(enrollment, settings, IssuingFacts(*facts)) is not None:
                issued += 1
    if changes:
        award_after_change(changes, clock.now(), settings)
    return Settled(issued, frozenset(learners))


def jp_change_of(enrollment: Enrollment, settings: Settings) -> JpChange:
    """The JP year a completed enrolment moved: its completion's year in the learner's zone."""
    user: User = enrollment.user
    zone = zone_for(user, settings.default_timezone)
    completed = enrollment.completed_at or clock.now()
    return JpChange(user.id, user.unit_id, zone.key, completed.astimezone(zone).year)


def issue_missing(settings: Settings) -> int:
    """Issue every certificate a completed enrolment is still owed; return how many."""
    owed = db.session.scalars(
        select(Enrollment.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(
            Enrollment.completed_at.is_not(None),
            CourseVersion.certificate.is_(True),
            Certificate.id.is_(None),
        )
        .order_by(Enrollment.completed_at)
    ).all()
    issued = 0
    for enrollment_id in owed:
        enrollment = db.session.get(Enrollment, enrollment_id)
        if enrollment is not None and issue_after_completion(enrollment, settings) is not None:
            issued += 1
    return issued


def certificate_payload(
    enrollment: Enrollment,
    code: str,
    number: str,
    issued_at: datetime,
    settings: Settings,
    *,
    issuer: IssuerProfile,
    score_summary: str,
) -> dict[str, Any]:
    """The signed content of the certificate (strings, ints and None only).

    ``issuer`` is the issuing profile (``issuer_of_unit``): its name and city are printed.
    """
    user: User = enrollment.user
    version = enrollment.version
    zone = zone_for(user, settings.default_timezone)
    course = version.course
    issued_by = settings.certificates
    completed_at = enrollment.completed_at or issued_at
    return {
        "code": code,
        "number": number,
        "learner_name": user.full_name,
        "nip": user.nip,
        "rank": user.rank,
        "position": user.position,
        "instansi": user.unit.instansi.name,
        "course_slug": course.slug,
        "course_title": version.title,
        "course_version": f"v{version.number} · {version.short_hash}",
        "competency": version.competency,
        "jp": version.jp,
        "enrolled_on": enrollment.enrolled_at.astimezone(zone).date().isoformat(),
        "completed_on": completed_at.astimezone(zone).date().isoformat(),
        "score_summary": score_summary,
        "issuer_name": issuer.name,
        "signatory_name": issued_by.signatory_name,
        "signatory_position": issued_by.signatory_position,
        "signatory_nip": issued_by.signatory_nip or None,
        "issued_on": issued_at.astimezone(zone).date().isoformat(),
        **({"issuer_city": issuer.city} if issuer.city else {}),
    }


def public_base_url(settings: Settings, request_root: str) -> str:
    """The site's public address: PUBLIC_BASE_URL, else (warned at start) the request's."""
    return settings.public_base_url or request_root.rstrip("/")


def verify_url(code: str, base_url: str) -> str:
    """The absolute URL of the public verification page (printed as a QR code)."""
    return f"{base_url}/certificates/{code}"


def document_of(certificate: Certificate, base_url: str) -> CertificateDocument:
    """Rebuild what the certificate says from its signed payload."""
    p = certificate.payload
    return document_from_payload(
        p,
        title=p["course_title"],
        version=p["course_version"],
        competency=COMPETENCY_NAMES.get(p["competency"], p["competency"]),
        score_summary=p["score_summary"],
        verify_url=verify_url(p["code"], base_url),
        revoked_on=revoked_on(certificate),
    )


def document_from_payload(
    p: dict[str, Any],
    *,
    title: str,
    version: str,
    competency: str,
    score_summary: str,
    verify_url: str,
    revoked_on: date | None = None,
) -> CertificateDocument:
    """What a signed payload prints: its learner, dates, JP and signatory; the arguments are
    what each kind of certificate (a course's, a program's) words its own way."""
    return CertificateDocument(
        code=p["code"],
        number=p["number"],
        learner_name=p["learner_name"],
        nip=p["nip"],
        rank=p["rank"],
        position=p["position"],
        instansi=p["instansi"],
        course_title=title,
        course_version=version,
        competency=competency,
        jp=p["jp"],
        enrolled_on=date.fromisoformat(p["enrolled_on"]),
        completed_on=date.fromisoformat(p["completed_on"]),
        score_summary=score_summary,
        issuer_name=p["issuer_name"],
        signatory_name=p["signatory_name"],
        signatory_position=p["signatory_position"],
        signatory_nip=p["signatory_nip"],
        verify_url=verify_url,
        issued_on=date.fromisoformat(p["issued_on"]),
        revoked_on=revoked_on,
        issuer_city=p.get("issuer_city") or "",
    )


def revoked_on(certificate: Certificate | ProgramCertificate) -> date | None:
    """The day of revocation in the learner's zone, as completed_on is (printed on the PDF)."""
    if certificate.revoked_at is None:
        return None
    zone = zone_for(certificate.user, current_settings().default_timezone)
    return certificate.revoked_at.astimezone(zone).date()


class SignedCertificate(Protocol):
    """What verifying reads of a certificate: a ``Certificate`` or the verification page's row."""

    @property
    def payload(self) -> dict[str, Any]: ...

    @property
    def signature(self) -> str: ...


def signature_valid(certificate: SignedCertificate) -> bool:
    """Check the stored payload against its Ed25519 signature."""
    return stored_signature_valid(certificate.payload, certificate.signature)


def public_view(certificate: SignedCertificate) -> dict[str, Any]:
    """Only what the public verification page needs: nothing more about the person."""
    p = certificate.payload
    return {
        "learner_name": p["learner_name"],
        "nip_masked": mask_nip(p["nip"]),
        "course_title": p["course_title"],
        "jp": p["jp"],
        "completed_on": date.fromisoformat(p["completed_on"]),
        "number": p["number"],
        "issuer_name": p["issuer_name"],
    }


# Course certificates: their revocation also takes their JP out of the rollups.
COURSE = revocation.Kind(
    "certificates",
    status_list.CERTIFICATE,
    revoked=rollups.certificate_revoked,
    unrevoked=rollups.certificate_unrevoked,
)


def revoke(certificate: Certificate, by: User, reason: str) -> bool:
    """Revoke a course certificate with a reason (``revocation.revoke``)."""
    return revocation.revoke(certificate, by, reason, COURSE)


def unrevoke(certificate: Certificate, by: User, reason: str) -> bool:
    """Take a course certificate's revocation back (``revocation.unrevoke``)."""
    return revocation.unrevoke(certificate, by, reason, COURSE)
