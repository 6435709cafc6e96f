"""The readiness schedule and the retry budget, on plain numbers."""

import itertools
import random

import pytest

from domain.readiness import (
    ORIGINAL_SCHEDULE,
    TROUBLE_BACKOFF,
    ReadinessSchedule,
    RetryBudget,
    lateness,
)

READY_TIMES = [0.1, 0.5, 1, 3, 10, 30]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("ready_at", READY_TIMES)
def test_lateness_stays_under_six_tenths_of_the_wait(seed, ready_at):
    attempts = ReadinessSchedule().attempt_times(random.Random(seed))
    late = lateness(attempts, ready_at)
    assert late is not None
    assert late <= 0.6 * max(ready_at, 0.25) + 1e-9
    assert late <= ReadinessSchedule().max_gap_s


def test_attempts_start_at_once_grow_geometrically_and_stop_at_the_deadline():
    attempts = ReadinessSchedule(phase=0).attempt_times()
    assert attempts[:4] == pytest.approx([0, 0.25, 0.65, 1.29])
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert max(gaps) <= 1.5 + 1e-9 and attempts[-1] <= 45.0
    assert len(attempts) <= 36  # bounded: a file that never comes costs one request every 1.5 s


def test_the_original_schedule_loses_slow_photos():
    assert lateness(ORIGINAL_SCHEDULE, 3) == 2
    assert lateness(ORIGINAL_SCHEDULE, 10) is None


def test_the_retry_budget_allows_a_burst_then_a_steady_rate():
    budget = RetryBudget(rate_per_s=2, burst=5)
    assert [budget.take(0) for _ in range(6)] == [True] * 5 + [False]
    assert budget.take(0.5) is True and budget.take(0.5) is False


def test_backoff_grows_with_jitter_and_a_cap():
    rng = random.Random(1)
    assert [
        round(TROUBLE_BACKOFF.delay(n, rng), 2) <= min(0.5 * 2 ** (n - 1), 8) * 1.25
        for n in range(1, 8)
    ] == [True] * 7
