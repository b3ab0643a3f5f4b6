"""The outline and catalog links built by addresses() are the ones url_for gives."""

import re
from pathlib import Path

import pytest
from flask import url_for

from elearn.main.addresses import addresses
from tests.learning.helpers import publish_course, sign_in


def test_outline_and_catalog_links_are_those_of_url_for(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    module = version.items[0].name

    page = learner.client.get(f"/learn/dasar-proyek/{module}").get_data(as_text=True)
    outline = page.split('<details class="outline-toggle">', 1)[1].split("</details>", 1)[0]
    catalog = learner.client.get("/courses/").get_data(as_text=True)

    with app.test_request_context():
        expected = [
            url_for("learning.item", slug="dasar-proyek", name=i.name) for i in version.items
        ]
        course = url_for("catalog.course", slug="dasar-proyek")
    assert re.findall(r'<a href="([^"]+)"', outline) == expected
    assert f'<h2><a href="{course}">' in catalog


@pytest.mark.parametrize("script_root", ["", "/elearn"])
@pytest.mark.parametrize(
    "value", ["siklus", "kuis-akhir_2.v~1", "a b", "ü", "a/b", "x?y=1", "%41", "..", 7]
)
def test_addresses_match_url_for_for_any_value(app, script_root: str, value: object):
    with app.test_request_context("/", base_url=f"http://example.org{script_root}/"):
        item_address = addresses("learning.item", "name", slug="dasar-proyek")
        assert item_address(value) == url_for("learning.item", slug="dasar-proyek", name=value)
        assert item_address(value).startswith(f"{script_root}/learn/dasar-proyek/")
        course_address = addresses("catalog.course", "slug")
        assert course_address(value) == url_for("catalog.course", slug=value)
