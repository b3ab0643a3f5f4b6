"""``flask competencies import ...``: the dictionary, the jabatan standards, assessment results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from elearn import clock
from elearn.accounts.csv_import import ImportFailed, decode_csv
from elearn.competencies.imports import (
    ImportSummary,
    import_assessments,
    import_dictionary,
    import_standards,
)
from elearn.extensions import db
from elearn.reports.audit import audit
from elearn.settings import current_settings

competencies_cli = click.Group("competencies", help="Competency dictionary, standards, results.")
import_group = click.Group("import", help="Import from CSV; nothing is written if any row is bad.")
competencies_cli.add_command(import_group)

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _run(path: Path, work: Callable[[str], ImportSummary], what: str, action: str) -> None:
    try:
        summary = work(decode_csv(path.read_bytes()))
        details = {"file": path.name, "created": summary.created, "updated": summary.updated}
        audit(
            None,
            f"competencies.import.{action}",
            details,
            summary.created + summary.updated,
        )
    except ImportFailed as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
        click.echo(f"{len(exc.problems)} error(s); nothing was imported", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"{what}: {summary.created} created, {summary.updated} updated")


@import_group.command("dictionary")
@click.argument("path", type=FILE)
def import_dictionary_command(path: Path) -> None:
    """Import competencies: kode,nama,jenis,level_1,…,level_5."""
    max_rows = current_settings().csv_import_max_rows
    _run(
        path, lambda text: import_dictionary(text, max_rows=max_rows), "competencies", "dictionary"
    )


@import_group.command("standards")
@click.argument("path", type=FILE)
def import_standards_command(path: Path) -> None:
    """Import the levels each jabatan requires: jabatan,kode,level."""
    max_rows = current_settings().csv_import_max_rows
    _run(path, lambda text: import_standards(text, max_rows=max_rows), "standards", "standards")


@import_group.command("assessments")
@click.argument("path", type=FILE)
def import_assessments_command(path: Path) -> None:
    """Import assessment results: nip,kode,level,tanggal,sumber."""
    max_rows = current_settings().csv_import_max_rows
    today = clock.now().date()
    _run(
        path,
        lambda text: import_assessments(text, today=today, max_rows=max_rows),
        "assessment results",
        "assessments",
    )
