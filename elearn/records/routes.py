"""Learning routes (PerLAN 10/2018) and their mapping to SIASN's jenis-diklat ids."""

from __future__ import annotations

# (value, label, classical?, SIASN jenisDiklatId or None to derive from competency)
ROUTES: tuple[tuple[str, str, bool, int | None], ...] = (
    ("pelatihan-struktural", "Pelatihan struktural kepemimpinan", True, 1),
    ("pelatihan-manajerial", "Pelatihan manajerial", True, 5),
    ("pelatihan-teknis", "Pelatihan teknis", True, 3),
    ("pelatihan-fungsional", "Pelatihan fungsional", True, 2),
    ("pelatihan-sosial-kultural", "Pelatihan sosial kultural", True, 6),
    ("seminar", "Seminar/konferensi/sarasehan", True, 9),
    ("workshop", "Workshop/lokakarya", True, 4),
    ("kursus", "Kursus", True, None),
    ("penataran", "Penataran", True, None),
    ("bimbingan-teknis", "Bimbingan teknis", True, 8),
    ("sosialisasi", "Sosialisasi", True, 7),
    ("coaching", "Coaching", False, None),
    ("mentoring", "Mentoring", False, None),
    ("e-learning", "E-learning", False, None),
    ("pelatihan-jarak-jauh", "Pelatihan jarak jauh", False, None),
    ("detasering", "Detasering (secondment)", False, None),
    ("outbond", "Pembelajaran alam terbuka (outbond)", False, None),
    ("patok-banding", "Patok banding (benchmarking)", False, None),
    ("pertukaran", "Pertukaran PNS dengan pegawai swasta/BUMN/BUMD", False, None),
    ("belajar-mandiri", "Belajar mandiri", False, None),
    ("komunitas-belajar", "Komunitas belajar", False, None),
    ("bimbingan-di-tempat-kerja", "Bimbingan di tempat kerja", False, None),
    ("magang", "Magang/praktik kerja", False, 10),
)
ROUTE_LABELS = {value: label for value, label, _, _ in ROUTES}
COMPETENCY_DIKLAT = {"teknis": 3, "manajerial": 5, "sosial-kultural": 6}
COMPETENCIES = (
    ("teknis", "Teknis"),
    ("manajerial", "Manajerial"),
    ("sosial-kultural", "Sosial kultural"),
)


def siasn_diklat_id(route: str, competency: str) -> int:
    """SIASN's jenisDiklatId for a route (ids unconfirmed; see docs/career-record.md)."""
    explicit = next((sid for value, _, _, sid in ROUTES if value == route), None)
    return explicit or COMPETENCY_DIKLAT.get(competency, 3)
