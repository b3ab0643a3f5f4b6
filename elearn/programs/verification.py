"""What the public verification page reads of a program certificate: one plain row."""

from __future__ import annotations

from elearn.certificates.verification import CertificateReader
from elearn.models import Program, ProgramCertificate, ProgramVersion

verified_program_certificate = CertificateReader(
    ProgramCertificate, ProgramVersion, Program, "program_id"
)
