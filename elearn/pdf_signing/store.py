"""Where local PDF signers live: instance/pdf-signers/.

``ca.pem`` is the deployment's CA (key and certificate), ``<slug>.pem`` an issuer's signer
(key, then chain), named by the issuer's slug (``platform`` for the platform). A signer
replaced by ``--renew`` or ``--key/--cert`` leaves only its certificates behind, in
``retired/``: no key that signs nothing any more stays on disk, and the roots of what it
signed stay published. Every file is mode 600 and written once or replaced atomically.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from elearn.pdf_signing.authority import issue_signer, make_ca
from elearn.pdf_signing.identity import (
    LEGACY_FILENAME,
    SigningIdentity,
    certificates_pem,
    identity_pem,
    parse_identity,
)
from elearn.private_files import create_once, write_private

FOLDER = "pdf-signers"
CA_FILE = "ca.pem"
RETIRED = "retired"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignerStore:
    folder: Path  # instance/pdf-signers
    legacy: Path | None = None  # instance/pdf-signing.pem of earlier releases

    def path(self, slug: str) -> Path:
        if not SLUG.match(slug):
            raise ValueError(f"{slug!r} is not an issuer slug")
        return self.folder / f"{slug}.pem"

    def ca(self, now: datetime) -> SigningIdentity:
        """The deployment's CA, made on first need (the loser of a race reads the winner's)."""
        return self._made_once(self.folder / CA_FILE, lambda: make_ca(now))

    def identity(self, slug: str, name: str, now: datetime) -> tuple[SigningIdentity, bool]:
        """The signer of issuer ``slug``, certified by the CA for ``name`` if it has none yet;
        and whether this call made it."""
        path = self.path(slug)
        if path.exists():
            return self._read(path), False
        ca = self.ca(now)
        made = issue_signer(ca, name, now)
        if create_once(path, identity_pem(made)):
            log.warning("Made the PDF signer of %s at %s; back it up", slug, path)
            return made, True
        return self._read(path), False

    def renew(self, slug: str, name: str, now: datetime) -> SigningIdentity:
        """A new key and certificate for ``slug`` from the CA; the old certificate retires."""
        return self.install(slug, issue_signer(self.ca(now), name, now), now)

    def install(self, slug: str, identity: SigningIdentity, now: datetime) -> SigningIdentity:
        """Make ``identity`` (e.g. issued under BSrE) the signer of ``slug``."""
        path = self.path(slug)
        if path.exists():
            old = self._read(path)
            stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
            write_private(
                self.folder / RETIRED / f"{slug}-{stamp}.pem", certificates_pem(old.chain)
            )
        write_private(path, identity_pem(identity))
        return identity

    def roots(self) -> list[x509.Certificate]:
        """What verifiers trust: the CA, and the top of every chain a signer here ever had
        (external ones included), without repeats."""
        found: dict[bytes, x509.Certificate] = {}
        for path in self._certificate_files():
            try:
                chain = x509.load_pem_x509_certificates(path.read_bytes())
            except (OSError, ValueError):
                log.warning("%s: no certificate could be read; not published", path)
                continue
            top = chain[-1]
            found.setdefault(top.fingerprint(hashes.SHA256()), top)
        return list(found.values())

    def _certificate_files(self) -> Iterator[Path]:
        if (self.folder / CA_FILE).exists():
            yield self.folder / CA_FILE
        yield from sorted(p for p in self.folder.glob("*.pem") if p.name != CA_FILE)
        yield from sorted((self.folder / RETIRED).glob("*.pem"))
        if self.legacy is not None and self.legacy.exists():
            yield self.legacy

    def _made_once(self, path: Path, make: Callable[[], SigningIdentity]) -> SigningIdentity:
        if not path.exists():
            made = make()
            if create_once(path, identity_pem(made)):
                log.warning("Made the deployment's PDF signing CA at %s; back it up", path)
                return made
        return self._read(path)

    @staticmethod
    def _read(path: Path) -> SigningIdentity:
        data = path.read_bytes()
        return parse_identity(data, data, str(path), str(path))


def signer_store(instance_path: str) -> SignerStore:
    """The store of this instance folder."""
    return SignerStore(Path(instance_path) / FOLDER, Path(instance_path) / LEGACY_FILENAME)
