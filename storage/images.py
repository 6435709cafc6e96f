"""The photo pipeline: check that the bytes are a real image, then store it in three sizes.

Runs in a worker thread (Pillow releases the GIL while decoding). Every size is re-encoded as
JPEG from the decoded pixels, which drops EXIF (GPS position, phone model) and anything hidden
after the image data; the orientation EXIF asked for is applied first. JPEG draft mode makes
the decoder downscale while decoding, which is much faster for big phone photos.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from storage.errors import StorageError
from storage.media import MediaStore, content_hash

SIZES = {"large": 1600, "medium": 800, "thumb": 320}  # longest side, pixels
JPEG_QUALITY = 82
MAX_PIXELS = 60_000_000  # a bigger "photo" is a decompression bomb, not a car
MIN_SIDE = 200  # a smaller picture is a thumbnail or an icon, not a usable car photo

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class NotAPhoto(StorageError):
    """The bytes are not an image we can use (broken, truncated, not an image, too small)."""


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    content_hash: str
    files: dict[str, str]
    width: int
    height: int
    bytes: int

    def to_dict(self) -> dict:
        return {
            "content_hash": self.content_hash,
            "files": dict(self.files),
            "width": self.width,
            "height": self.height,
            "bytes": self.bytes,
        }


def store_photo(store: MediaStore, tenant: str, data: bytes) -> StoredPhoto:
    """Decode, check, resize and store. Raises NotAPhoto. Blocking: run it in a thread."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # a structural check that does not decode the pixels
        image = Image.open(io.BytesIO(data))
        if image.format not in ("JPEG", "PNG", "WEBP", "HEIF", "MPO"):
            raise NotAPhoto(f"{image.format} is not a photo format we take")
        image.draft("RGB", (SIZES["large"], SIZES["large"]))
        image = ImageOps.exif_transpose(image)
        image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise NotAPhoto(f"not a usable image: {exc}") from exc
    if min(image.size) < MIN_SIDE:
        raise NotAPhoto(f"the picture is only {image.width}x{image.height} pixels")
    image = image.convert("RGB")
    digest = content_hash(data)
    files = {}
    for size, longest in SIZES.items():
        copy = image.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        files[size] = store.put(tenant, out.getvalue(), "jpg", size)
        if size == "large":
            width, height = copy.size
    return StoredPhoto(digest, files, width, height, len(data))
