"""Lossless JPEG clean-up: the same compressed picture without its metadata. Pure bytes work.

WhatsApp already delivers photos as ~1600 px JPEGs; decoding and re-encoding one costs CPU and
a generation of quality and makes a bigger file. So when a photo needs no scaling or rotating,
its own compressed data is kept and only rebuilt around: the segments a decoder needs are
copied (tables, frame, scans, restart interval, the ICC colour profile and Adobe's colour
transform), everything else is left out (EXIF with GPS and phone model, XMP, comments, embedded
thumbnails, other applications' segments) and nothing after the end-of-image marker survives.
Anything unexpected raises ValueError, and the caller re-encodes instead.
"""

from __future__ import annotations

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0 = 0xE0
KEPT_APPLICATIONS = {0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}  # colour profile and transform
FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
TABLES = {0xC4, 0xCC, 0xDB, 0xDD}  # Huffman, arithmetic conditioning, quantisation, restart
# A canonical JFIF header: version 1.01, no density unit, 1:1 pixels, no thumbnail.
JFIF = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def strip_metadata(data: bytes) -> bytes:
    """The JPEG in `data` with only what is needed to show it. Raises ValueError."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = [b"\xff\xd8"]
    position, frames, scans = 2, 0, 0
    while True:
        marker, position = _next_marker(data, position)
        if marker == EOI:
            if not frames or not scans:
                raise ValueError("a JPEG without a frame or a scan")
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker == SOI or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise ValueError(f"marker {marker:#04x} out of place")
        if position + 2 > len(data):
            raise ValueError("cut short")
        length = int.from_bytes(data[position : position + 2], "big")
        end = position + length
        if length < 2 or end > len(data):
            raise ValueError("a segment runs past the end")
        segment, body = data[position - 2 : end], data[position + 2 : end]
        position = end
        if marker in FRAMES:
            frames += 1
            out.append(segment)
        elif marker in TABLES:
            out.append(segment)
        elif marker == SOS:
            scans += 1
            if not frames:
                raise ValueError("a scan before the frame")
            scan_end = _end_of_scan(data, position)
            out.append(segment + data[position:scan_end])
            position = scan_end
        elif marker == APP0 and body.startswith(b"JFIF\x00") and len(out) == 1:
            out.append(JFIF)
        elif marker in KEPT_APPLICATIONS and body.startswith(KEPT_APPLICATIONS[marker]):
            out.append(segment)
        # every other segment (EXIF, XMP, comments, MPF, vendors' data) is left out


def _next_marker(data: bytes, position: int) -> tuple[int, int]:
    """The marker at `position` (fill bytes 0xFF allowed before it) and where its data starts."""
    if position >= len(data) or data[position] != 0xFF:
        raise ValueError("expected a marker")
    while position < len(data) and data[position] == 0xFF:
        position += 1
    if position >= len(data):
        raise ValueError("cut short")
    return data[position], position + 1


def _end_of_scan(data: bytes, position: int) -> int:
    """Where the entropy-coded data that starts at `position` ends: at the first marker that
    is neither a stuffed 0xFF00 nor a restart marker."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            raise ValueError("a scan without an end")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position = found + 1 if following == 0xFF else found + 2
            continue
        return found
