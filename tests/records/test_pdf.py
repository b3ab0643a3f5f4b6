"""The career-record PDF: A4 portrait, every activity, yearly totals, numbered pages."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from pypdf import PdfReader

from elearn.records.document import CareerRecordDocument, RecordRow, YearTotal
from elearn.records.pdf import render_record_pdf, year_summary


def make_row(**changes: Any) -> RecordRow:
    """A verified e-learning certificate, with ``changes`` applied."""
    row = RecordRow(
        started_on=date(2026, 1, 26),
        finished_on=date(2026, 2, 5),
        name="Manajemen Proyek di Pemerintah Daerah",
        organiser="BKPSDM Kota Palu",
        route="E-learning",
        competency="teknis",
        jp=6,
        certificate_number="800/BKPSDM/2026/00012",
        source="eLearn ASN",
        status="Terverifikasi",
        counts=True,
    )
    return replace(row, **changes)


def make_record(**changes: Any) -> CareerRecordDocument:
    """Andi Pratama's record: three activities in 2026, one of them not (yet) counting."""
    rows = (
        make_row(),
        make_row(
            started_on=date(2026, 1, 21),
            finished_on=date(2026, 1, 22),
            name="Bimbingan Teknis Penyusunan SKP",
            route="Bimbingan teknis",
            competency="manajerial",
            jp=8,
            certificate_number="800/BKPSDM/BIMTEK/2026/031",
            source="Eksternal",
        ),
        make_row(
            started_on=date(2026, 1, 15),
            finished_on=date(2026, 1, 15),
            name="Seminar Moderasi Beragama",
            organiser="Kementerian Agama Kota Palu",
            route="Seminar/konferensi/sarasehan",
            competency="sosial-kultural",
            jp=4,
            certificate_number="",
            source="Eksternal",
            status="Menunggu verifikasi",
            counts=False,
        ),
    )
    record = CareerRecordDocument(
        learner_name="Andi Pratama",
        nip="198609262015051001",
        employee_type="PNS",
        instansi="Pemerintah Kota Palu",
        unit="Sekretariat Daerah › Bagian Organisasi",
        printed_on=date(2026, 2, 6),
        rows=rows,
        totals=(YearTotal(2026, 14, 20, {"teknis": 6, "manajerial": 8}),),
    )
    return replace(record, **changes)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_record_is_a4_portrait_with_embedded_fonts() -> None:
    data = render_record_pdf(make_record())
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (595.28, 841.89)
    assert b"/FontFile2" in data
    info = reader.metadata
    assert info is not None and info.title is not None and "Andi Pratama" in info.title
    assert info.creation_date is not None and info.creation_date.date() == date(2026, 2, 6)


def test_record_shows_identity_activities_and_yearly_totals() -> None:
    (text,) = pages_text(render_record_pdf(make_record()))
    for expected in (
        "RIWAYAT PENGEMBANGAN KOMPETENSI",
        "Andi Pratama",
        "19860926 201505 1 001",
        "PNS",
        "Pemerintah Kota Palu",
        "Sekretariat Daerah › Bagian Organisasi",
        "26-01-2026",
        "05-02-2026",
        "Manajemen Proyek di Pemerintah Daerah",
        "800/BKPSDM/2026/00012",
        "Bimbingan teknis",
        "Manajerial",
        "Sosial Kultural",
        "14 JP dari 20 JP",
        "kurang 6 JP",
        "Halaman 1 dari 1",
        "Dicetak 6 Februari 2026",
    ):
        assert expected in text, expected


def test_rows_that_do_not_count_are_shown_but_marked() -> None:
    (text,) = pages_text(render_record_pdf(make_record()))
    assert "Seminar Moderasi Beragama" in text
    assert "Menunggu" in text
    assert text.count("(tidak dihitung)") == 1  # only the pending report
    assert "(4)" in text
    assert "(6)" not in text and "(8)" not in text


def test_year_summary_says_what_is_missing_or_reached() -> None:
    assert year_summary(YearTotal(2026, 14, 20)) == "14 JP dari 20 JP — kurang 6 JP"
    assert year_summary(YearTotal(2025, 22, 20)) == "22 JP dari 20 JP — target tercapai"
    assert "melebihi batas PPPK 24 JP" in year_summary(YearTotal(2025, 26, 20), "PPPK")
    assert "melebihi" not in year_summary(YearTotal(2025, 26, 20), "PNS")


def test_pppk_record_uses_ni_pppk_and_warns_above_the_limit() -> None:
    record = make_record(employee_type="PPPK", totals=(YearTotal(2026, 26, 20, {"teknis": 26}),))
    (text,) = pages_text(render_record_pdf(record))
    assert "NI PPPK" in text
    assert "melebihi batas PPPK 24 JP per tahun" in text


def test_empty_record_says_so() -> None:
    (text,) = pages_text(render_record_pdf(make_record(rows=(), totals=())))
    assert "Belum ada kegiatan pengembangan kompetensi." in text
    assert "Belum ada JP yang dihitung." in text


def test_sixty_rows_span_pages_with_headings_and_numbered_footers() -> None:
    start = date(2026, 1, 1)
    rows = tuple(
        make_row(
            name=f"Kegiatan nomor {n:02d}",
            started_on=start + timedelta(days=n),
            finished_on=start + timedelta(days=n + 1),
        )
        for n in range(1, 61)
    )
    data = render_record_pdf(make_record(rows=rows))
    texts = pages_text(data)
    count = len(texts)
    assert count >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {count}" in text
        assert "Nomor sertifikat" in text  # the table heading, repeated on every page
    for text in texts[1:]:
        assert "Andi Pratama (NIP 19860926 201505 1 001)" in text
    everything = "\n".join(texts)
    names = re.findall(r"Kegiatan nomor (\d\d)", everything)
    assert sorted(names) == [f"{n:02d}" for n in range(1, 61)]


def test_same_record_renders_to_the_same_bytes() -> None:
    record = make_record()
    assert render_record_pdf(record) == render_record_pdf(record)
    assert render_record_pdf(record) != render_record_pdf(replace(record, unit="Inspektorat"))
