"""A supervised worker pool with structured cancellation.

N workers pull jobs from one bounded queue that is fair between owners. Every job belongs to a
JobGroup (say, one seller's upload); cancelling the group drops its queued jobs and interrupts
its running ones at their next checkpoint (their `finally` blocks still run), and touches no
other group. Every job ends with an outcome (value, error, or JobCancelled) that is handed to
`on_done` and to anyone awaiting the job.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import outcome
import trio

from runtime.errors import ActorStopped, JobCancelled, PoolFull
from runtime.fairqueue import FairQueue
from runtime.restart import RestartPolicy
from runtime.supervisor import Supervisor

log = logging.getLogger("showroom.runtime")

DoneCallback = Callable[["Job"], None]


class Job:
    __slots__ = ("_done", "args", "fn", "group", "id", "on_done", "outcome", "scope")

    def __init__(
        self,
        job_id: int,
        group: JobGroup,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        on_done: DoneCallback | None,
    ) -> None:
        self.id = job_id
        self.group = group
        self.fn = fn
        self.args = args
        self.on_done = on_done
        self.scope: trio.CancelScope | None = None
        self.outcome: outcome.Outcome | None = None
        self._done = trio.Event()

    @property
    def done(self) -> bool:
        return self.outcome is not None

    async def wait(self) -> outcome.Outcome:
        """Wait until the job has ended; its outcome (never raises the job's error)."""
        await self._done.wait()
        assert self.outcome is not None
        return self.outcome

    async def result(self) -> Any:
        """Wait and return the job's value, or raise its error (JobCancelled when cancelled)."""
        return (await self.wait()).unwrap()

    def _finish(self, result: outcome.Outcome) -> None:
        if self.outcome is not None:
            return
        self.outcome = result
        self._done.set()
        if self.on_done is not None:
            try:
                self.on_done(self)
            except Exception:
                log.exception("on_done callback of job %d (%s) failed", self.id, self.group.name)

    def __repr__(self) -> str:
        state = "done" if self.done else "running" if self.scope is not None else "queued"
        return f"<Job {self.id} of {self.group.name} {state}>"


class JobGroup:
    """A cancellable set of jobs of one owner (the owner is what fairness is counted by)."""

    __slots__ = ("_pool", "_running", "cancelled", "name", "owner")

    def __init__(self, pool: WorkerPool, name: str, owner: Hashable) -> None:
        self._pool = pool
        self.name = name
        self.owner = owner
        self.cancelled = False
        self._running: set[Job] = set()

    def submit(
        self,
        fn: Callable[..., Awaitable[Any]],
        *args: Any,
        on_done: DoneCallback | None = None,
    ) -> Job:
        """Queue `await fn(*args)` without waiting.

        Raises PoolFull, JobCancelled (group cancelled) or ActorStopped (pool closed)."""
        if self.cancelled:
            raise JobCancelled(self.name)
        return self._pool._enqueue(self, fn, args, on_done)

    def cancel(self) -> int:
        """Cancel every queued and running job of this group; later submits are refused.
        Returns how many jobs were affected."""
        self.cancelled = True
        dropped = self._pool._queue.remove_where(self.owner, lambda job: job.group is self)
        for job in dropped:
            job._finish(outcome.Error(JobCancelled(self.name)))
        for job in self._running:
            assert job.scope is not None
            job.scope.cancel()
        return len(dropped) + len(self._running)

    @property
    def running(self) -> int:
        return len(self._running)


class WorkerPool:
    def __init__(
        self,
        name: str,
        *,
        workers: int,
        capacity: int,
        policy: RestartPolicy | None = None,
    ) -> None:
        if workers < 1 or capacity < 1:
            raise ValueError("a worker pool needs at least one worker and a capacity of at least 1")
        self.name = name
        self.workers = workers
        self.capacity = capacity
        self._queue: FairQueue[Job] = FairQueue()
        self._work_ready = trio.lowlevel.ParkingLot()
        self._ids = itertools.count(1)
        self._closed = False
        self._supervisor = Supervisor(f"{name}.supervisor", policy)
        for number in range(1, workers + 1):
            self._supervisor.add_service(f"{name}.worker{number}", self._work)

    @property
    def queued(self) -> int:
        return len(self._queue)

    def group(self, name: str, owner: Hashable | None = None) -> JobGroup:
        """A new cancellable group; `owner` (default: the name) decides fairness."""
        return JobGroup(self, name, name if owner is None else owner)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the workers until close(); raises Escalation when workers keep crashing."""
        self._closed = False
        try:
            await self._supervisor.run(task_status=task_status)
        finally:
            self._closed = True
            while self._queue:
                job = self._queue.pop()
                job._finish(outcome.Error(JobCancelled(job.group.name)))

    def close(self) -> None:
        """Refuse new jobs, cancel queued and running ones, and stop the workers."""
        self._closed = True
        self._supervisor.shutdown()

    def _enqueue(
        self,
        group: JobGroup,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        on_done: DoneCallback | None,
    ) -> Job:
        if self._closed:
            raise ActorStopped(self.name)
        if len(self._queue) >= self.capacity:
            raise PoolFull(self.capacity)
        job = Job(next(self._ids), group, fn, args, on_done)
        self._queue.push(group.owner, job)
        self._work_ready.unpark()
        return job

    async def _work(self) -> None:
        while True:
            while not self._queue:
                await self._work_ready.park()
            job = self._queue.pop()
            # Registered before the first checkpoint, so a cancel of the group reaches it.
            job.scope = trio.CancelScope()
            job.group._running.add(job)
            try:
                await self._run_job(job)
            except BaseException as exc:  # the worker itself broke: the job still gets an end
                job._finish(
                    outcome.Error(
                        exc if isinstance(exc, Exception) else JobCancelled(job.group.name)
                    )
                )
                raise
            finally:
                job.group._running.discard(job)

    @staticmethod
    async def _run_job(job: Job) -> None:
        assert job.scope is not None
        result: outcome.Outcome = outcome.Error(JobCancelled(job.group.name))
        try:
            with job.scope:
                result = outcome.Value(await job.fn(*job.args))
        except Exception as exc:
            result = outcome.Error(exc)
        finally:
            # Cancelled by its group (even if the job swallowed it), or by the pool's own
            # shutdown (the Cancelled propagates on): either way the job reports JobCancelled.
            if job.scope.cancel_called and isinstance(result, outcome.Value):
                result = outcome.Error(JobCancelled(job.group.name))
            job._finish(result)
