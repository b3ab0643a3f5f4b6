"""``flask mail test ADDRESS``: check the SMTP settings by sending one message."""

from __future__ import annotations

import click

from elearn.mail.binding import current_mailer
from elearn.mail.log_mailer import LogMailer
from elearn.mail.message import MailError, Message

mail_cli = click.Group("mail", help="Outgoing mail.")


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Send a test message to ADDRESS now (not through the job queue)."""
    message = Message(
        to=address,
        subject="Uji surel eLearn ASN",
        text="Pesan ini menguji pengaturan surel eLearn ASN. Tidak perlu dibalas.\n",
    )
    mailer = current_mailer()
    if isinstance(mailer, LogMailer):
        raise click.ClickException("MAIL_SERVER is not set: mail is only logged, nothing to test")
    try:
        mailer.send(message)
    except MailError as exc:
        raise click.ClickException(f"mail not sent: {exc}") from None
    click.echo(f"sent to {address}")
