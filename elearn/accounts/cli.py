"""``flask users ...`` and ``flask units ...`` commands."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy import select

from elearn.accounts.csv_import import (
    ImportedAccount,
    ImportFailed,
    decode_csv,
    import_learners,
)
from elearn.accounts.services import AccountError, UserData, create_user
from elearn.accounts.units import UnitData, save_unit
from elearn.exports.cells import neutralise
from elearn.extensions import db
from elearn.models import EmployeeType, Role, Unit, UnitKind
from elearn.settings import current_settings

users_cli = click.Group("users", help="Manage user accounts.")
units_cli = click.Group("units", help="Manage organisation units.")


def _unit_by_code(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise click.UsageError(f"unknown unit code '{code}' (see 'flask units list')")
    return unit


@users_cli.command("create")
@click.option("--nip", required=True, help="18-digit NIP (spaces allowed).")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--unit", "unit_code", required=True, help="Code of the unit the user works in.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    default=[Role.LEARNER.value],
    show_default=True,
    help="Role; repeat for several.",
)
@click.option("--scope", "scopes", multiple=True, help="Unit code a coordinator/evaluator covers.")
@click.option("--email", default=None)
@click.option("--type", "employee_type", type=click.Choice(["PNS", "PPPK"]), default="PNS")
@click.option("--position", default=None, help="Jabatan.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    nip: str,
    full_name: str,
    unit_code: str,
    roles: tuple[str, ...],
    scopes: tuple[str, ...],
    email: str | None,
    employee_type: str,
    position: str | None,
    password_stdin: bool,
) -> None:
    """Create a user; the password is prompted for unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = UserData(
        nip=nip,
        full_name=full_name,
        unit_id=_unit_by_code(unit_code).id,
        employee_type=EmployeeType(employee_type),
        email=email,
        position=position,
        roles={Role(r) for r in roles},
        scope_unit_ids={_unit_by_code(code).id for code in scopes},
    )
    try:
        user = create_user(data, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.nip_grouped} {user.full_name} ({', '.join(sorted(user.roles))})")


def credentials_csv(imported: Sequence[ImportedAccount]) -> str:
    """NIP, name and temporary password as CSV: quoted by the csv module, and no cell a
    spreadsheet would run as a formula (a name may start with "=" or "@" too)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["nip", "nama", "kata_sandi_sementara"])
    for account in imported:
        writer.writerow(
            [neutralise(account.nip), neutralise(account.full_name), account.temporary_password]
        )
    return out.getvalue()


def _write_private(path: Path, text: str) -> None:
    """Write passwords readable by the owner only, from the first byte (no chmod window)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@users_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write NIP,name,temporary password to this CSV instead of the screen.",
)
def import_command(path: Path, credentials: Path | None) -> None:
    """Import learners from a CSV file; nothing is imported if any row is bad."""
    try:
        imported = import_learners(
            decode_csv(path.read_bytes()), max_rows=current_settings().csv_import_max_rows
        )
    except ImportFailed as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    text = credentials_csv(imported)
    if credentials:
        _write_private(credentials, text)
    else:
        click.echo(text, nl=False)
    click.echo(
        f"imported {len(imported)} learners; each must change the password at first sign-in",
        err=True,
    )


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in UnitKind]), default="unit_kerja")
@click.option("--parent", "parent_code", default=None, help="Code of the parent unit.")
@click.option("--timezone", default=None, help="IANA zone, e.g. Asia/Makassar.")
def create_unit_command(
    code: str, name: str, kind: str, parent_code: str | None, timezone: str | None
) -> None:
    """Create an organisation unit."""
    parent = _unit_by_code(parent_code) if parent_code else None
    try:
        unit = save_unit(
            UnitData(code, name, UnitKind(kind), parent.id if parent else None, timezone)
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created unit {unit.code}: {unit.path}")


@units_cli.command("list")
def list_units_command() -> None:
    """List units with their codes."""
    for unit in sorted(db.session.scalars(select(Unit)), key=lambda u: u.path):
        click.echo(f"{unit.code:<32} {unit.path}")
