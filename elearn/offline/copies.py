"""Which responses the service worker may keep for reading offline, and what to keep for a course.

The worker (elearn/static/js/sw.js) keeps a page only when the server marks it with
``Offline-Copy: keep``: the learner's own module pages and dashboard. Quizzes, forms with
answers and downloads are never marked, so a cached quiz form can never be served.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Request
from werkzeug.wrappers import Response

from elearn.learning.outline import Outline
from elearn.models import ItemKind

HEADER = "Offline-Copy"
KEEP = "keep"
IMAGE_SOURCE = re.compile(r'<img\s[^>]*?src="(/[^"/][^"]*)"')


def keep_offline(response: Response) -> Response:
    """Let the service worker keep this response (a private page of the signed-in learner)."""
    response.headers[HEADER] = KEEP
    return response


def is_prefetch(request: Request) -> bool:
    """True for the worker's "save for offline" fetches: they are not visits by the learner."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return purpose.startswith("prefetch")


@dataclass(frozen=True)
class OfflineCopy:
    """The URLs the worker fetches to keep a course readable offline."""

    pages: tuple[str, ...]
    files: tuple[str, ...]


def offline_copy(
    outline: Outline, module_url: Callable[[str], str], static_files: tuple[str, ...]
) -> OfflineCopy:
    """The course's module pages, the images they show and the site's own static files."""
    modules = [i for i in outline.items if i.kind == ItemKind.MODULE]
    images = dict.fromkeys(
        html.unescape(src) for i in modules for src in IMAGE_SOURCE.findall(i.html)
    )
    return OfflineCopy(
        pages=tuple(module_url(i.name) for i in modules),
        files=tuple(static_files) + tuple(images),
    )
