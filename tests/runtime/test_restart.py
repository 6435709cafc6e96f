"""Restart intensity and backoff bookkeeping, on plain numbers."""

import pytest

from runtime import RestartPolicy, RestartTracker


def test_gives_up_on_the_restart_after_max_restarts_within_the_window():
    tracker = RestartTracker(RestartPolicy(max_restarts=3, within_s=10))
    assert [tracker.next_delay(t) is not None for t in (0, 1, 2, 3)] == [True, True, True, False]


def test_backoff_grows_by_the_factor_and_is_capped():
    policy = RestartPolicy(
        max_restarts=10, within_s=1000, backoff_initial_s=0.5, backoff_factor=2, backoff_max_s=3
    )
    tracker = RestartTracker(policy)
    assert [tracker.next_delay(t) for t in range(6)] == [0.5, 1, 2, 3, 3, 3]


def test_restarts_older_than_the_window_are_forgotten():
    tracker = RestartTracker(RestartPolicy(max_restarts=2, within_s=5, backoff_initial_s=1))
    assert tracker.next_delay(0) == 1
    assert tracker.next_delay(1) == 2
    assert tracker.next_delay(7) == 1  # both earlier restarts are out of the window: fresh start
    assert tracker.next_delay(8) == 2
    assert tracker.next_delay(9) is None


def test_zero_restarts_allowed_gives_up_at_once():
    assert RestartTracker(RestartPolicy(max_restarts=0)).next_delay(0) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"max_restarts": -1},
        {"within_s": 0},
        {"backoff_factor": 0.5},
        {"backoff_initial_s": 2, "backoff_max_s": 1},
    ],
)
def test_impossible_policies_are_refused(bad):
    with pytest.raises(ValueError):
        RestartPolicy(**bad)
