"""A bounded, single-consumer mailbox.

Built on trio's low-level parking so that an idle actor costs only a deque and one waiting
task: a trio memory channel pair carries two ordered dicts and statistics per actor, which
matters when twenty thousand chatting users each hold an idle actor.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import outcome
import trio

from runtime.errors import ActorStopped, MailboxFull


class Reply:
    """The one-shot slot an `ask` waits on. A reply to an asker that gave up is simply kept."""

    __slots__ = ("_event", "outcome")

    def __init__(self) -> None:
        self._event = trio.Event()
        self.outcome: outcome.Outcome | None = None

    def send(self, result: outcome.Outcome) -> None:
        if self.outcome is None:
            self.outcome = result
            self._event.set()

    async def wait(self) -> None:
        await self._event.wait()


# What travels through a mailbox: the message, and the reply slot when it was an `ask`.
Envelope = tuple[Any, Reply | None]


# How many messages an ordered tell may queue behind a full mailbox (a flood, a gateway
# replaying its backlog) before it too is refused.
MAX_SPILL = 10_000


class Mailbox:
    __slots__ = ("_closed", "_items", "_receiver", "_spill", "capacity", "name")

    def __init__(self, name: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"mailbox capacity must be at least 1, got {capacity}")
        self.name = name
        self.capacity = capacity
        self._items: deque[Envelope] = deque()
        self._receiver: trio.lowlevel.Task | None = None
        self._closed = False
        # Ordered messages that found the mailbox full, oldest first; they move into the
        # mailbox one by one as it is drained. None (no deque) in the common case: an idle
        # actor's mailbox stays small.
        self._spill: deque[Envelope] | None = None

    def __len__(self) -> int:
        return len(self._items) + (len(self._spill) if self._spill else 0)

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, envelope: Envelope) -> None:
        """Accept an envelope without waiting, or raise MailboxFull / ActorStopped."""
        if self._closed:
            raise ActorStopped(self.name)
        if len(self._items) >= self.capacity:
            raise MailboxFull(self.name, self.capacity)
        self._items.append(envelope)
        self._wake()

    def put_ordered(self, envelope: Envelope) -> None:
        """Accept an envelope that must keep its place among the other ordered ones: when the
        mailbox is full (or others already wait behind it) it waits behind them, up to
        MAX_SPILL. Raises MailboxFull beyond that, ActorStopped when closed."""
        if self._closed:
            raise ActorStopped(self.name)
        if not self._spill and len(self._items) < self.capacity:
            self.put(envelope)
            return
        if self._spill is None:
            self._spill = deque()
        if len(self._spill) >= MAX_SPILL:
            raise MailboxFull(self.name, self.capacity + MAX_SPILL)
        self._spill.append(envelope)

    def _take(self) -> Envelope:
        envelope = self._items.popleft()
        if self._spill:  # room now: the oldest waiting ordered message moves in
            self._items.append(self._spill.popleft())
        return envelope

    def get_nowait(self) -> Envelope:
        """The next envelope, or trio.WouldBlock when none is queued."""
        if not self._items:
            raise trio.WouldBlock
        return self._take()

    async def get(self) -> Envelope:
        """The next envelope; trio.EndOfChannel once closed and drained.

        Cancellation never loses an envelope: it is taken only after the last point
        where a cancellation can be delivered.
        """
        await trio.lowlevel.checkpoint_if_cancelled()
        if self._items:
            envelope = self._take()
            await trio.lowlevel.cancel_shielded_checkpoint()
            return envelope
        while not self._items:
            if self._closed:
                raise trio.EndOfChannel
            if self._receiver is not None:
                raise trio.BusyResourceError(f"mailbox {self.name!r} has one consumer only")
            self._receiver = trio.lowlevel.current_task()
            await trio.lowlevel.wait_task_rescheduled(self._abort_wait)
        return self._take()

    def _abort_wait(self, _: Any) -> trio.lowlevel.Abort:
        self._receiver = None
        return trio.lowlevel.Abort.SUCCEEDED

    def close(self) -> None:
        """Accept nothing more; what is queued can still be received."""
        self._closed = True
        self._wake()

    def close_and_fail(self) -> int:
        """Close, and answer every queued ask with ActorStopped.

        Returns how many tells were dropped."""
        self.close()
        dropped = 0
        while self._items:
            _, reply = self._take()
            if reply is None:
                dropped += 1
            else:
                reply.send(outcome.Error(ActorStopped(self.name)))
        return dropped

    def _wake(self) -> None:
        if self._receiver is not None:
            task, self._receiver = self._receiver, None
            trio.lowlevel.reschedule(task)
