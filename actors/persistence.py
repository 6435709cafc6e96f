"""The persistence actor: the only writer to the database.

Callers `ask` it to apply a write (storage.writes). Everything queued is taken as one batch and
applied in ONE transaction on ONE dedicated thread; the askers are answered after COMMIT, so an
answer means durable. A write that fails fails only its own asker (with the reason): the
transaction is rolled back and the rest of the batch is applied again without it.
If the COMMIT itself fails, every asker of that batch gets the error: nothing was written.

One fsync per batch instead of one per write is what makes synchronous=FULL affordable.

On PostgreSQL the writer's connection can be cut under it (a server restart): the batch that
finds it cut is run once more at once, on a new connection, so a restart that is over costs
no write. A cut during the COMMIT itself leaves it unknown whether the server applied it:
a turn and an inbox row are then kept once (the session's version, the inbox's unique key),
but a reply enqueued or an audit row written outside a turn can be written twice. That needs
the server to stop during those milliseconds; a dedupe key on every write would close it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import outcome
import peewee

from runtime import Actor, DedicatedThread
from storage.errors import StorageError, StorageUnavailable, WriteRefused
from storage.faults import Fault, classify
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
    # What keeps writes from being committed now (a full disk...), since when (time.time());
    # and the last such episode once it is over: (fault, since, until).
    fault: Fault | None = None
    fault_since: float | None = None
    last_fault: tuple[Fault, float, float] | None = None

    def record(self, size: int) -> None:
        self.batches += 1
        self.writes += size
        self.batch_sizes.append(size)
        del self.batch_sizes[:-1000]

    def note(self, fault: Fault | None) -> None:
        """After each batch: the fault its writes met, or None when they all went through."""
        now = time.time()
        if fault is not None and fault is not self.fault:
            self.fault, self.fault_since = fault, now
            log.error("writes fail: %s; they wait (webhooks are answered 503)", fault.value)
        elif fault is None and self.fault is not None:
            assert self.fault_since is not None
            self.last_fault = (self.fault, self.fault_since, now)
            log.warning(
                "writes work again after %.0f s of: %s", now - self.fault_since, self.fault.value
            )
            self.fault, self.fault_since = None, None


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
        met: Fault | None = None  # a fault of the database or the disk, not of one write
        reconnected = False  # the batch was run again on a new connection once already
        while True:
            try:
                with db.atomic():  # BEGIN IMMEDIATE ... COMMIT
                    for index in pending:
                        results[index] = outcome.Value(_apply_one(index, writes[index]))
            except _WriteFailed as failed:  # rolled back: answer that one, run the rest again
                fault = classify(failed.error)
                if fault is Fault.UNREACHABLE and not reconnected:
                    reconnected = True  # the connection was cut: the next statement replaces it
                    log.warning("the database connection was cut; writing again")
                    continue
                self.stats.failed_writes += 1
                met = met or fault
                # one line when a fault begins, not one per write while it lasts
                level = (
                    logging.DEBUG
                    if fault is not None and fault is self.stats.fault
                    else (logging.WARNING)
                )
                log.log(
                    level, "write %s failed: %s", type(writes[failed.index]).__name__, failed.error
                )
                results[failed.index] = outcome.Error(_as_storage_error(failed.error))
                pending.remove(failed.index)
                continue
            except Exception as failure:  # BEGIN or COMMIT failed: nothing of it is written
                exc = _underlying(failure)
                fault = classify(exc)
                if fault is Fault.UNREACHABLE and not reconnected:
                    reconnected = True
                    log.warning("the database connection was cut; writing again")
                    continue
                self.stats.failed_commits += 1
                met = met or fault
                level = (
                    logging.DEBUG
                    if fault is not None and fault is self.stats.fault
                    else (logging.ERROR)
                )
                log.log(level, "commit of %d write(s) failed: %s", len(pending), exc)
                for index in pending:
                    results[index] = outcome.Error(_as_storage_error(exc))
            else:
                if pending:
                    self.stats.record(len(pending))
            if pending or met is not None:
                self.stats.note(met)
            return [results[index] for index in range(len(writes))]


def _as_storage_error(error: Exception) -> Exception:
    """The database's own errors reach the askers as the storage floor's error (so the floors
    above need not know peewee); anything else (a bug) goes as it is."""
    if isinstance(error, peewee.IntegrityError | peewee.DataError):
        translated: StorageError = WriteRefused(f"database refused the write: {error}")
    elif isinstance(error, peewee.PeeweeException):
        translated = StorageUnavailable(f"database error: {error}")
    else:
        return error
    translated.__cause__ = error
    return translated


def _underlying(error: Exception) -> Exception:
    """The error that made a transaction fail. When a statement or the COMMIT fails with
    SQLITE_FULL, SQLite has rolled the transaction back already, and peewee's own ROLLBACK
    then fails with "cannot rollback - no transaction is active" (wrapped twice): the askers
    and the logs need the first error, not that one."""
    current: BaseException | None = error
    while current is not None and "no transaction is active" in str(current):
        current = current.__context__
    if isinstance(current, _WriteFailed):
        return current.error
    return current if isinstance(current, Exception) else error


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
