"""Supervision: restart types, intensity and escalation, backoff, cancellation, stop order."""

import itertools

import pytest
import trio
import trio.lowlevel

from runtime import Actor, ActorStopped, Escalation, Restart, RestartPolicy, Supervisor

FAST = RestartPolicy(
    max_restarts=3, within_s=60, backoff_initial_s=0.1, backoff_factor=2, backoff_max_s=10
)


class Child:
    """A service that records when it started and then does what it is told."""

    def __init__(self, behaviour: str = "crash") -> None:
        self.behaviour = behaviour
        self.started_at: list[float] = []

    async def run(self) -> None:
        self.started_at.append(trio.current_time())
        await trio.lowlevel.checkpoint()
        if self.behaviour == "crash":
            raise RuntimeError("crashed")
        if self.behaviour == "return":
            return
        await trio.sleep_forever()


async def test_intensity_exceeded_escalates_after_exactly_intensity_plus_one_starts(autojump_clock):
    supervisor = Supervisor("tree", FAST)
    child = Child("crash")
    supervisor.add_service("flaky", child.run)
    with pytest.raises(Escalation, match="tree.*flaky.*more than 3 restarts"):
        await supervisor.run()
    assert len(child.started_at) == FAST.max_restarts + 1


async def test_backoff_between_restarts_grows(autojump_clock):
    supervisor = Supervisor("tree", FAST)
    child = Child("crash")
    supervisor.add_service("flaky", child.run)
    with pytest.raises(Escalation):
        await supervisor.run()
    gaps = [b - a for a, b in zip(child.started_at, child.started_at[1:], strict=False)]
    assert gaps == pytest.approx([0.1, 0.2, 0.4])


async def test_a_transient_child_is_restarted_after_a_crash_but_not_after_a_normal_end(
    autojump_clock,
):
    calls = []

    async def crash_once_then_finish():
        calls.append(trio.current_time())
        if len(calls) == 1:
            raise RuntimeError("first run fails")

    supervisor = Supervisor("tree", FAST)
    supervisor.add_service("job", crash_once_then_finish, restart=Restart.TRANSIENT)
    await supervisor.run()  # returns: its only child ended for good
    assert len(calls) == 2


async def test_a_permanent_child_is_restarted_even_after_a_normal_end(autojump_clock):
    supervisor = Supervisor("tree", FAST)
    child = Child("return")
    supervisor.add_service("loop", child.run, restart=Restart.PERMANENT)
    with pytest.raises(Escalation):
        await supervisor.run()
    assert len(child.started_at) == 4


async def test_a_temporary_actor_that_crashes_is_not_restarted_and_refuses_messages(
    autojump_clock,
):
    class Fragile(Actor):
        async def handle(self, message):
            raise RuntimeError("fragile")

    supervisor = Supervisor("tree", FAST)
    fragile = supervisor.add_actor("fragile", Fragile, restart=Restart.TEMPORARY)
    keeper = Child("forever")
    supervisor.add_service("keeper", keeper.run)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        fragile.tell("anything")
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(ActorStopped):
            fragile.tell("again")
        assert supervisor.starts("fragile") == 1
        supervisor.shutdown()


async def test_cancellation_is_never_a_crash(autojump_clock, caplog):
    supervisor = Supervisor("tree", FAST)
    child = Child("forever")
    supervisor.add_service("steady", child.run)
    with trio.move_on_after(5):
        await supervisor.run()
    assert len(child.started_at) == 1
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "WARNING", "CRITICAL")]


async def test_keyboard_interrupt_passes_through_and_is_not_restarted(autojump_clock):
    starts = []

    async def interrupted():
        starts.append(1)
        raise KeyboardInterrupt

    supervisor = Supervisor("tree", FAST)
    supervisor.add_service("ctrl-c", interrupted)
    with pytest.raises(BaseExceptionGroup) as raised:  # trio's nursery groups it
        await supervisor.run()
    assert raised.group_contains(KeyboardInterrupt)
    assert starts == [1]


async def test_children_stop_in_reverse_order_one_at_a_time(autojump_clock):
    stopped: list[str] = []

    def service(name: str):
        async def run():
            try:
                await trio.sleep_forever()
            finally:
                with trio.CancelScope(shield=True):
                    await trio.sleep(1)  # a slow stop: the next one must wait for it
                stopped.append(name)

        return run

    supervisor = Supervisor("tree", FAST)
    for name in ("database", "sessions", "intake"):
        supervisor.add_service(name, service(name))
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        supervisor.shutdown()
    assert stopped == ["intake", "sessions", "database"]


async def test_graceful_stop_lets_an_actor_drain_its_mailbox(autojump_clock):
    handled = []

    class Writer(Actor):
        async def handle(self, message):
            await trio.sleep(0.5)
            handled.append(message)

    supervisor = Supervisor("tree", FAST, stop_grace_s=10)
    writer = supervisor.add_actor("writer", Writer)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        for n in range(5):
            writer.tell(n)
        supervisor.shutdown()
    assert handled == [0, 1, 2, 3, 4]


async def test_a_nested_supervisor_that_gives_up_is_restarted_by_its_parent(autojump_clock):
    inner_runs = []

    async def inner_tree():
        inner_runs.append(1)
        inner = Supervisor(
            "inner", RestartPolicy(max_restarts=1, within_s=60, backoff_initial_s=0.01)
        )
        inner.add_service("flaky", Child("crash").run)
        await inner.run()

    outer = Supervisor("outer", RestartPolicy(max_restarts=2, within_s=60, backoff_initial_s=0.01))
    outer.add_service("inner", inner_tree)
    with pytest.raises(Escalation, match="outer.*inner"):
        await outer.run()
    assert len(inner_runs) == 3


async def test_a_passing_fault_is_waited_out_and_never_escalates(autojump_clock):
    """Out of descriptors (EMFILE) 20 times in a row: restarted after growing pauses, never
    given up on; once it passes the child runs."""
    import errno

    from runtime.descriptors import is_shortage
    from runtime.supervisor import TRANSIENT_BACKOFF_MAX_S

    starts: list[float] = []
    running = trio.Event()

    async def opens_a_file() -> None:
        starts.append(trio.current_time())
        await trio.lowlevel.checkpoint()
        if len(starts) <= 20:
            raise OSError(errno.EMFILE, "Too many open files")
        running.set()
        await trio.sleep_forever()

    supervisor = Supervisor("tree", FAST, is_transient=is_shortage)
    supervisor.add_service("outbox", opens_a_file)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(supervisor.run)
        await running.wait()
        supervisor.shutdown()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 21 and max(gaps) <= TRANSIENT_BACKOFF_MAX_S + 0.01
    assert gaps[:3] == pytest.approx([0.2, 0.4, 0.8])


async def test_a_real_crash_still_escalates_with_a_transient_rule(autojump_clock):
    from runtime.descriptors import is_shortage

    supervisor = Supervisor("tree", FAST, is_transient=is_shortage)
    supervisor.add_service("flaky", Child("crash").run)
    with pytest.raises(Escalation):
        await supervisor.run()
