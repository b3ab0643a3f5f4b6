"""Re-encode course images at publish: capped width, no metadata, never a larger file.

Authors upload screenshots and diagrams straight from their tools; on a phone
with a weak connection a 26 KB diagram is half a module page. The format (and
so the URL) stays the author's: PNG stays PNG, JPEG stays JPEG. GIF and WebP
(possibly animated) are stored as uploaded. Runs in the render process
(``elearn.content.sandbox``), under its CPU and memory limits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps
from PIL.ExifTags import Base

from elearn.content.image_metadata import without_metadata

MAX_WIDTH = 1200  # px: wider than the module column (~850 CSS px), sharp enough on a phone
JPEG_QUALITY = 82
# A palette is used only when it keeps the picture: mean error per channel at
# most MAX_PALETTE_ERROR (of 255) and at most MAX_PALETTE_OUTLIERS of the
# channel values off by more than OUTLIER_LEVELS. Diagrams and screenshots pass
# with a few dozen colours; photographs and smooth gradients fail and stay true colour.
MAX_PALETTE_ERROR = 0.5
MAX_PALETTE_OUTLIERS = 0.01
OUTLIER_LEVELS = 16
PALETTE_SIZES = (12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256)
# Quantising costs time in proportion to the distinct colours. A diagram, even resampled,
# has some tens of thousands (anti-aliased edges); a photograph hundreds of thousands and
# no faithful palette, so past this many it is not tried.
MAX_PALETTE_SOURCE_COLOURS = 40_000
_REENCODED = frozenset({".png", ".jpg", ".jpeg"})
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


@dataclass(frozen=True)
class StoredImage:
    """An image as it is stored and served, with its size in pixels."""

    data: bytes
    width: int
    height: int


def store_image(suffix: str, data: bytes) -> StoredImage:
    """Return ``data`` re-encoded for the web, or as uploaded (less its metadata) if smaller.

    ``data`` has passed the asset checks (genuine file, pixel limits).
    """
    with Image.open(io.BytesIO(data)) as image:
        turned = _turned(image)
        width, height = (image.height, image.width) if turned else image.size
        # The EXIF of a turned picture says how to show it: then it stays.
        original = StoredImage(data if turned else without_metadata(suffix, data), width, height)
        if suffix not in _REENCODED or getattr(image, "is_animated", False):
            return original
        if suffix == ".png":
            candidates = _png_candidates(ImageOps.exif_transpose(image) if turned else image)
        else:
            candidates = [_jpeg(image, turned)]
    # On a tie min() takes the first: a re-encoding, which has shed every piece of metadata.
    return min([*candidates, original], key=lambda stored: len(stored.data))


def shown_size(data: bytes) -> tuple[int, int]:
    """The size ``store_image`` would give ``data``, read from its header (no decoding).

    For previews, which show the uploaded image and need only its dimensions.
    """
    with Image.open(io.BytesIO(data)) as image:
        width, height = (image.height, image.width) if _turned(image) else image.size
    if width <= MAX_WIDTH:
        return width, height
    return MAX_WIDTH, max(1, round(height * MAX_WIDTH / width))


def _turned(image: Image.Image) -> bool:
    """Tell whether browsers show ``image`` turned a quarter (its EXIF orientation is 5–8)."""
    return image.getexif().get(Base.Orientation, 1) in (5, 6, 7, 8)


def _capped(image: Image.Image) -> Image.Image:
    width, height = image.size
    if width <= MAX_WIDTH:
        return image
    size = (MAX_WIDTH, max(1, round(height * MAX_WIDTH / width)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _jpeg(image: Image.Image, turned: bool) -> StoredImage:
    # Decode a large photo at a fraction of its size (libjpeg's DCT scaling) while that
    # still leaves the capped width; the resize below does the rest.
    width, height = (image.height, image.width) if turned else image.size
    wanted = (min(width, MAX_WIDTH), max(1, height * min(width, MAX_WIDTH) // width))
    image.draft(image.mode, wanted[::-1] if turned else wanted)
    # Metadata goes, so the orientation it held is applied to the pixels first.
    upright = ImageOps.exif_transpose(image)
    options: dict[str, object] = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    if upright.mode in ("RGB", "L"):
        # The colour profile is not metadata: without it a wide-gamut photo looks washed out.
        if icc := image.info.get("icc_profile"):
            options["icc_profile"] = icc
    else:
        upright = upright.convert("RGB")  # CMYK: the profile no longer applies
    picture = _bare(_capped(upright))
    output = io.BytesIO()
    picture.save(output, "JPEG", **options)
    return StoredImage(output.getvalue(), *picture.size)


def _png_candidates(image: Image.Image) -> list[StoredImage]:
    if image.mode not in _PNG_MODES:
        return []  # 16-bit and float pictures are kept as uploaded, not flattened
    image.load()
    icc = image.info.get("icc_profile")
    if image.mode in ("P", "1") or image.width > MAX_WIDTH:
        # Resampling needs true colour; a palette is rebuilt below when it is faithful.
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        full = image.convert("RGBA" if has_alpha else "RGB")
    else:
        full = image
    full = _capped(full)
    # zlib's best level costs four times the default on a large true-colour picture for
    # well under 1 % smaller files; on palette pictures (a byte per pixel) it is cheap.
    candidates = [_png(full, icc, optimize=full.mode == "P")]
    if image.width <= MAX_WIDTH and image.mode == "P":
        candidates.append(_png(image, icc))  # the author's palette, only re-compressed
    if (palette := _faithful_palette(full)) is not None:
        candidates.append(_png(palette, icc))
    return candidates


def _png(image: Image.Image, icc: bytes | None, *, optimize: bool = True) -> StoredImage:
    output = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    _bare(image).save(output, "PNG", optimize=optimize, **options)
    return StoredImage(output.getvalue(), *image.size)


def _bare(image: Image.Image) -> Image.Image:
    """A copy of ``image`` without what Pillow would write back (EXIF, comments, text)."""
    copy = image.copy()
    # Pillow saves a JPEG's EXIF and comment, and a PNG's transparency, from ``info``;
    # transparency is part of the picture and stays.
    copy.info = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    return copy


def _faithful_palette(image: Image.Image) -> Image.Image | None:
    """Return the fewest-colour palette version of ``image`` that stays faithful, or None."""
    if image.mode not in ("RGB", "RGBA", "L", "LA") or "transparency" in image.info:
        return None  # a colour-key transparency would be lost in the new palette
    truth = image.convert("RGBA" if image.mode in ("RGBA", "LA") else "RGB")
    if truth.getcolors(MAX_PALETTE_SOURCE_COLOURS) is None:
        return None

    def quantized(colours: int) -> Image.Image | None:
        # Maximum coverage with one k-means pass gave the smallest faithful files on the
        # sample diagrams; it handles no alpha channel, fast octree does.
        method = Image.Quantize.FASTOCTREE if truth.mode == "RGBA" else Image.Quantize.MAXCOVERAGE
        palette = truth.quantize(colours, method=method, kmeans=1, dither=Image.Dither.NONE)
        return palette if _faithful(truth, palette.convert(truth.mode)) else None

    # A picture that fails with the most colours fails with fewer: one try, then no search.
    best = quantized(PALETTE_SIZES[-1])
    low, high = 0, len(PALETTE_SIZES) - 2
    # Fewer colours, larger error: search for the fewest that still pass.
    while best is not None and low <= high:
        middle = (low + high) // 2
        if (palette := quantized(PALETTE_SIZES[middle])) is not None:
            best, high = palette, middle - 1
        else:
            low = middle + 1
    return best


def _faithful(truth: Image.Image, copy: Image.Image) -> bool:
    histogram = ImageChops.difference(truth, copy).histogram()
    values = len(histogram) // 256 * truth.width * truth.height
    levels = [sum(histogram[level::256]) for level in range(256)]
    total_error = sum(level * count for level, count in enumerate(levels))
    outliers = sum(levels[OUTLIER_LEVELS + 1 :])
    return total_error <= MAX_PALETTE_ERROR * values and outliers <= MAX_PALETTE_OUTLIERS * values
