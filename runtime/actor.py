"""Actors: a task that owns a bounded mailbox and handles one message at a time.

Rules the rest of the bot relies on:
- `tell` never waits; a full mailbox raises MailboxFull for the sender to act on.
- `ask` waits at most its timeout. The handler's exception is raised at the asker and the
  actor goes on (the failure was the answer). A reply that comes after the asker gave up is
  dropped without harming the actor.
- A handler that raises on a `tell` has crashed: it is logged with the actor's name and the
  message, and whoever runs the actor (supervisor or registry) decides what happens next.
- Only the mailbox receive sits inside the idle timer: a turn in progress is never cancelled by it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

import outcome
import trio

from runtime.errors import ActorCrashed, ActorStopped, describe
from runtime.mailbox import Envelope, Mailbox, Reply

log = logging.getLogger("showroom.runtime")

M = TypeVar("M")

STOP_GRACE_S = 5.0  # how long an actor's `stopped` hook may run once its scope is cancelled


class Actor(Generic[M]):
    """Subclass and implement `handle`. Keep state in attributes; one message at a time.

    `batch_max` > 1 makes the kernel hand every turn to `handle_batch`, with up to that many
    queued messages at once (the persistence actor commits a whole batch in one transaction).
    """

    batch_max: ClassVar[int] = 1
    # Handle what is still queued when the actor's scope is cancelled (shielded, within
    # STOP_GRACE_S) instead of leaving it: for the actor that makes writes durable.
    drain_on_cancel: ClassVar[bool] = False

    async def started(self) -> None:
        """Runs before the first message (load state here)."""

    async def handle(self, message: M) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not handle {type(message).__name__}")

    async def handle_batch(self, messages: Sequence[M]) -> Sequence[outcome.Outcome]:
        """One outcome per message, in order. The default handles them one by one."""
        return [await outcome.acapture(self.handle, m) for m in messages]

    async def stopped(self) -> None:
        """Runs when the actor stops or passivates (not after a crash: its state is suspect)."""


class Exit(enum.Enum):
    STOPPED = "stopped"  # mailbox closed and drained
    IDLE = "idle"  # idle deadline passed with an empty mailbox


class ActorRef(Generic[M]):
    """The address of an actor. Stays valid across restarts of the actor behind it."""

    __slots__ = ("_mailbox",)

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    @property
    def name(self) -> str:
        return self._mailbox.name

    @property
    def queued(self) -> int:
        return len(self._mailbox)

    def tell(self, message: M) -> None:
        """Deliver without waiting. Raises MailboxFull or ActorStopped."""
        self._mailbox.put((message, None))

    async def ask(self, message: M, *, timeout: float) -> Any:
        """Deliver and wait for the reply. Raises the handler's exception, MailboxFull,
        ActorStopped, or TimeoutError when no reply came within `timeout` seconds."""
        reply = Reply()
        self._mailbox.put((message, reply))
        with trio.move_on_after(timeout):
            await reply.wait()
        if reply.outcome is None:
            raise TimeoutError(
                f"actor {self.name!r} did not answer {type(message).__name__} within {timeout:g} s"
            )
        return reply.outcome.unwrap()

    def __repr__(self) -> str:
        return f"<ActorRef {self.name}>"


async def run_actor(actor: Actor[Any], mailbox: Mailbox, *, idle_s: float | None = None) -> Exit:
    """Run one activation of `actor` on `mailbox` until it is closed and drained, or idle.

    Raises ActorCrashed (after logging it) when a told message or `started` raised.
    """
    try:
        # An actor that drains when cancelled finishes starting first: cancelled while it
        # opened its database, it would otherwise drop what was already queued for it.
        with trio.CancelScope(shield=actor.drain_on_cancel):
            await actor.started()
    except Exception as exc:
        log.error("actor %s crashed while starting", mailbox.name, exc_info=exc)
        raise ActorCrashed(mailbox.name, None) from exc
    try:
        reason = await _turns(actor, mailbox, idle_s)
    except trio.Cancelled:
        with trio.CancelScope(shield=True, deadline=trio.current_time() + STOP_GRACE_S):
            if actor.drain_on_cancel:
                while len(mailbox):
                    await _handle(
                        actor, mailbox.name, _take_batch(actor, mailbox.get_nowait(), mailbox)
                    )
            await actor.stopped()
        raise
    await actor.stopped()
    return reason


async def _turns(actor: Actor[Any], mailbox: Mailbox, idle_s: float | None) -> Exit:
    while True:
        first: Envelope | None = None
        try:
            if idle_s is None:
                first = await mailbox.get()
            else:
                # An envelope queued as the deadline passes is not lost: get() takes it
                # only after its last cancellation point, so it stays for the check below.
                with trio.move_on_after(idle_s):
                    first = await mailbox.get()
        except trio.EndOfChannel:
            return Exit.STOPPED
        if first is None:
            if len(mailbox) == 0:
                return Exit.IDLE
            continue
        # What an actor that drains has taken from its mailbox is handled to the end, even
        # when it is cancelled meanwhile: cancelled between taking a batch and handing it to
        # its thread, the persistence actor lost the whole batch.
        with trio.CancelScope(shield=actor.drain_on_cancel):
            await _handle(actor, mailbox.name, _take_batch(actor, first, mailbox))


def _take_batch(actor: Actor[Any], first: Envelope, mailbox: Mailbox) -> list[Envelope]:
    batch = [first]
    while len(batch) < actor.batch_max and len(mailbox):
        batch.append(mailbox.get_nowait())
    return batch


async def _handle(actor: Actor[Any], name: str, batch: list[Envelope]) -> None:
    if actor.batch_max == 1:
        results: Sequence[outcome.Outcome] = [await outcome.acapture(actor.handle, batch[0][0])]
    else:
        results = await actor.handle_batch([message for message, _ in batch])
        if len(results) != len(batch):
            raise RuntimeError(
                f"{name}: handle_batch gave {len(results)} outcomes for {len(batch)}"
            )
    interrupted: BaseException | None = None  # Cancelled, KeyboardInterrupt: never a crash
    crash: tuple[object, Exception] | None = None
    for (message, reply), result in zip(batch, results, strict=True):
        error = result.error if isinstance(result, outcome.Error) else None
        if error is not None and not isinstance(error, Exception):
            interrupted = interrupted or error
            if reply is not None:
                reply.send(outcome.Error(ActorStopped(name)))
        elif reply is not None:
            reply.send(result)
        elif error is not None and crash is None:
            crash = (message, error)
    if interrupted is not None:
        raise interrupted
    if crash is not None:
        message, error = crash
        log.error("actor %s crashed handling %s", name, describe(message), exc_info=error)
        raise ActorCrashed(name, message) from error


def new_actor_ref(name: str, mailbox_size: int) -> tuple[ActorRef[Any], Mailbox]:
    mailbox = Mailbox(name, mailbox_size)
    return ActorRef(mailbox), mailbox
