"""When to ask the gateway again for a photo that is "not there yet". Pure arithmetic.

The gateway posts the webhook before it has saved the file, so the first requests see 404 for
anything from 0.1 s to tens of seconds. Attempts go at absolute times counted from the start of
the download (a slow request does not push the schedule back), on a geometric series: after
0.25 s, then each gap about 1.6 times the one before, capped at 1.5 s. However long the file
takes, we fetch it at most about 0.6 x its own delay late, and never more than 1.5 s late: a photo
that never comes costs one request every 1.5 s until the deadline. A small random phase shift per
download keeps many downloads from polling in step.

Transport errors and 5xx are another matter (the gateway is unwell, not slow): those retry with
jittered exponential backoff, and only while a process-wide budget allows, so a broken gateway
does not get a retry storm from every seller's photos at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from domain.backoff import Backoff


@dataclass(frozen=True, slots=True)
class ReadinessSchedule:
    first_s: float = 0.25
    growth: float = 1.6
    max_gap_s: float = 1.5  # a late photo is fetched at most 1.5 s after it appears
    deadline_s: float = 45.0
    phase: float = 0.1  # attempts come up to 10 % early, at random per download

    def attempt_times(self, rng: random.Random | None = None) -> list[float]:
        """Seconds after the download started at which to (re)try, within the deadline."""
        shift = 1 - (rng or random.Random()).uniform(0, self.phase)
        times, at, gap = [0.0], 0.0, self.first_s
        while True:
            at += min(gap, self.max_gap_s)
            if at * shift > self.deadline_s:
                return times
            times.append(at * shift)
            gap *= self.growth


ORIGINAL_SCHEDULE = (0.0, 2.0, 5.0)  # the system this replaces: three tries, then it gave up


def lateness(attempts: list[float] | tuple[float, ...], ready_at: float) -> float | None:
    """How long after the file appeared the first attempt that finds it comes (None: never)."""
    return next((at - ready_at for at in attempts if at >= ready_at), None)


class RetryBudget:
    """A token bucket shared by every download: `rate_per_s` retries a second, `burst` at once."""

    def __init__(self, rate_per_s: float = 2.0, burst: float = 20.0) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._tokens = burst
        self._at: float | None = None

    def take(self, now: float) -> bool:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate_per_s)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


# The pause before retry number n after a transport error or a 5xx (as long as the budget
# allows another): 0.5 s, 1 s, 2 s ... at most 8 s, +-25 %.
TROUBLE_BACKOFF = Backoff(first_s=0.5, factor=2.0, cap_s=8.0, jitter=0.25)
