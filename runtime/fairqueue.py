"""A queue that is fair between owners: round-robin across owners, first-in-first-out within one.

Pure data structure (no trio). One owner's thirty queued jobs wait behind at most one job of
every other owner, instead of in front of all of them.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class FairQueue(Generic[T]):
    __slots__ = ("_by_owner", "_size")

    def __init__(self) -> None:
        self._by_owner: OrderedDict[Hashable, deque[T]] = OrderedDict()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, owner: Hashable, item: T) -> None:
        items = self._by_owner.get(owner)
        if items is None:
            items = self._by_owner[owner] = deque()
        items.append(item)
        self._size += 1

    def pop(self) -> T:
        """The oldest item of the owner whose turn it is; that owner then goes to the back."""
        if not self._by_owner:
            raise IndexError("pop from an empty FairQueue")
        owner, items = next(iter(self._by_owner.items()))
        item = items.popleft()
        self._size -= 1
        if items:
            self._by_owner.move_to_end(owner)
        else:
            del self._by_owner[owner]
        return item

    def remove_where(self, owner: Hashable, matches: Callable[[T], bool]) -> list[T]:
        """Take out every item of `owner` that matches; returns them in queue order."""
        items = self._by_owner.get(owner)
        if items is None:
            return []
        removed = [item for item in items if matches(item)]
        if removed:
            kept = deque(item for item in items if not matches(item))
            self._size -= len(removed)
            if kept:
                self._by_owner[owner] = kept
            else:
                del self._by_owner[owner]
        return removed

    def owners(self) -> list[Hashable]:
        return list(self._by_owner)
