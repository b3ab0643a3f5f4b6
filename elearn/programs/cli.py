"""``flask programs ...``: catch up on program certificates, revoke and unrevoke them."""

from __future__ import annotations

import click
from sqlalchemy import select

from elearn import clock
from elearn.certificates.revocation_cli import add_revocation_commands
from elearn.extensions import db
from elearn.models import ProgramCertificate
from elearn.programs.certificate import PROGRAM
from elearn.programs.completion import issue_missing_program_certificates
from elearn.settings import current_settings

programs_cli = click.Group("programs", help="Learning paths (programs).")


@programs_cli.command("issue-missing")
def issue_missing_command() -> None:
    """Issue every program certificate a learner has earned but not received (for cron)."""
    issued = issue_missing_program_certificates(db.session, current_settings(), clock.now())
    click.echo(f"{issued} program certificate(s) issued")


def _program_certificate(code: str) -> ProgramCertificate:
    """The program certificate named by ``code``, else the command stops."""
    certificate = db.session.scalar(
        select(ProgramCertificate).where(ProgramCertificate.code == code)
    )
    if certificate is None:
        raise click.ClickException(f"unknown program certificate {code}")
    return certificate


add_revocation_commands(
    programs_cli,
    _program_certificate,
    PROGRAM,
    revoke_help="Revoke a program certificate; its status list bit is set.",
    unrevoke_help="Take a program certificate's revocation back: only an admin, with a reason.",
)
