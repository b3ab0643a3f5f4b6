"""The certificate PDF: A4 landscape, embedded fonts, what it says, its QR code, its layout."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any, cast

import pytest
import segno
from fpdf import FPDF
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from elearn.certificates.document import CertificateDocument
from elearn.certificates.pdf import (
    Text,
    competency_label,
    date_span,
    fit,
    group_nip,
    indonesian_date,
    render_certificate_pdf,
)
from elearn.certificates.pdf_fonts import SANS, SERIF, add_fonts

MM = 72 / 25.4  # points per millimetre
CODE = "q3Vx8LmN2pR7sT0wYb4KcA"
LONG_NAME = (
    "Raden Ajeng Siti Nurhaliza Kartika Dewi Purnamasari Wulandari Kusumawardhani "
    "Sekar Arum Ningtyas Maharani Putri Cahyaningrum"
)
LONG_TITLE = (
    "Penyusunan Rencana Strategis dan Rencana Kerja Perangkat Daerah Berbasis Kinerja dengan "
    "Pendekatan Tematik, Holistik, Integratif dan Spasial untuk Pemerintah Kabupaten/Kota di "
    "Wilayah Sulawesi Tengah Tahun Anggaran 2026"
)


def make_document(**changes: Any) -> CertificateDocument:
    """A plausible certificate of a learner in Palu, with ``changes`` applied."""
    doc = CertificateDocument(
        code=CODE,
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
        issuer_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu",
        signatory_name="Dr. H. Ahmad Fauzi, M.Si.",
        signatory_position="Kepala BKPSDM Kota Palu",
        signatory_nip="197203151998031004",
        verify_url=f"https://elearn.palukota.go.id/certificates/{CODE}",
        issued_on=date(2026, 2, 6),
    )
    return replace(doc, **changes)


@contextmanager
def measuring_pdf() -> Iterator[FPDF]:
    """An FPDF with our fonts, to measure text; closes the font files it opened."""
    pdf = FPDF()
    add_fonts(pdf)
    pdf.add_page()
    try:
        yield pdf
    finally:
        for font in pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.close()


def page_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_certificate_is_one_a4_landscape_page_with_embedded_fonts() -> None:
    data = render_certificate_pdf(make_document())
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (841.89, 595.28)
    assert b"/FontFile2" in data
    page: Any = reader.pages[0]
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert "DejaVu" in font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()


def test_certificate_says_who_completed_what_in_indonesian() -> None:
    text = page_text(render_certificate_pdf(make_document()))
    for expected in (
        "SERTIFIKAT",
        "Nomor: 800/BKPSDM/2026/00012",
        "diberikan kepada",
        "Andi Pratama",
        "19860926 201505 1 001",
        "Penata / III-c",
        "Analis Kebijakan Ahli Pertama",
        "Pemerintah Kota Palu",
        "telah menyelesaikan pelatihan",
        "Manajemen Proyek di Pemerintah Daerah",
        "Kompetensi Teknis",
        "sebanyak 6 Jam Pelajaran (JP)",
        "26 Januari s.d. 5 Februari 2026",
        "Rata-rata nilai kuis 86,5 (2 kuis)",
        "6 Februari 2026",
        "Kepala BKPSDM Kota Palu",
        "Dr. H. Ahmad Fauzi, M.Si.",
        "NIP 19720315 199803 1 004",
        f"https://elearn.palukota.go.id/certificates/{CODE}",
        f"Kode verifikasi: {CODE}",
        "Keaslian sertifikat dapat diperiksa dengan memindai kode QR",
        "bukan tanda tangan elektronik tersertifikasi BSrE",
    ):
        assert expected in text, expected
    assert "198609262015051001" not in text  # always grouped


def test_missing_rank_position_and_signatory_nip_leave_no_empty_lines() -> None:
    doc = make_document(rank=None, position=None, signatory_nip=None)
    text = page_text(render_certificate_pdf(doc))
    assert "Pangkat/Golongan" not in text and "Jabatan" not in text
    assert "NIP 1972" not in text
    assert "Instansi" in text and "19860926 201505 1 001" in text


@pytest.mark.parametrize(
    ("stored", "printed"),
    [("sosial-kultural", "Kompetensi Sosial Kultural"), ("Manajerial", "Kompetensi Manajerial")],
)
def test_competency_is_printed_by_its_name(stored: str, printed: str) -> None:
    assert printed in page_text(render_certificate_pdf(make_document(competency=stored)))


def test_metadata_comes_from_the_document() -> None:
    reader = PdfReader(io.BytesIO(render_certificate_pdf(make_document())))
    info = reader.metadata
    assert info is not None
    assert info.title is not None and "800/BKPSDM/2026/00012" in info.title
    assert info.author == "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu"
    assert info.subject is not None and "Andi Pratama" in info.subject
    assert info.creation_date is not None and info.creation_date.date() == date(2026, 2, 6)


def test_a_revoked_certificate_says_so_across_the_page_and_in_its_title() -> None:
    data = render_certificate_pdf(make_document(revoked_on=date(2026, 3, 2)))
    text = page_text(data)
    assert "DICABUT pada 2 Maret 2026: sertifikat ini tidak berlaku." in text
    assert str(PdfReader(io.BytesIO(data)).metadata.title).startswith("DICABUT — Sertifikat")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert "DICABUT" not in page_text(render_certificate_pdf(make_document()))


def test_same_document_renders_to_the_same_bytes() -> None:
    doc = make_document()
    assert render_certificate_pdf(doc) == render_certificate_pdf(doc)
    assert render_certificate_pdf(doc) != render_certificate_pdf(replace(doc, jp=8))


def test_qr_code_encodes_the_verification_url_with_a_quiet_zone() -> None:
    doc = make_document()
    page: Any = PdfReader(io.BytesIO(render_certificate_pdf(doc))).pages[0]
    (picture,) = page.images
    assert picture.image is not None
    image = picture.image.convert("L")
    bbox = image.point(lambda v: 255 if v < 128 else 0).getbbox()  # the dark modules
    assert bbox is not None
    left, top, right, bottom = bbox
    expected = segno.make(doc.verify_url, error="m", boost_error=False).matrix
    modules = len(expected)
    module = (right - left) / modules
    assert module == pytest.approx((bottom - top) / modules)
    assert min(left, top, image.width - right, image.height - bottom) >= 4 * module
    seen = [
        [
            cast(int, image.getpixel((left + (col + 0.5) * module, top + (row + 0.5) * module)))
            < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]
    assert seen == [[bool(bit) for bit in line] for line in expected]
    links = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert links == [doc.verify_url]


def _text_boxes(data: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every text run on the page as (text, left, bottom, right, top) in millimetres."""
    boxes: list[tuple[str, float, float, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip() or font is None:
            return
        name = str(font["/BaseFont"])
        measure.set_font(SERIF if "Serif" in name else SANS, "B" if "Bold" in name else "", size)
        x, y = tm[4] / MM, tm[5] / MM
        width = measure.get_string_width(text)
        boxes.append((text.strip(), x, y - 0.2 * size / MM, x + width, y + 0.75 * size / MM))

    with measuring_pdf() as measure:
        PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return boxes


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"learner_name": LONG_NAME, "course_title": LONG_TITLE},
        {
            "learner_name": LONG_NAME,
            "course_title": LONG_TITLE,
            "position": "Kepala Sub Bagian Perencanaan, Evaluasi dan Pelaporan pada Sekretariat "
            "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Parigi Moutong",
            "signatory_position": "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya "
            "Manusia Kabupaten Parigi Moutong Provinsi Sulawesi Tengah",
            "signatory_name": "Prof. Dr. Ir. H. Muhammad Syarifuddin Abdullah Rahman, S.T., "
            "M.T., M.Si., IPU",
            "number": "800/123/BKPSDM-PSDM/SERT-ELEARNING/II/2026/000012345",
        },
    ],
    ids=["sample", "long-name-and-title", "everything-long"],
)
def test_text_stays_inside_the_border_without_overlapping(changes: dict[str, str]) -> None:
    data = render_certificate_pdf(make_document(**changes))
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    boxes = _text_boxes(data)
    for text, left, bottom, right, top in boxes:
        assert left >= 11 and right <= 297 - 11, text
        assert bottom >= 11 and top <= 210 - 11, text
    for i, (a, al, ab, ar, at) in enumerate(boxes):
        for b, bl, bb, br, bt in boxes[i + 1 :]:
            overlaps = al < br - 0.3 and bl < ar - 0.3 and ab < bt - 0.3 and bb < at - 0.3
            assert not overlaps, (a, b)
    if changes:
        text = page_text(data)
        assert "Cahyaningrum" in text  # a long name wraps or shrinks; it is not cut
        assert "Tahun Anggaran 2026" in text


def test_fit_shrinks_then_wraps_then_shortens_but_never_exceeds_the_width() -> None:
    words = "Pengembangan Kompetensi Aparatur Sipil Negara "
    with measuring_pdf() as pdf:
        short = fit(pdf, Text("Andi Pratama", size=20, min_size=10), 100)
        assert short.size == 20 and short.lines == ("Andi Pratama",)
        shrunk = fit(pdf, Text(words * 2, size=12, min_size=6), 180)
        assert shrunk.size < 12 and len(shrunk.lines) == 1
        wrapped = fit(pdf, Text(words * 4, size=12, min_size=10, max_lines=3), 120)
        assert wrapped.size == 10 and 1 < len(wrapped.lines) <= 3
        cut = fit(pdf, Text(words * 20, size=12, min_size=10, max_lines=2), 120)
        assert len(cut.lines) == 2 and cut.lines[-1].endswith("…")
        for item, width in ((short, 100), (shrunk, 180), (wrapped, 120), (cut, 120)):
            pdf.set_font(item.family, item.style, item.size)
            assert max(pdf.get_string_width(line) for line in item.lines) <= width


def test_dates_and_nip_are_written_the_indonesian_way() -> None:
    assert indonesian_date(date(2026, 2, 5)) == "5 Februari 2026"
    assert indonesian_date(date(2025, 12, 31)) == "31 Desember 2025"
    assert date_span(date(2026, 2, 5), date(2026, 2, 5)) == "5 Februari 2026"
    assert date_span(date(2026, 2, 2), date(2026, 2, 5)) == "2 s.d. 5 Februari 2026"
    assert date_span(date(2026, 1, 26), date(2026, 2, 5)) == "26 Januari s.d. 5 Februari 2026"
    assert date_span(date(2025, 12, 20), date(2026, 1, 3)) == (
        "20 Desember 2025 s.d. 3 Januari 2026"
    )
    assert group_nip("198609262015051001") == "19860926 201505 1 001"
    assert group_nip("12345") == "12345"
    assert competency_label("sosial-kultural") == "Sosial Kultural"
