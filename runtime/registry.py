"""Keyed (virtual) actors: one actor per key, activated by its first message, passivated when idle.

The registry is the only way to reach a keyed actor, so nobody holds a stale reference:
`registry.tell(key, message)` finds the live activation or starts one. Passivation cannot lose
a message: the decision "mailbox empty, so remove me" is taken without a checkpoint in between,
and messages that arrive while the actor runs its `stopped` hook are handed to a fresh
activation of the same key in the same task (never two activations of one key at once).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

import outcome
import trio

from runtime.actor import Actor, run_actor
from runtime.errors import ActorCrashed, ActorStopped
from runtime.mailbox import Mailbox

log = logging.getLogger("showroom.runtime")

K = TypeVar("K", bound=Hashable)

CrashHandler = Callable[[Any, object, BaseException], Awaitable[None] | None]


class KeyedRegistry(Generic[K]):
    def __init__(
        self,
        name: str,
        factory: Callable[[K], Actor[Any]],
        *,
        idle_s: float,
        mailbox_size: int = 64,
        on_crash: CrashHandler | None = None,
    ) -> None:
        """`factory(key)` builds a fresh actor; its `started` hook loads the key's state.
        `on_crash(key, message, error)` is told about each message that was not handled: the
        one that crashed the activation, or, when the actor cannot even start, every message
        that was queued for it. An async handler is awaited before the key starts again."""
        self.name = name
        self._factory = factory
        self._idle_s = idle_s
        self._mailbox_size = mailbox_size
        self._on_crash = on_crash
        self._active: dict[K, Mailbox] = {}
        self._nursery: trio.Nursery | None = None
        self._closing = False
        self._stop_requested = trio.Event()
        self.activations = 0
        self.crashes = 0

    def __len__(self) -> int:
        """How many keys are active right now."""
        return len(self._active)

    def __contains__(self, key: object) -> bool:
        return key in self._active

    def active_keys(self) -> list[K]:
        """The keys active right now (a copy)."""
        return list(self._active)

    def tell(self, key: K, message: object, *, ordered: bool = False) -> None:
        """Deliver to the key's actor, activating it if needed. Raises MailboxFull or
        ActorStopped (registry not running or shutting down).

        `ordered`: the key's ordered messages arrive in the order they were told, whatever
        the load: one that finds the mailbox full waits behind it (see Mailbox.put_ordered)
        instead of being refused, so a later one can never overtake it."""
        mailbox = self._active.get(key)
        if mailbox is None:
            if self._nursery is None or self._closing:
                raise ActorStopped(self.name)
            mailbox = Mailbox(f"{self.name}[{key}]", self._mailbox_size)
            mailbox.put((message, None))
            self._active[key] = mailbox
            self._nursery.start_soon(self._run_key, key, mailbox)
            return
        if ordered:
            mailbox.put_ordered((message, None))
        else:
            mailbox.put((message, None))

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Host the activations until stop() and every activation has drained its mailbox."""
        self._closing = False
        self._stop_requested = trio.Event()
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                task_status.started()
                await self._stop_requested.wait()
        finally:
            self._nursery = None

    def stop(self) -> None:
        """Graceful stop: accept no new keys or messages; each activation finishes its queue."""
        self._closing = True
        for mailbox in self._active.values():
            mailbox.close()
        self._stop_requested.set()

    async def _run_key(self, key: K, mailbox: Mailbox) -> None:
        try:
            while True:
                self.activations += 1
                try:
                    await run_actor(self._factory(key), mailbox, idle_s=self._idle_s)
                except ActorCrashed as crash:
                    self.crashes += 1
                    await self._report_crash(key, crash.message, crash)
                    if crash.message is None:  # it cannot even start: give up what is queued
                        await self._give_up_queue(key, mailbox, crash)
                        break
                # Passivated, stopped or crashed. No checkpoint from this test to the removal
                # below, so a message told from now on activates a new task.
                if len(mailbox) == 0:
                    break
        finally:
            if self._active.get(key) is mailbox:
                del self._active[key]
            mailbox.close_and_fail()

    async def _give_up_queue(self, key: K, mailbox: Mailbox, crash: ActorCrashed) -> None:
        """Starting again right away would crash again: each queued message is reported as
        not handled (and a waiting asker gets the error) instead of looping."""
        error = crash.__cause__ or crash
        while len(mailbox):
            message, reply = mailbox.get_nowait()
            if reply is not None:
                reply.send(outcome.Error(crash))
            await self._report_crash(key, message, crash)
        log.error(
            "%s: %r cannot start (%s); its queued messages were given up", self.name, key, error
        )

    async def _report_crash(self, key: K, message: object, crash: ActorCrashed) -> None:
        if self._on_crash is None or message is None:
            return
        try:
            handled = self._on_crash(key, message, crash.__cause__ or crash)
            if inspect.isawaitable(handled):
                await handled
        except Exception:
            log.exception("%s: crash handler failed for %r", self.name, key)
