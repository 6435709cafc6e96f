"""Delayed calls: "do this in 2.5 s", for actors that must not sleep inside a turn.

A supervised service owns the sleeping tasks, so they end with it (nothing outlives shutdown).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

from runtime.errors import ActorStopped

log = logging.getLogger("showroom.runtime")


class Timers:
    def __init__(self, name: str = "timers") -> None:
        self.name = name
        self._nursery: trio.Nursery | None = None

    def later(self, delay_s: float, action: Callable[[], object]) -> None:
        """Call `action()` after `delay_s` seconds. Raises ActorStopped when not running."""
        if self._nursery is None:
            raise ActorStopped(self.name)
        self._nursery.start_soon(self._fire, delay_s, action)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                task_status.started()
                await trio.sleep_forever()
        finally:
            self._nursery = None

    async def _fire(self, delay_s: float, action: Callable[[], object]) -> None:
        await trio.sleep(delay_s)
        try:
            action()
        except Exception:
            log.exception("%s: a delayed action failed", self.name)
