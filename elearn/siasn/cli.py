"""``flask siasn ...``: push a year's records, import the code lists."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from sqlalchemy import select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.models import Job, Unit, UnitKind
from elearn.siasn.codes import import_codes, parse_codes
from elearn.siasn.job import PUSH_KIND
from elearn.siasn.push import push_status

siasn_cli = click.Group("siasn", help="SIASN: push career records, code lists.")
codes_cli = click.Group("codes", help="Per-instansi SIASN code lists.")
siasn_cli.add_command(codes_cli)


def _instansi(code: str | None) -> Unit | None:
    if code is None:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or unit.kind != UnitKind.INSTANSI:
        raise click.ClickException(f"no instansi with code {code!r}")
    return unit


def _masked(nip: str) -> str:
    return nip[:6] + "*" * 10 + nip[-2:]


@siasn_cli.command("push")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Calendar year.")
@click.option("--instansi", default=None, help="Only this instansi (its unit code).")
@click.option("--retry-refused", is_flag=True, help="Send again the rows SIASN refused.")
@click.option(
    "--retry-uncertain",
    is_flag=True,
    help="Send again the rows whose answer was lost (check SIASN does not have them first).",
)
def push_command(
    year: int, instansi: str | None, retry_refused: bool, retry_uncertain: bool
) -> None:
    """Queue the job that sends the year's countable records to SIASN, then report."""
    unit = _instansi(instansi)
    jobs = current_jobs()
    args = {
        "year": year,
        "instansi_id": unit.id if unit else None,
        "retry_refused": retry_refused,
        "retry_uncertain": retry_uncertain,
    }
    key = f"{PUSH_KIND}:{year}:{unit.id if unit else 'all'}:{secrets.token_hex(8)}"
    job = jobs.submit(PUSH_KIND, args, key=key)
    db.session.expire_all()
    job = db.session.get_one(Job, job.id)
    click.echo(f"Job #{job.id} ({jobs.queue.name} queue): {job.state}")
    if job.error:
        click.echo(f"  {job.error}", err=True)
    status = push_status(year, unit.id if unit else None)
    for state in ("sent", "refused", "uncertain", "pending", "sending"):
        click.echo(f"{state}\t{status.counts.get(state, 0)}")
    for push in status.refused:
        click.echo(
            f"{push.state}\t#{push.id}\t{_masked(push.user.nip)}\t{push.user.full_name}\t"
            f"{push.record_name}\t{push.message}"
        )
    if job.state in ("failed", "dead"):
        raise SystemExit(1)


@codes_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--instansi", required=True, help="The instansi's unit code.")
def import_command(path: Path, instansi: str) -> None:
    """Import codes from CSV (columns daftar, kunci, kode, nama); all rows or none."""
    unit = _instansi(instansi)
    assert unit is not None  # noqa: S101 - required option
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}:1: not UTF-8 text") from None
    rows, errors = parse_codes(text, str(path))
    if errors:
        for error in errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(errors)} bad rows; nothing imported")
    count = import_codes(unit.id, rows)
    db.session.commit()
    click.echo(f"Imported {count} codes for {unit.name}.")
