"""Links between a course's own files, written as GitHub shows them, lead to their pages."""

import re
from pathlib import Path

from tests.content.course_fixtures import COURSE_MD
from tests.learning.helpers import publish_course, sign_in

MODULE = (
    "# Siklus Proyek\n\n## Tahap proyek\n\nIsi.\n\n"
    "Uji diri di [kuis siklus](02-kuis-siklus.quiz.md), lalu [kuis akhir](./03-kuis-akhir.gift).\n"
    "Ulangi [tahap proyek](01-siklus.md#tahap-proyek) atau [kuis](kuis-siklus).\n"
    "Bacaan [luar](https://example.org/01-siklus.md) dan [folder lain](lain/01-siklus.md).\n"
)
OVERVIEW_LINK = "\nMulai dari [modul pertama](01-siklus.md#tahap-proyek).\n"


def _hrefs(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page)


def test_links_to_sibling_files_go_to_their_pages(app, tmp_path: Path):
    version = publish_course(
        tmp_path, **{"01-siklus.md": MODULE, "course.md": COURSE_MD + OVERVIEW_LINK}
    )
    learner = sign_in(app)
    learner.enroll()

    page = learner.client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert version.items[0].html in page
    hrefs = _hrefs(version.items[0].html)
    assert "/learn/dasar-proyek/kuis-siklus" in hrefs
    assert "/learn/dasar-proyek/kuis-akhir" in hrefs
    assert "/learn/dasar-proyek/siklus#tahap-proyek" in hrefs
    assert hrefs.count("/learn/dasar-proyek/kuis-siklus") == 2  # by file name and by name
    # Outside the course's own files, links stay as the author wrote them.
    assert "https://example.org/01-siklus.md" in hrefs
    assert "lain/01-siklus.md" in hrefs

    for href in ("/learn/dasar-proyek/kuis-siklus", "/learn/dasar-proyek/kuis-akhir"):
        assert learner.client.get(href).status_code == 200

    overview = learner.client.get("/courses/dasar-proyek").get_data(as_text=True)
    assert version.overview_html in overview
    assert "/learn/dasar-proyek/siklus#tahap-proyek" in _hrefs(version.overview_html)
