"""``flask badges issue-missing``: issue every Pembelajar ASN badge learners are owed."""

from __future__ import annotations

import click

from elearn import clock
from elearn.badges.issuance import issue_due_badges, years_with_jp
from elearn.settings import current_settings

badges_cli = click.Group("badges", help="Pembelajar ASN badges for reaching the yearly JP target.")


@badges_cli.command("issue-missing")
@click.option(
    "--year", type=int, default=None, help="Only this calendar year (default: every year)."
)
def issue_missing_command(year: int | None) -> None:
    """Issue the badges of every year a learner reached the target in; safe to rerun."""
    years = [year] if year is not None else years_with_jp()
    issued = issue_due_badges(clock.now(), current_settings(), years=years)
    click.echo(f"badges issued: {issued}")
