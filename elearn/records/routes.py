"""Learning routes (PerLAN 10/2018) and their mapping to SIASN's jenis-diklat ids."""

from __future__ import annotations

from flask_babel import gettext

from elearn.catalog.labels import COMPETENCY_LABELS
from elearn.i18n import N_

# (value, label, classical?, SIASN jenisDiklatId or None to derive from competency)
ROUTES: tuple[tuple[str, str, bool, int | None], ...] = (
    ("pelatihan-struktural", N_("Pelatihan struktural kepemimpinan"), True, 1),
    ("pelatihan-manajerial", N_("Pelatihan manajerial"), True, 5),
    ("pelatihan-teknis", N_("Pelatihan teknis"), True, 3),
    ("pelatihan-fungsional", N_("Pelatihan fungsional"), True, 2),
    ("pelatihan-sosial-kultural", N_("Pelatihan sosial kultural"), True, 6),
    ("seminar", N_("Seminar/konferensi/sarasehan"), True, 9),
    ("workshop", N_("Workshop/lokakarya"), True, 4),
    ("kursus", N_("Kursus"), True, None),
    ("penataran", N_("Penataran"), True, None),
    ("bimbingan-teknis", N_("Bimbingan teknis"), True, 8),
    ("sosialisasi", N_("Sosialisasi"), True, 7),
    ("coaching", N_("Coaching"), False, None),
    ("mentoring", N_("Mentoring"), False, None),
    ("e-learning", N_("E-learning"), False, None),
    ("pelatihan-jarak-jauh", N_("Pelatihan jarak jauh"), False, None),
    ("detasering", N_("Detasering (secondment)"), False, None),
    ("outbond", N_("Pembelajaran alam terbuka (outbond)"), False, None),
    ("patok-banding", N_("Patok banding (benchmarking)"), False, None),
    ("pertukaran", N_("Pertukaran PNS dengan pegawai swasta/BUMN/BUMD"), False, None),
    ("belajar-mandiri", N_("Belajar mandiri"), False, None),
    ("komunitas-belajar", N_("Komunitas belajar"), False, None),
    ("bimbingan-di-tempat-kerja", N_("Bimbingan di tempat kerja"), False, None),
    ("magang", N_("Magang/praktik kerja"), False, 10),
)
# Courses on this platform: self-paced e-learning (career record, SIASN, plans, AKPK).
PLATFORM_ROUTE = "e-learning"
ROUTE_LABELS = {value: label for value, label, _, _ in ROUTES}  # Indonesian, as in SIASN
COMPETENCY_DIKLAT = {"teknis": 3, "manajerial": 5, "sosial-kultural": 6}
COMPETENCIES = tuple(COMPETENCY_LABELS.items())  # (value, lazy label): the catalog's list


def route_label(value: str) -> str:
    """The learning route's label in the page's language (the stored value if unknown)."""
    label = ROUTE_LABELS.get(value)
    return gettext(label) if label is not None else value


def siasn_diklat_id(route: str, competency: str) -> int:
    """SIASN's jenisDiklatId for a route (ids unconfirmed; see docs/career-record.md)."""
    explicit = next((sid for value, _, _, sid in ROUTES if value == route), None)
    return explicit or COMPETENCY_DIKLAT.get(competency, 3)
