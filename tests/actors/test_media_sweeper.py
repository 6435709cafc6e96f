"""The media sweep against a real database and real files."""

import os
import time

from actors.media_sweeper import sweep_media_once
from storage.media import MediaStore
from storage.models import ConversationSession, Photo
from storage.reader import Reader


async def test_the_sweep_removes_only_old_unreferenced_files(db, tenant, tmp_path):
    store = MediaStore(tmp_path / "media")
    names = {
        size: store.put(tenant.slug, f"kept {size}".encode(), "jpg", size)
        for size in ("large", "medium", "thumb")
    }
    orphan = store.put(tenant.slug, b"cancelled upload", "jpg", "large")
    with db.connection_context():
        session = ConversationSession.create(tenant=tenant, user="6281234567890")
        Photo.create(
            tenant=tenant,
            session=session,
            position=0,
            content_hash="x" * 64,
            file_large=names["large"],
            file_medium=names["medium"],
            file_thumb=names["thumb"],
            width=1600,
            height=1200,
            bytes=1,
        )
    old = time.time() - 7200
    for name in [*names.values(), orphan]:
        os.utime(store.path(tenant.slug, name), (old, old))

    assert await sweep_media_once(store, Reader(db)) == 1
    assert not store.path(tenant.slug, orphan).exists()
    assert all(store.path(tenant.slug, name).exists() for name in names.values())
