"""Check a PDF's PAdES signatures with pyHanko against the roots we publish.

What ``flask certificates verify`` asks of a PDF before reading what it says: signed, by a
signer under one of our roots, intact, and nothing appended after the signature. Every
failure is a reason in words; nothing a user hands in raises.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from elearn.pdf_signing.signer import outside_any_event_loop


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    reason: str  # why not valid; when valid, the reason the signer stated
    signer: str = ""  # the signer certificate's common name


def check_signatures(data: bytes, roots_pem: bytes) -> SignatureCheck:
    """Whether every signature in ``data`` is intact, ours and covers the whole file."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - any parse error means the same to the user
        return SignatureCheck(False, f"not a readable PDF ({type(exc).__name__})")
    if not signatures:
        return SignatureCheck(False, "no signature: the PDF was not signed by this deployment")
    roots = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in x509.load_pem_x509_certificates(roots_pem)
    ]
    stated = ""
    for embedded in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = outside_any_event_loop(async_validate_pdf_signature(embedded, context))
        except Exception as exc:  # noqa: BLE001 - a forged file may break pyHanko anywhere
            return SignatureCheck(
                False, f"the signature cannot be checked: the file was damaged or edited ({exc})"
            )
        signer = _common_name(status.signing_cert)
        if not (status.intact and status.valid):
            return SignatureCheck(
                False, f"edited after signing: the signature of {signer} no longer matches", signer
            )
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            return SignatureCheck(
                False, f"edited after signing: content was added after {signer} signed", signer
            )
        if not status.trusted:
            return SignatureCheck(
                False,
                f"unknown signer: {signer} is not a signer of this deployment "
                "(its certificate chains to none of /pdf-signing-certificate.pem)",
                signer,
            )
        stated = str(embedded.sig_object.get("/Reason", "") or stated)
    return SignatureCheck(True, stated, signer)


def _common_name(certificate: asn1_x509.Certificate) -> str:
    names = certificate.subject.native
    return str(names.get("common_name") or certificate.subject.human_friendly)
