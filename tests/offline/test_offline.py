"""Reading offline: the manifest, the service worker's script, what it may keep, and sign-out."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from PIL import Image
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Enrollment, ItemProgress
from elearn.offline.views import WORKER
from elearn.security import CONTENT_SECURITY_POLICY
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions
from tests.learning.helpers import Learner, publish_course, sign_in

MODULE = "/learn/dasar-proyek/siklus"
QUIZ = "/learn/dasar-proyek/kuis-siklus"
LIST = "/offline/courses/dasar-proyek"


def studying(app: Flask, tmp_path: Path) -> Learner:
    """A learner enrolled in the test course (a module with an image, two quizzes)."""
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    return learner


def test_the_manifest_names_the_app_and_its_own_icons(app: Flask, client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "eLearn ASN" and manifest["lang"] == "id"
    assert manifest["start_url"] == "/me" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        assert re.fullmatch(r"/static/[\w/.-]+\?v=[0-9a-f]{12}", icon["src"]), icon
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == icon["type"]
        if icon["type"] == "image/png":
            with Image.open(io.BytesIO(image.data)) as png:
                assert icon["sizes"] == "{}x{}".format(*png.size)
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(i.get("purpose") == "maskable" for i in manifest["icons"])


def test_every_page_links_the_manifest_and_the_page_script(app: Flask, client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert re.search(r'<script src="/static/js/offline\.js\?v=[0-9a-f]{12}" defer>', page)
    # Signed out: no user for the script, so it registers no worker and keeps nothing.
    assert "data-user=" not in page


def test_the_worker_script_has_a_stable_url_and_is_revalidated(app: Flask, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    # Its URL never changes, so it must not be cached for a year like fingerprinted files.
    assert response.headers["Cache-Control"] == "no-cache"
    assert "immutable" not in response.headers["Cache-Control"]
    assert len(response.data) <= 8 * 1024
    assert response.data == (Path(app.static_folder or "") / WORKER).read_bytes()
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    compressed = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert len(compressed.data) < 3 * 1024  # what a phone downloads
    # At the root its scope is the whole site: no Service-Worker-Allowed needed. The CSP's
    # default-src 'self' covers worker-src and manifest-src, so the CSP stays as it was.
    assert "Service-Worker-Allowed" not in response.headers
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "worker-src" not in CONTENT_SECURITY_POLICY
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_fallback_page_and_the_words_of_the_page_script(app: Flask, client):
    page = client.get("/offline").get_data(as_text=True)
    assert "Halaman ini belum tersimpan untuk dibaca offline" in page
    assert "Kuis memerlukan koneksi internet." in page
    indonesian = client.get("/offline/messages?lang=id").get_json()
    english = client.get("/offline/messages?lang=en").get_json()
    assert indonesian["banner"] == "Anda sedang offline — menampilkan salinan tersimpan"
    assert english["banner"] == "You are offline — showing a saved copy"
    assert indonesian.keys() == english.keys() and all(english.values())
    assert client.get("/offline/messages?lang=xx").get_json() == indonesian


def test_only_the_learners_module_pages_are_marked_for_keeping(app: Flask, tmp_path: Path):
    learner = studying(app, tmp_path)
    module = learner.client.get(MODULE)
    assert module.headers["Offline-Copy"] == "keep"
    assert module.headers["Cache-Control"] == "private, no-cache"
    assert learner.client.get("/me").headers["Offline-Copy"] == "keep"
    quiz = learner.client.get(QUIZ)
    assert "Offline-Copy" not in quiz.headers
    assert quiz.headers["Cache-Control"] == "private, no-store"
    assert "Kuis memerlukan koneksi internet." in quiz.get_data(as_text=True)
    for url in ("/me/records", "/courses/", "/offline/token", LIST):
        assert "Offline-Copy" not in learner.client.get(url).headers, url


def test_certificate_downloads_are_not_kept(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    pdf = learner.client.get(f"/certificates/{certificate.code}/pdf")
    assert pdf.status_code == 200 and "Offline-Copy" not in pdf.headers


def test_the_list_names_the_learners_module_pages_and_their_files(app: Flask, tmp_path: Path):
    learner = studying(app, tmp_path)
    response = learner.client.get(LIST)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    listed = response.get_json()
    assert listed["pages"] == [MODULE]  # the quizzes stay online
    assert listed["saved"] == "1 modul kursus ini tersimpan untuk dibaca offline."
    files = listed["files"]
    assert any(re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", f) for f in files)
    assert any(re.fullmatch(r"/static/js/offline\.js\?v=[0-9a-f]{12}", f) for f in files)
    images = [f for f in files if "/assets/" in f]
    assert images and all(learner.client.get(f).status_code == 200 for f in images)


def test_the_list_is_the_learners_own(app: Flask, tmp_path: Path):
    studying(app, tmp_path)
    other = sign_in(app, name="Lain")  # not enrolled in the course
    assert other.client.get(LIST).status_code == 404
    assert other.client.get("/offline/courses/tidak-ada").status_code == 404
    anonymous = app.test_client()
    response = anonymous.get(LIST)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_saving_a_course_is_not_a_visit(app: Flask, tmp_path: Path):
    learner = studying(app, tmp_path)
    learner.client.get("/me")
    response = learner.client.get(MODULE, headers={"Purpose": "prefetch"})
    assert response.status_code == 200 and response.headers["Offline-Copy"] == "keep"
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment is not None and enrollment.last_item_id is None
    assert db.session.scalars(select(ItemProgress)).all() == []
    learner.client.get(MODULE)  # a real visit
    db.session.expire_all()
    assert enrollment.last_item_id is not None


def test_a_fresh_token_lets_a_queued_completion_through(app: Flask, tmp_path: Path):
    learner = studying(app, tmp_path)
    json = {"Accept": "application/json"}
    stale = learner.client.post(f"{MODULE}/complete", data={"csrf_token": "stale"}, headers=json)
    assert stale.status_code == 400
    token = learner.client.get("/offline/token")
    assert token.headers["Cache-Control"] == "private, no-store"
    fresh = token.get_json()["csrf_token"]
    sent = learner.client.post(f"{MODULE}/complete", data={"csrf_token": fresh}, headers=json)
    assert sent.status_code == 200
    assert sent.get_json() == {"completed": True, "course_complete": False, "next": MODULE}
    anonymous = app.test_client().get("/offline/token")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_signing_out_clears_what_the_browser_kept(app: Flask, tmp_path: Path):
    learner = studying(app, tmp_path)
    response = AuthActions(learner.client).logout()
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
