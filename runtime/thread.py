"""A dedicated OS thread for blocking work that must always run on the same thread.

The persistence actor keeps its one SQLite write connection on such a thread: a connection
is bound to the thread that opened it, and one thread makes the writes strictly serial.
trio's own `to_thread` picks any cached thread, so it cannot give that guarantee.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import outcome
import trio

T = TypeVar("T")

_STOP = object()


class DedicatedThread:
    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the thread and return its result (or raise its exception).

        Not cancellable once submitted: the work (a COMMIT, say) runs to its end and the
        caller learns how it ended, exactly like `trio.to_thread.run_sync` without abandon.
        """
        self.start()
        await trio.lowlevel.checkpoint_if_cancelled()
        token = trio.lowlevel.current_trio_token()
        task = trio.lowlevel.current_task()

        def job() -> None:
            result = outcome.capture(fn, *args)
            token.run_sync_soon(trio.lowlevel.reschedule, task, result)

        self._jobs.put(job)
        return await trio.lowlevel.wait_task_rescheduled(lambda _: trio.lowlevel.Abort.FAILED)

    async def stop(self) -> None:
        """Let the thread finish what it was given, then end it."""
        if self._thread is None:
            return
        self._jobs.put(_STOP)
        thread, self._thread = self._thread, None
        await trio.to_thread.run_sync(thread.join)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not _STOP:
            job()
