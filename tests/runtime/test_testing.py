"""runtime.testing: one actor run by hand, for tests and benchmarks."""

import trio

from runtime import Actor
from runtime.testing import actor_mailbox, run_alone, running


class Counter(Actor[int]):
    async def started(self) -> None:
        self.total = 0

    async def handle(self, message: int) -> int:
        self.total += message
        return self.total


async def test_running_serves_asks_and_drains_what_was_told_at_the_end():
    counter = Counter()
    async with running(counter, "counter") as ref:
        assert await ref.ask(2, timeout=1) == 2
        for _ in range(5):
            ref.tell(1)
    assert counter.total == 7  # the tells queued before the end were handled


async def test_run_alone_ends_when_its_mailbox_is_closed_and_drained():
    ref, mailbox = actor_mailbox("counter", 8)
    counter = Counter()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, counter, mailbox)
        ref.tell(3)
        mailbox.close()
    assert counter.total == 3
