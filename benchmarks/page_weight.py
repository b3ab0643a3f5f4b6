"""Measure what a learner downloads for a module page and a quiz page (HTML + CSS + JS).

Target: under 50 KB together, uncompressed, for readers on a phone and a weak
connection. Run: .venv/bin/python benchmarks/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.demo.cli import ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from elearn.extensions import db  # noqa: E402

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def weigh(client, url: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Return (HTML bytes, CSS+JS bytes, gzip total) for ``url``."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    html = page.data
    assets = b"".join(client.get(path).data for path in sorted(set(ASSET.findall(html.decode()))))
    return len(html), len(assets), len(gzip.compress(html)) + len(gzip.compress(assets))


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
        print(f"{'page':<58} {'HTML':>8} {'CSS+JS':>8} {'total':>8} {'gzip':>7}")
        for slug in ("manajemen-proyek", "kepemimpinan", "administrasi-digital"):
            post(f"/courses/{slug}/enroll", {})
            with app.app_context():
                from elearn.models import Course

                course = db.session.scalar(db.select(Course).where(Course.slug == slug))
                items = course.published_version.items
                module = max((i for i in items if i.kind == "module"), key=lambda i: len(i.html))
                quiz = next(i for i in items if i.kind == "quiz")
                urls = [f"/learn/{slug}/{module.name}", f"/learn/{slug}/{quiz.name}"]
            attempt = post(f"{urls[1]}/attempts", {}, urls[1])
            for url in (urls[0], attempt):
                html, assets, zipped = weigh(client, url)
                total = html + assets
                flag = "ok" if total < 50_000 else "OVER"
                print(f"{url:<58} {html:>8} {assets:>8} {total:>8} {zipped:>7} {flag}")


if __name__ == "__main__":
    main()
