"""The fonts our PDFs embed: the bundled DejaVu files, and a Latin cut made once per process.

fpdf2 reads a whole font file for every document it lays out, and subsets it again when it
writes the file. DejaVu Sans has ~6,000 glyphs, and that reading and subsetting took about
half of a certificate's render. The cut keeps the Latin scripts, punctuation and the few
symbols our layouts print (~1,100 glyphs), and a certificate renders in about half the time.
The file is byte for byte the one the whole fonts give (fpdf2 numbers the glyphs it uses
itself, and the cut keeps the fonts' names, metrics and bounding boxes). A document with a
character outside the cut is laid out again with the whole fonts, so what is printed never
depends on the cut.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import TTFFont

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
SANS = "dejavu-sans"
SERIF = "dejavu-serif"
# (family, style, file): what add_fonts registers, from the bundled folder or the cut's.
FONTS = (
    (SANS, "", "DejaVuSans.ttf"),
    (SANS, "B", "DejaVuSans-Bold.ttf"),
    (SERIF, "B", "DejaVuSerif-Bold.ttf"),
)
# Code points kept in the cut: Latin with its accents (names, Indonesian and regional
# spellings), punctuation, currency, and the arrows and comparison signs the layouts print.
LATIN_CUT = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x2122),
    (0x2190, 0x2193),
    (0x2212, 0x2212),
    (0x2264, 0x2265),
    (0xFFFD, 0xFFFD),
)

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cut: tuple[int, Path] | None = None  # who made it, where: a forked child makes its own


def add_fonts(pdf: FPDF, folder: Path = FONT_DIR) -> None:
    """Register the DejaVu fonts from ``folder`` (the bundled files or their Latin cut)."""
    for family, style, name in FONTS:
        pdf.add_font(family, style, folder / name)


def output_pdf(layout: Callable[[Path], FPDF]) -> bytes:
    """Lay out with the Latin cut and return the file; with the whole fonts if a glyph lacks."""
    try:
        cut = latin_cut()
    except OSError as exc:  # no writable temporary folder: slower, the same file
        log.warning("PDF fonts: the Latin cut could not be made: %s", exc)
        return bytes(layout(FONT_DIR).output())
    pdf = layout(cut)
    fonts = [font for font in pdf.fonts.values() if isinstance(font, TTFFont)]
    if any(font.missing_glyphs for font in fonts):
        for font in fonts:
            font.close()  # writing the file would have closed them
        pdf = layout(FONT_DIR)
    return bytes(pdf.output())


def latin_cut() -> Path:
    """The folder holding this process's Latin cut of the bundled fonts, made on first use."""
    global _cut
    pid = os.getpid()
    with _lock:
        if _cut is None or _cut[0] != pid:
            folder = Path(tempfile.mkdtemp(prefix="elearn-pdf-fonts-"))
            for _family, _style, name in FONTS:
                _save_cut(FONT_DIR / name, folder / name)
            _cut = (pid, folder)
            atexit.register(_remove, folder, pid)
        return _cut[1]


def _save_cut(source: Path, target: Path) -> None:
    with ttLib.TTFont(source, recalcTimestamp=False, recalcBBoxes=False) as font:
        _cut_to_latin(font)
        font.save(target)


def _cut_to_latin(font: ttLib.TTFont) -> None:
    # Glyph names kept: fpdf2 finds glyphs by name when it subsets; every table and
    # feature it may read kept, so the cut measures and draws as the whole font does.
    options = subset.Options(
        notdef_outline=True,
        recommended_glyphs=True,
        glyph_names=True,
        name_IDs=["*"],
        name_languages=["*"],
        layout_features=["*"],
        legacy_kern=True,
    )
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's own; fontTools can't cut it
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=[c for low, high in LATIN_CUT for c in range(low, high + 1)])
    cutter.subset(font)


def _remove(folder: Path, pid: int) -> None:
    if os.getpid() == pid:  # not from a forked child, whose parent may still use it
        shutil.rmtree(folder, ignore_errors=True)
