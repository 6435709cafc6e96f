"""The fair queue, on plain data."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import FairQueue


def test_round_robin_between_owners_fifo_within_one():
    queue = FairQueue()
    for n in range(3):
        queue.push("a", f"a{n}")
    queue.push("b", "b0")
    queue.push("c", "c0")
    assert [queue.pop() for _ in range(5)] == ["a0", "b0", "c0", "a1", "a2"]
    assert len(queue) == 0
    with pytest.raises(IndexError):
        queue.pop()


def test_remove_where_takes_out_only_matching_items_of_that_owner():
    queue = FairQueue()
    for item in ("x1", "y1", "x2"):
        queue.push("a", item)
    queue.push("b", "x3")
    assert queue.remove_where("a", lambda item: item.startswith("x")) == ["x1", "x2"]
    assert len(queue) == 2
    assert [queue.pop(), queue.pop()] == ["y1", "x3"]


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers()), max_size=60))
def test_every_item_comes_out_once_and_each_owner_keeps_its_order(pushes):
    queue = FairQueue()
    for owner, value in pushes:
        queue.push(owner, (owner, value))
    popped = [queue.pop() for _ in range(len(queue))]
    assert sorted(popped) == sorted(pushes)
    for owner in "abcd":
        assert [p for p in popped if p[0] == owner] == [p for p in pushes if p[0] == owner]


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 20), min_size=1))
def test_no_owner_waits_behind_more_than_one_item_of_each_other_owner(counts):
    queue = FairQueue()
    for owner, count in counts.items():
        for n in range(count):
            queue.push(owner, (owner, n))
    popped = [queue.pop() for _ in range(len(queue))]
    for owner in counts:
        assert popped.index((owner, 0)) < len(counts)
