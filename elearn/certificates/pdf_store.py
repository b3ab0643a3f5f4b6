"""Certificate PDFs rendered once by the ``certificate.pdf`` job and kept in the blob store.

A job's idempotency key names the certificate and a digest of everything the PDF
depends on: the signed payload, the public address printed in the QR code and the
revocation. Any change gives a new key, so a PDF stored before is never served for
it; a revoked certificate is never served from the store at all (its download is
rendered afresh, as before the store existed).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from elearn import clock
from elearn.blobs import BlobStore
from elearn.certificates.issuance import document_of
from elearn.certificates.pdf import render_certificate_pdf
from elearn.certificates.signing import canonical_json
from elearn.extensions import db
from elearn.issuers.registry import logo_by_slug
from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure
from elearn.jobs.service import Jobs
from elearn.models import PLATFORM_SLUG, Certificate, IssuerProfile
from elearn.models.job import Job, JobState
from elearn.pdf_signing.binding import issuer_by_id, sign_pdf

PDF_KIND = "certificate.pdf"
# Longer than the hourly purge keeps a finished job (a week): while a job row names a
# blob, the blob is there; once the row is gone the same key renders anew.
KEEP_PDF = timedelta(days=8)
# Raise when pdf.py draws differently: PDFs stored (and ETags given) before are then unused.
LAYOUT = 3  # 2: signed (PAdES); 3: by the issuer's own signer, with its logo


def signed_certificate_pdf(certificate: Certificate, base_url: str) -> bytes:
    """The certificate's PDF with its issuer's logo, signed (PAdES) by its issuer's signer so
    that a PDF reader shows who issued it and flags any later edit."""
    issuer = issuer_by_id(certificate.issuer_id)
    document = document_of(certificate, base_url)
    logo = logo_by_slug(issuer.slug if issuer else PLATFORM_SLUG)
    if logo is not None:
        document = replace(document, issuer_logo=logo[0])
    return sign_pdf(
        render_certificate_pdf(document),
        reason=f"Sertifikat eLearn ASN nomor {certificate.payload['number']}",
        issuer=issuer,
    )


def pdf_digest(certificate: Certificate, base_url: str) -> str:
    """What the PDF shows, how and whether it was revoked, in 32 hex digits (also the ETag)."""
    return digest_with_logo(certificate, base_url, _logo_digest(certificate))


def digest_with_logo(certificate: Certificate, base_url: str, logo_sha256: str | None) -> str:
    """``pdf_digest`` with the issuer's logo digest given (None: it has no logo), for a caller
    that has the issuer's row at hand."""
    revoked = certificate.revoked_at.isoformat() if certificate.revoked_at else ""
    facts = {
        "payload": certificate.payload,
        "base_url": base_url,
        "revoked": revoked,
        "layout": LAYOUT,
        "logo": logo_sha256,
    }
    return hashlib.sha256(canonical_json(facts)).hexdigest()[:32]


def _logo_digest(certificate: Certificate) -> str | None:
    """The SHA-256 of the logo the issuer's PDF shows: a new logo makes a new PDF."""
    issuer = (
        IssuerProfile.id == certificate.issuer_id
        if certificate.issuer_id is not None
        else IssuerProfile.slug == PLATFORM_SLUG
    )
    return db.session.scalar(select(IssuerProfile.logo_sha256).where(issuer))


def pdf_filename(certificate: Certificate) -> str:
    return f"sertifikat-{certificate.payload['course_slug']}-{certificate.year}.pdf"


def stored_pdf(certificate: Certificate, base_url: str, store: BlobStore) -> bytes | None:
    """The PDF the job stored for the certificate as it is now; None if there is none."""
    if certificate.revoked_at is not None:
        return None
    key = f"{PDF_KIND}:{certificate.id}:{pdf_digest(certificate, base_url)}"
    ref = db.session.scalar(select(Job.result).where(Job.key == key, Job.state == JobState.DONE))
    if not ref or store.info(ref) is None:
        return None
    return b"".join(store.chunks(ref))


def request_pdf(jobs: Jobs, certificate: Certificate, base_url: str) -> None:
    """Submit the job that stores the certificate's PDF (commits; inline: runs it here)."""
    if certificate.revoked_at is not None:
        return
    args, key = _pdf_job(certificate, base_url, pdf_digest(certificate, base_url))
    jobs.submit(PDF_KIND, args, key=key, owner_id=certificate.user_id)


def record_pdf_job(
    jobs: Jobs, certificate: Certificate, issuer: IssuerProfile, base_url: str
) -> None:
    """Record the job that renders a just-issued certificate's PDF before anyone asks for it,
    in the issuing transaction: the two commit together, and the job is sent after.

    The certificate is new, so is the job's key (it names the certificate's id). ``issuer``
    is the profile it was issued by, as read to issue it: its logo's digest is not read again
    while the year's certificate counter is locked.
    """
    digest = digest_with_logo(certificate, base_url, issuer.logo_sha256)
    args, key = _pdf_job(certificate, base_url, digest)
    jobs.record_new(PDF_KIND, args, key=key, owner_id=certificate.user_id)


def _pdf_job(certificate: Certificate, base_url: str, digest: str) -> tuple[dict[str, Any], str]:
    """The job's arguments, and its key: the certificate and the digest of what it shows."""
    args = {"certificate_id": certificate.id, "base_url": base_url, "digest": digest}
    return args, f"{PDF_KIND}:{certificate.id}:{digest}"


def certificate_pdf_kind(store: BlobStore) -> JobKind:
    def run(context: JobContext) -> Outcome:
        certificate = db.session.get(Certificate, context.args["certificate_id"])
        if certificate is None:
            raise PermanentFailure(f"certificate {context.args['certificate_id']} not found")
        base_url = str(context.args["base_url"])
        if certificate.revoked_at is not None or (
            pdf_digest(certificate, base_url) != context.args["digest"]
        ):
            # Changed since the job was asked for: the new state has a key of its own.
            db.session.rollback()
            return Outcome(info={"stale": True})
        data = signed_certificate_pdf(certificate, base_url)
        ref = store.put(
            io.BytesIO(data),
            filename=pdf_filename(certificate),
            content_type="application/pdf",
            owner_id=certificate.user_id,
            expires_at=clock.now() + KEEP_PDF,
        )
        db.session.commit()
        return Outcome(result=ref, info={"bytes": len(data)})

    # Rendered ahead of any download (which renders its own if it comes first): in a rush the
    # certificates themselves come first.
    return JobKind(PDF_KIND, run, max_attempts=3, lease_seconds=120, background=True)
