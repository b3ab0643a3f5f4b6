"""Demo competency data: the PermenPANRB 38/2017 dictionary, sample standards and results.

The managerial and socio-cultural competencies come from PermenPANRB 38/2017 (a regulation:
not protected by copyright, UU 28/2014 Ps. 42); the standards and results are made up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from elearn.competencies.imports import import_assessments, import_dictionary, import_standards
from elearn.extensions import db
from elearn.models import User

DATA = Path(__file__).parent / "data"
DICTIONARY_CSV = DATA / "kompetensi-permenpanrb-38-2017.csv"
STANDARDS_CSV = DATA / "standar-jabatan-contoh.csv"
MAX_ROWS = 1000

# NIP: (jabatan, NIP of the atasan langsung or None)
POSITIONS = {
    "198609262015051001": ("Pranata Komputer Ahli Pertama", "197810152003121009"),
    "197810152003121009": ("Kepala Bidang Aplikasi Informatika", None),
}
ASSESSMENTS = """nip,kode,level,tanggal,sumber
198609262015051001,M.01,2,2026-03-10,Assessment Center BKPSDM Kota Palu
198609262015051001,M.02,1,2026-03-10,Assessment Center BKPSDM Kota Palu
198609262015051001,M.03,2,2026-03-10,Assessment Center BKPSDM Kota Palu
198609262015051001,M.08,1,2026-03-10,Assessment Center BKPSDM Kota Palu
197810152003121009,M.01,3,2026-03-11,Assessment Center BKPSDM Kota Palu
197810152003121009,M.03,2,2026-03-11,Assessment Center BKPSDM Kota Palu
197810152003121009,M.06,3,2026-03-11,Assessment Center BKPSDM Kota Palu
"""
ASSESSED_UNTIL = date(2026, 3, 11)


def load_demo_competencies() -> list[str]:
    """Import the dictionary and sample standards, set demo jabatan and atasan, add results."""
    dictionary = import_dictionary(DICTIONARY_CSV.read_text(encoding="utf-8"), max_rows=MAX_ROWS)
    standards = import_standards(STANDARDS_CSV.read_text(encoding="utf-8"), max_rows=MAX_ROWS)
    users = {u.nip: u for u in db.session.scalars(select(User).where(User.nip.in_(POSITIONS)))}
    for nip, (position, supervisor_nip) in POSITIONS.items():
        user = users[nip]
        user.position = user.position or position
        if supervisor_nip and user.supervisor_id is None:
            user.supervisor = users[supervisor_nip]
    assessments = import_assessments(ASSESSMENTS, today=ASSESSED_UNTIL, max_rows=MAX_ROWS)
    return [
        f"  {dictionary.created + dictionary.updated} competencies "
        f"({DICTIONARY_CSV.name}), {standards.created + standards.updated} standards, "
        f"{assessments.created + assessments.updated} assessment results"
    ]
