"""``flask certificates ...``: verify a downloaded credential, list and revoke."""

from __future__ import annotations

import errno
from pathlib import Path

import click
from sqlalchemy import select

from elearn import clock
from elearn.certificates.issuance import (
    COURSE,
    issue_missing,
)
from elearn.certificates.revocation_cli import revoke_command_body, unrevoke_command_body
from elearn.certificates.verify_file import EXIT, looks_like_jwt, verify_bytes
from elearn.extensions import db
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import issuer_of_unit, platform_issuer, rotate_key
from elearn.jobs.binding import current_blobs
from elearn.models import PLATFORM_SLUG, Certificate, Unit, UnitKind
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
    verdict = verify_bytes(data, current_blobs())
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
    settings, keys, now = current_settings(), current_keystore(), clock.now()
    if code == PLATFORM_SLUG:
        issuer = platform_issuer(settings, keys, now)
    else:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None or unit.kind != UnitKind.INSTANSI:
            raise click.ClickException(f"--instansi {code}: no instansi has this unit code")
        issuer = issuer_of_unit(unit, settings, keys, now)
    old, new = rotate_key(issuer, keys, now)
    audit(None, "issuers.rotate_key", {"issuer": issuer.slug, "old": old, "new": new}, 1)
    db.session.commit()
    click.echo(f"{issuer.slug}: key {old} retired, {new} now signs")


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


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why it is revoked (shown on the public page).")
@click.option("--by", "by_nip", required=True, help="NIP of the admin revoking it.")
def revoke_command(code: str, reason: str, by_nip: str) -> None:
    """Revoke a certificate; its JP stop counting."""
    revoke_command_body(_certificate(code), by_nip, reason, COURSE)


@certificates_cli.command("unrevoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why the revocation is taken back (audited).")
@click.option("--by", "by_nip", required=True, help="NIP of the admin deciding it.")
def unrevoke_command(code: str, reason: str, by_nip: str) -> None:
    """Take a revocation back: only an admin, with a reason; the status list bit clears."""
    unrevoke_command_body(_certificate(code), by_nip, reason, COURSE)
