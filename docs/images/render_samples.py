"""Render the sample certificate and career record shown in the docs, as PDF and PNG.

Run: ``.venv/bin/python docs/images/render_samples.py [--pdf-dir DIR] [OUT_DIR]``. The PNGs
(page 1, 80 dpi) go to OUT_DIR, by default this folder; the PDFs go to DIR when given, else they
are thrown away. The PNGs need ``pdftoppm`` (Debian: ``apt-get install poppler-utils``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess  # noqa: S404 - runs pdftoppm, a fixed local tool
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from elearn.certificates.document import CertificateDocument  # noqa: E402
from elearn.certificates.pdf import render_certificate_pdf  # noqa: E402
from elearn.records.document import CareerRecordDocument, RecordRow, YearTotal  # noqa: E402
from elearn.records.pdf import render_record_pdf  # noqa: E402

HERE = Path(__file__).resolve().parent
ISSUER = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu"


def sample_certificate() -> CertificateDocument:
    """The certificate of a plausible learner in Palu."""
    return CertificateDocument(
        code="q3Vx8LmN2pR7sT0wYb4KcA",
        number="800/BKPSDM/2026/00012",
        learner_name="Andi Pratama",
        nip="198609262015051001",
        rank="Penata / III-c",
        position="Analis Kebijakan Ahli Pertama",
        instansi="Pemerintah Kota Palu",
        course_title="Manajemen Proyek di Pemerintah Daerah",
        course_version="v2 · a1b2c3d4e5f6",
        competency="teknis",
        jp=6,
        enrolled_on=date(2026, 1, 26),
        completed_on=date(2026, 2, 5),
        score_summary="Rata-rata nilai kuis 86,5 (2 kuis)",
        issuer_name=ISSUER,
        signatory_name="Dr. H. Ahmad Fauzi, M.Si.",
        signatory_position="Kepala BKPSDM Kota Palu",
        signatory_nip="197203151998031004",
        verify_url="https://elearn.palukota.go.id/certificates/q3Vx8LmN2pR7sT0wYb4KcA",
        issued_on=date(2026, 2, 5),
    )


def _row(
    finished: date,
    name: str,
    organiser: str,
    route: str,
    competency: str,
    jp: int,
    number: str,
    source: str = "Eksternal",
    status: str = "Terverifikasi",
    days: int = 0,
) -> RecordRow:
    started = date.fromordinal(finished.toordinal() - days)
    counts = status == "Terverifikasi"
    return RecordRow(
        started, finished, name, organiser, route, competency, jp, number, source, status, counts
    )


def sample_record() -> CareerRecordDocument:
    """Two years of a plausible learner's development activities."""
    rows = (
        _row(
            date(2026, 2, 5),
            "Manajemen Proyek di Pemerintah Daerah",
            ISSUER,
            "E-learning",
            "teknis",
            6,
            "800/BKPSDM/2026/00012",
            "eLearn ASN",
            days=10,
        ),
        _row(
            date(2026, 1, 22),
            "Bimbingan Teknis Penyusunan SKP",
            "BKPSDM Kota Palu",
            "Bimbingan teknis",
            "manajerial",
            8,
            "800/BKPSDM/BIMTEK/2026/031",
            days=1,
        ),
        _row(
            date(2026, 1, 15),
            "Seminar Moderasi Beragama",
            "Kementerian Agama Kota Palu",
            "Seminar/konferensi/sarasehan",
            "sosial-kultural",
            4,
            "",
            status="Menunggu verifikasi",
        ),
        _row(
            date(2025, 11, 20),
            "Coaching Penyusunan Kajian Kebijakan",
            "Bappeda Kota Palu",
            "Coaching",
            "teknis",
            10,
            "",
            days=30,
        ),
        _row(
            date(2025, 9, 12),
            "Literasi Data untuk ASN",
            ISSUER,
            "E-learning",
            "teknis",
            4,
            "800/BKPSDM/2025/00087",
            "eLearn ASN",
            status="Dicabut",
            days=3,
        ),
        _row(
            date(2025, 6, 18),
            "Pelatihan Pelayanan Publik Prima",
            "BPSDM Provinsi Sulawesi Tengah",
            "Pelatihan teknis",
            "manajerial",
            12,
            "893/BPSDM/PPP/2025/112",
            days=2,
        ),
        _row(
            date(2025, 3, 7),
            "Workshop Penganggaran Berbasis Kinerja",
            "BPKAD Kota Palu",
            "Workshop/lokakarya",
            "teknis",
            6,
            "",
            status="Ditolak",
        ),
    )
    totals = (
        YearTotal(2026, 14, 20, {"teknis": 6, "manajerial": 8}),
        YearTotal(2025, 22, 20, {"teknis": 10, "manajerial": 12}),
    )
    return CareerRecordDocument(
        learner_name="Andi Pratama",
        nip="198609262015051001",
        employee_type="PNS",
        instansi="Pemerintah Kota Palu",
        unit="Sekretariat Daerah › Bagian Organisasi",
        printed_on=date(2026, 2, 6),
        rows=rows,
        totals=totals,
    )


def _png(pdf: Path, png: Path) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise SystemExit("pdftoppm tidak ditemukan: apt-get install -y poppler-utils")
    subprocess.run(  # noqa: S603 - fixed arguments, local files
        [tool, "-png", "-r", "80", "-singlefile", str(pdf), str(png.with_suffix(""))], check=True
    )


def main(out: Path, pdf_dir: Path | None) -> None:
    """Write sample-certificate.png and sample-career-record.png (and their PDFs)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        pdfs = pdf_dir or Path(scratch)
        pdfs.mkdir(parents=True, exist_ok=True)
        for stem, data in (
            ("sample-certificate", render_certificate_pdf(sample_certificate())),
            ("sample-career-record", render_record_pdf(sample_record())),
        ):
            pdf = pdfs / f"{stem}.pdf"
            pdf.write_bytes(data)
            _png(pdf, out / f"{stem}.png")
            print(out / f"{stem}.png")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=HERE)
    parser.add_argument("--pdf-dir", type=Path, default=None)
    args = parser.parse_args()
    main(args.out, args.pdf_dir)
