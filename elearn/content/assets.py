"""What a course's assets/ folder may hold, checked by content as well as by name."""

from __future__ import annotations

import warnings
from io import BytesIO

from PIL import Image

from elearn.content.limits import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from elearn.problem_text import Problem

ALLOWED_ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
MAX_ASSET_BYTES = 5 * 1024 * 1024
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})

# A file named .png that is really HTML or SVG could run script when opened
# directly, so the first bytes must match the extension.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".pdf": (b"%PDF-",),
}


def asset_type_problem(suffix: str, data: bytes) -> str | None:
    """Return why ``data`` is not a genuine file of type ``suffix``, or None."""
    if suffix == ".webp":
        genuine = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    else:
        genuine = data.startswith(_SIGNATURES[suffix])
    if genuine:
        return None
    return Problem("isi berkas tidak sesuai dengan ekstensi %(suffix)s", suffix=suffix)


def image_size_problem(suffix: str, data: bytes) -> str | None:
    """Return why the image in ``data`` is too large once decoded, or None.

    Only the header is read: a small file can claim a size that would take
    gigabytes to decode, and that claim is what is judged here.
    """
    if suffix not in _IMAGE_SUFFIXES:
        return None
    limit = Problem(
        "paling besar %(side)d piksel per sisi dan %(mp)d megapiksel",
        side=MAX_IMAGE_SIDE,
        mp=MAX_IMAGE_PIXELS // 10**6,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Problem(
            "gambar terlalu besar; %(limit)s", limit=limit
        )  # Pillow's own limit is far above ours
    except (OSError, ValueError, SyntaxError):  # Pillow's ways of saying "not an image"
        return Problem("gambar rusak atau tidak dapat dibaca")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        return Problem(
            "gambar terlalu besar (%(width)d×%(height)d piksel); %(limit)s",
            width=width,
            height=height,
            limit=limit,
        )
    return None
