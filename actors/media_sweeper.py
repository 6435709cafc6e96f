"""Removes photo files that no row points at (cancelled uploads, a crash between file and row),
once they are older than an hour. Runs as a supervised service."""

from __future__ import annotations

import logging

import trio

from storage.media import MediaStore
from storage.queries import referenced_media_files
from storage.reader import Reader

log = logging.getLogger("showroom.media")

SWEEP_INTERVAL_S = 15 * 60.0


async def sweep_media_forever(
    store: MediaStore, reader: Reader, interval_s: float = SWEEP_INTERVAL_S
) -> None:
    while True:
        await trio.sleep(interval_s)
        await sweep_media_once(store, reader)


async def sweep_media_once(store: MediaStore, reader: Reader) -> int:
    # The referenced set is read before the folder is listed: a file written after this
    # read is young, and young files are never removed.
    referenced = await reader.run(referenced_media_files)
    removed = await trio.to_thread.run_sync(store.sweep, referenced)
    return len(removed)
