"""The photo pipeline: check that the bytes are a real photo, then store it in three sizes.

Runs in a photo worker process (see actors/downloads.py), never on the trio thread.
Only JPEG, PNG and WebP are accepted, recognised by their bytes, not their name. Every stored
file is free of metadata (GPS position, phone model) and of anything hidden after the image:
a JPEG that already fits the large size upright (what WhatsApp delivers: ~1600 px, no rotation)
keeps its own compressed data, rebuilt without metadata (storage/jpeg.py), which saves an encode
and a generation of quality; every other size is encoded from the decoded pixels, with the
orientation EXIF asked for applied first and the colour profile kept. JPEG draft mode lets the
decoder downscale while decoding (12-megapixel photos, or the medium size of a kept one), and an
exact halving uses the 2x2 average instead of a resampling filter: each several times cheaper.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from domain.photos import PhotoFiles, StoredPhoto
from storage.errors import NotAPhoto, PhotoTooLarge
from storage.jpeg import strip_metadata
from storage.media import MediaStore, content_hash

SIZES = {"large": 1600, "medium": 800, "thumb": 400}  # longest side, pixels
DECODE_BUDGET_BYTES = 200 * 1_000_000  # media.decode_budget_mb: most a photo worker may use
# What decoding costs a photo worker, in bytes a pixel, measured (peak resident memory of a
# worker storing 39-megapixel pictures): a WebP ~15.4 (libwebp's buffer, then Pillow's copy),
# a PNG its bands plus ~2.4 (RGB 5.4, RGBA 7.7), a converted one 3 more for the RGB copy; a
# progressive JPEG holds every DCT coefficient at full size (2 bytes each) whatever the draft.
WEBP_BYTES_PER_PIXEL = 16
WORKING_BYTES_PER_PIXEL = 2.5  # resizing and the decoder's own buffers, over the image itself
RGB_BYTES_PER_PIXEL = 3
COEFFICIENT_BYTES = 2
BANDS = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "I;16": 2, "RGB": 3, "YCbCr": 3}
JPEG_QUALITY = 82
MAX_PIXELS = 40_000_000  # a bigger "photo" is a decompression bomb, not a car
MIN_SIDE = 200  # a smaller picture is an icon or a thumbnail, not a usable car photo
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG some phones write for multi-frame shots
ORIENTATION = 0x0112  # the EXIF tag
# A JPEG bigger than this many bits a pixel is re-encoded rather than kept: it would weigh on
# every catalog visit (WhatsApp's own photos are under 1).
MAX_KEPT_BITS_PER_PIXEL = 3


@dataclass(frozen=True, slots=True)
class Decoded:
    image: Image.Image  # RGB, upright, decoded at the smallest scale the sizes to encode allow
    original: bytes | None  # the photo's own JPEG without metadata, when it is the large size
    size: tuple[int, int]  # of the photo as it came


def decode_photo(data: bytes, budget_bytes: int = DECODE_BUDGET_BYTES) -> Decoded:
    """Check and decode the photo, at the smallest scale the format allows, if decoding it
    fits in `budget_bytes` (estimated before decoding). Raises NotAPhoto, PhotoTooLarge."""
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit: here that is an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in FORMATS:
                    raise NotAPhoto(f"{kind or 'this file'} is not a photo (JPEG, PNG or WebP)")
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoTooLarge(f"{probe.width}x{probe.height} pixels is too big a picture")
                probe.verify()  # structure check, without decoding the pixels
            image = Image.open(io.BytesIO(data))
            original = _as_it_is(image, data)
            if original is not None:  # decode what is kept, so the kept file is proven sound
                image = Image.open(io.BytesIO(original))
            size = image.size
            if image.format in ("JPEG", "MPO"):
                # decode at the smallest scale (1/2, 1/4, 1/8) still at least the largest size
                # to encode
                scale = SIZES["medium" if original else "large"] / max(image.size)
                if scale < 1:
                    image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
            cost = decoding_cost(image, size)
            if cost > budget_bytes:
                raise PhotoTooLarge(
                    f"decoding {size[0]}x{size[1]} pixels ({image.format}) would take about "
                    f"{cost / 1e6:.0f} MB, more than the {budget_bytes / 1e6:.0f} MB allowed"
                )
            profile = image.info.get("icc_profile")
            ImageOps.exif_transpose(image, in_place=True)  # no copy when already upright
            image.load()
        except NotAPhoto:
            raise
        except (MemoryError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoTooLarge(f"too large a picture ({type(exc).__name__})") from exc
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
        ) as exc:
            raise NotAPhoto(f"not a usable picture ({type(exc).__name__})") from exc
    if min(image.size) < MIN_SIDE:
        raise NotAPhoto(f"the picture is only {image.width}x{image.height} pixels")
    if image.mode != "RGB":  # converting to the same mode would copy every pixel
        image = image.convert("RGB")
    if profile:
        image.info["icc_profile"] = profile
    return Decoded(image, original, size)


def decoding_cost(image: Image.Image, full_size: tuple[int, int]) -> int:
    """Bytes that decoding and processing `image` will take, estimated from its header (after
    `draft`, which a JPEG decodes at: `image.size` is then the reduced size)."""
    pixels = image.width * image.height
    if image.format == "WEBP":  # no reduced decoding: always the whole picture
        return pixels * WEBP_BYTES_PER_PIXEL
    bands = BANDS.get(image.mode, 4)
    per_pixel = (
        bands + WORKING_BYTES_PER_PIXEL + (RGB_BYTES_PER_PIXEL if image.mode != "RGB" else 0)
    )
    if _orientation(image) != 1:
        per_pixel += RGB_BYTES_PER_PIXEL  # turning it upright makes a copy
    cost = pixels * per_pixel
    if image.format in ("JPEG", "MPO") and image.info.get("progressive"):
        cost += full_size[0] * full_size[1] * COEFFICIENT_BYTES * _coefficients_per_pixel(image)
    return int(cost)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation from the header alone (a PNG's getexif() decodes the pixels)."""
    raw = image.info.get("exif")
    if not raw:
        return 1
    exif = Image.Exif()
    try:
        exif.load(raw)
    except (SyntaxError, ValueError, OSError):
        return 1
    orientation = exif.get(ORIENTATION, 1)
    return orientation if isinstance(orientation, int) else 1


def _coefficients_per_pixel(image: Image.Image) -> float:
    """DCT coefficients per pixel of a JPEG: one for the brightness, plus the two colour
    channels at their subsampling (4:4:4 two more, 4:2:2 one more, 4:2:0 half a one more)."""
    if len(image.getbands()) == 1:
        return 1.0
    sampling = JpegImagePlugin.get_sampling(image)
    return 1.0 + {0: 2.0, 1: 1.0, 2: 0.5}.get(sampling, 2.0)


def _as_it_is(image: Image.Image, data: bytes) -> bytes | None:
    """The JPEG's own data without metadata, when it can be the large size unchanged."""
    fits = (
        image.format in ("JPEG", "MPO")
        and image.mode in ("RGB", "L")
        and max(image.size) <= SIZES["large"]
        and len(data) * 8 <= image.width * image.height * MAX_KEPT_BITS_PER_PIXEL
        and image.getexif().get(ORIENTATION, 1) == 1
    )
    if not fits:
        return None
    try:
        return strip_metadata(data)
    except ValueError:
        return None  # an unusual file: re-encoded instead


def _fit(image: Image.Image, longest: int, *, large: bool) -> Image.Image:
    """The image scaled down to `longest` px on its longest side (never up). An exact halving
    takes the 2x2 average; otherwise the large size gets Lanczos and the smaller ones, made
    from it, bicubic: a third of the cost, no visible difference at those sizes."""
    scale = longest / max(image.size)
    if scale >= 1:
        return image
    target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    halved = ((image.width + 1) // 2, (image.height + 1) // 2)
    if max(halved) == longest and all(abs(h - t) <= 1 for h, t in zip(halved, target, strict=True)):
        return image.reduce(2)
    method = Image.Resampling.LANCZOS if large else Image.Resampling.BICUBIC
    return image.resize(target, method, reducing_gap=2.0)


def store_photo(
    store: MediaStore, tenant: str, data: bytes, budget_bytes: int = DECODE_BUDGET_BYTES
) -> StoredPhoto:
    """Decode, check, resize and store every size. Raises NotAPhoto (PhotoTooLarge when it
    would not decode within `budget_bytes`), OSError when a file cannot be written. Blocking:
    run it in a worker process (or thread); arguments and result cross a process boundary
    (picklable)."""
    decoded = decode_photo(data, budget_bytes)
    profile = decoded.image.info.get("icc_profile")
    files, width, height = {}, 0, 0
    current = decoded.image
    for size, longest in SIZES.items():  # largest first: each size is made from the one before
        if size == "large" and decoded.original is not None:
            files[size] = store.put(tenant, decoded.original, "jpg", size)
            width, height = decoded.size
            continue
        current = _fit(current, longest, large=size == "large")
        out = io.BytesIO()
        # baseline JPEG: progressive encoding cost eight times the CPU for a small gain
        options: dict = {"quality": JPEG_QUALITY}
        if profile:
            options["icc_profile"] = profile
        current.save(out, "JPEG", **options)
        files[size] = store.put(tenant, out.getvalue(), "jpg", size)
        if size == "large":
            width, height = current.size
    return StoredPhoto(content_hash(data), PhotoFiles(**files), width, height, len(data))
