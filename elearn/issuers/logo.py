"""An issuer's logo: an uploaded PNG or JPEG, checked and re-encoded as a small PNG.

Only the re-encoded pixels are kept, never the uploaded bytes: no metadata, no script, no
second file hidden after the image. The size limits are checked from the header before
any pixel is decoded, so a decompression bomb is refused without being unpacked.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 1_000_000
MAX_SOURCE_PIXELS = 4000 * 4000
MAX_SIDE = 512  # px: a logo on a page and in a wallet; larger is cut down
FORMATS = frozenset({"PNG", "JPEG"})


class LogoRefused(ValueError):
    """An upload that is not a usable logo; ``reason`` says why: empty, too_large, format,
    too_many_pixels or unreadable (the page words it in the reader's language)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def checked_logo(data: bytes) -> tuple[bytes, str]:
    """The logo as stored (PNG bytes) and its SHA-256; LogoRefused for anything else."""
    if not data:
        raise LogoRefused("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise LogoRefused("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise LogoRefused("format")
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise LogoRefused("too_many_pixels")
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                mode = (
                    "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
                )
                out = io.BytesIO()
                upright.convert(mode).save(out, format="PNG", optimize=True)
    except LogoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Warning):
        raise LogoRefused("unreadable") from None
    png = out.getvalue()
    return png, hashlib.sha256(png).hexdigest()
