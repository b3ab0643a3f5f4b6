"""Friendly error pages (JSON under /api/): 4xx as raised, 503 when the database is away, else 500.

Every failure is logged as one line carrying the request id the client sees, so an
outage that fails every request does not bury the log in tracebacks. A genuine 500
gets its traceback once per distinct error (type and raising line) per process:
enough to fix it, not a copy per request.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import psycopg
from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from elearn.extensions import db
from elearn.main.request_id import current_request_id

RETRY_AFTER_SECONDS = 30
_SQLITE_BUSY = ("database is locked", "database is busy", "unable to open database")
_TRACED_LIMIT = 1000
_TRACED_KEY = "elearn.traced_errors"  # in app.extensions: errors whose traceback was logged
_traced_lock = threading.Lock()
_NO_CONTROL = {code: "?" for code in range(32)}
_OWN_PAGES = {403, 404, 429}  # errors/<code>.html; the rest share errors/generic.html
# What went wrong and what to do next, for the codes that share errors/generic.html.
# werkzeug's names ("Bad Request") are English whatever the page's language.
GENERIC_PAGES = {
    400: (
        _l("Permintaan tidak dapat diproses"),
        _l("Periksa isian Anda, lalu kirim lagi dari halaman sebelumnya."),
    ),
    405: (
        _l("Cara membuka halaman ini tidak didukung"),
        _l("Buka halaman ini dari tautan atau tombol di aplikasi, bukan dari alamat yang diketik."),
    ),
    409: (
        _l("Terjadi bentrokan perubahan"),
        _l("Halaman ini berubah sejak Anda membukanya. Muat ulang halaman dan coba lagi."),
    ),
    413: (
        _l("Berkas terlalu besar"),
        _l("Perkecil berkas (atau bagi menjadi beberapa berkas), lalu kirim lagi."),
    ),
    507: (
        _l("Ruang penyimpanan server penuh"),
        _l("Tidak ada yang disimpan. Coba lagi nanti atau hubungi admin."),
    ),
}
CSRF_PAGE = (
    _l("Formulir kedaluwarsa"),
    _l(
        "Formulir ini sudah terlalu lama terbuka atau dikirim dari halaman lama, "
        "jadi tidak diproses. Muat ulang halaman dan coba lagi."
    ),
)
DEFAULT_PAGE = (
    _l("Permintaan tidak dapat diproses"),
    _l("Kembali ke halaman sebelumnya dan coba lagi."),
)


def is_api_request() -> bool:
    """True when the client expects JSON: the API, or an explicit Accept."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database cannot be reached now, not a bug in a query."""
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError | sa_exc.InterfaceError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    original = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    if isinstance(original, sqlite3.OperationalError):
        # On SQLite most OperationalErrors are bugs ("no such table"); a lock is not.
        return any(text in str(original).lower() for text in _SQLITE_BUSY)
    return isinstance(
        original, psycopg.OperationalError | psycopg.InterfaceError | sa_exc.OperationalError
    )


def one_line(error: BaseException) -> str:
    """The error's message as one short line, without SQLAlchemy's SQL and links."""
    original = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    text = " ".join(str(original).split("\n", 1)[0].split())
    return text[:300]


def _log_failure(error: BaseException, status: int) -> None:
    logger = current_app.logger
    line = "%s %s %s -> %d %s: %s"
    args = (
        current_request_id(),
        request.method,
        request.path.translate(_NO_CONTROL)[:500],  # one line, whatever the URL held
        status,
        type(error).__name__,
        one_line(error),
    )
    if status == 503 or not _first_of_its_kind(error):
        logger.error(line, *args)
    else:
        logger.error(line, *args, exc_info=error)


def _first_of_its_kind(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = (frame.tb_frame.f_code.co_filename, frame.tb_lineno) if frame else ("", 0)
    key = (type(error).__qualname__, *where)
    traced: set[tuple[str, str, int]] = current_app.extensions[_TRACED_KEY]
    with _traced_lock:
        if key in traced or len(traced) >= _TRACED_LIMIT:
            return False
        traced.add(key)
        return True


def _forget_user_if_database_down(status: int) -> None:
    # The page header shows the signed-in user; loading them would hit the dead
    # database again from inside the error handler. The page works anonymously.
    if status == 503:
        g._login_user = AnonymousUserMixin()


def server_failure(error: Exception) -> Response:
    """Answer an unexpected exception: 503 + Retry-After if the database is away, else 500."""
    status = 503 if database_unavailable(error) else 500
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the pool replaces it
        db.session.remove()
    _log_failure(error, status)
    request_id = current_request_id()
    if is_api_request():
        message = "database unavailable" if status == 503 else "internal server error"
        response = jsonify(
            {"error": {"status": status, "message": message, "request_id": request_id}}
        )
        response.headers["Cache-Control"] = "no-store"
    else:
        _forget_user_if_database_down(status)
        response = _render_page(f"errors/{status}.html", request_id)
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _render_page(template: str, request_id: str) -> Response:
    try:
        return Response(render_template(template, request_id=request_id))
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        current_app.logger.error("%s error page %s failed to render", request_id, template)
        text = _("Terjadi kesalahan. Kode permintaan: %(id)s", id=request_id)
        return Response(text, content_type="text/plain; charset=utf-8")


def generic_page(code: int, message: str | None = None, *, csrf: bool = False) -> str:
    """The shared error page: a title and what to do next, in the active language."""
    title, advice = CSRF_PAGE if csrf else GENERIC_PAGES.get(code, DEFAULT_PAGE)
    return render_template(
        "errors/generic.html", code=code, title=title, advice=advice, message=message
    )


def register_error_handlers(app: Flask) -> None:
    """Answer HTTP errors with their page and everything else with 500/503."""
    app.extensions[_TRACED_KEY] = set()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        original = getattr(error, "original_exception", None)
        if isinstance(original, Exception):
            # Raised outside the view (an after_request hook) and wrapped by Flask as a 500:
            # answer it as server_failure would, so a database outage still gets the 503
            # page, which does not load the signed-in user from the dead database.
            return server_failure(original)
        code = error.code or 500
        # Our own aborts carry an Indonesian description; werkzeug's defaults and the
        # libraries' own subclasses (CSRF, rate limits) speak English, so they are not shown.
        ours = type(error).__module__ == "werkzeug.exceptions"
        message = (
            error.description if ours and error.description != type(error).description else None
        )
        if is_api_request():
            body = {
                "status": code,
                "message": error.description,
                "request_id": current_request_id(),
            }
            return {"error": body}, code
        if code in _OWN_PAGES:
            return render_template(f"errors/{code}.html", code=code, message=message), code
        return generic_page(code, message, csrf=isinstance(error, CSRFError)), code

    app.register_error_handler(Exception, server_failure)
