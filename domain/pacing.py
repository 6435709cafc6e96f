"""How fast the outbox may send: pure arithmetic on times, no trio (tested on plain numbers).

Gateways ban numbers that blast messages, so replies are spaced per chat (with jitter: a fixed
gap is a pattern too) and capped per minute across all chats (retries: `domain.backoff`).
"""

from __future__ import annotations

import random
from collections import deque

WINDOW_S = 60.0


class RateWindow:
    """At most `per_minute` sends in any 60 s. Senders book a slot, so two chats that ask at
    the same moment cannot both take the last one."""

    __slots__ = ("_booked", "per_minute")

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._booked: deque[float] = deque()

    def reserve(self, now: float) -> float:
        """Book the next free slot; returns how long to wait for it (0: send now)."""
        while self._booked and now - self._booked[0] >= WINDOW_S:
            self._booked.popleft()
        at = now
        if len(self._booked) >= self.per_minute:
            at = max(now, self._booked[-self.per_minute] + WINDOW_S)
        self._booked.append(at)
        return at - now


def chat_gap_s(gap_s: float, rng: random.Random) -> float:
    """The pause before the next message to the same chat: the gap plus up to 40 % jitter."""
    return gap_s * (1 + rng.uniform(0, 0.4))
