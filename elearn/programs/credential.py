"""The program certificate as an Open Badges 3.0 credential: the achievement is the program
(a LearningProgram), its JP the sum of the course versions completed, its evidence the
program's verification page, which lists those versions.
"""

from __future__ import annotations

from typing import Any

from elearn.certificates import status_list
from elearn.certificates.credential import Achievement, build_credential
from elearn.issuers.urls import homepage, issuer_id, status_list_base
from elearn.models import IssuerProfile, ProgramCertificate
from elearn.programs.certificate import program_document, verify_url


def credential_id(code: str, base_url: str) -> str:
    return f"{verify_url(code, base_url)}/credential"


def build_program_credential(
    certificate: ProgramCertificate, base_url: str, issuer: IssuerProfile
) -> dict[str, Any]:
    """The unsigned credential, with its status entry (given a bit first if it has none;
    the caller commits)."""
    base = base_url.rstrip("/")
    p = certificate.payload
    doc = program_document(certificate, base)
    courses = len(p["courses"])
    return build_credential(
        doc,
        base_url=base,
        issuer_name=issuer.name,
        issuer_url=homepage(base, issuer),
        issuer_id=issuer_id(base, issuer),
        subject_salt=certificate.code,
        issued_at=certificate.issued_at,
        status=status_list.owner_status(
            status_list.PROGRAM_CERTIFICATE,
            certificate.id,
            certificate.revoked_at is not None,
            status_list_base(base, issuer),
        ),
        credential_id=credential_id(certificate.code, base),
        achievement=Achievement(
            id=f"{base}/programs/{p['program_slug']}",
            achievement_type="LearningProgram",
            description=(
                f"Program pembelajaran (jalur belajar) e-learning {p['program_title']}: "
                f"{courses} kursus, {p['jp']} JP."
            ),
            criteria=(
                "Menyelesaikan semua kursus wajib program (dan pilihan sesuai kuotanya); "
                "JP program adalah jumlah JP versi kursus yang diselesaikan."
            ),
        ),
    )
