"""Outbox pacing on plain numbers."""

import random

import pytest

from domain.backoff import Backoff
from domain.pacing import RateWindow, chat_gap_s


def test_the_rate_window_books_slots_a_minute_apart():
    window = RateWindow(per_minute=3)
    assert [window.reserve(0) for _ in range(3)] == [0, 0, 0]
    assert window.reserve(1) == 59  # the fourth send waits for the first one's minute to pass
    assert window.reserve(2) == 58
    assert window.reserve(61) == 0  # the first three are a minute old: a slot is free


def test_the_rate_window_never_allows_more_than_per_minute_in_any_minute():
    rng = random.Random(3)
    window, sends = RateWindow(per_minute=5), []
    now = 0.0
    for _ in range(200):
        now += rng.uniform(0, 4)
        sends.append(now + window.reserve(now))
    sends.sort()
    for index, at in enumerate(sends):
        assert len([s for s in sends[index:] if s < at + 60 - 1e-6]) <= 5


def test_retry_pauses_grow_with_jitter_and_a_cap():
    schedule = Backoff(first_s=2, factor=2, cap_s=30, jitter=0.2)
    rng = random.Random(1)
    delays = [schedule.delay(attempt, rng) for attempt in range(1, 8)]
    for delay, base in zip(delays, [2, 4, 8, 16, 30, 30, 30], strict=True):
        assert base * 0.8 <= delay <= base * 1.2


def test_the_per_chat_gap_has_jitter_so_it_is_no_fixed_pattern():
    rng = random.Random(5)
    gaps = {round(chat_gap_s(2.5, rng), 3) for _ in range(20)}
    assert len(gaps) > 10 and min(gaps) >= 2.5 and max(gaps) <= 3.5


@pytest.mark.parametrize(("length", "expected"), [(0, 1.5), (100, 3.8), (1000, 6.0)])
def test_typing_delay(length, expected):
    from domain.ports import typing_delay_s

    assert typing_delay_s("x" * length) == pytest.approx(expected)
