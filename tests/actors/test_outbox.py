"""The outbox against the simulated gateway (a real HTTP server) and a real database."""

import itertools
import sqlite3
import time

import httpx
import pytest
import trio

from actors.outbox import POLL_S, Outbox, OutboxPolicy
from actors.persistence import PersistenceActor
from domain.backoff import Backoff
from domain.ports import typing_delay_s
from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from runtime.testing import actor_mailbox, run_alone
from storage.database import open_sqlite
from storage.reader import Reader
from storage.writes import EnqueueReply
from web.server import WebServer

QUICK_RETRY = Backoff(first_s=0.02, factor=2, cap_s=0.1)
CHATS = ["6281111111111", "6282222222222", "6283333333333"]


class Harness:
    def __init__(self, db, db_path, tenant, simulator, server, persistence, client) -> None:
        self.db_path = db_path
        self.tenant = tenant
        self.simulator = simulator
        self.server = server
        self.persistence = persistence
        self.client = client
        self.reader = Reader(db)

    def outbox(self, **policy) -> Outbox:
        adapter = make_adapter(
            GatewayConfig(
                kind="simulator",
                base_url=self.server.url,
                webhook_secret="Xq7-random-webhook-token-204",
            )
        )
        options = {"per_chat_gap_s": 0, "typing": False, "retry": QUICK_RETRY, **policy}
        return Outbox(
            self.tenant.id,
            adapter,
            self.client,
            self.persistence,
            self.reader,
            OutboxPolicy(**options),
        )

    async def enqueue(self, chat: str, text: str) -> None:
        await self.persistence.ask(EnqueueReply(self.tenant.id, chat, text), timeout=10)

    def statuses(self) -> list[tuple[str, str, int]]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute(
                "SELECT text, status, attempts FROM outbox_message ORDER BY id"
            ).fetchall()


@pytest.fixture
async def harness(db, db_path, tenant):
    simulator = Simulator()
    server = WebServer(simulator.app(), "127.0.0.1", 0, name="simulator")
    ref, mailbox = actor_mailbox("persistence", 1024)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, PersistenceActor(lambda: open_sqlite(db_path)), mailbox)
        await nursery.start(simulator.run)
        nursery.start_soon(server.run)
        yield Harness(db, db_path, tenant, simulator, server, ref, client)
        nursery.cancel_scope.cancel()
    server.close()


async def test_replies_go_out_in_order_per_chat_one_at_a_time(harness):
    for n in range(8):
        for chat in CHATS:
            await harness.enqueue(chat, f"{chat}-{n}")
    harness.simulator.faults.send_slow_s = 0.01  # sends overlap if the outbox lets them
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.sent == 24)
        for chat in CHATS:
            sent = await harness.simulator.wait_sent(chat, 8)
            assert [m.text for m in sent] == [f"{chat}-{n}" for n in range(8)]
        nursery.cancel_scope.cancel()
    assert harness.simulator.most_sends_at_once_per_chat == 1
    assert harness.simulator.most_sends_at_once == 2  # three chats, two at a time (the default)
    assert {status for _, status, _ in harness.statuses()} == {"sent"}


@pytest.mark.parametrize(
    "fault", [{"send_status": 500}, {"send_reset": True}, {"send_not_connected": True}]
)
async def test_a_failing_gateway_is_retried_and_the_order_kept(harness, fault):
    await harness.enqueue(CHATS[0], "first")
    await harness.enqueue(CHATS[0], "second")
    for name, value in fault.items():
        setattr(harness.simulator.faults, name, value)
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.retried >= 2)  # fail a couple of times
            for name in fault:
                setattr(harness.simulator.faults, name, type(value)())
            sent = await harness.simulator.wait_sent(CHATS[0], 2)  # then heal
            await outbox.wait_until(lambda stats: stats.sent == 2)
        nursery.cancel_scope.cancel()
    assert [m.text for m in sent] == ["first", "second"]
    first = harness.statuses()[0]
    assert first[1] == "sent" and first[2] >= 3


async def test_a_reply_that_keeps_failing_is_marked_failed_and_the_next_goes_on(harness):
    await harness.enqueue(CHATS[0], "doomed")
    await harness.enqueue(CHATS[0], "after")
    harness.simulator.faults.send_status = 503
    outbox = harness.outbox(max_attempts=3)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.failed == 1)
            harness.simulator.faults.send_status = 0
            await outbox.wait_until(lambda stats: stats.sent == 1)
        nursery.cancel_scope.cancel()
    doomed, after = harness.statuses()
    assert doomed == ("doomed", "failed", 3) and after[:2] == ("after", "sent")


async def test_what_was_not_confirmed_is_sent_after_a_restart(harness):
    await harness.enqueue(CHATS[0], "left over from before the restart")
    outbox = harness.outbox()  # a new outbox finds the pending row by itself
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            [sent] = await harness.simulator.wait_sent(CHATS[0], 1)
        nursery.cancel_scope.cancel()
    assert sent.text == "left over from before the restart"


async def test_messages_to_one_chat_are_spaced(harness):
    for n in range(3):
        await harness.enqueue(CHATS[0], f"m{n}")
    outbox = harness.outbox(per_chat_gap_s=0.2)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.sent == 3)
        nursery.cancel_scope.cancel()
    times = [m.at for m in harness.simulator.sent]
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))


async def test_a_reply_waits_as_long_as_typing_it_would_take(harness):
    await harness.enqueue(CHATS[0], "Foto diterima")
    outbox = harness.outbox(typing=True)
    started = time.time()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            [sent] = await harness.simulator.wait_sent(CHATS[0], 1)
        nursery.cancel_scope.cancel()
    assert sent.at - started >= typing_delay_s("Foto diterima")


@pytest.mark.parametrize("chat", [CHATS[0], None], ids=["the chat", "unknown chat"])
async def test_a_wake_sends_new_replies_at_once_not_at_the_next_poll(harness, chat):
    await harness.enqueue(CHATS[1], "before")
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(POLL_S / 2):  # the first look has been: the next is seconds away
            await harness.simulator.wait_sent(CHATS[1], 1)
        await harness.enqueue(CHATS[0], "hello")
        outbox.wake(chat)
        with trio.fail_after(POLL_S / 2):
            sent = await harness.simulator.wait_sent(CHATS[0], 1)
        nursery.cancel_scope.cancel()
    assert [m.text for m in sent] == ["hello"]


async def test_a_chats_waiting_replies_are_read_once_and_sent_in_order(harness):
    for n in range(5):
        await harness.enqueue(CHATS[0], f"reply {n}")
    reads = []
    read = harness.reader.run

    async def counted(query, *args):
        reads.append(query.__name__)
        return await read(query, *args)

    harness.reader.run = counted
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(POLL_S / 2):
            sent = await harness.simulator.wait_sent(CHATS[0], 5)
            await outbox.wait_until(lambda stats: stats.sent == 5)
        nursery.cancel_scope.cancel()
    assert [m.text for m in sent] == [f"reply {n}" for n in range(5)]
    assert reads.count("pending_replies") == 1  # not once more after every send


async def test_a_reply_committed_while_its_chat_is_sent_to_goes_out_at_once(harness):
    harness.simulator.faults.send_slow_s = 0.3
    await harness.enqueue(CHATS[0], "first")
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        await trio.sleep(0.1)  # the drain has read "first" and is sending it
        await harness.enqueue(CHATS[0], "second")
        outbox.wake(CHATS[0])
        with trio.fail_after(POLL_S / 2):  # not left for the next poll
            sent = await harness.simulator.wait_sent(CHATS[0], 2)
        nursery.cancel_scope.cancel()
    assert [m.text for m in sent] == ["first", "second"]


class FullDisk:
    """The persistence actor as the outbox meets it while the disk is full: every write
    fails, as a failed COMMIT does (the outbox holds a reference, not the actor itself)."""

    def __init__(self, persistence) -> None:
        self.persistence = persistence
        self.full = False
        self.refused = 0
        self._refusal = trio.Event()

    async def ask(self, write, *, timeout):
        import peewee

        if self.full:
            self.refused += 1
            self._refusal.set()
            raise peewee.OperationalError("database or disk is full")
        return await self.persistence.ask(write, timeout=timeout)

    async def wait_refused(self, count: int) -> None:
        while self.refused < count:
            self._refusal = trio.Event()
            await self._refusal.wait()


async def test_a_full_disk_holds_replies_back_and_sends_none_twice(harness):
    for n in range(3):
        for chat in CHATS[:2]:
            await harness.enqueue(chat, f"{chat}-{n}")
    disk = FullDisk(harness.persistence)
    outbox = harness.outbox(storage_retry=QUICK_RETRY)
    outbox.persistence = disk
    disk.full = True
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)  # a crash here would fail the test
        with trio.fail_after(30):
            # the first reply of each chat goes out; its outcome cannot be recorded
            for chat in CHATS[:2]:
                await harness.simulator.wait_sent(chat, 1)
            await disk.wait_refused(10)  # it keeps trying to record, and sends nothing more
        assert len(harness.simulator.sent) == 2 and outbox.unrecorded == 2
        disk.full = False  # space is back
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.sent == 6)
        nursery.cancel_scope.cancel()
    for chat in CHATS[:2]:
        texts = [m.text for m in harness.simulator.sent if m.to == chat]
        assert texts == [f"{chat}-{n}" for n in range(3)]  # in order, each once
    assert {status for _, status, _ in harness.statuses()} == {"sent"}
    assert outbox.unrecorded == 0


async def test_no_descriptor_free_for_a_read_is_waited_out(harness):
    """EMFILE while a reader thread opens its connection is a passing shortage: the outbox
    waits and reads again instead of crashing (which escalated and stopped the bot)."""
    import errno

    await harness.enqueue(CHATS[0], "halo")
    outbox = harness.outbox(storage_retry=QUICK_RETRY)
    failures = iter(range(3))

    class ShortOfDescriptors:
        db = harness.reader.db

        async def run(self, query, *args):
            if next(failures, None) is not None:
                raise OSError(errno.EMFILE, "Too many open files")
            return await harness.reader.run(query, *args)

    outbox.reader = ShortOfDescriptors()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.sent == 1)
        nursery.cancel_scope.cancel()
    assert [m.text for m in harness.simulator.sent] == ["halo"]
