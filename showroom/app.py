"""The supervision tree of the program, and its signal handling.

Shutdown order is the reverse of the order children are added: intake (the web server) is
added last, so it stops first. The first SIGINT/SIGTERM drains, the second exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from functools import partial

import trio

from actors.media_sweeper import sweep_media_forever
from actors.persistence import MAILBOX_SIZE as PERSISTENCE_MAILBOX
from actors.persistence import PersistenceActor
from runtime import Supervisor
from showroom import __version__
from showroom.config import Settings
from storage.database import prepare_sqlite, schema_version
from storage.media import MediaStore
from storage.reader import Reader
from web.app import create_app
from web.server import WebServer

log = logging.getLogger("showroom.app")

EXIT_ON_SECOND_SIGNAL = 130


async def serve(
    settings: Settings, *, task_status: trio.TaskStatus[WebServer] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run the bot until a signal (or cancellation). Raises Escalation if the root gives up,
    and StorageError if the database cannot be opened or migrated."""
    db = await trio.to_thread.run_sync(prepare_sqlite, settings.resolve(settings.database.path))
    reader = Reader(db)
    media = MediaStore(settings.resolve(settings.media.dir))

    root = Supervisor("showroom", stop_grace_s=settings.shutdown.grace_s)
    # Added in start order; stopped in reverse: the database closes last.
    root.add_actor(
        "persistence", lambda: PersistenceActor(lambda: db), mailbox_size=PERSISTENCE_MAILBOX
    )
    root.add_service("media-sweeper", partial(sweep_media_forever, media, reader))
    web = WebServer(
        create_app(version=__version__, health_details=partial(_storage_health, reader)),
        settings.server.host,
        settings.server.port,
        graceful_timeout_s=settings.shutdown.grace_s,
    )
    root.add_service("web", web.run, stop=web.stop)
    try:
        async with trio.open_nursery() as nursery:

            async def run_root(*, task_status: trio.TaskStatus[None]) -> None:
                await root.run(task_status=task_status)
                nursery.cancel_scope.cancel()  # the tree has stopped: stop watching signals

            nursery.start_soon(watch_signals, root)
            await nursery.start(run_root)
            log.info("showroom %s running; catalog and health on %s", __version__, web.url)
            task_status.started(web)
    finally:
        web.close()
    log.info("showroom stopped")


async def _storage_health(reader: Reader) -> dict[str, object]:
    try:
        version = await reader.run(schema_version, reader.db)
    except Exception as exc:  # health must answer, whatever is broken
        return {"status": "degraded", "database": f"error: {exc}"}
    return {"database": "ok", "schema_version": version}


async def watch_signals(root: Supervisor, exit_now: Callable[[int], object] = os._exit) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        first = True
        async for signum in signals:
            name = signal.Signals(signum).name
            if first:
                log.info("%s received: draining (send it again to exit at once)", name)
                root.shutdown()
                first = False
            else:
                log.warning("%s received again: exiting now", name)
                logging.shutdown()
                exit_now(EXIT_ON_SECOND_SIGNAL)
