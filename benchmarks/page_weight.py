"""Measure what a learner downloads for each module page and a quiz page: HTML, CSS, images.

Target: every module page under 50 KB with its stylesheet and images, uncompressed,
for readers on a phone and a weak connection. Images are counted twice: as stored
(re-encoded at publish) and as the author uploaded them (the files in courses/),
so one run shows before and after. Run: .venv/bin/python benchmarks/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.demo.cli import ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from elearn.extensions import db  # noqa: E402

LIMIT = 50_000
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
IMAGE = re.compile(r'<img\b[^>]*?\bsrc="(/courses/[^"]+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUGS = ("manajemen-proyek", "kepemimpinan", "administrasi-digital")


def weigh(client, url: str, slug: str) -> tuple[int, int, int, int, int]:  # type: ignore[no-untyped-def]
    """Return (HTML, CSS+JS, images as stored, images as uploaded, gzip of HTML+CSS) bytes."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    html = page.data
    text = html.decode()
    assets = b"".join(client.get(path).data for path in sorted(set(ASSET.findall(text))))
    stored = uploaded = 0
    for src in sorted(set(IMAGE.findall(text))):
        response = client.get(src)
        assert response.status_code == 200, (src, response.status_code)
        stored += len(response.data)
        name = unquote(src.split("/assets/", 1)[1])
        uploaded += (ROOT / "courses" / slug / "assets" / name).stat().st_size
    zipped = len(gzip.compress(html)) + len(gzip.compress(assets))
    return len(html), len(assets), stored, uploaded, zipped


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db"})
        app = create_app(config)
        with app.app_context():
            db.create_all()
            app.test_cli_runner().invoke(args=["demo"])
        client = app.test_client()
        learner = ACCOUNTS[0].nip

        def post(url: str, data: dict[str, str], page: str = "/") -> str:
            token = TOKEN.search(client.get(page).get_data(as_text=True))
            assert token
            response = client.post(url, data={"csrf_token": token.group(1), **data})
            return response.headers.get("Location", "")

        post("/login", {"login": learner, "password": DEMO_PASSWORD}, "/login")
        header = ("HTML", "CSS+JS", "images", "total", "gzip", "img up", "total up")
        print(f"{'page':<68}" + "".join(f"{h:>9}" for h in header))
        before_pages: list[int] = []
        after_pages: list[int] = []
        images_stored = images_uploaded = 0
        for slug in SLUGS:
            post(f"/courses/{slug}/enroll", {})
            with app.app_context():
                from elearn.models import Course

                course = db.session.scalar(db.select(Course).where(Course.slug == slug))
                items = course.published_version.items
                urls = [f"/learn/{slug}/{i.name}" for i in items if i.kind == "module"]
                quiz = next(f"/learn/{slug}/{i.name}" for i in items if i.kind == "quiz")
            attempt = post(f"{quiz}/attempts", {}, quiz)
            for url in [*urls, attempt]:
                html, css, stored, uploaded, zipped = weigh(client, url, slug)
                after, before = html + css + stored, html + css + uploaded
                if url != attempt:
                    before_pages.append(before)
                    after_pages.append(after)
                    images_stored += stored
                    images_uploaded += uploaded
                flag = "ok" if after <= LIMIT else "OVER"
                row = (html, css, stored, after, zipped, uploaded, before)
                print(f"{url:<68}" + "".join(f"{n:>9,}" for n in row) + f"  {flag}")
        for label, pages, images in (
            ("images as uploaded", before_pages, images_uploaded),
            ("images as stored", after_pages, images_stored),
        ):
            over = sum(weight > LIMIT for weight in pages)
            print(
                f"{label}: images {images:,} B, module pages {sum(pages):,} B, heaviest "
                f"{max(pages):,} B, {over} of {len(pages)} over {LIMIT:,} B"
            )


if __name__ == "__main__":
    main()
