"""Actor kernel benchmark.

1. Memory per idle keyed actor: activate 20,000 keyed actors (each handles one message and then
   waits, idle, in its mailbox) and divide the growth of resident memory by the growth for
   20,000 bare `trio.sleep_forever` tasks. Each side runs in a fresh process, in this run.
   Targets: under 16 KiB per idle actor, ratio under 5.
2. Messages per second through `tell` between two actors (ping-pong), against the same
   ping-pong over two trio memory channels.

    python -m bench.actors            # prints both, exits 1 when a target is missed
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from pathlib import Path

import trio
import trio.lowlevel
import trio.testing

from runtime import Actor, KeyedRegistry
from runtime.testing import actor_mailbox, run_alone

ACTORS = 20_000
MESSAGES = 200_000
TARGET_BYTES_PER_ACTOR = 16 * 1024
TARGET_RATIO = 5.0


def resident_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class IdleSession(Actor):
    """The shape of a real session actor at rest: a little state, nothing running."""

    __slots__ = ("key", "state")

    def __init__(self, key: str) -> None:
        self.key = key
        self.state = "idle"

    async def handle(self, message: object) -> None:
        self.state = "seen"


async def measure(kind: str) -> int:
    async with trio.open_nursery() as nursery:
        await trio.lowlevel.checkpoint()
        gc.collect()
        before = resident_bytes()
        if kind == "bare":
            for _ in range(ACTORS):
                nursery.start_soon(trio.sleep_forever)
        else:
            registry = KeyedRegistry("sessions", IdleSession, idle_s=3600)
            await nursery.start(registry.run)
            for n in range(ACTORS):
                registry.tell(f"62812{n:08d}", "hello")
        await trio.testing.wait_all_tasks_blocked()
        if kind == "actors":
            assert len(registry) == ACTORS
        gc.collect()
        grown = resident_bytes() - before
        nursery.cancel_scope.cancel()
    return grown


def measure_in_fresh_process(kind: str) -> int:
    command = [sys.executable, "-m", "bench.actors", "--measure", kind]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(done.stdout)


class Player(Actor):
    def __init__(self, box: dict) -> None:
        self.box = box

    async def handle(self, remaining: int) -> None:
        if remaining == 0:
            self.box["done"].set()
        else:
            self.box["peer"].tell(remaining - 1)


async def actor_ping_pong() -> float:
    box_a: dict = {"done": trio.Event()}
    box_b: dict = {"done": box_a["done"]}
    ref_a, mailbox_a = actor_mailbox("a", 64)
    ref_b, mailbox_b = actor_mailbox("b", 64)
    box_a["peer"], box_b["peer"] = ref_b, ref_a
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, Player(box_a), mailbox_a)
        nursery.start_soon(run_alone, Player(box_b), mailbox_b)
        started = time.perf_counter()
        ref_a.tell(MESSAGES)
        await box_a["done"].wait()
        elapsed = time.perf_counter() - started
        nursery.cancel_scope.cancel()
    return MESSAGES / elapsed


async def channel_ping_pong() -> float:
    to_b, from_a = trio.open_memory_channel(64)
    to_a, from_b = trio.open_memory_channel(64)
    done = trio.Event()

    async def player(inbox, outbox) -> None:
        async for remaining in inbox:
            if remaining == 0:
                done.set()
                return
            outbox.send_nowait(remaining - 1)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(player, from_b, to_b)
        nursery.start_soon(player, from_a, to_a)
        started = time.perf_counter()
        to_a.send_nowait(MESSAGES)
        await done.wait()
        elapsed = time.perf_counter() - started
        nursery.cancel_scope.cancel()
    return MESSAGES / elapsed


def main() -> int:
    bare = measure_in_fresh_process("bare")
    actors = measure_in_fresh_process("actors")
    per_actor, per_task = actors / ACTORS, bare / ACTORS
    ratio = actors / bare
    print(
        f"idle keyed actor: {per_actor / 1024:.2f} KiB each "
        f"(bare sleep_forever task: {per_task / 1024:.2f} KiB); "
        f"ratio {ratio:.2f} (target < {TARGET_RATIO:g}, and < 16 KiB each)"
    )
    actor_rate = trio.run(actor_ping_pong)
    channel_rate = trio.run(channel_ping_pong)
    print(
        f"tell between two actors: {actor_rate:,.0f} messages/s "
        f"(trio memory channels: {channel_rate:,.0f}/s); ratio {actor_rate / channel_rate:.2f}"
    )
    missed = per_actor >= TARGET_BYTES_PER_ACTOR or ratio >= TARGET_RATIO
    if missed:
        print("TARGET MISSED")
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(trio.run(measure, sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
