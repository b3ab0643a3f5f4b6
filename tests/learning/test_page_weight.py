"""Every module page of the sample courses, with its stylesheet and images, stays within 50 KB."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from PIL import Image

from elearn.content.limits import RenderBudget
from elearn.content.publish import store_version
from elearn.content.sandbox import FolderSource, prepare_limited
from elearn.extensions import db
from elearn.models import ItemKind
from tests.learning.helpers import sign_in

COURSES = Path(__file__).resolve().parents[2] / "courses"
SLUGS = ("administrasi-digital", "kepemimpinan", "manajemen-proyek")
LIMIT = 50_000  # bytes: HTML + CSS + images, uncompressed
STYLESHEET = re.compile(r'<link [^>]*href="(/static/[^"]+)"')
IMAGE = re.compile(r"<img [^>]*>")
ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def test_sample_module_pages_weigh_at_most_50_kb_with_their_images(app: Flask) -> None:
    module_urls = []
    for slug in SLUGS:
        # Through the limited render process, as `flask courses publish` does.
        prepared = prepare_limited(FolderSource(COURSES / slug, slug), RenderBudget())
        version = store_version(
            prepared.parsed, unit=None, actor=None, publish=True, rendered=prepared.rendered
        ).version
        module_urls += [
            f"/learn/{slug}/{item.name}" for item in version.items if item.kind == ItemKind.MODULE
        ]
    db.session.commit()
    learner = sign_in(app)
    for slug in SLUGS:
        assert learner.enroll(slug).status_code == 302

    weights, images_seen = {}, 0
    for url in module_urls:
        page = learner.client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        weight = len(page.data)
        for href in STYLESHEET.findall(html):
            weight += len(learner.client.get(href).data)
        for tag in IMAGE.findall(html):
            attributes = dict(ATTRIBUTE.findall(tag))
            image = learner.client.get(attributes["src"])
            assert image.status_code == 200, attributes["src"]
            weight += len(image.data)
            images_seen += 1
            with Image.open(io.BytesIO(image.data)) as stored:
                size = stored.size
            assert (attributes["width"], attributes["height"]) == tuple(map(str, size)), url
            assert attributes["loading"] == "lazy" and attributes["decoding"] == "async"
        weights[url] = weight
    assert images_seen == 5  # every sample course image was counted
    assert {url: w for url, w in weights.items() if w > LIMIT} == {}
