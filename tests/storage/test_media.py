"""The photo store: durable content-named files, path safety, and the orphan sweep."""

import os
import time

import pytest

from storage.errors import UnsafePath
from storage.media import MediaStore, content_hash

JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"photo" * 100


def test_put_names_files_by_content_and_writes_them_once(tmp_path):
    store = MediaStore(tmp_path / "media")
    name = store.put("surabaya-motor", JPEG_BYTES, "jpg", "large")
    digest = content_hash(JPEG_BYTES)
    assert name == f"{digest[:2]}/{digest}-large.jpg"
    path = store.path("surabaya-motor", name)
    assert path.read_bytes() == JPEG_BYTES
    assert path.is_relative_to(tmp_path / "media" / "surabaya-motor")
    assert store.put("surabaya-motor", JPEG_BYTES, "jpg", "large") == name
    assert not list(path.parent.glob("*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("tenant", "name"),
    [
        ("..", "ab/" + "a" * 64 + ".jpg"),
        ("../etc", "ab/" + "a" * 64 + ".jpg"),
        ("Surabaya", "ab/" + "a" * 64 + ".jpg"),
        ("surabaya-motor", "../../../etc/passwd"),
        ("surabaya-motor", "ab/../../x.jpg"),
        ("surabaya-motor", "/etc/passwd"),
        ("surabaya-motor", "ab/" + "a" * 64 + ".jpg/../../x"),
        ("surabaya-motor", "ab/" + "a" * 64 + ".exe"),
        ("surabaya-motor", "ab\\" + "a" * 64 + ".jpg"),
        ("surabaya-motor\x00", "ab/" + "a" * 64 + ".jpg"),
    ],
)
def test_paths_that_could_escape_are_refused(tmp_path, tenant, name):
    with pytest.raises(UnsafePath):
        MediaStore(tmp_path).path(tenant, name)


def test_a_symlinked_tenant_folder_pointing_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "evil").symlink_to(outside)
    with pytest.raises(UnsafePath, match="leave the media folder"):
        MediaStore(tmp_path / "media").path("evil", "ab/" + "a" * 64 + ".jpg")


def test_bad_extensions_and_size_names_are_refused(tmp_path):
    store = MediaStore(tmp_path)
    with pytest.raises(UnsafePath):
        store.put("t", b"x", "php")
    with pytest.raises(UnsafePath):
        store.put("t", b"x", "jpg", "../x")


def test_sweep_removes_old_orphans_and_keeps_referenced_and_young_files(tmp_path):
    store = MediaStore(tmp_path)
    kept = store.put("t", b"kept", "jpg")
    orphan = store.put("t", b"orphan", "jpg")
    young = store.put("t", b"young orphan", "jpg")
    stale_temp = store.path("t", kept).with_name("leftover.jpg.123.tmp")
    stale_temp.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    for name in (kept, orphan):
        os.utime(store.path("t", name), (two_hours_ago, two_hours_ago))
    os.utime(stale_temp, (two_hours_ago, two_hours_ago))
    removed = store.sweep([("t", kept)])
    assert set(removed) == {store.path("t", orphan), stale_temp}
    assert store.path("t", kept).exists() and store.path("t", young).exists()


def test_writing_existing_content_again_protects_it_from_the_sweep(tmp_path):
    store = MediaStore(tmp_path)
    name = store.put("t", b"same", "jpg")
    old = time.time() - 7200
    os.utime(store.path("t", name), (old, old))
    store.put("t", b"same", "jpg")  # about to be referenced by a new row
    assert store.sweep([]) == []
