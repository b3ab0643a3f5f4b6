"""The roots of our PDF signers, public, so anyone can trust them when validating our PDFs."""

from __future__ import annotations

from flask import Blueprint, Response

from elearn.pdf_signing.binding import current_pdf_signers

bp = Blueprint("pdf_signing", __name__)


@bp.route("/pdf-signing-certificate.pem")
def certificate() -> Response:
    response = Response(
        current_pdf_signers().roots_pem(),
        mimetype="application/x-pem-file",
    )
    response.headers["Content-Disposition"] = (
        'attachment; filename="elearn-asn-pdf-signing-certificate.pem"'
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
