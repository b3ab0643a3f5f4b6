"""``flask programs ...``: catch up on program certificates."""

from __future__ import annotations

import click

from elearn import clock
from elearn.extensions import db
from elearn.programs.completion import issue_missing_program_certificates
from elearn.settings import current_settings

programs_cli = click.Group("programs", help="Learning paths (programs).")


@programs_cli.command("issue-missing")
def issue_missing_command() -> None:
    """Issue every program certificate a learner has earned but not received (for cron)."""
    issued = issue_missing_program_certificates(db.session, current_settings(), clock.now())
    click.echo(f"{issued} program certificate(s) issued")
