"""What ``flask certificates revoke|unrevoke`` and ``flask programs revoke|unrevoke`` share:
who --by names, and each refusal told as a one-line error."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy import select

from elearn.auth.duties import OwnRecordRefused
from elearn.certificates import revocation
from elearn.extensions import db
from elearn.models import Role, User


def _actor(by_nip: str) -> User | None:
    return db.session.scalar(select(User).where(User.nip == by_nip))


def revoke_command_body(
    certificate: revocation.Revocable, by_nip: str, reason: str, kind: revocation.Kind
) -> None:
    """Revoke as the admin --by names; ClickException for every refusal."""
    admin = _actor(by_nip)
    if admin is None or not admin.has_role(Role.ADMIN):
        raise click.ClickException("--by must be the NIP of an admin")
    if not reason.strip():
        raise click.ClickException("--reason must say why")
    try:
        revoked = revocation.revoke(certificate, admin, reason, kind)
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        raise click.ClickException(
            f"{certificate.number} belongs to {admin.full_name} (--by): nobody revokes their "
            "own certificate; another admin must run this"
        ) from None
    if not revoked:
        raise click.ClickException("already revoked")
    db.session.commit()
    click.echo(f"{certificate.number} revoked")


def unrevoke_command_body(
    certificate: revocation.Revocable, by_nip: str, reason: str, kind: revocation.Kind
) -> None:
    """Take a revocation back as the admin --by names; ClickException for every refusal."""
    actor = _actor(by_nip)
    if actor is None:
        raise click.ClickException("--by must be the NIP of an admin")
    if not reason.strip():
        raise click.ClickException("--reason must say why")
    try:
        done = revocation.unrevoke(certificate, actor, reason, kind)
    except revocation.UnrevokeRefused:
        db.session.commit()  # only the audit entry of the refusal
        raise click.ClickException(
            f"{actor.full_name} (--by) is not an admin: only an admin may unrevoke"
        ) from None
    except OwnRecordRefused:
        db.session.commit()
        raise click.ClickException(
            f"{certificate.number} belongs to {actor.full_name} (--by): another admin must "
            "decide on it"
        ) from None
    if not done:
        raise click.ClickException(f"{certificate.number} is not revoked")
    db.session.commit()
    click.echo(f"{certificate.number} unrevoked")


def add_revocation_commands(
    group: click.Group,
    find: Callable[[str], revocation.Revocable],
    kind: revocation.Kind,
    *,
    revoke_help: str,
    unrevoke_help: str,
) -> None:
    """``revoke`` and ``unrevoke`` on ``group`` for the certificates ``find`` looks up by code
    (a ClickException when there is none)."""
    by_option = click.option("--by", "by_nip", required=True, help="NIP of the admin deciding it.")
    # A code is random base64url, so one in 64 begins with "-": read it as the code, not as an
    # unknown option (typing "--" before it is nobody's habit).
    settings = {"ignore_unknown_options": True}

    @group.command("revoke", help=revoke_help, context_settings=settings)
    @click.argument("code")
    @click.option("--reason", required=True, help="Why it is revoked (shown on the public page).")
    @by_option
    def revoke_command(code: str, reason: str, by_nip: str) -> None:
        revoke_command_body(find(code), by_nip, reason, kind)

    @group.command("unrevoke", help=unrevoke_help, context_settings=settings)
    @click.argument("code")
    @click.option("--reason", required=True, help="Why the revocation is taken back (audited).")
    @by_option
    def unrevoke_command(code: str, reason: str, by_nip: str) -> None:
        unrevoke_command_body(find(code), by_nip, reason, kind)
