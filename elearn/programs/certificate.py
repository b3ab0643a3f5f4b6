"""The program certificate: issued once when a program is met, summing the JP of the course
versions actually completed, pinned to those versions.

It is made with the course certificates' machinery: the same yearly number counter and
pattern, the same Ed25519 key and signature, the same PDF layout. Its JP summarise the
course certificates and are never counted a second time (docs/course-format.md, "Program").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn.certificates import revocation, status_list
from elearn.certificates.document import CertificateDocument
from elearn.certificates.issuance import (
    SignedCertificate,
    document_from_payload,
    new_code,
    next_sequence,
    revoked_on,
)
from elearn.certificates.keys import current_key_id, signing_key, stored_signature_valid
from elearn.certificates.signing import sign_payload
from elearn.i18n import zone_for
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import issuer_of_unit
from elearn.models import IssuerProfile, ProgramCertificate, ProgramEnrollment, User
from elearn.programs.progress import DbSession, ProgramProgress
from elearn.settings import Settings


def find_program_certificate(
    session: DbSession, enrollment: ProgramEnrollment
) -> ProgramCertificate | None:
    return session.scalar(
        select(ProgramCertificate).where(ProgramCertificate.program_enrollment_id == enrollment.id)
    )


def issue_program_certificate(
    session: DbSession,
    enrollment: ProgramEnrollment,
    progress: ProgramProgress,
    settings: Settings,
    now: datetime,
) -> ProgramCertificate | None:
    """Issue the certificate of a met program once, even under parallel calls.

    Like ``issue_certificate``: the unique constraint on the program enrolment makes a
    second one fail; the loser's savepoint (its number included) is rolled back and it
    returns the winner's. The enrolment is marked complete in the same savepoint.
    """
    if not progress.complete:
        return None
    existing = find_program_certificate(session, enrollment)
    if existing is not None:
        return existing
    user: User = enrollment.user
    year = now.astimezone(zone_for(user, settings.default_timezone)).year
    # Issued by the program's instansi, as a course certificate is by its course's.
    issuer = issuer_of_unit(progress.version.program.unit, settings, current_keystore(), now)
    draft = _payload(enrollment, progress, new_code(), now, settings, issuer)
    try:
        with session.begin_nested():
            sequence = next_sequence(year)
            number = settings.certificates.number(year, sequence)
            payload = {**draft, "number": number}
            certificate = ProgramCertificate(
                code=payload["code"],
                number=number,
                year=year,
                sequence=sequence,
                user_id=enrollment.user_id,
                program_enrollment_id=enrollment.id,
                version_id=progress.version.id,
                jp=payload["jp"],
                issued_at=now,
                payload=payload,
                signature=sign_payload(signing_key(), payload),
                key_id=current_key_id(),
                issuer_id=None if issuer.is_platform else issuer.id,
            )
            session.add(certificate)
            enrollment.completed_at = now
            session.flush()
            status_list.allocate(now, program_certificate_ids=[certificate.id])
    except IntegrityError:
        existing = find_program_certificate(session, enrollment)
        if existing is None:
            raise
        return existing
    return certificate


def _payload(
    enrollment: ProgramEnrollment,
    progress: ProgramProgress,
    code: str,
    issued_at: datetime,
    settings: Settings,
    issuer: IssuerProfile,
) -> dict[str, Any]:
    """The signed content: strings, ints and None, with the pinned course versions listed."""
    user: User = enrollment.user
    zone = zone_for(user, settings.default_timezone)
    version = progress.version
    program = version.program
    counted = progress.counted
    completed = max((c.completed_at or issued_at for c in counted), default=issued_at)
    issued_by = settings.certificates
    return {
        "kind": "program",
        "code": code,
        "number": "",
        "learner_name": user.full_name,
        "nip": user.nip,
        "rank": user.rank,
        "position": user.position,
        "instansi": user.unit.instansi.name,
        "program_slug": program.slug,
        "program_title": version.title,
        "program_version": f"v{version.number} · {version.content_hash[:12]}",
        "competencies": sorted({c.competency for c in counted if c.competency}),
        "jp": sum(c.jp for c in counted),
        "courses": [
            {
                "slug": c.slug,
                "title": c.title,
                "version": c.version_label,
                "jp": c.jp,
                "completed_on": (c.completed_at or issued_at).astimezone(zone).date().isoformat(),
            }
            for c in counted
        ],
        "enrolled_on": enrollment.enrolled_at.astimezone(zone).date().isoformat(),
        "completed_on": completed.astimezone(zone).date().isoformat(),
        "issuer_name": issuer.name,
        "signatory_name": issued_by.signatory_name,
        "signatory_position": issued_by.signatory_position,
        "signatory_nip": issued_by.signatory_nip or None,
        "issued_on": issued_at.astimezone(zone).date().isoformat(),
        **({"issuer_city": issuer.city} if issuer.city else {}),
    }


# Program certificates count no JP of their own (their courses' certificates do): revoking
# one changes no rollup, only its own state and status bit.
PROGRAM = revocation.Kind("programs.certificates", status_list.PROGRAM_CERTIFICATE)


def revoke_program_certificate(certificate: ProgramCertificate, by: User, reason: str) -> bool:
    """Revoke a program certificate with a reason (``revocation.revoke``)."""
    return revocation.revoke(certificate, by, reason, PROGRAM)


def unrevoke_program_certificate(certificate: ProgramCertificate, by: User, reason: str) -> bool:
    """Take a program certificate's revocation back: admins only (``revocation.unrevoke``)."""
    return revocation.unrevoke(certificate, by, reason, PROGRAM)


def signature_valid(certificate: SignedCertificate) -> bool:
    """Check the stored payload against its Ed25519 signature (a certificate or the page's row)."""
    return stored_signature_valid(certificate.payload, certificate.signature)


def verify_url(code: str, base_url: str) -> str:
    return f"{base_url}/programs/certificates/{code}"


def program_document(certificate: ProgramCertificate, base_url: str) -> CertificateDocument:
    """The certificate's signed payload as the course certificates' document (same PDF)."""
    p = certificate.payload
    courses = "; ".join(f"{c['title']} ({c['version']}, {c['jp']} JP)" for c in p["courses"])
    return document_from_payload(
        p,
        title=f"Program {p['program_title']}",
        version=p["program_version"],
        competency=", ".join(p["competencies"]),
        score_summary=f"{len(p['courses'])} kursus: {courses}",
        verify_url=verify_url(p["code"], base_url),
        revoked_on=revoked_on(certificate),
    )
