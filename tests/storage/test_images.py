"""The photo pipeline on a corpus of good and hostile files, all made here with Pillow."""

import io
import time

import pytest
from PIL import Image, ImageCms

from storage.errors import NotAPhoto
from storage.images import SIZES, decode_photo, store_photo
from storage.jpeg import strip_metadata
from storage.media import MediaStore


def encode(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def photo(size=(4000, 3000), color=(200, 30, 30)) -> Image.Image:
    image = Image.new("RGB", size, color)
    image.paste((20, 20, 200), (0, 0, size[0] // 4, size[1] // 4))  # a mark in the top left
    return image


def with_exif(image: Image.Image, **tags) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[int(tag.removeprefix("t"))] = value
    return encode(image, "JPEG", exif=exif.tobytes(), quality=90)


def test_a_phone_photo_is_stored_in_three_sizes_without_metadata(tmp_path):
    gps = {1: "S", 2: (7.0, 15.0, 0.0), 3: "E", 4: (112.0, 45.0, 0.0)}  # Surabaya
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update(gps)
    data = encode(photo(), "JPEG", exif=exif.tobytes(), quality=90)
    store = MediaStore(tmp_path)
    stored = store_photo(store, "demo", data)
    assert (stored.width, stored.height, stored.bytes) == (1600, 1200, len(data))
    for size, longest in SIZES.items():
        with Image.open(store.path("demo", getattr(stored.files, size))) as out:
            assert out.format == "JPEG" and max(out.size) == longest
            assert not out.getexif() and "exif" not in out.info


def test_exif_orientation_is_applied(tmp_path):
    data = with_exif(photo((3000, 2000)), t274=6)  # "rotate 90 degrees clockwise to view"
    stored = store_photo(MediaStore(tmp_path), "demo", data)
    assert (stored.width, stored.height) == (1067, 1600)


def test_the_colour_profile_is_kept(tmp_path):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(photo((1200, 900)), "JPEG", icc_profile=profile)
    store = MediaStore(tmp_path)
    stored = store_photo(store, "demo", data)
    with Image.open(store.path("demo", stored.files.large)) as out:
        assert out.info.get("icc_profile") == profile


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(tmp_path, kind):
    stored = store_photo(MediaStore(tmp_path), "demo", encode(photo((1000, 800)), kind))
    assert (stored.width, stored.height) == (1000, 800)


def hostile_files() -> dict[str, bytes]:
    good = encode(photo((1200, 900)), "JPEG")
    return {
        "gif named .jpg": encode(photo((600, 400)), "GIF"),
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"></svg>',
        "html": b"<!doctype html><html><script>alert(1)</script></html>",
        "empty": b"",
        "truncated jpeg": good[: len(good) // 3],
        "garbage after a jpeg header": good[:20] + b"\x00" * 5000,
        "tiny icon": encode(Image.new("RGB", (64, 64)), "PNG"),
        "bmp": encode(photo((600, 400)), "BMP"),
        "pixel bomb": encode(Image.new("1", (9000, 9000)), "PNG", optimize=True),
    }


@pytest.mark.parametrize("name", list(hostile_files()))
def test_hostile_files_are_refused_with_a_reason(tmp_path, name):
    data = hostile_files()[name]
    started = time.process_time()
    with pytest.raises(NotAPhoto) as refused:
        store_photo(MediaStore(tmp_path), "demo", data)
    assert str(refused.value)
    assert time.process_time() - started < 2  # refused before any costly decoding
    assert not list(tmp_path.rglob("*.jpg"))  # nothing stored


def test_decoding_a_big_jpeg_uses_draft_mode():
    decoded = decode_photo(encode(photo((4000, 3000)), "JPEG", quality=85))
    assert max(decoded.image.size) < 4000  # decoded at a reduced scale, not full size
    assert decoded.original is None  # too big to keep as it is


def whatsapp_photo(**options) -> bytes:
    """What a gateway delivers: 1600x1200, quality ~75 (with what a phone may leave in it)."""
    return encode(photo((1600, 1200)), "JPEG", quality=75, **options)


def test_a_photo_that_already_fits_keeps_its_own_data_without_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "S", 2: (7.0, 15.0, 0.0)})
    data = whatsapp_photo(exif=exif.tobytes()) + b"hidden after the image"
    store = MediaStore(tmp_path)
    stored = store_photo(store, "demo", data)
    assert (stored.width, stored.height) == (1600, 1200)
    large = store.path("demo", stored.files.large).read_bytes()
    assert large == strip_metadata(data)  # the same compressed picture, not re-encoded
    with Image.open(io.BytesIO(large)) as kept, Image.open(io.BytesIO(data)) as sent:
        assert not kept.getexif() and kept.tobytes() == sent.tobytes()
    for size in ("medium", "thumb"):
        with Image.open(store.path("demo", getattr(stored.files, size))) as out:
            assert max(out.size) == SIZES[size] and not out.getexif()
            assert out.getpixel((10, 10))[2] > 150  # the blue mark is still top left


@pytest.mark.parametrize(
    "why, data",
    [
        ("turned by EXIF", with_exif(photo((1600, 1200)), t274=6)),
        ("bigger than the large size", encode(photo((2000, 1500)), "JPEG")),
        ("a PNG", encode(photo((1600, 1200)), "PNG")),
        ("CMYK", encode(photo((1600, 1200)).convert("CMYK"), "JPEG")),
        ("too heavy for its size", encode(Image.effect_noise((800, 600), 90), "JPEG", quality=100)),
    ],
)
def test_other_photos_are_re_encoded(why, data):
    assert decode_photo(data).original is None, why


MEMORY_PROBE = """
import resource, sys, tempfile
from storage.images import store_photo
from storage.media import MediaStore
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    store_photo(MediaStore(tempfile.mkdtemp()), "demo", data, 200_000_000)
    outcome = "stored"
except Exception as exc:
    outcome = type(exc).__name__
print(outcome, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(
    ("kind", "size", "mode", "expected"),
    [
        ("WEBP", (16383, 2400), "RGB", "PhotoTooLarge"),  # 1.5 KB, was 641 MB to decode
        ("PNG", (7200, 5400), "RGBA", "PhotoTooLarge"),  # ~100 KB, was ~300 MB
        ("PNG", (7200, 5400), "P", "PhotoTooLarge"),
        ("PNG", (5000, 4000), "RGB", "stored"),  # 20 MP: within the budget
    ],
)
def test_decoding_stays_within_the_memory_budget(tmp_path, kind, size, mode, expected):
    """Peak memory of a fresh process storing the picture (the file is made here, so the
    probe's high-water mark is its own)."""
    import subprocess
    import sys

    path = tmp_path / f"picture.{kind.lower()}"
    Image.new(mode, size, 7).save(path, kind, **({"lossless": True} if kind == "WEBP" else {}))
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True, check=True
    )
    outcome, grown_mb = done.stdout.split()
    assert outcome == expected
    assert int(grown_mb) <= 200
    if outcome == "PhotoTooLarge":
        assert int(grown_mb) < 20  # refused from the header, before decoding


def test_a_progressive_jpeg_counts_its_full_size_coefficients():
    from storage.errors import PhotoTooLarge

    data = encode(photo((5000, 4000)), "JPEG", progressive=True)
    decode_photo(data, 200_000_000)  # 20 MP, 4:2:0: ~60 MB of coefficients, within 200
    with pytest.raises(PhotoTooLarge, match="more than the 60 MB allowed"):
        decode_photo(data, 60_000_000)
    decode_photo(encode(photo((5000, 4000)), "JPEG"), 60_000_000)  # baseline: decoded at 1/2
