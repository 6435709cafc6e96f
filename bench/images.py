"""Photo pipeline benchmark.

CPU time of showroom's pipeline (draft-mode decode, orientation, three sizes, metadata dropped)
on a 12-megapixel phone-like JPEG, divided by the CPU time of a naive pipeline on the same file
(full decode, orientation, LANCZOS resize to the same three sizes), same run. Target: <= 0.6.

    python -m bench.images
"""

from __future__ import annotations

import io
import sys
import tempfile
import time

from PIL import Image, ImageFilter, ImageOps

from storage.images import JPEG_QUALITY, SIZES, store_photo
from storage.media import MediaStore

ROUNDS = 5
TARGET = 0.6


def phone_photo() -> bytes:
    """4000x3000 with texture (a flat picture would flatter the decoder)."""
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    image = Image.merge(
        "RGB",
        [noise.getchannel(0), noise.getchannel(1).rotate(90, expand=False), noise.getchannel(2)],
    ).filter(ImageFilter.SMOOTH)
    exif = Image.Exif()
    exif[274] = 6  # taken in portrait
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def whatsapp_photo() -> bytes:
    """What a gateway delivers: the phone photo as WhatsApp sends it, 1600x1200, quality 75."""
    image = Image.open(io.BytesIO(phone_photo())).transpose(Image.Transpose.ROTATE_270)
    image.thumbnail((1600, 1600))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return out.getvalue()


def naive(data: bytes) -> None:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    for longest in SIZES.values():
        copy = image.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        copy.save(io.BytesIO(), "JPEG", quality=JPEG_QUALITY)


def cpu_seconds(work, *args) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        work(*args)
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    data, delivered = phone_photo(), whatsapp_photo()
    with tempfile.TemporaryDirectory() as folder:
        store = MediaStore(folder)
        ours = cpu_seconds(store_photo, store, "bench", data)
        ours_delivered = cpu_seconds(store_photo, store, "bench", delivered)
    theirs, theirs_delivered = cpu_seconds(naive, data), cpu_seconds(naive, delivered)
    ratio = ours / theirs
    print(
        f"photo pipeline on a 12 MP JPEG: {ours * 1000:.0f} ms CPU; naive full decode: "
        f"{theirs * 1000:.0f} ms; ratio {ratio:.2f} (target <= {TARGET:g})"
    )
    print(
        f"on a photo as WhatsApp delivers it (1600x1200, kept as it is): "
        f"{ours_delivered * 1000:.1f} ms against {theirs_delivered * 1000:.1f} ms, "
        f"ratio {ours_delivered / theirs_delivered:.2f} (reported)"
    )
    if ratio > TARGET:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
