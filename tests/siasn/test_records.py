"""Which records a year's push takes: those that count, in the learner's year."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from elearn.certificates.issuance import revoke
from elearn.certificates.pdf_store import pdf_filename
from elearn.certificates.verify_file import verify_bytes
from elearn.models import Role
from elearn.siasn.documents import document_for
from elearn.siasn.records import countable_records
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock
from tests.factories import make_unit, make_user


def test_the_year_is_the_learners_and_revoked_certificates_do_not_count(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    palu = make_unit(code="palu")  # WITA, UTC+8
    clock.current = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 WITA on 1 January
    learner, new_year = complete_course(app, tmp_path, unit=palu)
    clock.current = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 WITA, still 2025
    _, old_year = complete_course(app, tmp_path, learner=learner, slug="lanjutan")

    in_2026 = countable_records(2026, palu.id, "Asia/Makassar")
    in_2025 = countable_records(2025, None, "Asia/Makassar")

    assert [(r.source, r.source_id) for r in in_2026] == [("certificate", new_year.id)]
    assert in_2026[0].finished_on.isoformat() == "2026-01-01"
    assert in_2026[0].route == "e-learning" and in_2026[0].shape == "kursus"
    assert [(r.source, r.source_id) for r in in_2025] == [("certificate", old_year.id)]

    revoke(new_year, make_user(Role.ADMIN, name="Admin"), "Salah peserta")
    assert countable_records(2026, palu.id, "Asia/Makassar") == []


def test_a_certificate_goes_to_siasn_as_its_signed_pdf(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    palu = make_unit(code="palu")
    clock.current = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    _, certificate = complete_course(app, tmp_path, unit=palu)
    (record,) = countable_records(2026, palu.id, "Asia/Makassar")

    name, pdf, content_type = document_for(record, "https://elearn.example.go.id")

    assert (name, content_type) == (pdf_filename(certificate), "application/pdf")
    verdict = verify_bytes(pdf)
    assert verdict.state == "valid", verdict.reason
    assert certificate.code in verdict.reason and "signed by" in verdict.reason
    edited = pdf.replace(b"/Title", b"/Titel", 1)
    assert edited != pdf
    assert verify_bytes(edited).state == "invalid"
