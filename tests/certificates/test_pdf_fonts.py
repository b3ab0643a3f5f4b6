"""The PDFs' fonts: the Latin cut gives the same files, and text outside it is still printed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fpdf import FPDF

from elearn.certificates.document import CertificateDocument
from elearn.certificates.pdf import certificate_layout, render_certificate_pdf
from elearn.certificates.pdf_fonts import FONT_DIR, latin_cut, output_pdf
from elearn.records.pdf import render_record_pdf
from tests.certificates.test_pdf import LONG_NAME, make_document, page_text
from tests.records.test_pdf import make_record, make_row, pages_text

# Cyrillic and Greek are in the bundled fonts but not in the Latin cut.
OUTSIDE_THE_CUT = "Ирина Σοφία"


def _rendered(doc: CertificateDocument) -> tuple[bytes, list[Path]]:
    """The certificate's file, and the font folders it was laid out with, in order."""
    folders: list[Path] = []

    def layout(fonts: Path) -> FPDF:
        folders.append(fonts)
        return certificate_layout(doc, fonts)

    return output_pdf(layout), folders


def test_a_latin_certificate_is_laid_out_once_with_the_cut_into_the_same_file() -> None:
    doc = make_document(
        learner_name=f"{LONG_NAME} Ñoman Çakra", course_title="Keuangan — Tahap Lanjut (≥ 2 JP)"
    )
    data, folders = _rendered(doc)
    assert folders == [latin_cut()]
    # Byte for byte the file the whole fonts give: the same glyphs, bounding boxes and names.
    assert data == bytes(certificate_layout(doc, FONT_DIR).output())
    assert data == render_certificate_pdf(doc)


def test_a_name_outside_the_cut_is_printed_with_the_whole_fonts() -> None:
    doc = make_document(learner_name=OUTSIDE_THE_CUT)
    data, folders = _rendered(doc)
    assert folders == [latin_cut(), FONT_DIR]
    assert OUTSIDE_THE_CUT in page_text(data)
    assert OUTSIDE_THE_CUT not in page_text(bytes(certificate_layout(doc, latin_cut()).output()))


def test_a_career_record_row_outside_the_cut_is_printed_with_the_whole_fonts() -> None:
    record = make_record()
    record = replace(record, rows=(*record.rows, make_row(name=f"Kursus {OUTSIDE_THE_CUT}")))
    assert OUTSIDE_THE_CUT in "".join(pages_text(render_record_pdf(record)))
