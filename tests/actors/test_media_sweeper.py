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


async def test_an_inline_photo_stays_while_its_event_does_and_goes_after_pruning(
    db, db_path, tenant, tmp_path
):
    import datetime as dt

    import trio

    from actors.inbox_pruner import prune_inbox_once
    from actors.persistence import PersistenceActor
    from runtime.testing import actor_mailbox, run_alone
    from storage.database import open_sqlite
    from storage.media import INBOUND
    from storage.models import InboxEvent, utcnow

    store = MediaStore(tmp_path / "media")
    inbound = store.put(tenant.slug, b"a photo as the gateway sent it", "bin", INBOUND)
    with db.connection_context():
        InboxEvent.create(
            tenant=tenant,
            dedupe_key="evo:1",
            event="{}",
            media_file=inbound,
            status="done",
            processed_at=utcnow() - dt.timedelta(days=8),
        )
    old = time.time() - 7200
    os.utime(store.path(tenant.slug, inbound), (old, old))
    assert await sweep_media_once(store, Reader(db)) == 0  # its event still names it

    ref, mailbox = actor_mailbox("persistence", 64)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, PersistenceActor(lambda: open_sqlite(db_path)), mailbox)
        assert await prune_inbox_once(ref, keep_days=7) == 1
        nursery.cancel_scope.cancel()
    assert await sweep_media_once(store, Reader(db)) == 1
    assert not store.path(tenant.slug, inbound).exists()
