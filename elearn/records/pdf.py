"""The printable career record (riwayat pengembangan kompetensi): A4 portrait, fonts embedded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, XPos, YPos

from elearn.certificates.pdf import competency_label, group_nip, indonesian_date, set_metadata
from elearn.certificates.pdf_fonts import SANS, SERIF, add_fonts, output_pdf
from elearn.records.document import CareerRecordDocument, RecordRow, YearTotal

NAVY = (22, 43, 84)
INK = (33, 33, 33)
GREY = (110, 110, 110)
HEADING_FILL = (226, 232, 242)
STRIPE_FILL = (246, 247, 250)
RULE = (150, 160, 180)
MARGIN = 12.0
FOOTER_SPACE = 16.0
PPPK_LIMIT = 24  # PP 49/2018: at most 24 JP per contract year

COMPETENCY_KEYS = ("teknis", "manajerial", "sosial-kultural")
# Route and competency, and source and status, share a column so that long words fit.
ROW_HEADINGS = (
    "No",
    "Tanggal mulai – selesai",
    "Nama kegiatan",
    "Penyelenggara",
    "Jalur / kompetensi",
    "JP",
    "Nomor sertifikat",
    "Sumber / status",
)
ROW_WIDTHS = (6, 19, 36, 29, 28, 7, 36, 25)  # mm: 186 in all
ROW_ALIGN = ("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER", "LEFT", "LEFT")
TOTAL_HEADINGS = ("Tahun", "Teknis", "Manajerial", "Sosial Kultural", "Capaian", "Keterangan")
TOTAL_WIDTHS = (9, 11, 11, 13, 20, 36)
TOTAL_ALIGN = ("CENTER", "CENTER", "CENTER", "CENTER", "CENTER", "LEFT")


def numeric_date(day: date) -> str:
    """Format a date as SIASN does: dd-mm-yyyy."""
    return day.strftime("%d-%m-%Y")


def year_summary(total: YearTotal, employee_type: str = "PNS") -> str:
    """Describe a year against its target: "14 JP dari 20 JP — kurang 6 JP"."""
    reached = f"{total.total} JP dari {total.target} JP"
    if total.total < total.target:
        remark = f"kurang {total.target - total.total} JP"
    else:
        remark = "target tercapai"
    if employee_type == "PPPK" and total.total > PPPK_LIMIT:
        remark += f"; melebihi batas PPPK {PPPK_LIMIT} JP per tahun"
    return f"{reached} — {remark}"


class _RecordPDF(FPDF):
    """A4 portrait pages with the learner's name on every page after the first, and numbers."""

    def __init__(self, doc: CareerRecordDocument) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.record = doc

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(
            0,
            4,
            f"Riwayat Pengembangan Kompetensi — {self.record.learner_name} "
            f"({_id_label(self.record)} {group_nip(self.record.nip)})",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.line(MARGIN, self.get_y() - 1.5, self.w - MARGIN, self.get_y() - 1.5)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        half = (self.w - 2 * MARGIN) / 2
        self.cell(half, 4, f"Dicetak {indonesian_date(self.record.printed_on)} dari eLearn ASN")
        self.cell(half, 4, f"Halaman {self.page_no()} dari {{nb}}", align="R")


def render_record_pdf(doc: CareerRecordDocument) -> bytes:
    """Lay out ``doc`` as a multi-page table with yearly JP totals and return the PDF file."""
    return output_pdf(lambda fonts: _layout(doc, fonts))


def _layout(doc: CareerRecordDocument, fonts: Path) -> FPDF:
    pdf = _RecordPDF(doc)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=FOOTER_SPACE)
    add_fonts(pdf, fonts)
    set_metadata(
        pdf,
        title=f"Riwayat Pengembangan Kompetensi — {doc.learner_name}",
        author="eLearn ASN",
        subject=f"Riwayat pengembangan kompetensi {doc.learner_name}, {doc.instansi}",
        created=doc.printed_on,
    )
    pdf.add_page()
    _title(pdf)
    _identity(pdf, doc)
    _section(pdf, "Rekapitulasi Jam Pelajaran (JP) per tahun")
    _totals(pdf, doc)
    _section(pdf, "Daftar kegiatan pengembangan kompetensi")
    _rows(pdf, doc.rows)
    return pdf


def _id_label(doc: CareerRecordDocument) -> str:
    return "NI PPPK" if doc.employee_type == "PPPK" else "NIP"


def _title(pdf: FPDF) -> None:
    pdf.set_font(SERIF, "B", 15)
    pdf.set_text_color(*NAVY)
    pdf.cell(
        0, 8, "RIWAYAT PENGEMBANGAN KOMPETENSI", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(SANS, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(
        0,
        5,
        "Aparatur Sipil Negara — dicetak dari eLearn ASN",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, pdf.get_y() + 2, pdf.w - MARGIN, pdf.get_y() + 2)
    pdf.ln(5)


def _identity(pdf: FPDF, doc: CareerRecordDocument) -> None:
    pairs = (
        ("Nama", doc.learner_name),
        (_id_label(doc), group_nip(doc.nip)),
        ("Jenis pegawai", doc.employee_type),
        ("Instansi", doc.instansi),
        ("Unit kerja", doc.unit),
    )
    pdf.set_text_color(*INK)
    value_w = pdf.w - 2 * MARGIN - 32
    for label, value in pairs:
        pdf.set_font(SANS, "", 9.5)
        pdf.cell(28, 5.2, label)
        pdf.cell(4, 5.2, ":")
        pdf.set_font(SANS, "B", 9.5)
        pdf.multi_cell(value_w, 5.2, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font(SANS, "B", 10.5)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _table_style(pdf: FPDF, size: float) -> dict[str, object]:
    pdf.set_font(SANS, "", size)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    return {
        "headings_style": FontFace(emphasis="BOLD", color=NAVY, fill_color=HEADING_FILL),
        "line_height": size * 0.5,
        "padding": (0.9, 0.8),
        "cell_fill_color": STRIPE_FILL,
        "cell_fill_mode": TableCellFillMode.ROWS,
        "repeat_headings": 1,
        "width": pdf.w - 2 * MARGIN,
    }


def _totals(pdf: FPDF, doc: CareerRecordDocument) -> None:
    if not doc.totals:
        _note(pdf, "Belum ada JP yang dihitung.")
        return
    with pdf.table(
        col_widths=TOTAL_WIDTHS,
        text_align=TOTAL_ALIGN,
        **_table_style(pdf, 8.5),
    ) as table:
        table.row(TOTAL_HEADINGS)
        for total in doc.totals:
            split = [f"{total.by_competency.get(key, 0)} JP" for key in COMPETENCY_KEYS]
            reached, remark = year_summary(total, doc.employee_type).split(" — ", 1)
            table.row([str(total.year), *split, reached, remark])
    _note(
        pdf,
        "Jumlah JP dihitung menurut tahun tanggal selesai kegiatan. Hanya kegiatan "
        "terverifikasi yang dihitung; sertifikat yang dicabut, laporan yang ditolak atau masih "
        "menunggu verifikasi tidak dihitung.",
    )


def _rows(pdf: FPDF, rows: tuple[RecordRow, ...]) -> None:
    if not rows:
        _note(pdf, "Belum ada kegiatan pengembangan kompetensi.")
        return
    uncounted = FontFace(color=GREY)
    with pdf.table(
        col_widths=ROW_WIDTHS,
        text_align=ROW_ALIGN,
        **_table_style(pdf, 7),
    ) as table:
        table.row(ROW_HEADINGS)
        for number, row in enumerate(rows, start=1):
            table.row(_cells(number, row), style=None if row.counts else uncounted)
    _note(pdf, "JP dalam tanda kurung dan baris berhuruf abu-abu tidak dihitung.")


def _cells(number: int, row: RecordRow) -> list[str]:
    when = numeric_date(row.finished_on)
    if row.started_on != row.finished_on:
        when = f"{numeric_date(row.started_on)} –\n{when}"
    status = row.status if row.counts else f"{row.status}\n(tidak dihitung)"
    return [
        str(number),
        when,
        row.name,
        row.organiser,
        f"{row.route}\n{competency_label(row.competency)}",
        str(row.jp) if row.counts else f"({row.jp})",
        row.certificate_number or "—",
        f"{row.source}\n{status}",
    ]


def _note(pdf: FPDF, text: str) -> None:
    pdf.ln(1)
    pdf.set_font(SANS, "", 7.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 3.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
