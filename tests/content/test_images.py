"""Course images are re-encoded at publish: width capped, metadata gone, never larger."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageDraw
from PIL.ExifTags import Base
from PIL.PngImagePlugin import PngInfo

from elearn.content.image_metadata import without_metadata
from elearn.content.images import MAX_WIDTH, store_image
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.content.render import render_markdown
from elearn.content.sanitize import sanitize_html
from elearn.extensions import db
from tests.content.course_fixtures import PNG, write_course

ASSET_BASE = "/courses/dasar-proyek/v/0123456789ab/assets"


def diagram(width: int, height: int) -> Image.Image:
    """A flat-colour drawing with a few shapes, like an author's diagram."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for index, colour in enumerate(("#1f77b4", "#2ca02c", "#ff7f0e", "#222222")):
        left = index * width // 4
        draw.rectangle((left + 10, 20, left + width // 5, height - 20), fill=colour)
    return image


def photo(width: int, height: int) -> Image.Image:
    """Smooth gradients and noise in every channel, like a photograph."""
    channels = [
        Image.linear_gradient("L").resize((width, height)),
        Image.radial_gradient("L").resize((width, height)),
        Image.effect_noise((width, height), 40),
    ]
    return Image.merge("RGB", channels)


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, kind, **options)
    return output.getvalue()


def exif(**tags: object) -> Image.Exif:
    data = Image.Exif()
    data[Base.Make] = "Kamera Dinas"
    data[Base.Artist] = "Budi Santoso"
    for name, value in tags.items():
        data[Base[name]] = value
    return data


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_large_png_is_capped_with_its_aspect_and_loses_its_metadata() -> None:
    info = PngInfo()
    info.add_text("Author", "Budi Santoso")
    info.add_text("Comment", "dibuat di laptop kantor")
    original = encoded(diagram(3000, 1750), "PNG", pnginfo=info, exif=exif())

    stored = store_image(".png", original)

    image = opened(stored.data)
    assert image.format == "PNG"
    assert image.size == (stored.width, stored.height) == (MAX_WIDTH, 700)
    assert "Author" not in image.info and "Comment" not in image.info
    assert not image.getexif()
    assert len(stored.data) < len(original)


def test_a_large_jpeg_is_capped_and_loses_its_metadata() -> None:
    original = encoded(photo(3000, 2000), "JPEG", quality=95, exif=exif(), comment=b"rahasia")

    stored = store_image(".jpg", original)

    image = opened(stored.data)
    assert image.format == "JPEG"
    assert image.size == (stored.width, stored.height) == (MAX_WIDTH, 800)
    assert not image.getexif() and "comment" not in image.info
    assert len(stored.data) < len(original)


def test_a_turned_photo_is_stored_upright() -> None:
    picture = Image.new("RGB", (1000, 500), "white")
    picture.paste((255, 0, 0), (0, 0, 100, 100))  # red in the top-left corner as stored
    # Orientation 6: shown turned a quarter clockwise, so the red corner is top-right.
    original = encoded(picture, "JPEG", quality=95, exif=exif(Orientation=6))

    stored = store_image(".jpeg", original)

    image = opened(stored.data).convert("RGB")
    assert (stored.width, stored.height) == image.size == (500, 1000)
    assert not image.getexif()
    red, _green, blue = image.getpixel((450, 50))  # type: ignore[misc]
    assert red > 200 and blue < 60


def test_a_small_image_is_never_grown() -> None:
    # Already small: re-encoding at a better quality would make it larger.
    rough = encoded(photo(300, 200), "JPEG", quality=20)
    assert store_image(".jpg", rough).data == rough
    stored = store_image(".png", PNG)
    assert len(stored.data) <= len(PNG)
    assert (stored.width, stored.height) == (2, 2)


def test_an_image_kept_as_uploaded_still_loses_its_metadata() -> None:
    rough = encoded(photo(300, 200), "JPEG", quality=20, exif=exif(), comment=b"rahasia")

    stored = store_image(".jpg", rough)

    image = opened(stored.data)
    assert not image.getexif() and "comment" not in image.info
    assert len(stored.data) < len(rough)
    assert image.tobytes() == opened(rough).tobytes()  # the same picture, not re-encoded


def test_png_metadata_is_cut_out_and_a_damaged_file_is_left_alone() -> None:
    info = PngInfo()
    info.add_text("Author", "Budi Santoso")
    info.add_itxt("Lokasi", "Kantor BKPSDM", zip=True)
    original = encoded(diagram(200, 100).convert("P"), "PNG", pnginfo=info, exif=exif())

    stripped = without_metadata(".png", original)

    image = opened(stripped)
    assert "Author" not in image.info and "Lokasi" not in image.info and not image.getexif()
    assert image.tobytes() == opened(original).tobytes()
    damaged = original[:40] + b"x" + original[41:]
    assert without_metadata(".png", damaged) == damaged
    assert without_metadata(".jpg", b"\xff\xd8\xff\xe1\xff") == b"\xff\xd8\xff\xe1\xff"


def test_a_diagram_gets_an_exact_palette_and_a_photo_keeps_true_colour() -> None:
    drawing = diagram(800, 600)
    stored = store_image(".png", encoded(drawing, "PNG"))
    image = opened(stored.data)
    assert image.mode == "P"
    assert image.convert("RGB").tobytes() == drawing.tobytes()

    picture = photo(400, 300)
    original = encoded(picture, "PNG")
    stored = store_image(".png", original)
    assert opened(stored.data).mode == "RGB"
    assert opened(stored.data).tobytes() == picture.tobytes()
    assert len(stored.data) <= len(original)


def test_gif_and_webp_are_stored_as_uploaded_with_their_size() -> None:
    for suffix, kind in ((".gif", "GIF"), (".webp", "WEBP")):
        original = encoded(diagram(1600, 400), kind)
        stored = store_image(suffix, original)
        assert stored.data == original and (stored.width, stored.height) == (1600, 400)


def test_published_module_images_declare_the_stored_size(app, tmp_path: Path) -> None:
    module = """---
title: Siklus Proyek
---
![Diagram besar](assets/diagram.png)

<img src="assets/diagram.png" alt="Lagi" width="99999" height="1" loading="eager">
"""
    big = encoded(diagram(2400, 1200), "PNG")
    folder = write_course(tmp_path, **{"01-siklus.md": module, "assets/diagram.png": big})

    version = store_version(parse_course(folder), unit=None, actor=None, publish=True).version
    db.session.commit()

    (asset,) = version.assets
    image = opened(asset.data)
    assert image.size == (MAX_WIDTH, 600) and len(asset.data) < len(big)
    tags = re.findall(r"<img [^>]*>", version.items[0].html)
    assert len(tags) == 2
    for tag in tags:
        assert f'src="/courses/dasar-proyek/v/{version.short_hash}/assets/diagram.png"' in tag
        assert 'width="1200" height="600" loading="lazy" decoding="async"' in tag
        assert "99999" not in tag and 'height="1"' not in tag and "eager" not in tag


def test_hostile_image_attributes_do_not_pass_the_sanitiser() -> None:
    source = """![Diagram](assets/diagram.png)

<img src="assets/diagram.png" width="1 onerror=alert(1)" height="-5" loading="x" onerror="y">

<img src="https://contoh.go.id/a.png" width="100%;background:url(x)" height="5e3" alt="luar">
<img src="assets/lain.png" width="300px" height="9999999" decoding="sync">
"""
    sizes = {"diagram.png": (640, 480)}
    html = render_markdown(source, asset_base=ASSET_BASE, image_sizes=sizes).html

    stored = 'width="640" height="480" loading="lazy" decoding="async"'
    assert html.count(stored) == 2
    assert "onerror" not in html and "alert" not in html and "background" not in html
    assert '<img src="https://contoh.go.id/a.png" alt="luar">' in html
    assert f'<img src="{ASSET_BASE}/lain.png">' in html  # no stored size known: nothing declared
    assert sanitize_html(html) == html  # what is stored is a fixed point
