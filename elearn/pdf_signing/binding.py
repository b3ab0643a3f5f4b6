"""Which signer signs an issuer's PDFs: the ``PdfSigners`` interface and its local form.

Certificate PDFs are signed by the signer of the certificate's issuer (its course's
instansi), career-record PDFs by that of the learner's instansi, anything else (and an
instansi without an issuer profile) by the platform's. A BSrE (BSSN) signing service
replaces ``LocalPdfSigners`` with ``bind_pdf_signers(app, …)``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import select

from elearn import clock
from elearn.extensions import db
from elearn.models import PLATFORM_SLUG, IssuerProfile, User
from elearn.pdf_signing.identity import SigningIdentity, certificates_pem, configured_identity
from elearn.pdf_signing.signer import LocalPdfSigner, PdfSigner
from elearn.pdf_signing.store import SignerStore, signer_store
from elearn.settings import current_settings

_EXTENSION = "pdf_signers"


class PdfSigners(Protocol):
    def signer_for(self, issuer: IssuerProfile | None) -> PdfSigner:
        """The signer of ``issuer``'s PDFs (None: the platform's)."""
        ...

    def roots_pem(self) -> bytes:
        """Every root a PDF we signed chains to (PEM), published for verifiers to trust."""
        ...


@dataclass(frozen=True)
class Signer:
    """Who signs for an issuer: the slug naming its key file and the name it is certified as."""

    slug: str
    name: str


class LocalPdfSigners:
    """Signers whose keys are in instance/pdf-signers/ (the platform's may be configured)."""

    def __init__(
        self, store: SignerStore, platform_name: str, configured: SigningIdentity | None
    ) -> None:
        self.store = store
        self.platform_name = platform_name
        self.configured = configured
        self._lock = threading.Lock()
        # slug -> (the file's identity on disk, its signer): a renewal from the command
        # line changes the file, and the next PDF uses the new key without a restart.
        self._loaded: dict[str, tuple[tuple[int, int, int], LocalPdfSigner]] = {}
        self._configured_signer = LocalPdfSigner(configured) if configured else None

    def who(self, issuer: IssuerProfile | None) -> Signer:
        if issuer is None or issuer.is_platform:
            return Signer(PLATFORM_SLUG, self.platform_name)
        return Signer(issuer.slug, issuer.name)

    def signer_for(self, issuer: IssuerProfile | None) -> PdfSigner:
        who = self.who(issuer)
        if who.slug == PLATFORM_SLUG and self._configured_signer is not None:
            return self._configured_signer
        path = self.store.path(who.slug)
        cached = self._loaded.get(who.slug)
        if cached is not None and cached[0] == _file_identity(path):
            return cached[1]
        with self._lock:
            # Stat first: a file replaced while it is read is read again on the next PDF.
            stamp = _file_identity(path)
            identity, _ = self.store.identity(who.slug, who.name, clock.now())
            signer = LocalPdfSigner(identity)
            self._loaded[who.slug] = (stamp, signer)
        return signer

    def roots_pem(self) -> bytes:
        self.store.ca(clock.now())  # published before the first PDF is signed
        roots = self.store.roots()
        if self.configured is not None:
            top = self.configured.chain[-1]
            if top not in roots:
                roots.append(top)
        return certificates_pem(roots)


class OneSigner:
    """One signer for every issuer (a test's, or a single service account)."""

    def __init__(self, signer: PdfSigner) -> None:
        self.signer = signer

    def signer_for(self, issuer: IssuerProfile | None) -> PdfSigner:
        return self.signer

    def roots_pem(self) -> bytes:
        return self.signer.certificates_pem()


def _file_identity(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, 0)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def bind_pdf_signers(app: Flask, signers: PdfSigners) -> None:
    """Use ``signers`` for this app's PDFs (a signing service, or a test's)."""
    app.extensions[_EXTENSION] = signers


def bind_pdf_signer(app: Flask, signer: PdfSigner) -> None:
    """Sign every PDF of this app with ``signer``."""
    bind_pdf_signers(app, OneSigner(signer))


def current_pdf_signers() -> PdfSigners:
    """The app's signers: local ones, read from instance/pdf-signers/ on first use."""
    signers: PdfSigners | None = current_app.extensions.get(_EXTENSION)
    if signers is None:
        settings = current_settings()
        configured = configured_identity(settings.pdf_signing_key, settings.pdf_signing_cert)
        local = LocalPdfSigners(
            signer_store(current_app.instance_path),
            settings.certificates.issuer_name,
            configured,
        )
        signers = current_app.extensions.setdefault(_EXTENSION, local)
    return signers


def sign_pdf(pdf: bytes, *, reason: str, issuer: IssuerProfile | None = None) -> bytes:
    """``pdf`` signed by the signer of ``issuer`` (None: the platform's)."""
    return current_pdf_signers().signer_for(issuer).sign(pdf, reason=reason)


def issuer_of_learner(user: User) -> IssuerProfile | None:
    """The issuer profile of the learner's instansi, if it has one (no profile is made)."""
    return db.session.scalar(
        select(IssuerProfile).where(IssuerProfile.unit_id == user.unit.instansi.id)
    )


def issuer_by_id(issuer_id: int | None) -> IssuerProfile | None:
    """A certificate's issuer profile; None for the platform's."""
    return None if issuer_id is None else db.session.get(IssuerProfile, issuer_id)
