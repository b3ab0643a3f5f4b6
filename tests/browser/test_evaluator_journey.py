"""An evaluator filters the dashboard and downloads CSV and XLSX; a QR URL verifies."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tests.browser.conftest import LiveServer, Pages, follow_nav, require_browser, sign_in

require_browser()
from playwright.sync_api import Page, expect  # noqa: E402

EVALUATOR_NIP = "197912302005011006"  # Dewi Lestari, evaluator of Palu


def complete_for(live_server: LiveServer, name: str, nip: str) -> str:
    """Have a new Palu learner complete Administrasi Digital; return the certificate code."""
    from elearn.certificates.issuance import issue_owed_certificates
    from elearn.extensions import db
    from elearn.learning.enrollment import enroll
    from elearn.learning.progress import complete_module, mark_quiz_passed
    from elearn.models import Certificate, Course, Unit
    from elearn.settings import current_settings
    from tests.factories import make_user

    with live_server.app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "palu-bkpsdm"))
        learner = make_user(unit=unit, name=name, nip=nip)
        course = db.session.scalar(select(Course).where(Course.slug == "administrasi-digital"))
        enrollment = enroll(learner, course)
        for item in enrollment.version.quizzes:
            mark_quiz_passed(enrollment, item, enrollment.enrolled_at)
        db.session.flush()
        for item in enrollment.version.modules:
            complete_module(enrollment, item, learning=current_settings().learning)
        db.session.commit()
        issue_owed_certificates(current_settings())
        code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == learner.id))
        assert code is not None
        return code


def test_evaluator_filters_and_downloads(page: Page, live_server: LiveServer) -> None:
    complete_for(live_server, "Peserta Laporan", "199001012015011009")
    sign_in(page, EVALUATOR_NIP)
    follow_nav(page, "Laporan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dasbor evaluasi program")
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"status=completed"))
    expect(page.locator("svg.chart").first).to_be_visible()
    title = "Administrasi Perkantoran Digital yang Aman"
    expect(page.get_by_role("cell", name=title).first).to_be_visible()

    page.get_by_role("link", name=re.compile("Unduh data")).click()
    expect(page.get_by_label("Status")).to_have_value("completed")  # the filter came along
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Unduh CSV").click()
    with open(csv_download.value.path(), encoding="utf-8") as handle:
        csv_text = handle.read()
    assert csv_text.startswith("\ufeff")
    assert "Peserta Laporan" in csv_text and "Mamuju" not in csv_text

    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Unduh Excel (XLSX)").click()
    from openpyxl import load_workbook

    with open(xlsx_download.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    workbook.close()
    assert "199001012015011009" in values  # the NIP, kept as text


def test_certificate_qr_url_verifies(pages: Pages, live_server: LiveServer) -> None:
    from pypdf import PdfReader

    from elearn.certificates.issuance import document_of
    from elearn.certificates.pdf import render_certificate_pdf
    from elearn.extensions import db
    from elearn.models import Certificate

    code = complete_for(live_server, "Peserta QR", "199001012015012010")
    with live_server.app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
        pdf = render_certificate_pdf(document_of(certificate, live_server.url.rstrip("/")))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    url = re.search(r"https?://\S+/certificates/[A-Za-z0-9_-]{22}", text)
    assert url is not None and url.group(0).endswith(code)
    visitor = pages.new()  # not signed in, like anyone scanning the QR code
    visitor.goto(url.group(0))
    expect(visitor.get_by_role("status")).to_contain_text("SAH")
    expect(visitor.get_by_text("Peserta QR")).to_be_visible()
