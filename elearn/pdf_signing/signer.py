"""Sign a finished PDF: the ``PdfSigner`` interface and its local, key-in-instance/ form.

A signing service (BSrE/BSSN's, where the signing official enters a passphrase for
each batch) can replace ``LocalPdfSigner`` by implementing ``PdfSigner`` (and
``PdfSigners``, elearn/pdf_signing/binding.py, which picks the signer of an issuer):
nothing that renders PDFs knows where the key is, and no passphrase is ever stored here.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

from elearn.pdf_signing.identity import SigningIdentity, chain_pem

FIELD = "TandaTanganElektronik"
T = TypeVar("T")


class PdfSigner(Protocol):
    def sign(self, pdf: bytes, *, reason: str) -> bytes:
        """Return ``pdf`` with a PAdES signature over all of it (an incremental update)."""
        ...

    def certificates_pem(self) -> bytes:
        """The signer's certificate chain (PEM), published for verifiers to trust."""
        ...


class LocalPdfSigner:
    """Signs with a key held by the app (PAdES B-B: no time-stamp authority is reached)."""

    def __init__(self, identity: SigningIdentity) -> None:
        self.identity = identity
        self._chain_pem = chain_pem(identity)
        der = serialization.Encoding.DER
        certificates = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
        key = identity.key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._signer = signers.SimpleSigner(
            signing_cert=certificates[0],
            signing_key=asn1_keys.PrivateKeyInfo.load(key),
            cert_registry=SimpleCertificateStore.from_certs(certificates),
        )
        self._room: int | None = None

    def sign(self, pdf: bytes, *, reason: str) -> bytes:
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD,
            reason=reason,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
        )
        if self._room is None:
            # Left to itself pyHanko estimates the room for every PDF by building a whole
            # dummy signature, half of a signing's CPU. Without a time-stamp authority ours
            # has the same size every time (give or take a byte of the ECDSA value), so
            # pyHanko's estimate is made once, on a copy of the first PDF.
            self._room = outside_any_event_loop(_estimated_room(pdf, metadata, self._signer))
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        signing = signers.async_sign_pdf(
            writer, metadata, signer=self._signer, bytes_reserved=self._room
        )
        signed: io.BytesIO = outside_any_event_loop(signing)
        return signed.getvalue()

    def certificates_pem(self) -> bytes:
        return self._chain_pem


async def _estimated_room(
    pdf: bytes, metadata: signers.PdfSignatureMetadata, signer: signers.Signer
) -> int:
    """The bytes pyHanko would keep for the signature of ``pdf`` (its own estimate)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    session = signers.PdfSigner(metadata, signer=signer).init_signing_session(writer)
    validation = await session.perform_presign_validation(writer)
    room: int = await session.estimate_signature_container_size(validation)
    return room


def outside_any_event_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to its end from plain code.

    pyHanko's synchronous ``sign_pdf`` calls ``asyncio.run``, which refuses to start
    inside a thread whose event loop is running (Playwright's in the test process, a
    worker embedded in an async server): there it runs on a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
