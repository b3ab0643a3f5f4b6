"""A coordinator edits a module in the browser, fixes a warning, previews, saves and publishes."""

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
from tests.content.course_fixtures import COURSE_MD, MODULE_MD, write_course, zip_folder

require_browser()
from playwright.sync_api import FilePayload, Locator, Page, expect  # noqa: E402

from tests.browser.test_accessibility import BOTH, AxeAuditor, axe  # noqa: E402, F401

SLUG = "uji-penyunting"
TITLE = "Kearsipan Uji Penyunting"
PROCESSING_MS = 60_000  # uploads and previews go through the limited render process
# An image is visible (laid out) before its bytes arrive; decode() waits for them and
# rejects if they are not an image. Reading img.complete at once raced a busy server.
IMAGE_WIDTH = "img => img.decode().then(() => img.naturalWidth)"
OLD_TEXT = "Proyek punya awal dan akhir."
NEW_TEXT = "Setiap proyek dibatasi waktu, biaya dan mutu."


def upload_course(page: Page, tmp_path: Path, slug: str = SLUG, title: str = TITLE) -> None:
    """Upload the small test course under its own slug; version 1 is a draft."""
    course_md = COURSE_MD.replace("Dasar Manajemen Proyek", title)
    folder = write_course(tmp_path, slug, **{"course.md": course_md})
    payload = FilePayload(name=f"{slug}.zip", mimeType="application/zip", buffer=zip_folder(folder))
    follow_nav(page, "Kelola kursus")
    page.get_by_label("Berkas kursus (.zip)").set_input_files(payload)
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_text("Versi baru tersimpan sebagai draf.")).to_be_visible(
        timeout=PROCESSING_MS
    )


def loaded_width(image: Locator) -> int:
    """The image's natural width in px, once its bytes have arrived and decoded."""
    return int(image.evaluate(IMAGE_WIDTH))


def test_coordinator_edits_fixes_a_warning_previews_and_publishes(
    page: Page, pages: Pages, tmp_path: Path
) -> None:
    sign_in(page, COORDINATOR_NIP)
    upload_course(page, tmp_path)
    # The upload page links the template and the format guide, as real links.
    follow_nav(page, "Kelola kursus")
    expect(page.get_by_role("link", name="Unduh templat kursus (.zip)")).to_have_attribute(
        "href", "/coordinator/course-template.zip"
    )
    page.get_by_role("link", name="Panduan format kursus").click()
    expect(
        page.get_by_role("heading", name="Menyunting di peramban / Editing in the browser")
    ).to_be_visible()
    page.go_back()

    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Sunting di peramban").click()
    page.get_by_label("Mulai dari versi").select_option(label=f"v1 · {TITLE} · draf")
    page.get_by_role("button", name="Buka draf").click()
    expect(page.get_by_text("Draf dibuka dari versi 1.")).to_be_visible(timeout=PROCESSING_MS)
    page.get_by_role("link", name="01-siklus.md").click()
    expect(page.get_by_role("heading", level=1, name="Sunting 01-siklus.md")).to_be_visible()

    # Edit: new text, and an image without its alt text.
    source = page.get_by_label("Isi berkas")
    text = source.input_value()
    assert "![Diagram](assets/diagram.png)" in text
    source.fill(text.replace(OLD_TEXT, NEW_TEXT).replace("![Diagram](", "![]("))
    page.get_by_role("button", name="Pratinjau").click()
    problems = page.get_by_role("region", name="Kesalahan dan peringatan di berkas ini")
    expect(problems.get_by_role("listitem")).to_have_text(
        re.compile(r"^01-siklus\.md:9:\s*peringatan: gambar tanpa teks alternatif")
    )
    # Nothing saved by a preview: the typed text is still in the box.
    expect(source).to_have_value(re.compile(re.escape(NEW_TEXT)))
    # The line link puts the cursor on that line of the text box (static/js/editor.js).
    problems.get_by_role("link", name="01-siklus.md:9:").click()
    selected = source.evaluate("t => t.value.substring(t.selectionStart, t.selectionEnd)")
    assert selected == "![](assets/diagram.png)"
    expect(source).to_be_focused()

    # Fix it, preview again: no warning, and the image loads from the draft.
    source.fill(source.input_value().replace("![](", "![Diagram tahap proyek]("))
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_text("Tidak ada kesalahan atau peringatan di berkas ini.")).to_be_visible()
    preview = page.get_by_role("region", name="Pratinjau (belum disimpan)")
    expect(preview.get_by_text(NEW_TEXT)).to_be_visible()
    image = preview.get_by_role("img", name="Diagram tahap proyek")
    expect(image).to_be_visible()
    assert loaded_width(image) == 2

    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Tersimpan sebagai revisi 2.")).to_be_visible()
    page.get_by_role("link", name=f"← Draf {SLUG}").click()
    expect(page.get_by_text("Tidak ada kesalahan: draf siap diterbitkan.")).to_be_visible()
    page.get_by_role("button", name="Terbitkan draf").click()
    expect(page.get_by_text("Draf diterbitkan sebagai versi 2.")).to_be_visible()

    learner = pages.new()
    sign_in(learner, LEARNER_NIP)
    learner.goto(f"/courses/{SLUG}")
    learner.get_by_role("button", name="Ikuti kursus ini").click()
    learner.goto(f"/learn/{SLUG}/siklus")
    expect(learner.get_by_text(NEW_TEXT)).to_be_visible()
    published_image = learner.get_by_role("img", name="Diagram tahap proyek")
    expect(published_image).to_be_visible()
    assert loaded_width(published_image) == 2
    assert f"/courses/{SLUG}/v/" in (published_image.get_attribute("src") or "")


# ``axe`` is the fixture imported from test_accessibility.py.
def test_editor_pages_pass_the_accessibility_audit(axe: AxeAuditor, tmp_path: Path) -> None:  # noqa: F811
    slug = "uji-penyunting-aksesibel"
    page = axe.page(COORDINATOR_NIP)
    upload_course(page, tmp_path, slug, "Uji Aksesibilitas Penyunting")
    editor = f"/coordinator/courses/{slug}/editor"
    axe.audit(page, editor, BOTH)  # no draft yet: the form to open one
    page.get_by_role("button", name="Buka draf").click()
    expect(page.get_by_text("Draf dibuka dari versi 1.")).to_be_visible(timeout=PROCESSING_MS)
    axe.audit(page, editor, BOTH)
    axe.audit(page, f"{editor}/files/01-siklus.md", BOTH)
    # The file page with a warning listed under the text box.
    page.get_by_label("Isi berkas").fill(MODULE_MD.replace("![Diagram](", "![]("))
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_text("gambar tanpa teks alternatif")).to_be_visible()
    axe.check_current(page, BOTH)
    axe.audit(page, "/coordinator/format/", BOTH)
    axe.assert_no_serious_violations()
