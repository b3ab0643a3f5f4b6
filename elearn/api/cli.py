"""``flask tokens ...``: personal access tokens for the API."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from elearn import clock
from elearn.accounts.nip import normalize_nip
from elearn.api.tokens import TokenError, create_token, revoke_token, token_status, tokens_of
from elearn.extensions import db
from elearn.models import ApiToken, User

tokens_cli = click.Group("tokens", help="Create, list and revoke API tokens.")


def _user_by_nip(nip: str) -> User:
    user = db.session.scalar(select(User).where(User.nip == normalize_nip(nip)))
    if user is None:
        raise click.UsageError("no user with that NIP")
    return user


@tokens_cli.command("create")
@click.option("--nip", required=True, help="The owner's NIP (spaces allowed).")
@click.option("--name", required=True, help="What the token is for, e.g. 'dashboard BKPSDM'.")
@click.option(
    "--expires-days", type=click.IntRange(min=1), default=None, help="Expire after N days."
)
def create_command(nip: str, name: str, expires_days: int | None) -> None:
    """Create a token and print it once; only its hash is kept."""
    user = _user_by_nip(nip)
    try:
        issued = create_token(user, name, expires_days)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created token {issued.token.id} '{issued.token.name}' for {user.full_name}")
    if issued.token.expires_at:
        click.echo(f"expires {_when(issued.token.expires_at)}")
    click.echo("copy it now, it will not be shown again:", err=True)
    click.echo(issued.secret)


@tokens_cli.command("list")
@click.option("--nip", required=True, help="The owner's NIP (spaces allowed).")
def list_command(nip: str) -> None:
    """List a user's tokens: id, prefix, status, created, last used, expiry, name."""
    now = clock.now()
    tokens = tokens_of(_user_by_nip(nip))
    if not tokens:
        click.echo("no tokens")
    for token in tokens:
        click.echo(
            "\t".join(
                [
                    str(token.id),
                    token.prefix,
                    token_status(token, now),
                    _when(token.created_at),
                    f"used {_when(token.last_used_at)}",
                    f"expires {_when(token.expires_at)}",
                    token.name,
                ]
            )
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke a token by its id (see 'flask tokens list')."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token with id {token_id}")
    if not revoke_token(token):
        click.echo(f"token {token_id} was already revoked")
        return
    db.session.commit()
    click.echo(f"revoked token {token_id} ({token.prefix}…, '{token.name}')")


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"
