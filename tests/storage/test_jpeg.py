"""The lossless JPEG clean-up: same pixels, no metadata, nothing after the image."""

import io

import pytest
from PIL import Image, ImageCms

from storage.jpeg import strip_metadata


def jpeg(**options) -> bytes:
    image = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    image.paste((200, 30, 30), (20, 20, 120, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.tobytes()


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "S", 2: (7.0, 15.0, 0.0)})
    return exif.tobytes()


@pytest.mark.parametrize(
    "options",
    [{}, {"progressive": True}, {"restart_marker_blocks": 1}, {"quality": 95, "subsampling": 0}],
    ids=["baseline", "progressive", "restart markers", "no subsampling"],
)
def test_the_picture_is_unchanged_and_the_metadata_gone(options):
    data = jpeg(exif=exif_with_gps(), comment=b"shot at home", **options)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS</x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    data = data[:2] + segment + data[2:] + b"trailing secrets"
    stripped = strip_metadata(data)
    assert pixels(stripped) == pixels(data)
    assert b"PhoneMaker" not in stripped and b"GPS" not in stripped
    assert b"shot at home" not in stripped and not stripped.endswith(b"secrets")
    with Image.open(io.BytesIO(stripped)) as image:
        assert not image.getexif() and "comment" not in image.info
    assert strip_metadata(stripped) == stripped  # a second pass finds nothing more to drop


def test_the_colour_profile_and_jfif_header_are_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    stripped = strip_metadata(jpeg(icc_profile=profile))
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["icc_profile"] == profile and image.info.get("jfif")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a",
        jpeg()[:200],  # cut in the headers
        jpeg()[:-300],  # cut in the scan
        jpeg()[:2] + b"\xff\xdb\xff\xff" + jpeg()[2:],  # a segment longer than the file
        jpeg()[:2] + b"\xff\xd9",  # an image without a frame
        jpeg()[:2] + b"\xff\xd8" + jpeg()[2:],  # a second start of image
        jpeg()[:2] + b"junk" + jpeg()[2:],  # no marker where one belongs
    ],
    ids=["empty", "gif", "cut headers", "cut scan", "long segment", "no frame", "two SOI", "junk"],
)
def test_anything_unexpected_is_refused(data):
    with pytest.raises(ValueError):
        strip_metadata(data)
