"""Faults of the disk, the database and the photo folder, in a whole running showroom: the
webhooks get 503 while nothing can be stored, replies wait, nothing is lost or sent twice, the
bot recovers by itself, and /health (and the admins' /stats) say what is wrong."""

import dataclasses
import itertools
import shutil
import sqlite3
from dataclasses import dataclass

import httpx
import trio

from showroom.app import serve
from storage import sql
from storage.writes import Write
from tests.system.conftest import SECRET, make_settings

ADMIN = "6281311112222"
SELLER = "6281234567890"


@dataclass(frozen=True, slots=True)
class LimitPages(Write):
    """Run on the writer's own connection: SQLite's page limit (SQLITE_FULL once the file
    would grow past it, exactly as a full disk answers); None lifts it."""

    pages: int | None

    def apply(self) -> None:
        if self.pages is None:
            sql.execute("PRAGMA max_page_count = 1073741823")
        else:
            current = sql.fetch_one("PRAGMA page_count")[0]
            sql.execute(f"PRAGMA max_page_count = {max(self.pages, current)}")


def message(number: str, text: str, n: int) -> dict:
    return {
        "event": "message",
        "message": text,
        "sender": f"{number}@s.whatsapp.net",
        "chat": f"{number}@s.whatsapp.net",
        "time": f"2025-10-28T09:01:{n:02d}Z",
    }


async def test_a_full_disk_refuses_webhooks_holds_replies_and_heals_by_itself(tmp_path):
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(
        settings,
        tenants={"demo": dataclasses.replace(settings.tenants["demo"], admins=(ADMIN,))},
    )
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, _ = running.simulators["demo"]
        persistence = running.intake.persistence
        webhook = f"{running.web.url}/webhook/demo/{SECRET}"
        health = f"{running.web.url}/health"

        first = await client.post(webhook, json=message(SELLER, "halo", 1))
        assert first.status_code == 200
        with trio.fail_after(20):
            await simulator.wait_sent(SELLER, 1)
        assert (await client.get(health)).json()["status"] == "ok"

        await persistence.ask(LimitPages(0), timeout=10)  # the disk is full now
        # a message that needs a new page (a short one could still fit in a page's free room)
        long_text = "halo lagi " + "x" * 20_000
        refused = await client.post(webhook, json=message(SELLER, long_text, 2))
        assert refused.status_code == 503  # the gateway keeps it and sends it again
        during = await client.get(health)
        assert during.status_code == 503
        report = during.json()
        assert report["status"] == "degraded"
        assert any(problem.startswith("disk_full") for problem in report["problems"])

        await persistence.ask(LimitPages(None), timeout=10)  # space is back
        again = await client.post(webhook, json=message(SELLER, long_text, 2))
        assert again.status_code == 200
        with trio.fail_after(20):
            await simulator.wait_sent(SELLER, 2)
        after = (await client.get(health)).json()
        assert after["status"] == "ok"
        assert after["storage"]["last_fault"]["fault"] == "the disk is full"
        await client.post(webhook, json=message(ADMIN, "/stats", 3))
        with trio.fail_after(20):
            [stats] = await simulator.wait_sent(ADMIN, 1)
        assert "Gangguan penyimpanan terakhir: disk penuh" in stats.text
        nursery.cancel_scope.cancel()
    sent = [m.text for m in simulator.sent if m.to == SELLER]
    assert len(sent) == 2  # each message answered once, none twice


async def test_a_photo_folder_that_cannot_be_written_any_more_is_reported(tmp_path):
    # (one unusable at start is refused: tests/showroom/test_cli.py)
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(
        settings,
        tenants={"demo": dataclasses.replace(settings.tenants["demo"], admins=(ADMIN,))},
    )
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, _ = running.simulators["demo"]
        media = tmp_path / "data" / "media"
        shutil.rmtree(media)  # a disk unmounted under it, say
        media.write_text("a file where the photo folder should be")
        answer = await client.get(f"{running.web.url}/health")
        assert answer.status_code == 503
        assert any("media_not_writable" in p for p in answer.json()["problems"])
        await client.post(
            f"{running.web.url}/webhook/demo/{SECRET}", json=message(ADMIN, "/stats", 1)
        )
        with trio.fail_after(20):
            [stats] = await simulator.wait_sent(ADMIN, 1)
        assert "*Gangguan penyimpanan*: folder foto tidak bisa ditulisi" in stats.text
        nursery.cancel_scope.cancel()


async def test_a_damaged_database_is_reported(tmp_path):
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, make_settings(tmp_path))
        path = tmp_path / "data" / "showroom.db"
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.close()
        # pages 2 and on (the tables' b-trees) overwritten, the header left as it was
        damage = b"\xa5" * (path.stat().st_size - page_size)
        async with await trio.open_file(path, "r+b") as file:
            await file.seek(page_size)
            await file.write(damage)
        answer = await client.get(f"{running.web.url}/health")
        nursery.cancel_scope.cancel()
    assert answer.status_code == 503
    assert any(p.startswith("database_damaged") for p in answer.json()["problems"]), answer.json()


async def test_a_turn_that_met_a_full_disk_is_not_given_up(autojump_clock):
    """The session's crash handler must not mark the event dead (nor apologise) when the
    turn could not be committed for want of space: it is told to the session again later."""
    import peewee

    from actors.session import CrashedTurns, Incoming
    from domain.events import EventKind, InboundEvent
    from domain.identity import ChatKind, Identity

    class Persistence:
        def __init__(self) -> None:
            self.told: list = []

        def tell(self, write):
            self.told.append(write)

        async def ask(self, write, *, timeout):
            self.told.append(write)

    persistence = Persistence()
    event = InboundEvent(
        "demo", "k", Identity.parse(SELLER), ChatKind.DIRECT, EventKind.TEXT, text="halo"
    )
    full = peewee.OperationalError("database or disk is full")
    retold: list = []
    crashed = CrashedTurns(
        {},
        persistence,
        retell=lambda key, message: retold.append((key, trio.current_time(), message)),
    )
    incoming = Incoming(7, event)
    for _ in range(3):
        await crashed(("demo", SELLER), incoming, full)
    assert persistence.told == []  # not given up, no apology
    assert [(key, message) for key, _, message in retold] == [(("demo", SELLER), incoming)] * 3
    times = [0.0] + [at for _, at, _ in retold]
    pauses = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert pauses[0] >= 0.8 and pauses == sorted(pauses) and pauses[0] < pauses[-1]  # growing
