"""Everything printed on a certificate, gathered once so the PDF and the credential agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CertificateDocument:
    code: str  # random verification code (URL-safe, ≥128 bits)
    number: str  # human-readable number, e.g. "800/BKPSDM/2026/00012"
    learner_name: str
    nip: str  # full NIP: printed on the PDF, masked on public pages
    rank: str | None  # pangkat/golongan
    position: str | None  # jabatan
    instansi: str  # the learner's institution, e.g. "Pemerintah Kota Palu"
    course_title: str
    course_version: str  # e.g. "v2 · a1b2c3d4e5f6"
    competency: str  # teknis | manajerial | sosial-kultural
    jp: int
    enrolled_on: date
    completed_on: date  # in the learner's time zone
    score_summary: str  # e.g. "Rata-rata nilai kuis 86,5 (2 kuis)"
    issuer_name: str  # the issuing institution (configured)
    signatory_name: str
    signatory_position: str
    signatory_nip: str | None
    verify_url: str  # absolute URL of the public verification page (in the QR code)
    issued_on: date
    # Set once the certificate is revoked: the PDF then says so across the page, so a
    # printout or a forwarded file cannot pass for a valid certificate.
    revoked_on: date | None = None
    # The issuer's city, printed before the date ("Palu, 3 Desember 2026"); certificates
    # issued before issuer profiles had one print the issuer's name there.
    issuer_city: str = ""
    # The issuer's logo (PNG, as stored on its profile), drawn above its name if it has one.
    issuer_logo: bytes | None = None


@dataclass(frozen=True)
class BadgeDocument:
    """Everything a Pembelajar ASN badge says, from its signed payload."""

    code: str
    learner_name: str
    nip: str
    year: int
    jp: int  # the year's JP when the badge was issued: its evidence
    target: int
    issuer_name: str
    issued_on: date  # in the learner's time zone
    verify_url: str  # absolute URL of the public verification page
