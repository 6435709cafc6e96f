"""Supervision in the Erlang/OTP sense, one-for-one.

A supervisor runs its children, restarts those that end according to their restart type and
its restart intensity (with backoff between restarts), and gives up by raising Escalation to
its own parent once a child restarts too often. Cancellation and KeyboardInterrupt are never
crashes: they pass straight through.

Children start in the order they were added and stop in the reverse order, one at a time,
so intake stops first and the database closes last.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import trio

from runtime.actor import Actor, ActorRef, Exit, new_actor_ref, run_actor
from runtime.errors import ActorCrashed, Escalation
from runtime.restart import Restart, RestartPolicy, RestartTracker

log = logging.getLogger("showroom.runtime")


@dataclass(eq=False)
class _Child:
    name: str
    restart: Restart
    run_once: Callable[[], Awaitable[Any]]
    request_stop: Callable[[], None] | None  # graceful stop; without one the child is cancelled
    on_final_exit: Callable[[], None] | None = None
    scope: trio.CancelScope = field(default_factory=trio.CancelScope)
    done: trio.Event = field(default_factory=trio.Event)
    starts: int = 0
    finished_by_itself: bool = False  # e.g. an actor whose mailbox was closed and drained


TRANSIENT_BACKOFF_MAX_S = 30.0


class Supervisor:
    def __init__(
        self,
        name: str,
        policy: RestartPolicy | None = None,
        *,
        stop_grace_s: float = 10.0,
        is_transient: Callable[[BaseException], bool] | None = None,
    ) -> None:
        """`is_transient(error)` tells a crash that will pass by itself (no file descriptor
        free, a full disk): the child is restarted after a growing pause (at most
        TRANSIENT_BACKOFF_MAX_S) and the crash does not count towards giving up."""
        self.name = name
        self.policy = policy or RestartPolicy()
        self.stop_grace_s = stop_grace_s
        self.is_transient = is_transient
        self._children: list[_Child] = []
        self._nursery: trio.Nursery | None = None
        self._wake = trio.Event()
        self._stopping = False
        self._escalation: Escalation | None = None

    # -- building the tree --------------------------------------------------------------

    def add_actor(
        self,
        name: str,
        factory: Callable[[], Actor[Any]],
        *,
        mailbox_size: int = 64,
        restart: Restart = Restart.PERMANENT,
    ) -> ActorRef[Any]:
        """Add an actor child. Its ref works at once; messages wait in the mailbox until it runs,
        and the mailbox (with what is queued) survives restarts."""
        ref, mailbox = new_actor_ref(name, mailbox_size)
        child: _Child

        async def run_once() -> None:
            if await run_actor(factory(), mailbox) is Exit.STOPPED:
                child.finished_by_itself = True

        child = _Child(name, restart, run_once, mailbox.close, mailbox.close_and_fail)
        self._add(child)
        return ref

    def add_service(
        self,
        name: str,
        run: Callable[[], Awaitable[Any]],
        *,
        restart: Restart = Restart.PERMANENT,
        stop: Callable[[], None] | None = None,
    ) -> None:
        """Add any long-running async function (a server, a registry, a nested supervisor's
        `run`). `stop`, when given, asks it to finish by itself at shutdown."""
        self._add(_Child(name, restart, run, stop))

    def _add(self, child: _Child) -> None:
        if any(c.name == child.name for c in self._children):
            raise ValueError(f"supervisor {self.name!r} already has a child {child.name!r}")
        self._children.append(child)
        if self._nursery is not None:
            self._nursery.start_soon(self._supervise, child)

    def starts(self, name: str) -> int:
        """How many times the named child has been started (for health and tests)."""
        return next(c.starts for c in self._children if c.name == name)

    # -- running -------------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run until shutdown() (or every child ended for good). Raises Escalation on give-up."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            for child in list(self._children):
                await nursery.start(self._supervise, child)  # in order: each one is running
            task_status.started()
            while not self._stopping and not all(c.done.is_set() for c in self._children):
                await self._wake.wait()
                self._wake = trio.Event()
            await self._stop_children()
        self._nursery = None
        if self._escalation is not None:
            raise self._escalation

    def shutdown(self) -> None:
        """Begin the ordered shutdown: last child first, each given stop_grace_s to finish."""
        self._stopping = True
        self._wake.set()

    async def _stop_children(self) -> None:
        self._stopping = True
        for child in reversed(self._children):
            if child.done.is_set():
                continue
            if child.request_stop is not None:
                child.request_stop()
                with trio.move_on_after(self.stop_grace_s):
                    await child.done.wait()
                if not child.done.is_set():
                    log.warning(
                        "%s: %s did not stop within %g s; cancelling it",
                        self.name,
                        child.name,
                        self.stop_grace_s,
                    )
            child.scope.cancel()
            await child.done.wait()

    async def _supervise(
        self, child: _Child, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
    ) -> None:
        tracker = RestartTracker(self.policy)
        passing = 0  # transient crashes in a row
        task_status.started()
        try:
            with child.scope:
                while not self._stopping:
                    child.starts += 1
                    started_at = trio.current_time()
                    error: Exception | None = None
                    try:
                        await child.run_once()
                    except ActorCrashed as exc:
                        error = exc  # already logged with the message it was handling
                    except Exception as exc:
                        log.error("%s: %s crashed", self.name, child.name, exc_info=exc)
                        error = exc
                    crashed = error is not None
                    if self._stopping or child.finished_by_itself:
                        break
                    if child.restart is Restart.TEMPORARY or (
                        child.restart is Restart.TRANSIENT and not crashed
                    ):
                        break
                    if trio.current_time() - started_at >= self.policy.within_s:
                        passing = 0  # it ran well for a while: start the pauses afresh
                    if error is not None and self.is_transient and self.is_transient(error):
                        passing += 1
                        delay = min(
                            self.policy.backoff_initial_s * self.policy.backoff_factor**passing,
                            TRANSIENT_BACKOFF_MAX_S,
                        )
                        log.warning(
                            "%s: %s failed for a passing reason; restarting in %.2f s "
                            "(not counted as a crash)",
                            self.name,
                            child.name,
                            delay,
                        )
                        await trio.sleep(delay)
                        continue
                    passing = 0
                    delay = tracker.next_delay(trio.current_time())
                    if delay is None:
                        self._give_up(child)
                        break
                    log.warning(
                        "%s: restarting %s in %.2f s (start %d)",
                        self.name,
                        child.name,
                        delay,
                        child.starts + 1,
                    )
                    await trio.sleep(delay)
        finally:
            if child.on_final_exit is not None:
                child.on_final_exit()
            child.done.set()
            self._wake.set()

    def _give_up(self, child: _Child) -> None:
        policy = self.policy
        self._escalation = Escalation(self.name, child.name, policy.max_restarts, policy.within_s)
        log.critical("%s", self._escalation)
        self.shutdown()
