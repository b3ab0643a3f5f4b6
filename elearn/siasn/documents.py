"""The document SIASN keeps with a riwayat: the certificate PDF, or the learner's evidence."""

from __future__ import annotations

from elearn.certificates.issuance import document_of
from elearn.certificates.pdf import render_certificate_pdf
from elearn.certificates.pdf_store import pdf_filename
from elearn.extensions import db
from elearn.models import Certificate, ExternalTraining
from elearn.siasn.records import PushRecord

Document = tuple[str, bytes, str]  # file name, content, content type


def document_for(record: PushRecord, base_url: str) -> Document:
    """The file to upload with ``record``."""
    if record.source == "certificate":
        certificate = db.session.get_one(Certificate, record.source_id)
        pdf = render_certificate_pdf(document_of(certificate, base_url))
        return pdf_filename(certificate), pdf, "application/pdf"
    training = db.session.get_one(ExternalTraining, record.source_id)
    return training.evidence_name, training.evidence, training.evidence_type
