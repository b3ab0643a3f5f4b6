"""A module whose title is its own "# heading" shows that title once on its page."""

from pathlib import Path

from tests.learning.helpers import publish_course, sign_in

MODULE = (
    "# Siklus Proyek Pemerintah\n\nProyek punya awal dan akhir.\n\n"
    "## Tahap proyek\n\n![Diagram](assets/diagram.png)\n"
)


def test_module_heading_is_the_page_title_shown_once(app, tmp_path: Path):
    version = publish_course(tmp_path, **{"01-siklus.md": MODULE})
    assert version.items[0].title == "Siklus Proyek Pemerintah"
    assert "<h1" not in version.items[0].html
    learner = sign_in(app)
    learner.enroll()
    page = learner.client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "<h1>Siklus Proyek Pemerintah</h1>" in page
    assert page.count("Siklus Proyek Pemerintah</h1>") == 1
    assert '<h2 id="tahap-proyek">Tahap proyek</h2>' in page
