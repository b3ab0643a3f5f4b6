"""Pushing career records to BKN's SIASN (riwayat kursus and riwayat diklat), and the same
records as CSV/XLSX for instansi that upload by hand. See docs/career-record.md."""
