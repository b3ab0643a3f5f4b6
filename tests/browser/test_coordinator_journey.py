"""A coordinator uploads a course zip, fixes its error, previews and publishes it, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import (
    COORDINATOR_NIP,
    LEARNER_NIP,
    Pages,
    follow_nav,
    require_browser,
    sign_in,
)
from tests.content.course_fixtures import COURSE_MD, QUIZ_MD, write_course, zip_folder

require_browser()
from playwright.sync_api import FilePayload, Page, expect  # noqa: E402

SLUG = "uji-peramban"
TITLE = "Arsip Digital Uji Peramban"


def course_zip(tmp_path: Path, **overrides: str) -> FilePayload:
    """The small test course as an upload, with a title no sample course shares."""
    course_md = COURSE_MD.replace("Dasar Manajemen Proyek", TITLE)
    folder = write_course(tmp_path, SLUG, **{"course.md": course_md, **overrides})
    return FilePayload(name=f"{SLUG}.zip", mimeType="application/zip", buffer=zip_folder(folder))


PROCESSING_MS = 60_000  # the render process runs outside the request; the page reloads itself


def upload(page: Page, payload: FilePayload) -> None:
    """Upload from the courses page; the upload's status page answers at once."""
    page.get_by_label("Berkas kursus (.zip)").set_input_files(payload)
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_role("heading", level=1, name="Status unggahan")).to_be_visible()


def test_coordinator_uploads_fixes_previews_and_publishes(
    page: Page, pages: Pages, tmp_path: Path
) -> None:
    sign_in(page, COORDINATOR_NIP)
    follow_nav(page, "Kelola kursus")
    expect(page.get_by_role("heading", level=1, name="Kelola kursus")).to_be_visible()

    no_right_option = QUIZ_MD.replace("- [x] Jam Pelajaran", "- [ ] Jam Pelajaran")
    upload(page, course_zip(tmp_path / "broken", **{"02-kuis-siklus.quiz.md": no_right_option}))
    expect(page.get_by_text("Kursus tidak diterima.")).to_be_visible(timeout=PROCESSING_MS)
    problems = page.get_by_role("region", name=re.compile("kesalahan ditemukan"))
    expect(problems.get_by_role("heading")).to_have_text(
        "1 kesalahan ditemukan; tidak ada yang disimpan:"
    )
    # The page sets path:line in <code>, then the message (the CLI prints "path:line: message").
    expect(problems.get_by_role("listitem")).to_have_text(
        re.compile(rf"^{SLUG}/02-kuis-siklus\.quiz\.md:\d+:? tidak ada pilihan benar")
    )
    page.get_by_role("link", name="Unggah lagi").click()
    expect(page.get_by_role("cell", name=SLUG)).to_have_count(0)  # nothing was stored

    upload(page, course_zip(tmp_path / "fixed"))
    expect(page.get_by_text("Versi baru tersimpan sebagai draf.")).to_be_visible(
        timeout=PROCESSING_MS
    )
    page.get_by_role("link", name="Lihat pratinjau versi 1").click()
    expect(page).to_have_url(re.compile(rf"/coordinator/courses/{SLUG}/v/1$"))
    expect(page.get_by_text("Pratinjau versi 1")).to_be_visible()
    contents = page.get_by_role("navigation", name="Daftar isi kursus")
    expect(contents.get_by_role("link")).to_have_text(
        ["Siklus Proyek", "Kuis Siklus", "Kuis akhir"]
    )
    expect(page.get_by_role("heading", level=2, name="Siklus Proyek")).to_be_visible()
    expect(page.get_by_role("heading", name="Tahap penutupan")).to_be_visible()
    # The answer key is shown to the coordinator only.
    expect(page.get_by_role("listitem").filter(has_text="Jam Pelajaran").first).to_contain_text(
        "benar"
    )
    expect(page.get_by_text("Jawaban numerik:")).to_contain_text("45")
    page.get_by_role("button", name="Terbitkan versi ini").click()
    expect(page.get_by_text("Versi 1 diterbitkan.")).to_be_visible()

    learner = pages.new()
    sign_in(learner, LEARNER_NIP)
    follow_nav(learner, "Katalog")
    learner.get_by_label("Cari judul atau ringkasan").fill("Peramban")
    learner.get_by_role("button", name="Terapkan").click()
    expect(learner.get_by_text("1 kursus ditemukan.")).to_be_visible()
    learner.get_by_role("link", name=TITLE).click()
    expect(learner.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(learner.get_by_role("button", name="Ikuti kursus ini")).to_be_visible()
