"""Shared setup for competency tests: the shipped dictionary, standards and results."""

from __future__ import annotations

from datetime import date

from elearn.competencies.imports import import_assessments, import_dictionary, import_standards
from elearn.demo.competencies import DICTIONARY_CSV
from elearn.extensions import db

TODAY = date(2026, 6, 1)


def load_dictionary() -> None:
    """The PermenPANRB 38/2017 sample shipped with the demo data (M.01–M.08, SK.01)."""
    import_dictionary(DICTIONARY_CSV.read_text(encoding="utf-8"), max_rows=100)
    db.session.commit()


def set_standards(csv_rows: str) -> None:
    import_standards("jabatan,kode,level\n" + csv_rows, max_rows=100)
    db.session.commit()


def add_assessments(csv_rows: str) -> None:
    import_assessments("nip,kode,level,tanggal,sumber\n" + csv_rows, today=TODAY, max_rows=100)
    db.session.commit()
