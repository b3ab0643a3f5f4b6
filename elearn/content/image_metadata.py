"""Drop the metadata of a JPEG or PNG without touching its pixels.

When re-encoding would make an image larger, the uploaded bytes are stored,
but not its EXIF (camera, GPS position, author), comments or text: those
segments and chunks are cut out of the file as it is.
"""

from __future__ import annotations

import struct
import zlib

# JPEG: APP1 (EXIF, XMP), APP3–APP13 (IPTC, vendor notes), APP15 and comments go;
# APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe: how to read the colours) stay.
_JPEG_DROPPED = frozenset({0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE})
_JPEG_START_OF_SCAN = 0xDA
# PNG: text, EXIF and modification time; colour, transparency and animation chunks stay.
_PNG_DROPPED = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def without_metadata(suffix: str, data: bytes) -> bytes:
    """Return ``data`` without its metadata; unchanged if it is not a well-formed JPEG or PNG."""
    try:
        if suffix == ".png":
            return _png(data)
        if suffix in (".jpg", ".jpeg"):
            return _jpeg(data)
    except (ValueError, IndexError, struct.error):
        pass
    return data


def _jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    kept = [data[:2]]
    at = 2
    while True:
        if data[at] != 0xFF:
            raise ValueError("segment expected")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == _JPEG_START_OF_SCAN:
            kept.append(data[at:])  # the compressed picture and everything after it
            return b"".join(kept)
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise ValueError("segment past the end")
        if marker not in _JPEG_DROPPED:
            kept.append(data[at:end])
        at = end


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    kept = [_PNG_SIGNATURE]
    at = len(_PNG_SIGNATURE)
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        end = at + 12 + length
        if end > len(data) or zlib.crc32(data[at + 4 : end - 4]) != int.from_bytes(
            data[end - 4 : end], "big"
        ):
            raise ValueError("damaged chunk")
        if kind not in _PNG_DROPPED:
            kept.append(data[at:end])
        at = end
        if kind == b"IEND":
            break
    return b"".join(kept)
