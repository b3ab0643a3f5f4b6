"""Reading offline: the web app manifest, the service worker, its fallback page and lists.

Progressive enhancement only: every page works without these (see docs/course-format.md,
"Membaca offline").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from functools import cache
from pathlib import Path
from typing import cast

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from elearn.learning.visits import study_page
from elearn.offline.copies import offline_copy
from elearn.settings import current_settings

bp = Blueprint("offline", __name__)

WORKER = "js/sw.js"
# The files every saved page needs; a module's images are added per course.
PAGE_FILES = ("css/app.css", "js/offline.js", "favicon.svg")


@cache
def _worker_source(static_folder: str) -> bytes:
    return (Path(static_folder) / WORKER).read_bytes()


def _static_url() -> Callable[[str], str]:
    """The fingerprinted URL of a static file (elearn/delivery.py)."""
    return cast(Callable[[str], str], current_app.jinja_env.globals["static_url"])


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: installable, opens on the learner's dashboard."""
    static_url = _static_url()
    icons = [
        {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static_url("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static_url("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    response = jsonify(
        {
            "id": url_for("learning.dashboard"),
            "name": "eLearn ASN",
            "short_name": "eLearn ASN",
            "description": _("Pengembangan kompetensi ASN, kapan saja dan di mana saja."),
            "lang": str(get_locale()),
            "dir": "ltr",
            "start_url": url_for("learning.dashboard"),
            "scope": url_for("main.home"),
            "display": "standalone",
            "background_color": "#f6f8fa",
            "theme_color": "#0b5c8e",
            "icons": icons,
        }
    )
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, at the root so its scope is the whole site.

    Its URL never changes (a fingerprinted URL would register a new worker each
    release), so it is revalidated on every check rather than cached for a year.
    """
    body = _worker_source(current_app.static_folder or "")
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(hashlib.sha256(body).hexdigest()[:16])
    return response.make_conditional(request)


@bp.route("/offline")
def fallback() -> str:
    """What the worker shows for a page that was not saved, while offline."""
    return render_template("offline/offline.html")


@bp.route("/offline/courses/<slug>")
@login_required
def course_pages(slug: str) -> Response:
    """The URLs to keep for reading the learner's own course offline; others' are a 404."""
    page = study_page(current_user.id, slug)
    if page is None:
        abort(404)
    static_url = _static_url()
    copy = offline_copy(
        page.outline,
        lambda name: url_for("learning.item", slug=slug, name=name),
        tuple(static_url(f) for f in PAGE_FILES),
    )
    saved = _("%(n)d modul kursus ini tersimpan untuk dibaca offline.", n=len(copy.pages))
    response = jsonify(
        {
            "pages": list(copy.pages),
            "files": list(copy.files),
            "saved": saved,
            "partial": _("Sebagian modul belum tersimpan. Periksa koneksi lalu coba lagi."),
        }
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/offline/token")
@login_required
def csrf_token() -> Response:
    """A fresh CSRF token, for completions queued offline whose token has gone stale."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/offline/messages")
def messages() -> Response:
    """The words of offline.js in the page's language (``?lang=``); the worker keeps a copy.

    Served apart from the pages so that they do not weigh on every page (module pages are
    held to 50 KB, tests/learning/test_page_weight.py).
    """
    lang = request.args.get("lang", "")
    with force_locale(lang) if lang in current_settings().languages else nullcontext():
        response = _messages()
    response.headers["Cache-Control"] = "no-cache"
    return response


def _messages() -> Response:
    return jsonify(
        {
            "banner": _("Anda sedang offline — menampilkan salinan tersimpan"),
            "save": _("Simpan untuk dibaca offline"),
            "saving": _("Menyimpan…"),
            "queued": _("Anda offline: tanda selesai disimpan dan dikirim saat kembali online."),
            "sent": _("Tanda selesai terkirim:"),
            "gone": _("Tanda selesai tidak dapat dikirim karena Anda tidak lagi terdaftar:"),
            "sign_in": _("Masuk kembali untuk mengirim tanda selesai yang tertunda."),
            "failed": _("Tanda selesai belum terkirim; akan dicoba lagi nanti."),
            "course_done": _("Kursus selesai — lihat sertifikat"),
            # {count}: filled in by offline.js.
            "unsent_on_logout": _(
                "{count} tanda selesai belum terkirim dan akan hilang bila Anda keluar "
                "sekarang. Tetap keluar?"
            ),
        }
    )
