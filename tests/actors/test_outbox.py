"""The outbox against the simulated gateway (a real HTTP server) and a real database."""

import io
import itertools
import sqlite3
import time

import httpx
import pytest
import trio
import trio.testing
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from actors.outbox import POLL_S, Outbox, OutboxPolicy, StoredPhotos
from actors.persistence import PersistenceActor
from domain.backoff import Backoff
from domain.ports import typing_delay_s
from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from runtime.testing import actor_mailbox, run_alone
from storage.database import open_sqlite
from storage.media import MediaStore
from storage.models import utcnow
from storage.queries import stats
from storage.reader import Reader
from storage.writes import AppendInbox, EnqueueReply
from web.server import WebServer

QUICK_RETRY = Backoff(first_s=0.02, factor=2, cap_s=0.1)
CHATS = ["6281111111111", "6282222222222", "6283333333333"]


class Harness:
    def __init__(self, db, db_path, tenant, simulator, server, persistence, client, photos) -> None:
        self.photos = photos
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
            photos=self.photos,
        )

    async def enqueue(self, chat: str, text: str, image: str | None = None) -> None:
        write = EnqueueReply(self.tenant.id, chat, text, image=image)
        await self.persistence.ask(write, timeout=10)

    def statuses(self) -> list[tuple[str, str, int]]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute(
                "SELECT text, status, attempts FROM outbox_message ORDER BY id"
            ).fetchall()


def media_app(store: MediaStore) -> Starlette:
    """The catalog's photo route, as a gateway that downloads photos reaches it."""

    async def photo(request):
        name = f"{request.path_params['folder']}/{request.path_params['name']}"
        path = store.path(request.path_params["tenant"], name)
        if not path.exists():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type="image/jpeg")

    return Starlette(routes=[Route("/media/{tenant}/{folder}/{name}", photo)])


@pytest.fixture
async def harness(db, db_path, tenant, tmp_path):
    simulator = Simulator()
    server = WebServer(simulator.app(), "127.0.0.1", 0, name="simulator")
    store = MediaStore(tmp_path / "media")
    media = WebServer(media_app(store), "127.0.0.1", 0, name="showroom media")
    photos = StoredPhotos(store, tenant.slug, media.url)
    ref, mailbox = actor_mailbox("persistence", 1024)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, PersistenceActor(lambda: open_sqlite(db_path)), mailbox)
        await nursery.start(simulator.run)
        nursery.start_soon(server.run)
        nursery.start_soon(media.run)
        yield Harness(db, db_path, tenant, simulator, server, ref, client, photos)
        nursery.cancel_scope.cancel()
    server.close()
    media.close()


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


async def test_a_finished_drain_does_not_make_the_outbox_look_through_every_chat(harness):
    # With a hundred dealers, each look (outbox_agenda) went through the replies waiting for
    # all of them; one after every chat's drain made the cost grow with dealers x replies.
    chats = [f"62855500{n:05d}" for n in range(20)]
    reads = []
    read = harness.reader.run

    async def counted(query, *args):
        reads.append(query.__name__)
        return await read(query, *args)

    harness.reader.run = counted
    await harness.enqueue(CHATS[0], "before")
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(POLL_S / 2):  # found by the look at start
            await outbox.wait_until(lambda stats: stats.sent == 1)
        reads.clear()
        for chat in chats:
            await harness.enqueue(chat, "hello")
            outbox.wake(chat)
        with trio.fail_after(POLL_S / 2):
            await outbox.wait_until(lambda stats: stats.sent == 1 + len(chats))
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert reads.count("outbox_agenda") == 0
    assert reads.count("pending_replies") == len(chats)


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


async def test_a_hidden_id_goes_to_its_known_phone_and_without_one_is_given_up_once(
    harness, caplog
):
    """WhatsApp Web API sends to `<number>@s.whatsapp.net` only: a hidden id's digits would
    reach a stranger. With the phone the id was seen with, the reply goes there; without
    one it is marked failed as unreachable (counted, logged once for the chat), never sent."""
    known, unknown = "lid:203551111000101", "lid:203551111000999"
    learned = AppendInbox(harness.tenant.id, "m1", CHATS[2], "{}", (known,))
    await harness.persistence.ask(learned, timeout=10)
    await harness.enqueue(unknown, "one")
    await harness.enqueue(unknown, "two")
    await harness.enqueue(known, "to the phone")
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            [sent] = await harness.simulator.wait_sent(CHATS[2], 1)
            await outbox.wait_until(lambda stats: stats.unreachable == 2 and stats.sent == 1)
        nursery.cancel_scope.cancel()
    assert sent.text == "to the phone"
    assert [m.to for m in harness.simulator.sent] == [CHATS[2]]  # nothing to "203551111000999"
    assert harness.statuses() == [
        ("one", "failed", 1),
        ("two", "failed", 1),
        ("to the phone", "sent", 1),
    ]
    given_up = [r for r in caplog.records if "cannot be sent" in r.getMessage()]
    assert len(given_up) == 1 and unknown in given_up[0].getMessage()
    numbers = await harness.reader.run(stats, harness.tenant.id, utcnow())
    assert (numbers["outbox_failed"], numbers["outbox_unreachable"]) == (2, 2)


def a_photo(harness, color: str) -> tuple[str, bytes]:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG")
    name = harness.photos.store.put(harness.tenant.slug, out.getvalue(), "jpg", "large")
    return name, out.getvalue()


async def test_a_photo_goes_out_in_its_place_among_the_texts_with_its_caption(harness):
    """WhatsApp Web API (the simulator) downloads the photo from showroom's URL of it, as the
    real gateway does, and sends it with the caption; the texts around it keep their order."""
    front, front_bytes = a_photo(harness, "navy")
    await harness.enqueue(CHATS[0], "Ini mobilnya:")
    await harness.enqueue(CHATS[0], "Honda Freed 2012, tampak depan", image=front)
    await harness.enqueue(CHATS[0], "Mau lihat langsung?")
    outbox = harness.outbox(per_chat_gap_s=0.05)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            sent = await harness.simulator.wait_sent(CHATS[0], 3)
            await outbox.wait_until(lambda stats: stats.sent == 3)
        nursery.cancel_scope.cancel()
    assert [(m.text, bool(m.image)) for m in sent] == [
        ("Ini mobilnya:", False),
        ("Honda Freed 2012, tampak depan", True),
        ("Mau lihat langsung?", False),
    ]
    assert harness.simulator.sent_image_bytes(sent[1]) == front_bytes
    assert all(b.at - a.at >= 0.05 for a, b in itertools.pairwise(sent))  # paced like text


async def test_a_photo_the_gateway_cannot_download_is_retried_like_a_failed_send(harness):
    name, _ = a_photo(harness, "olive")
    await harness.enqueue(CHATS[0], "foto", image=name)
    harness.simulator.faults.send_status = 502
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            await outbox.wait_until(lambda stats: stats.retried >= 1)
            harness.simulator.faults.send_status = 0
            [sent] = await harness.simulator.wait_sent(CHATS[0], 1)
        nursery.cancel_scope.cancel()
    assert sent.image and sent.text == "foto"


async def test_a_photo_no_longer_stored_is_given_up_and_the_next_reply_goes_on(harness):
    name, _ = a_photo(harness, "teal")
    harness.photos.store.remove(harness.tenant.slug, name)
    await harness.enqueue(CHATS[0], "foto yang hilang", image=name)
    await harness.enqueue(CHATS[0], "sesudahnya")
    outbox = harness.outbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.run)
        with trio.fail_after(30):
            [sent] = await harness.simulator.wait_sent(CHATS[0], 1)
            await outbox.wait_until(lambda stats: stats.failed == 1 and stats.sent == 1)
        nursery.cancel_scope.cancel()
    assert sent.text == "sesudahnya"
    assert harness.statuses()[0] == ("foto yang hilang", "failed", 1)


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
