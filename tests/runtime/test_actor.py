"""Actor and mailbox semantics: tell, ask, remote errors, timeouts, late replies, crashes."""

from dataclasses import dataclass

import outcome
import pytest
import trio
import trio.lowlevel
import trio.testing

from runtime import Actor, ActorStopped, MailboxFull, Supervisor
from runtime.actor import new_actor_ref, run_actor


@dataclass(frozen=True, slots=True)
class Add:
    amount: int


@dataclass(frozen=True, slots=True)
class Slow:
    seconds: float
    value: str


@dataclass(frozen=True, slots=True)
class Fail:
    reason: str


class Counter(Actor):
    def __init__(self, log: list | None = None) -> None:
        self.total = 0
        self.log = [] if log is None else log
        self.busy = False

    async def handle(self, message):
        assert not self.busy, "two messages handled at once"
        self.busy = True
        try:
            match message:
                case Add(amount):
                    await trio.lowlevel.checkpoint()
                    self.total += amount
                    self.log.append(self.total)
                    return self.total
                case Slow(seconds, value):
                    await trio.sleep(seconds)
                    self.log.append(value)
                    return value
                case Fail(reason):
                    raise ValueError(reason)
        finally:
            self.busy = False


async def start(nursery, actor, size=16):
    ref, mailbox = new_actor_ref("counter", size)
    nursery.start_soon(run_actor, actor, mailbox)
    return ref, mailbox


async def test_ask_returns_the_reply_and_tell_is_handled_in_order():
    async with trio.open_nursery() as nursery:
        actor = Counter()
        ref, mailbox = await start(nursery, actor)
        for amount in (1, 2, 3):
            ref.tell(Add(amount))
        assert await ref.ask(Add(10), timeout=1) == 16
        assert actor.log == [1, 3, 6, 16]
        mailbox.close()


async def test_ask_raises_the_handlers_exception_at_the_caller_and_the_actor_goes_on():
    async with trio.open_nursery() as nursery:
        ref, mailbox = await start(nursery, Counter())
        with pytest.raises(ValueError, match="no such car"):
            await ref.ask(Fail("no such car"), timeout=1)
        assert await ref.ask(Add(1), timeout=1) == 1
        mailbox.close()


async def test_ask_times_out_and_the_late_reply_is_dropped_harmlessly(autojump_clock):
    async with trio.open_nursery() as nursery:
        actor = Counter()
        ref, mailbox = await start(nursery, actor)
        with pytest.raises(TimeoutError, match="counter.*Slow.*2 s"):
            await ref.ask(Slow(5, "late"), timeout=2)
        # The actor finishes the slow turn, drops the reply nobody waits for, and goes on.
        assert await ref.ask(Add(1), timeout=10) == 1
        assert actor.log == ["late", 1]
        mailbox.close()


async def test_tell_never_waits_and_a_full_mailbox_says_so():
    ref, _ = new_actor_ref("nobody-home", 3)
    for amount in range(3):
        ref.tell(Add(amount))
    with pytest.raises(MailboxFull) as full:
        ref.tell(Add(99))
    assert full.value.actor == "nobody-home" and full.value.capacity == 3
    assert ref.queued == 3


async def test_a_crash_on_tell_is_logged_with_actor_and_message(caplog):
    ref, mailbox = new_actor_ref("crashy", 8)
    ref.tell(Fail("engine on fire"))
    with pytest.raises(Exception, match="crashy"):
        await run_actor(Counter(), mailbox)
    record = next(r for r in caplog.records if r.levelname == "ERROR")
    assert "crashy" in record.getMessage()
    assert "Fail(reason='engine on fire')" in record.getMessage()
    assert isinstance(record.exc_info[1], ValueError)


async def test_asks_still_queued_when_the_actor_stops_get_actor_stopped():
    ref, mailbox = new_actor_ref("closing", 8)
    results = []

    async def asker():
        try:
            await ref.ask(Add(1), timeout=5)
        except ActorStopped as exc:
            results.append(exc)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(asker)
        await trio.testing.wait_all_tasks_blocked()
        mailbox.close_and_fail()
    assert len(results) == 1
    with pytest.raises(ActorStopped):
        ref.tell(Add(1))


async def test_a_closed_mailbox_is_drained_before_the_actor_stops():
    actor = Counter()
    ref, mailbox = new_actor_ref("drain", 8)
    for amount in (1, 1, 1):
        ref.tell(Add(amount))
    mailbox.close()
    await run_actor(actor, mailbox)
    assert actor.total == 3


class Batcher(Actor):
    batch_max = 50

    def __init__(self) -> None:
        self.batches: list[int] = []

    async def handle_batch(self, messages):
        import outcome

        self.batches.append(len(messages))
        await trio.lowlevel.checkpoint()
        return [
            outcome.Error(ValueError("bad")) if m == "bad" else outcome.Value(m * 2)
            for m in messages
        ]


async def test_a_batch_actor_gets_everything_queued_and_answers_each_asker():
    actor = Batcher()
    ref, mailbox = new_actor_ref("batch", 200)
    answers: dict[int, object] = {}

    async def ask(i):
        try:
            answers[i] = await ref.ask("bad" if i == 7 else i, timeout=5)
        except ValueError as exc:
            answers[i] = exc

    async with trio.open_nursery() as nursery:
        for i in range(100):
            nursery.start_soon(ask, i)
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(run_actor, actor, mailbox)
        await trio.testing.wait_all_tasks_blocked()
        mailbox.close()
    assert actor.batches == [50, 50]
    assert isinstance(answers.pop(7), ValueError)
    assert answers == {i: i * 2 for i in range(100) if i != 7}


async def test_an_actor_under_a_supervisor_keeps_its_ref_across_restarts(autojump_clock):
    supervisor = Supervisor("tree")
    ref = supervisor.add_actor("counter", Counter)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        ref.tell(Fail("boom"))
        ref.tell(Add(5))  # queued behind the crash: survives it, handled by the new instance
        assert await ref.ask(Add(1), timeout=5) == 6
        assert supervisor.starts("counter") == 2
        supervisor.shutdown()


async def test_a_draining_actor_cancelled_while_starting_still_handles_what_was_queued(
    autojump_clock,
):
    class SlowToStart(Counter):
        drain_on_cancel = True

        async def started(self) -> None:
            await trio.sleep(1)  # opening a database, say

    actor = SlowToStart()
    ref, mailbox = new_actor_ref("writer", 16)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_actor, actor, mailbox)
        await trio.sleep(0.5)  # still starting
        for amount in (1, 2, 3):
            ref.tell(Add(amount))
        nursery.cancel_scope.cancel()
    assert actor.total == 6


async def test_a_draining_actor_handles_a_batch_it_took_even_when_cancelled_before_handling():
    class Writer(Actor):
        batch_max = 100
        drain_on_cancel = True

        def __init__(self) -> None:
            self.written: list = []

        async def handle_batch(self, messages):
            await trio.lowlevel.checkpoint_if_cancelled()  # as a hand-over to a thread does
            self.written += messages
            return [outcome.Value(None) for _ in messages]

    writer = Writer()
    ref, mailbox = new_actor_ref("writer", 100)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_actor, writer, mailbox)
        await trio.testing.wait_all_tasks_blocked()  # waiting for its first message
        for n in range(5):
            ref.tell(n)  # wakes it with the first one...
        nursery.cancel_scope.cancel()  # ...and it is cancelled before it handles them
    assert writer.written == [0, 1, 2, 3, 4]
