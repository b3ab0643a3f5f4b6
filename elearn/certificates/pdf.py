"""The printable certificate: A4 landscape, Bahasa Indonesia, embedded fonts, QR to verification.

Also the small pieces both PDFs share (Indonesian dates, NIP grouping, metadata), so the
certificate and the career record print names, dates and NIPs the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from elearn.certificates.document import CertificateDocument
from elearn.certificates.pdf_fonts import SANS, SERIF, add_fonts, output_pdf

MONTHS = tuple(
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()
)

NAVY = (22, 43, 84)
GOLD = (168, 132, 52)
INK = (33, 33, 33)
GREY = (95, 95, 95)
RED = (178, 34, 34)

PAGE_W, PAGE_H = 297.0, 210.0
CONTENT_W = 245.0  # the centred text column
MIDDLE_BOTTOM = 137.0  # the QR / signature band starts below
BAND_TOP = 140.0
QR_SIZE = 32.0  # including the quiet zone
QR_BORDER = 4  # modules of quiet zone
SIGN_X, SIGN_W = 180.0, 96.0
SIGN_BOTTOM = 186.0  # where the signatory's NIP line ends
MIN_SIGNATURE_SPACE = 15.0
COLON_W = 3.5
LOGO_X, LOGO_Y, LOGO_SIZE = 15.0, 14.0, 24.0  # the issuer's logo, fitted in this square
PT = 25.4 / 72  # millimetres per point

SIGNATURE_NOTE = (
    "Dokumen ini ditandatangani secara elektronik oleh sistem (tanda tangan Ed25519); "
    "bukan tanda tangan elektronik tersertifikasi BSrE."
)


def indonesian_date(day: date) -> str:
    """Format a date the Indonesian way, without relying on the system locale: 5 Februari 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def date_span(start: date, end: date) -> str:
    """Describe a period briefly: "2 s.d. 5 Februari 2026", or one date when they are equal."""
    if start >= end:
        return indonesian_date(end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} s.d. {indonesian_date(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} s.d. {indonesian_date(end)}"
    return f"{indonesian_date(start)} s.d. {indonesian_date(end)}"


def group_nip(nip: str) -> str:
    """Print an 18-digit NIP grouped as 19860926 201505 1 001; leave anything else as it is."""
    n = nip.strip()
    if len(n) != 18 or not n.isdigit():
        return n
    return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"


def competency_label(value: str) -> str:
    """Accept the stored key (sosial-kultural) or its label (Sosial Kultural); return the label."""
    return " ".join(word.capitalize() for word in value.replace("-", " ").split())


def set_metadata(pdf: FPDF, *, title: str, author: str, subject: str, created: date) -> None:
    """Fill the document information; the creation date comes from the document, not the clock."""
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator("eLearn ASN")
    pdf.set_lang("id-ID")
    # A fixed date makes the same document render to the same bytes.
    pdf.set_creation_date(datetime.combine(created, time(), tzinfo=UTC))


def qr_code(url: str) -> segno.QRCode:
    """Encode ``url`` as a QR code with error correction M (not boosted, so it stays M)."""
    return segno.make(url, error="m", boost_error=False, micro=False)


def qr_png(code: segno.QRCode) -> bytes:
    """Draw ``code`` as a PNG with the standard 4-module quiet zone."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=10, border=QR_BORDER)
    return out.getvalue()


@dataclass(frozen=True)
class Text:
    """A centred piece of text that shrinks, then wraps, then (as a last resort) is shortened."""

    text: str
    family: str = SANS
    style: str = ""
    size: float = 11.0
    min_size: float = 8.0
    max_lines: int = 1
    space_after: float = 1.5
    color: tuple[int, int, int] = INK
    lines: tuple[str, ...] = ()  # filled in by fit()

    @property
    def line_height(self) -> float:
        return self.size * PT * 1.3

    @property
    def height(self) -> float:
        return self.line_height * len(self.lines) + self.space_after


def fit(pdf: FPDF, item: Text, width: float) -> Text:
    """Choose the largest size at which ``item`` fits ``width`` in at most max_lines lines."""
    size = item.size
    while True:
        pdf.set_font(item.family, item.style, size)
        lines = _wrap(pdf, item.text, width)
        if len(lines) <= item.max_lines or size <= item.min_size:
            break
        size = max(item.min_size, size - 0.5)
    if len(lines) > item.max_lines:
        lines = lines[: item.max_lines]
        lines[-1] = _shorten(pdf, lines[-1], width)
    return replace(item, size=size, lines=tuple(lines))


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output=MethodReturnValue.LINES)
    return [line.strip() for line in cast(list[str], lines)] or [""]


def _shorten(pdf: FPDF, line: str, width: float) -> str:
    while line and pdf.get_string_width(line + " …") > width:
        line = line[:-1]
    return line.rstrip() + " …"


def draw(pdf: FPDF, item: Text, x: float, width: float, align: str = "C") -> None:
    """Print a fitted item from the current y, one cell per line."""
    pdf.set_font(item.family, item.style, item.size)
    pdf.set_text_color(*item.color)
    for line in item.lines:
        pdf.set_x(x)
        pdf.cell(width, item.line_height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + item.space_after)


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    """Lay out the certificate for ``doc`` and return the PDF file."""
    return output_pdf(lambda fonts: certificate_layout(doc, fonts))


def certificate_layout(doc: CertificateDocument, fonts: Path) -> FPDF:
    """The certificate for ``doc`` laid out with the fonts in ``fonts``, not yet written."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0  # measured widths are the printed widths
    add_fonts(pdf, fonts)
    revoked = "DICABUT — " if doc.revoked_on else ""
    set_metadata(
        pdf,
        title=f"{revoked}Sertifikat {doc.number} — {doc.course_title}",
        author=doc.issuer_name,
        subject=f"Sertifikat e-learning {doc.course_title} atas nama {doc.learner_name}",
        created=doc.issued_on,
    )
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, doc)
    _middle(pdf, doc, top=pdf.get_y() + 1.5)
    _verification(pdf, doc)
    _signature(pdf, doc)
    note = fit(pdf, Text(SIGNATURE_NOTE, size=6.5, min_size=5, color=GREY), CONTENT_W)
    pdf.set_y(PAGE_H - 19.5)
    draw(pdf, note, (PAGE_W - CONTENT_W) / 2, CONTENT_W)
    if doc.revoked_on is not None:
        _revoked_stamp(pdf, doc.revoked_on)
    return pdf


def _revoked_stamp(pdf: FPDF, revoked_on: date) -> None:
    """A revoked certificate says so across the page and in words under the heading."""
    with pdf.local_context(fill_opacity=0.18, text_color=RED):
        pdf.set_font(SANS, "B", 110)
        with pdf.rotation(25, x=PAGE_W / 2, y=PAGE_H / 2):
            pdf.set_xy(0, PAGE_H / 2 - 20)
            pdf.cell(PAGE_W, 40, "DICABUT", align="C")
    notice = f"DICABUT pada {indonesian_date(revoked_on)}: sertifikat ini tidak berlaku."
    pdf.set_text_color(*RED)
    pdf.set_font(SANS, "B", 11)
    pdf.set_xy((PAGE_W - CONTENT_W) / 2, 11.5)
    pdf.cell(CONTENT_W, 5, notice, align="C")


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(7, 7, PAGE_W - 14, PAGE_H - 14)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    # Small gold squares where the inner border meets each corner.
    pdf.set_fill_color(*GOLD)
    for x, y in ((10, 10), (PAGE_W - 10, 10), (10, PAGE_H - 10), (PAGE_W - 10, PAGE_H - 10)):
        pdf.rect(x - 1.6, y - 1.6, 3.2, 3.2, style="F")


def _heading(pdf: FPDF, doc: CertificateDocument) -> None:
    x = (PAGE_W - CONTENT_W) / 2
    name_w = CONTENT_W
    if doc.issuer_logo:
        # In the top left corner; the name keeps clear of it on both sides, so it stays centred.
        pdf.image(
            io.BytesIO(doc.issuer_logo), LOGO_X, LOGO_Y, w=LOGO_SIZE, h=LOGO_SIZE,
            keep_aspect_ratio=True,
        )  # fmt: skip
        name_w = PAGE_W - 2 * (LOGO_X + LOGO_SIZE + 2)
    pdf.set_y(16)
    issuer = Text(doc.issuer_name.upper(), style="B", size=11.5, min_size=8, color=NAVY)
    draw(pdf, fit(pdf, issuer, name_w), (PAGE_W - name_w) / 2, name_w)
    pdf.set_y(pdf.get_y() - 0.5)
    tagline = Text("Pengembangan Kompetensi Aparatur Sipil Negara", size=8.5, color=GREY)
    draw(pdf, fit(pdf, tagline, CONTENT_W), x, CONTENT_W)
    pdf.set_font(SERIF, "B", 34)
    pdf.set_text_color(*NAVY)
    pdf.set_char_spacing(4)
    pdf.set_xy(x, pdf.get_y() + 1)
    pdf.cell(CONTENT_W, 14, "SERTIFIKAT", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_char_spacing(0)
    _ornament(pdf, pdf.get_y() + 1.5)
    pdf.set_y(pdf.get_y() + 3.5)
    number = Text(f"Nomor: {doc.number}", size=11, min_size=8)
    draw(pdf, fit(pdf, number, CONTENT_W), x, CONTENT_W)


def _ornament(pdf: FPDF, y: float) -> None:
    mid = PAGE_W / 2
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(mid - 45, y, mid - 3.5, y)
    pdf.line(mid + 3.5, y, mid + 45, y)
    pdf.set_fill_color(*GOLD)
    pdf.polygon([(mid - 2.2, y), (mid, y - 1.6), (mid + 2.2, y), (mid, y + 1.6)], style="F")


def _middle(pdf: FPDF, doc: CertificateDocument, top: float) -> None:
    """The recipient and the training, centred between the heading and the signature band."""
    room = MIDDLE_BOTTOM - top
    scale = 1.0
    while True:
        blocks = _middle_blocks(pdf, doc, scale)
        total = sum(_block_height(block) for block in blocks)
        if total <= room or scale <= 0.5:
            break
        scale -= 0.05
    pdf.set_y(top + max(0.0, (room - total) / 2))
    x = (PAGE_W - CONTENT_W) / 2
    for block in blocks:
        if isinstance(block, Text):
            draw(pdf, block, x, CONTENT_W)
        else:
            _draw_identity(pdf, block)


@dataclass(frozen=True)
class Identity:
    """The label : value rows under the name, as one block centred on the page."""

    rows: tuple[tuple[Text, Text], ...]
    label_w: float
    value_w: float
    space_after: float


Block = Text | Identity


def _block_height(block: Block) -> float:
    if isinstance(block, Text):
        return block.height
    return sum(value.height for _, value in block.rows) + block.space_after


def _middle_blocks(pdf: FPDF, doc: CertificateDocument, scale: float) -> list[Block]:
    def text(value: str, **kw: Any) -> Text:
        item = Text(value, **kw)
        item = replace(
            item,
            size=item.size * scale,
            min_size=item.min_size * scale,
            space_after=item.space_after * scale,
        )
        return fit(pdf, item, CONTENT_W)

    result = f"dan dinyatakan LULUS — {doc.score_summary}" if doc.score_summary else "LULUS"
    return [
        text("diberikan kepada:", size=11, space_after=1),
        text(
            doc.learner_name,
            family=SERIF,
            style="B",
            size=25,
            min_size=14,
            max_lines=2,
            color=NAVY,
            space_after=2.5,
        ),
        _identity(pdf, doc, scale),
        text("telah menyelesaikan pelatihan secara e-learning", size=11, space_after=1),
        text(
            doc.course_title,
            family=SERIF,
            style="B",
            size=17,
            min_size=11,
            max_lines=3,
            color=NAVY,
            space_after=2,
        ),
        text(
            f"Kompetensi {competency_label(doc.competency)}, sebanyak {doc.jp} Jam Pelajaran (JP)",
            style="B",
            size=11.5,
            max_lines=2,
        ),
        text(
            f"yang diikuti secara daring pada {date_span(doc.enrolled_on, doc.completed_on)}, "
            f"{result}",
            size=10.5,
            max_lines=2,
            space_after=0,
        ),
    ]


def _identity(pdf: FPDF, doc: CertificateDocument, scale: float) -> Identity:
    pairs: list[tuple[str, str]] = [("NIP", group_nip(doc.nip))]
    if doc.rank:
        pairs.append(("Pangkat/Golongan", doc.rank))
    if doc.position:
        pairs.append(("Jabatan", doc.position))
    pairs.append(("Instansi", doc.instansi))
    size, space = 10.5 * scale, 0.6 * scale
    pdf.set_font(SANS, "", size)
    label_w = max(pdf.get_string_width(label) for label, _ in pairs) + COLON_W + 1.5
    pdf.set_font(SANS, "B", size)
    widest = max(pdf.get_string_width(value) for _, value in pairs) + 1
    value_w = min(widest, CONTENT_W - 2 * label_w)
    rows = tuple(
        (
            Text(label, size=size, space_after=space, lines=(label,)),
            fit(
                pdf,
                Text(
                    value,
                    style="B",
                    size=size,
                    min_size=8 * scale,
                    max_lines=2,
                    space_after=space,
                ),
                value_w,
            ),
        )
        for label, value in pairs
    )
    return Identity(rows, label_w, value_w, space_after=3.0 * scale)


def _draw_identity(pdf: FPDF, block: Identity) -> None:
    x = (PAGE_W - block.label_w - block.value_w) / 2
    for label, value in block.rows:
        y = pdf.get_y()
        # The label and colon sit on the value's first line, at the value's (fitted) size.
        label = replace(label, size=value.size)
        draw(pdf, label, x, block.label_w - COLON_W, align="L")
        pdf.set_xy(x + block.label_w - COLON_W, y)
        pdf.cell(COLON_W, value.line_height, ":")
        pdf.set_y(y)
        draw(pdf, value, x + block.label_w, block.value_w, align="L")
    pdf.set_y(pdf.get_y() + block.space_after)


def _verification(pdf: FPDF, doc: CertificateDocument) -> None:
    x, width = 21.0, 95.0
    code = qr_code(doc.verify_url)
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    quiet = QR_SIZE * QR_BORDER / modules
    # Shift the white quiet zone into the margin so the dark modules line up with the text.
    pdf.image(
        io.BytesIO(qr_png(code)),
        x=x - quiet,
        y=BAND_TOP,
        w=QR_SIZE,
        h=QR_SIZE,
        link=doc.verify_url,
        alt_text="Kode QR verifikasi sertifikat",
    )
    pdf.set_y(BAND_TOP + QR_SIZE - quiet + 1)
    lines = (
        Text(
            "Keaslian sertifikat dapat diperiksa dengan memindai kode QR",
            size=7.5,
            min_size=6,
            max_lines=2,
            space_after=0.4,
        ),
        Text(doc.verify_url, size=7, min_size=5, max_lines=2, space_after=0.3, color=GREY),
        Text(f"Kode verifikasi: {doc.code}", size=7, min_size=5, space_after=0.3, color=GREY),
        Text(f"Versi kursus: {doc.course_version}", size=7, min_size=5, color=GREY),
    )
    for item in lines:
        draw(pdf, fit(pdf, item, width), x, width, align="L")


def _signature(pdf: FPDF, doc: CertificateDocument) -> None:
    """Place and date, position, a blank space to sign in, then name and NIP at the bottom."""
    scale = 1.0
    while True:
        top, bottom = _signature_blocks(pdf, doc, scale)
        space = SIGN_BOTTOM - BAND_TOP - sum(b.height for b in (*top, *bottom))
        if space >= MIN_SIGNATURE_SPACE or scale <= 0.6:
            break
        scale -= 0.05
    pdf.set_y(BAND_TOP)
    for item in top:
        draw(pdf, item, SIGN_X, SIGN_W)
    pdf.set_y(SIGN_BOTTOM - sum(b.height for b in bottom))
    name, *rest = bottom
    draw(pdf, name, SIGN_X, SIGN_W)
    _underline(pdf, name, pdf.get_y() - name.space_after)
    for item in rest:
        draw(pdf, item, SIGN_X, SIGN_W)


def _signature_blocks(
    pdf: FPDF, doc: CertificateDocument, scale: float
) -> tuple[list[Text], list[Text]]:
    issued = indonesian_date(doc.issued_on)
    size = 10.5 * scale
    where = doc.issuer_city or doc.issuer_name
    place = Text(f"{where}, {issued}", size=size, max_lines=2, space_after=0.5)
    pdf.set_font(SANS, "", size)
    if pdf.get_string_width(place.text) > SIGN_W:
        # Too long for one line: give the date a line of its own rather than split it.
        place = fit(pdf, replace(place, text=f"{where},", min_size=8 * scale), SIGN_W)
        place = replace(place, lines=(*place.lines, issued))
    else:
        place = fit(pdf, place, SIGN_W)
    position = Text(
        doc.signatory_position, style="B", size=size, min_size=8 * scale, max_lines=3, space_after=0
    )
    name = Text(
        doc.signatory_name,
        style="B",
        size=11 * scale,
        min_size=8 * scale,
        max_lines=2,
        space_after=0.4,
    )
    bottom = [fit(pdf, name, SIGN_W)]
    if doc.signatory_nip:
        nip = Text(
            f"NIP {group_nip(doc.signatory_nip)}", size=10 * scale, min_size=7, space_after=0
        )
        bottom.append(fit(pdf, nip, SIGN_W))
    return [place, fit(pdf, position, SIGN_W)], bottom


def _underline(pdf: FPDF, name: Text, bottom: float) -> None:
    pdf.set_font(name.family, name.style, name.size)
    widest = max(pdf.get_string_width(line) for line in name.lines)
    mid = SIGN_X + SIGN_W / 2
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.25)
    pdf.line(mid - widest / 2, bottom - 0.5, mid + widest / 2, bottom - 0.5)
