"""The keys a restored system needs, sealed with a passphrase next to the database snapshot.

A backup is a pair of files: the snapshot (``elearn-<time>.sqlite`` or ``.dump``) and
``<snapshot>.keys.age``, an age file (passphrase mode, scrypt) holding JSON with the
certificate signing key, the session secret key, the issuers' keys (instance/issuer-keys/)
and the PDF signers (instance/pdf-signers/: the local CA and each issuer's key), plus the
SHA-256 of the snapshot it belongs to. Without the signing key no restored certificate
verifies; without the issuers' keys an instansi cannot sign with its current key; without the
PDF signers new PDFs would chain to a new CA that verifiers do not trust yet.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elearn.backup.snapshots import BackupError
from elearn.certificates.signing import KEY_FILENAME, key_id, load_signing_key
from elearn.issuers.keystore import FOLDER as ISSUER_KEYS_FOLDER
from elearn.pdf_signing.identity import LEGACY_FILENAME as PDF_SIGNING_FILENAME
from elearn.pdf_signing.store import FOLDER as PDF_SIGNERS_FOLDER
from elearn.private_files import write_private

FORMAT = "elearn-backup-keys/1"
SUFFIX = ".keys.age"
MIN_PASSPHRASE_LENGTH = 12
SIGNING = "CERTIFICATE_SIGNING_KEY"
SECRET = "SECRET_KEY"  # noqa: S105 - the variable's name, not a secret
SECRET_FILENAME = "secret_key"  # noqa: S105 - development's file name (elearn/security.py)
PDF_SIGNING = "PDF_SIGNING"  # the self-signed PDF signer of earlier releases, instance/ only
# Key folders of instance/, each file one key named <PREFIX><path in the folder>: the PDF
# signers (the CA, every issuer's signer, retired certificates) and the issuers' Ed25519 keys.
PDF_SIGNERS = "PDF_SIGNERS/"
ISSUER_KEYS = "ISSUER_KEYS/"
_FOLDERS = {
    PDF_SIGNERS: (
        PDF_SIGNERS_FOLDER,
        re.compile(r"^(?:retired/)?[A-Za-z0-9][A-Za-z0-9._-]*\.pem$"),
    ),
    ISSUER_KEYS: (ISSUER_KEYS_FOLDER, re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*\.pem$")),
}
RESTORED_DIR = "restored-keys"  # where keys that belong in the environment are put


@dataclass(frozen=True)
class Key:
    """One key as kept in a backup: where it lived, and its value."""

    name: str  # SIGNING, SECRET, PDF_SIGNING, PDF_SIGNERS/<file> or ISSUER_KEYS/<file>
    source: str  # "environment" or "instance"
    value: str  # PKCS#8 PEM for the signing key; the secret key's text


@dataclass(frozen=True)
class Placement:
    """What restoring one key does on this machine."""

    key: Key
    target: Path | None  # file to write; None when nothing needs writing
    replaces: bool  # ``target`` exists and holds a different key
    note: str  # for the operator


def keys_path(snapshot: Path) -> Path:
    """The keys file that goes with ``snapshot``."""
    return snapshot.with_name(snapshot.name + SUFFIX)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(f"the passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters")


def collect_keys(instance_path: str, config: Mapping[str, Any]) -> list[Key]:
    """Gather the signing key and the secret key, from the environment or instance/."""
    configured = str(config.get(SIGNING) or "").strip()
    signing = load_signing_key(instance_path, configured or None)  # creates it if none yet
    keys = [Key(SIGNING, "environment" if configured else "instance", _pem(signing))]
    secret = str(config.get(SECRET) or "")
    secret_file = Path(instance_path) / SECRET_FILENAME
    from_file = secret_file.is_file() and secret_file.read_text().strip() == secret
    if secret:
        keys.append(Key(SECRET, "instance" if from_file else "environment", secret))
    # A configured PDF signer (PDF_SIGNING_KEY, e.g. under BSrE) is the operator's to keep;
    # the self-signed one made in instance/ is ours, and old PDFs name its certificate.
    pdf_signing = Path(instance_path) / PDF_SIGNING_FILENAME
    if pdf_signing.is_file():
        keys.append(Key(PDF_SIGNING, "instance", pdf_signing.read_text()))
    for prefix, (folder_name, allowed) in _FOLDERS.items():
        folder = Path(instance_path) / folder_name
        for path in sorted(folder.rglob("*.pem")):
            relative = path.relative_to(folder).as_posix()
            if allowed.match(relative):
                keys.append(Key(prefix + relative, "instance", path.read_text()))
    return keys


def seal(keys: list[Key], snapshot: Path, passphrase: str) -> Path:
    """Encrypt ``keys`` for ``snapshot`` into its keys file (mode 600); return its path."""
    check_passphrase(passphrase)
    document = {
        "format": FORMAT,
        "snapshot": snapshot.name,
        "snapshot_sha256": _sha256(snapshot),
        "keys": [{"name": k.name, "source": k.source, "value": k.value} for k in keys],
    }
    sealed = pyrage.passphrase.encrypt(json.dumps(document).encode("utf-8"), passphrase)
    target = keys_path(snapshot)
    write_private(target, sealed)
    return target


def unseal(snapshot: Path, passphrase: str) -> list[Key]:
    """Decrypt the keys file of ``snapshot``; BackupError on a wrong passphrase or mismatch."""
    sealed = keys_path(snapshot)
    try:
        plain = pyrage.passphrase.decrypt(sealed.read_bytes(), passphrase)
    except pyrage.DecryptError:
        raise BackupError(
            f"{sealed}: wrong passphrase (or a damaged keys file); nothing was changed"
        ) from None
    document = json.loads(plain)
    if document.get("format") != FORMAT:
        raise BackupError(f"{sealed}: unknown format {document.get('format')!r}")
    if document["snapshot_sha256"] != _sha256(snapshot):
        raise BackupError(
            f"{sealed} belongs to {document['snapshot']}, not to this copy of {snapshot.name}; "
            "nothing was changed"
        )
    return [Key(k["name"], k["source"], k["value"]) for k in document["keys"]]


def plan_placements(
    keys: list[Key], instance_path: str, config: Mapping[str, Any]
) -> list[Placement]:
    """Decide where each key goes, without writing anything."""
    instance = Path(instance_path)
    placements = []
    for key in keys:
        if key.source == "environment":
            placements.append(_environment_placement(key, instance, config))
            continue
        target = _instance_file(instance, key.name)
        same = target.is_file() and _same_key(key, target.read_text())
        note = f"{target}: " + ("already this key" if same else "restored")
        if key.name == SIGNING and str(config.get(SIGNING) or "").strip():
            current = _kid(str(config.get(SIGNING)))
            if current != _kid(key.value):
                note += f"; WARNING: {SIGNING} set in this environment overrides it: unset it"
        placements.append(
            Placement(key, None if same else target, target.exists() and not same, note)
        )
    return placements


_FILENAMES = {SIGNING: KEY_FILENAME, SECRET: SECRET_FILENAME, PDF_SIGNING: PDF_SIGNING_FILENAME}


def _instance_file(instance: Path, name: str) -> Path:
    """Where the key ``name`` lives in instance/ (never outside it, whatever the file says)."""
    for prefix, (folder_name, allowed) in _FOLDERS.items():
        if name.startswith(prefix):
            relative = name.removeprefix(prefix)
            if not allowed.match(relative):
                raise BackupError(f"{name}: not a file of {folder_name}/")
            return instance / folder_name / relative
    if name not in _FILENAMES:
        raise BackupError(f"{name}: unknown key in this backup")
    return instance / _FILENAMES[name]


def place(placements: list[Placement], *, stamp: str) -> None:
    """Write the planned keys; a key being replaced is kept as ``<file>.replaced-<stamp>``."""
    for placement in placements:
        if placement.target is None:
            continue
        placement.target.parent.mkdir(parents=True, exist_ok=True)
        if placement.replaces:
            placement.target.rename(
                placement.target.with_name(f"{placement.target.name}.replaced-{stamp}")
            )
        write_private(placement.target, (placement.key.value.strip() + "\n").encode("utf-8"))


def _environment_placement(key: Key, instance: Path, config: Mapping[str, Any]) -> Placement:
    current = str(config.get(key.name) or "").strip()
    if current and _same_key(key, current):
        return Placement(key, None, False, f"{key.name}: already set in this environment")
    target = instance / RESTORED_DIR / key.name
    replaces = target.exists() and not _same_key(key, target.read_text())
    return Placement(
        key,
        target,
        replaces,
        f"{key.name} came from the environment: set {key.name} to the content of {target} "
        "(then delete that file)",
    )


def _same_key(key: Key, text: str) -> bool:
    if key.name == SIGNING:
        return _kid(text) == _kid(key.value)
    return text.strip() == key.value.strip()


def _kid(text: str) -> str | None:
    try:
        return key_id(load_signing_key("", text).public_key())
    except ValueError:
        return None


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
