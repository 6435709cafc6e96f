"""Read-only queries on worker threads, each thread with its own connection.

Reads never go through the persistence actor and never wait for a write: in WAL mode a reader
sees the last committed state while the writer works. Catalog pages and stats use this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import peewee
import trio

from storage.faults import Fault, classify

T = TypeVar("T")

READ_THREADS = 4


class Reader:
    def __init__(self, db: peewee.Database, *, threads: int = READ_THREADS) -> None:
        self.db = db
        self._limiter = trio.CapacityLimiter(threads)

    async def run(self, query: Callable[..., T], *args: Any) -> T:
        """`query(*args)` on a worker thread with a connection of its own; its result."""
        return await trio.to_thread.run_sync(self._run, query, args, limiter=self._limiter)

    def _run(self, query: Callable[..., T], args: tuple[Any, ...]) -> T:
        # Each worker thread keeps its own connection open (peewee's thread-local state):
        # opening one per read, with its PRAGMAs, cost more than most reads themselves. It is
        # closed when trio retires the idle thread and the thread-local state goes with it.
        try:
            return query(*args)
        except peewee.PeeweeException as exc:
            if classify(exc) is not Fault.UNREACHABLE:
                raise
            # PostgreSQL cut this thread's connection (a restart): the statement that found
            # out failed, the next one gets a new connection. A read can simply run again.
            return query(*args)
