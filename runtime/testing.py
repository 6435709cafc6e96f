"""What tests and benchmarks need of the kernel (as `trio.testing` is to trio): one actor run
by hand, outside any supervisor, with its mailbox in the caller's hands.

    async with trio.open_nursery() as nursery:
        ref, mailbox = actor_mailbox("persistence", 1024)
        nursery.start_soon(run_alone, PersistenceActor(open_db), mailbox)
        await ref.ask(...)
        mailbox.close()  # it drains what is queued, then stops

or, when the test needs only the ref, `async with running(actor, "name") as ref: ...`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio

from runtime.actor import Actor, ActorRef, Exit, new_actor_ref, run_actor
from runtime.mailbox import Mailbox

__all__ = ["actor_mailbox", "run_alone", "running"]


def actor_mailbox(name: str, mailbox_size: int = 64) -> tuple[ActorRef[Any], Mailbox]:
    """A new mailbox and the ref that tells and asks through it."""
    return new_actor_ref(name, mailbox_size)


async def run_alone(actor: Actor[Any], mailbox: Mailbox, *, idle_s: float | None = None) -> Exit:
    """Run one activation of `actor` until its mailbox is closed and drained (or it is idle
    for `idle_s`). A crash raises ActorCrashed: there is no supervisor to restart it."""
    return await run_actor(actor, mailbox, idle_s=idle_s)


@asynccontextmanager
async def running(
    actor: Actor[Any], name: str = "actor", mailbox_size: int = 64
) -> AsyncIterator[ActorRef[Any]]:
    """The actor runs for the block; at its end the mailbox is closed and drained."""
    ref, mailbox = actor_mailbox(name, mailbox_size)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, actor, mailbox)
        try:
            yield ref
        finally:
            mailbox.close()
