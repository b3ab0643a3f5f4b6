"""How responses travel: compressed, and static files named by their content.

nginx may gzip in front of the app, but the app does not rely on it: ``make run``
and a bare gunicorn serve compressed pages too (Flask-Compress skips responses a
proxy or the view already encoded).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Request, has_request_context, request, url_for
from flask.wrappers import Response as FlaskResponse
from flask_compress import Compress
from werkzeug.wrappers import Response

# What can turn a response into a 304 or 412 (``Response.make_conditional``; a Range is
# only honoured with ``accept_ranges``, which Flask-Compress does not pass).
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")


class ConditionalCompress(Compress):
    """Flask-Compress, answering If-None-Match and friends only for requests that send one.

    Flask-Compress runs ``make_conditional`` on every GET it compresses: ~25 us a
    response (a Date header, ETag and date parsing) that changes nothing without a
    condition but that Date header, which gunicorn sends anyway (so pages went out with
    two, and RFC 9110 allows one).
    """

    def after_request(self, response: FlaskResponse | None) -> FlaskResponse:
        encoded = response is not None and "Content-Encoding" in response.headers
        response = super().after_request(response)
        # Flask-Compress set the encoding: it reached the end, where it would have checked.
        compressed = not encoded and "Content-Encoding" in response.headers
        if compressed and _is_conditional(request) and not response.is_streamed:
            response.make_conditional(request)
        return response


def _is_conditional(request: Request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    return any(condition in request.environ for condition in CONDITIONS)


compress = ConditionalCompress()

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "application/json",
    "application/javascript",
    "text/javascript",  # what Flask now names .js files, and /sw.js
    "image/svg+xml",
]
IMMUTABLE = "public, max-age=31536000, immutable"


def init_delivery(app: Flask) -> None:
    """Compress text responses; serve fingerprinted static URLs as immutable."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # gzip level 3: a third less CPU than 6 on a 14 KB module page for 7 % more bytes;
    # brotli (what browsers take) quality 1: a third of quality 4's CPU on that page
    # (0.08 instead of 0.29 ms, about 7 % of the page's time) for 14 % more bytes, still
    # within 7 % of gzip's (docs/performance.md, tenth round).
    app.config.setdefault("COMPRESS_LEVEL", 3)
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    # Streamed exports keep streaming; they are compressed by nobody here.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config["COMPRESS_EVALUATE_CONDITIONAL_REQUEST"] = False  # ConditionalCompress does
    compress.init_app(app)
    static_folder = Path(app.static_folder or "")

    @cache
    def fingerprint(filename: str) -> str:
        return hashlib.sha256((static_folder / filename).read_bytes()).hexdigest()[:12]

    # A relative URL depends only on the app's mount point: every page links the same three
    # files, and url_for (with the query string) cost ~3 % of a cheap page.
    urls: dict[tuple[str, str], str] = {}

    def static_url(filename: str) -> str:
        """The URL of a static file with its content hash, cacheable for a year."""
        if not has_request_context():
            return url_for("static", filename=filename, v=fingerprint(filename))
        key = (request.script_root, filename)
        url = urls.get(key)
        if url is None:
            url = url_for("static", filename=filename, v=fingerprint(filename))
            if len(urls) < 1024:  # a bounded cache, whatever a template asks for
                urls[key] = url
        return url

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def _cache_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args["v"] == fingerprint(filename):
                response.headers["Cache-Control"] = IMMUTABLE
            # Flask-Compress leaves files sent as they are; our few static files
            # are small text worth compressing (it runs after this hook).
            if response.direct_passthrough:
                response.direct_passthrough = False
                body = response.get_data()
                response.close()  # the file it was read from
                response.set_data(body)
        return response


# The marks Flask-Compress can put on a tag: every algorithm it knows, whichever are
# configured (a browser only sends back what it was given, and the page under the tag is
# the same whatever its encoding).
ENCODED_TAG_SUFFIXES = ("", ":br", ":gzip", ":deflate", ":zstd")


def revalidated_tag(etag: str) -> str | None:
    """The request's If-None-Match tag naming ``etag``, as sent or as Flask-Compress marked it.

    Flask-Compress hands out ``"<etag>:br"`` or ``"<etag>:gzip"`` with a compressed page, and
    a browser revalidates with that: a view that compared only ``etag`` rendered the page for
    Flask-Compress to answer 304 after compressing it.
    """
    tags = request.if_none_match
    if not tags:
        return None
    for suffix in ENCODED_TAG_SUFFIXES:
        if tags.contains(etag + suffix):
            return etag + suffix
    return None
