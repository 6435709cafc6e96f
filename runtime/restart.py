"""Restart intensity and backoff: pure bookkeeping, no trio, so it is tested on plain numbers."""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass


class Restart(enum.Enum):
    """When a supervisor starts a child again (Erlang/OTP's restart types)."""

    PERMANENT = "permanent"  # always: after a crash and after a normal end
    TRANSIENT = "transient"  # only after a crash
    TEMPORARY = "temporary"  # never


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """More than `max_restarts` restarts within `within_s` seconds and the supervisor gives up.

    Between restarts it waits `backoff_initial_s`, growing by `backoff_factor` for every
    restart still inside the window, capped at `backoff_max_s`.
    """

    max_restarts: int = 3
    within_s: float = 5.0
    backoff_initial_s: float = 0.1
    backoff_factor: float = 2.0
    backoff_max_s: float = 5.0

    def __post_init__(self) -> None:
        if self.max_restarts < 0:
            raise ValueError("max_restarts must be 0 or more")
        if self.within_s <= 0 or self.backoff_initial_s < 0 or self.backoff_factor < 1:
            raise ValueError("within_s must be > 0, backoff_initial_s >= 0, backoff_factor >= 1")
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff_max_s must be at least backoff_initial_s")


class RestartTracker:
    """Remembers one child's recent restarts and decides about the next one."""

    __slots__ = ("_policy", "_restarts")

    def __init__(self, policy: RestartPolicy) -> None:
        self._policy = policy
        self._restarts: deque[float] = deque()

    def next_delay(self, now: float) -> float | None:
        """Seconds to wait before restarting after an end at `now`, or None: give up."""
        policy = self._policy
        while self._restarts and now - self._restarts[0] >= policy.within_s:
            self._restarts.popleft()
        if len(self._restarts) >= policy.max_restarts:
            return None
        delay = policy.backoff_initial_s * policy.backoff_factor ** len(self._restarts)
        self._restarts.append(now)
        return min(delay, policy.backoff_max_s)
