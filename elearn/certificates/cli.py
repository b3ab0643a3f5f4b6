"""``flask certificates ...``: verify a downloaded credential, list and revoke."""

from __future__ import annotations

import errno
from datetime import datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select

from elearn import clock
from elearn.certificates.issuance import (
    COURSE,
    issue_missing,
)
from elearn.certificates.revocation_cli import add_revocation_commands
from elearn.certificates.verify_file import EXIT, looks_like_jwt, verify_bytes
from elearn.extensions import db
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import issuer_of_unit, platform_issuer, rotate_key
from elearn.models import PLATFORM_SLUG, Certificate, IssuerProfile, Unit, UnitKind
from elearn.pdf_signing.binding import LocalPdfSigners, current_pdf_signers
from elearn.pdf_signing.identity import SigningIdentity, parse_identity
from elearn.reports.audit import audit
from elearn.settings import current_settings

certificates_cli = click.Group("certificates", help="Verify, list and revoke certificates.")


@certificates_cli.command("verify")
@click.argument("source")
def verify_command(source: str) -> None:
    """Verify a certificate PDF, an Open Badges credential (.jwt file or the token itself)
    or a JSON(-LD) credential.

    Prints VALID, REVOKED or INVALID with the reason. Exit status: 0 valid, 1 invalid,
    3 revoked.
    """
    try:
        data: bytes | None = Path(source).read_bytes()
    except OSError as exc:
        # A token given inline is no file name (and usually too long for one).
        if exc.errno not in (errno.ENOENT, errno.ENAMETOOLONG):
            click.echo(f"{source}: INVALID — cannot read the file ({exc.strerror})", err=True)
            raise SystemExit(EXIT["invalid"]) from None
        data = None
    if data is None:
        if not looks_like_jwt(source):
            click.echo(f"{source}: INVALID — no such file, and not a VC-JWT", err=True)
            raise SystemExit(EXIT["invalid"])
        data, source = source.encode("ascii"), "token"
    verdict = verify_bytes(data)
    db.session.commit()  # the platform issuer's first key, recorded on first use
    word = {"valid": "VALID", "revoked": "REVOKED", "invalid": "INVALID"}[verdict.state]
    click.echo(f"{source}: {word} — {verdict.reason}", err=verdict.state != "valid")
    if verdict.exit_code:
        raise SystemExit(verdict.exit_code)


@certificates_cli.command("rotate-key")
@click.option("--instansi", "code", required=True, help='Unit code of the instansi, or "platform".')
def rotate_key_command(code: str) -> None:
    """Give an issuer a new signing key; the old one stays published so what it signed
    keeps verifying, and new credentials and status lists use the new one."""
    keys, now = current_keystore(), clock.now()
    issuer = _issuer_named(code, now)
    old, new = rotate_key(issuer, keys, now)
    audit(None, "issuers.rotate_key", {"issuer": issuer.slug, "old": old, "new": new}, 1)
    db.session.commit()
    click.echo(f"{issuer.slug}: key {old} retired, {new} now signs")


def _issuer_named(code: str, now: datetime) -> IssuerProfile:
    """The issuer profile of the instansi with unit code ``code`` (or the platform's), made
    if it has none yet; the command stops on an unknown code."""
    settings, keys = current_settings(), current_keystore()
    if code == PLATFORM_SLUG:
        return platform_issuer(settings, keys, now)
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or unit.kind != UnitKind.INSTANSI:
        raise click.ClickException(f"--instansi {code}: no instansi has this unit code")
    return issuer_of_unit(unit, settings, keys, now)


@certificates_cli.command("pdf-signer")
@click.option("--instansi", "code", required=True, help='Unit code of the instansi, or "platform".')
@click.option("--renew", is_flag=True, help="Replace its key with a new one from the local CA.")
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM private key (RSA or ECDSA, no passphrase) issued elsewhere, e.g. BSrE.",
)
@click.option("--cert", "cert_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Its PEM certificate chain, the signer's certificate first.")  # fmt: skip
def pdf_signer_command(
    code: str, renew: bool, key_file: Path | None, cert_file: Path | None
) -> None:
    """Show the key that signs an issuer's PDFs (made if it has none), renew it, or install
    a key and certificate issued elsewhere. A key protected by a passphrase is refused: the
    passphrase is never stored. Changes are audited; old PDFs keep verifying."""
    if renew and (key_file or cert_file):
        raise click.ClickException("--renew replaces the key with a local one: no --key/--cert")
    if (key_file is None) != (cert_file is None):
        raise click.ClickException("--key and --cert go together")
    now = clock.now()
    issuer = _issuer_named(code, now)
    signers = current_pdf_signers()
    if not isinstance(signers, LocalPdfSigners):
        raise click.ClickException("PDFs are signed by a signing service here, not by local keys")
    if issuer.is_platform and signers.configured is not None:
        if renew or key_file:
            raise click.ClickException(
                "PDF_SIGNING_KEY/PDF_SIGNING_CERT sign the platform's PDFs: change them there"
            )
        _show_signer(issuer.slug, signers.configured, "PDF_SIGNING_KEY")
        return
    who = signers.who(issuer)
    action: str | None = None
    if renew:
        identity, action = signers.store.renew(who.slug, who.name, now), "renew"
    elif key_file is not None and cert_file is not None:
        identity, action = _install(signers, who.slug, key_file, cert_file, now), "install"
    else:
        identity, made = signers.store.identity(who.slug, who.name, now)
        action = "create" if made else None
    if action is not None:
        fingerprint = identity.certificate.fingerprint(hashes.SHA256()).hex()
        audit(
            None,
            f"pdf_signing.{action}",
            {"issuer": who.slug, "subject": identity.subject, "sha256": fingerprint},
            1,
        )
    db.session.commit()
    _show_signer(who.slug, identity, {"renew": "renewed", "install": "installed"}.get(action or ""))


def _install(
    signers: LocalPdfSigners, slug: str, key_file: Path, cert_file: Path, now: datetime
) -> SigningIdentity:
    try:
        key_pem, chain_pem = key_file.read_bytes(), cert_file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from None
    try:
        identity = parse_identity(key_pem, chain_pem, str(key_file), str(cert_file), now=now)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    return signers.store.install(slug, identity, now)


def _show_signer(slug: str, identity: SigningIdentity, note: str | None) -> None:
    certificate = identity.certificate
    click.echo(f"{slug}: {identity.subject}" + (f" ({note})" if note else ""))
    click.echo(f"  issued by:   {certificate.issuer.rfc4514_string()}")
    click.echo(f"  valid until: {certificate.not_valid_after_utc:%Y-%m-%d}")
    click.echo(f"  SHA-256:     {certificate.fingerprint(hashes.SHA256()).hex()}")


@certificates_cli.command("list")
@click.option("--year", type=int, help="Only certificates numbered in this year.")
def list_command(year: int | None) -> None:
    """List certificates: number, code, course, JP and state."""
    statement = select(Certificate).order_by(Certificate.year, Certificate.sequence)
    if year:
        statement = statement.where(Certificate.year == year)
    for c in db.session.scalars(statement):
        state = "revoked" if c.revoked_at else "valid"
        click.echo(
            f"{c.number}  {c.code}  {c.payload['course_slug']}  {c.payload['jp']} JP  {state}"
        )


@certificates_cli.command("issue-missing")
def issue_missing_command() -> None:
    """Issue the certificates of completed enrolments that have none yet (safe to run from cron)."""
    click.echo(f"{issue_missing(current_settings())} certificate(s) issued")


def _certificate(code: str) -> Certificate:
    """The certificate named by ``code``, else the command stops."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        raise click.ClickException(f"unknown certificate {code}")
    return certificate


add_revocation_commands(
    certificates_cli,
    _certificate,
    COURSE,
    revoke_help="Revoke a certificate; its JP stop counting.",
    unrevoke_help="Take a revocation back: only an admin, with a reason; the bit clears.",
)
