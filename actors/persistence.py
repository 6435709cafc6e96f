"""The persistence actor: the only writer to the database.

Callers `ask` it to apply a write (storage.writes). Everything queued is taken as one batch and
applied in ONE transaction on ONE dedicated thread; the askers are answered after COMMIT, so an
answer means durable. A write that fails fails only its own asker (with the reason): the
transaction is rolled back and the rest of the batch is applied again without it.
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
from storage.errors import StorageError
from storage.writes import Write

log = logging.getLogger("showroom.storage")

MAILBOX_SIZE = 1024
BATCH_MAX = 512


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
        """Apply the batch in one transaction. A write that fails is answered with its error
        and the transaction is rolled back and run again without it (failures are rare, and
        this keeps the common case free of a savepoint per write)."""
        db = self._db
        assert db is not None
        results: dict[int, outcome.Outcome] = {}
        pending = list(range(len(writes)))
        while True:
            try:
                with db.atomic():  # BEGIN IMMEDIATE ... COMMIT
                    for index in pending:
                        results[index] = outcome.Value(_apply_one(index, writes[index]))
            except _WriteFailed as failed:  # rolled back: answer that one, run the rest again
                self.stats.failed_writes += 1
                log.warning(
                    "write %s failed: %s", type(writes[failed.index]).__name__, failed.error
                )
                results[failed.index] = outcome.Error(_as_storage_error(failed.error))
                pending.remove(failed.index)
                continue
            except Exception as exc:  # BEGIN or COMMIT failed: nothing of the batch is written
                self.stats.failed_commits += 1
                log.error("commit of %d write(s) failed: %s", len(pending), exc)
                for index in pending:
                    results[index] = outcome.Error(_as_storage_error(exc))
            else:
                self.stats.record(len(pending))
            return [results[index] for index in range(len(writes))]


def _as_storage_error(error: Exception) -> Exception:
    """The database's own errors reach the askers as the storage floor's error (so the floors
    above need not know peewee); anything else (a bug) goes as it is."""
    if isinstance(error, peewee.PeeweeException) and not isinstance(error, StorageError):
        translated = StorageError(f"database error: {error}")
        translated.__cause__ = error
        return translated
    return error


class _WriteFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error


def _apply_one(index: int, write: Write) -> object:
    try:
        if not isinstance(write, Write):
            raise TypeError(f"not a storage write: {write!r}")
        return write.apply()
    except Exception as exc:
        raise _WriteFailed(index, exc) from exc
