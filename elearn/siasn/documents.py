"""The document SIASN keeps with a riwayat: the certificate PDF, or the learner's evidence."""

from __future__ import annotations

from elearn.certificates.pdf_store import pdf_filename, signed_certificate_pdf
from elearn.extensions import db
from elearn.models import Certificate, ExternalTraining
from elearn.siasn.records import PushRecord

Document = tuple[str, bytes, str]  # file name, content, content type


def document_for(record: PushRecord, base_url: str) -> Document:
    """The file to upload with ``record``: a certificate as the learner downloads it, signed
    (PAdES) by its issuer, so the copy SIASN keeps shows any later edit too."""
    if record.source == "certificate":
        certificate = db.session.get_one(Certificate, record.source_id)
        pdf = signed_certificate_pdf(certificate, base_url)
        return pdf_filename(certificate), pdf, "application/pdf"
    training = db.session.get_one(ExternalTraining, record.source_id)
    return training.evidence_name, training.evidence, training.evidence_type
