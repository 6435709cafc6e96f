"""Exponential backoff with jitter, the one formula every retry uses (sends, downloads)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """The pause before retry number `attempt` (1, 2, ...): `first_s`, times `factor` for
    every retry before it, at most `cap_s`, then spread by +-`jitter` (two clients that failed
    together must not retry together: a fixed pause is a stampede, and a pattern)."""

    first_s: float = 2.0
    factor: float = 2.0
    cap_s: float = 300.0
    jitter: float = 0.2

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.first_s * self.factor ** max(attempt - 1, 0), self.cap_s)
        return base * (1 + rng.uniform(-self.jitter, self.jitter))
