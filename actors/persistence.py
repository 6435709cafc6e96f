"""The persistence actor: the only writer to the database.

Callers `ask` it to apply a write (storage.writes). Everything queued is taken as one batch and
applied in ONE transaction on ONE dedicated thread, each write in its own savepoint; the askers
are answered after COMMIT, so an answer means durable. A write that fails rolls back only its
own savepoint and fails only its own asker (with the reason); the rest of the batch commits.
If the COMMIT itself fails, every asker of that batch gets the error: nothing was written.

One fsync per batch instead of one per write is what makes synchronous=FULL affordable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import outcome
import peewee

from runtime import Actor, DedicatedThread
from storage.writes import Write

log = logging.getLogger("showroom.storage")

MAILBOX_SIZE = 1024
BATCH_MAX = 512
ASK_TIMEOUT_S = 30.0  # how long an asker waits for its commit (the disk may be slow)


@dataclass
class PersistenceStats:
    batches: int = 0
    writes: int = 0
    failed_writes: int = 0
    failed_commits: int = 0
    batch_sizes: list[int] = field(default_factory=list)  # the last ones, for metrics

    def record(self, size: int) -> None:
        self.batches += 1
        self.writes += size
        self.batch_sizes.append(size)
        del self.batch_sizes[:-1000]


class PersistenceActor(Actor[Write]):
    batch_max = BATCH_MAX
    drain_on_cancel = True  # queued writes are applied even when the tree is torn down

    def __init__(
        self, open_db: Callable[[], peewee.Database], stats: PersistenceStats | None = None
    ) -> None:
        self._open_db = open_db
        self._db: peewee.Database | None = None
        self._thread = DedicatedThread("showroom-writer")
        self.stats = stats or PersistenceStats()

    async def started(self) -> None:
        self._db = self._open_db()
        await self._thread.run(self._db.connect, True)

    async def handle_batch(self, writes: Sequence[Write]) -> list[outcome.Outcome]:
        return await self._thread.run(self._apply, list(writes))

    async def stopped(self) -> None:
        if self._db is not None:
            await self._thread.run(self._db.close)
        await self._thread.stop()

    def _apply(self, writes: list[Write]) -> list[outcome.Outcome]:
        db = self._db
        assert db is not None
        results: list[outcome.Outcome] = []
        try:
            with db.atomic():  # BEGIN IMMEDIATE ... COMMIT
                for write in writes:
                    results.append(self._apply_one(db, write))
        except Exception as exc:  # the COMMIT (or BEGIN) failed: nothing of the batch is written
            self.stats.failed_commits += 1
            log.error("commit of %d write(s) failed: %s", len(writes), exc)
            return [outcome.Error(exc) for _ in writes]
        self.stats.record(len(writes))
        return results

    def _apply_one(self, db: peewee.Database, write: Write) -> outcome.Outcome:
        if not isinstance(write, Write):
            return outcome.Error(TypeError(f"not a storage write: {write!r}"))
        try:
            with db.atomic():  # a savepoint: a failure rolls back this write only
                return outcome.Value(write.apply())
        except Exception as exc:
            self.stats.failed_writes += 1
            log.warning("write %s failed: %s", type(write).__name__, exc)
            return outcome.Error(exc)
