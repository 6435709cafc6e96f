"""Keyed (virtual) actors: activation, passivation, re-activation, no lost messages, crashes."""

import random

import pytest
import trio

from runtime import Actor, ActorStopped, KeyedRegistry, MailboxFull

IDLE_S = 10.0


class Store:
    """Stands in for the database: what each key's actor saved, and how often it was loaded."""

    def __init__(self) -> None:
        self.saved: dict[str, list] = {}
        self.loads: dict[str, int] = {}


class Session(Actor):
    def __init__(self, key: str, store: Store, *, stop_delay_s: float = 0) -> None:
        self.key = key
        self.store = store
        self.stop_delay_s = stop_delay_s
        self.seen: list = []

    async def started(self) -> None:
        self.store.loads[self.key] = self.store.loads.get(self.key, 0) + 1
        self.seen = list(self.store.saved.get(self.key, []))

    async def handle(self, message):
        match message:
            case ("sleep", seconds, label):
                await trio.sleep(seconds)
                self.seen.append(label)
            case ("crash", _):
                raise RuntimeError(f"{self.key} crashed")
            case _:
                self.seen.append(message)
        self.store.saved[self.key] = list(self.seen)  # a turn commits its state

    async def stopped(self) -> None:
        await trio.sleep(self.stop_delay_s)  # passivation takes time: messages can land meanwhile


async def run_registry(nursery, store, *, actor=None, **options):
    actor_options = actor or {}
    registry = KeyedRegistry(
        "sessions", lambda key: Session(key, store, **actor_options), idle_s=IDLE_S, **options
    )
    await nursery.start(registry.run)
    return registry


async def test_first_message_activates_and_the_actor_loads_its_state(autojump_clock):
    store = Store()
    store.saved["6281"] = ["from before the restart"]
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store)
        registry.tell("6281", "hello")
        await trio.testing.wait_all_tasks_blocked()
        assert "6281" in registry and len(registry) == 1
        assert registry.active_keys() == ["6281"]
        assert store.saved["6281"] == ["from before the restart", "hello"]
        registry.stop()


async def test_idle_actor_passivates_and_the_next_message_reactivates_it(autojump_clock):
    store = Store()
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store)
        registry.tell("a", 1)
        await trio.sleep(IDLE_S - 1)
        assert "a" in registry  # not yet idle long enough
        await trio.sleep(2)
        assert "a" not in registry and len(registry) == 0 and registry.active_keys() == []
        registry.tell("a", 2)
        await trio.testing.wait_all_tasks_blocked()
        assert store.loads["a"] == 2
        assert store.saved["a"] == [1, 2]
        assert registry.activations == 2
        registry.stop()


async def test_a_long_turn_crossing_the_idle_deadline_completes(autojump_clock):
    store = Store()
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store)
        registry.tell("a", ("sleep", IDLE_S * 5, "long turn done"))
        await trio.sleep(IDLE_S * 3)
        assert "a" in registry
        await trio.sleep(IDLE_S * 2.5)
        assert store.saved["a"] == ["long turn done"]
        registry.stop()


@pytest.mark.parametrize("stop_delay_s", [0, 0.5])
async def test_no_message_is_lost_when_sends_land_at_the_idle_deadline(
    autojump_clock, stop_delay_s
):
    """Hundreds of sends, each timed to the exact moment its actor's idle timer expires (or
    just before or after, or while it runs its passivation hook)."""
    store = Store()
    rng = random.Random(7)
    sent: dict[str, list[int]] = {}
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store, actor={"stop_delay_s": stop_delay_s})
        keys = [f"628{n:03d}" for n in range(20)]

        async def sender(key: str) -> None:
            for n in range(25):
                registry.tell(key, n)
                sent.setdefault(key, []).append(n)
                # land at the idle deadline, a hair before or after, or during passivation,
                # and then a few scheduling steps later: every step of the passivation is hit
                await trio.sleep(IDLE_S + rng.choice([0, 0, -1e-9, 1e-9, stop_delay_s / 2]))
                for _ in range(rng.randrange(4)):
                    await trio.lowlevel.checkpoint()

        async with trio.open_nursery() as senders:
            for key in keys:
                senders.start_soon(sender, key)
        await trio.sleep(IDLE_S * 2)
        registry.stop()
    assert sum(map(len, sent.values())) == 500
    assert store.saved == sent
    assert registry.activations > len(keys)  # passivation really happened in between


async def test_a_crashing_keyed_actor_ends_only_its_own_activation(autojump_clock):
    store = Store()
    crashes = []
    async with trio.open_nursery() as nursery:
        registry = await run_registry(
            nursery, store, on_crash=lambda key, message, error: crashes.append((key, message))
        )
        for key in ("a", "b", "c"):
            registry.tell(key, "hi")
        registry.tell("b", ("crash", "now"))
        registry.tell("b", "after the crash")  # queued: handled by a fresh activation
        await trio.testing.wait_all_tasks_blocked()
        assert crashes == [("b", ("crash", "now"))]
        assert "a" in registry and "c" in registry
        registry.tell("a", "still here")
        await trio.testing.wait_all_tasks_blocked()
        assert store.saved["a"] == ["hi", "still here"]
        assert store.saved["b"] == ["hi", "after the crash"]
        assert store.loads["b"] == 2  # re-activated from the saved state
        registry.stop()


async def test_an_async_crash_handler_is_awaited_before_the_key_starts_again(autojump_clock):
    store = Store()
    events = []

    async def on_crash(key, message, error):
        await trio.sleep(1)  # e.g. waits for a write to commit
        events.append(("handled", key, trio.current_time()))

    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store, on_crash=on_crash)
        started = trio.current_time()
        registry.tell("b", ("crash", "now"))
        registry.tell("b", "after the crash")
        await trio.sleep(0.5)
        assert store.loads["b"] == 1  # the handler is still at work: no new activation yet
        await trio.sleep(1)
        assert events == [("handled", "b", started + 1)]
        assert store.saved["b"] == ["after the crash"]
        assert store.loads["b"] == 2
        registry.stop()


async def test_stop_drains_every_mailbox_then_refuses_messages(autojump_clock):
    store = Store()
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store)
        for n in range(5):
            registry.tell("a", ("sleep", 1, n))
        registry.stop()
        with pytest.raises(ActorStopped):
            registry.tell("b", "too late")
    assert store.saved["a"] == [0, 1, 2, 3, 4]
    assert len(registry) == 0


async def test_an_actor_that_cannot_start_gives_up_its_queue_instead_of_looping(autojump_clock):
    class Broken(Actor):
        async def started(self):
            raise ValueError("corrupt state")

    reported = []
    async with trio.open_nursery() as nursery:
        registry = KeyedRegistry(
            "sessions",
            lambda key: Broken(),
            idle_s=IDLE_S,
            on_crash=lambda key, message, error: reported.append((key, message, type(error))),
        )
        await nursery.start(registry.run)
        for n in range(3):
            registry.tell("a", n)
        await trio.testing.wait_all_tasks_blocked()
        assert "a" not in registry and registry.activations == 1
        assert reported == [("a", n, ValueError) for n in range(3)]
        registry.stop()


async def test_a_flood_beyond_the_mailbox_keeps_its_order_and_is_drained_at_once(autojump_clock):
    store = Store()
    async with trio.open_nursery() as nursery:
        registry = await run_registry(nursery, store, mailbox_size=8)
        registry.tell("6281", ("sleep", 1.0, "slow first turn"), ordered=True)
        for n in range(200):  # 25 mailboxes' worth, told while the first turn runs
            registry.tell("6281", n, ordered=True)
        with pytest.raises(MailboxFull):
            registry.tell("6281", "an unordered tell is still refused")
        started = trio.current_time()
        while len(store.saved.get("6281", [])) < 201:  # noqa: ASYNC110 - virtual clock
            await trio.sleep(0.01)
        assert store.saved["6281"] == ["slow first turn", *range(200)]
        assert trio.current_time() - started < 2  # no waiting for a rescan
        registry.stop()


def test_the_spill_behind_a_full_mailbox_is_bounded():
    from runtime.mailbox import MAX_SPILL, Mailbox

    mailbox = Mailbox("m", 2)
    for n in range(2 + MAX_SPILL):
        mailbox.put_ordered((n, None))
    assert len(mailbox) == 2 + MAX_SPILL
    with pytest.raises(MailboxFull):
        mailbox.put_ordered(("one too many", None))
    assert [mailbox.get_nowait()[0] for _ in range(5)] == [0, 1, 2, 3, 4]
    assert mailbox.close_and_fail() == MAX_SPILL - 3  # every queued tell counted as dropped
