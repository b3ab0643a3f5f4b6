"""``flask reminders run``: one reminders pass, for cron."""

from __future__ import annotations

import click

from elearn import clock
from elearn.jobs.binding import current_jobs
from elearn.reminders.channels import MailChannel
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings

reminders_cli = click.Group(
    "reminders", help="Assignment reminders, nudges, JP-pace lines and coordinator digests."
)


@reminders_cli.command("run")
def run_command() -> None:
    """Create the reminders due now and send them; a second run at once does nothing."""
    settings = current_settings()
    channels = [MailChannel(current_jobs(), settings.public_base_url)]
    summary = run_reminders(clock.now(), settings, channels)
    for kind, count in sorted(summary.created.items()):
        click.echo(f"created {kind}: {count}")
    click.echo(f"created: {summary.total_created}")
    for channel in channels:
        click.echo(f"sent by {channel.name}: {summary.sent[channel.name]}")
    click.echo(f"badges issued: {summary.badges}")
