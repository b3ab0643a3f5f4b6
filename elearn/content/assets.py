"""What a course's assets/ folder may hold, checked by content as well as by name."""

from __future__ import annotations

ALLOWED_ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
MAX_ASSET_BYTES = 5 * 1024 * 1024

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
    return f"isi berkas tidak sesuai dengan ekstensi {suffix}"
