"""The whole program on PostgreSQL (`database.url`): a real server (the `postgres_url` fixture: a
new database on a private server, or skipped with the reason), the real showroom, the simulated
gateway, the catalog over HTTP."""

import dataclasses

import httpx
import peewee
import trio

from showroom.app import serve
from showroom.config import DatabaseSettings
from tests.system.conftest import make_settings
from tests.system.test_buyers import Chat, publish
from tests.system.test_upload_flow import photo

ADMIN = "6281311112222"
SELLER = "6281234567890"
BUYER = "6289911112222"


def on_postgresql(tmp_path, url: str):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"], open_to_all=False, admins=(ADMIN,), sellers=(SELLER,)
    )
    return dataclasses.replace(settings, database=DatabaseSettings(url=url), tenants={"demo": demo})


def query(url: str, sql: str) -> list[tuple]:
    db = peewee.PostgresqlDatabase(url, autoconnect=True)
    try:
        return [tuple(row) for row in db.execute_sql(sql).fetchall()]
    finally:
        db.close()


async def test_sellers_buyers_and_admins_on_postgresql_and_a_restart_resumes_an_upload(
    tmp_path, postgres_url
):
    settings = on_postgresql(tmp_path, postgres_url)
    async with httpx.AsyncClient() as client:
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller, buyer, admin = (
                Chat(client, simulator, server.url, number) for number in (SELLER, BUYER, ADMIN)
            )
            published = await publish(
                seller, "/upload Toyota Avanza G Matic 2019 km 45rb harga 150jt", ("red", "blue")
            )
            assert "#T01" in published
            link = next(word for word in published.split() if "/cars/" in word)
            page = await client.get(link)
            assert page.status_code == 200 and "Avanza" in page.text
            cover = await client.get(f"{running.web.url}/")
            assert "toyota-avanza-g-2019-t01" in cover.text

            card, first, second, _ = await buyer.say("#T01 masih ada?", replies=4)
            assert card.text.startswith("*#T01 Toyota Avanza G 2019*")
            assert first.image and second.image
            [found] = await buyer.say("ada avanza matic dibawah 160jt?")
            assert "#T01" in found.text

            [stats] = await admin.say("/stats")
            assert "Tersedia 1" in stats.text and "Foto 2" in stats.text
            assert "Gangguan" not in stats.text
            [health] = await admin.say("/health")
            assert "Database: PostgreSQL, " in health.text and "Gangguan" not in health.text
            [backup] = await admin.say("/backup")
            assert "pg_dump" in backup.text
            status = (await client.get(f"{running.web.url}/health")).json()
            assert status["status"] == "ok" and status["database"] == "ok", status
            assert status["storage"]["database_free_mb"] is None  # the server's disk, not ours

            # an upload in progress, at its preview, when the program stops
            [understood] = await seller.say("/upload Honda Jazz RS 2017 km 76rb 179jt")
            assert "Sekarang kirim" in understood.text
            await seller.photo("green")
            await seller.next()  # the first photo's receipt
            [preview] = await seller.say("selesai")
            assert "Preview iklan" in preview.text and "Foto: 1" in preview.text
            nursery.cancel_scope.cancel()
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller = Chat(client, simulator, server.url, SELLER)
            [published] = await seller.say("ya")
            while "Preview" in published.text:  # a reply whose send was not confirmed comes again
                [published] = await seller.next()
            assert "#H01" in published.text
            nursery.cancel_scope.cancel()
    assert not (tmp_path / "data" / "showroom.db").exists()  # nothing went to SQLite
    assert query(postgres_url, "SELECT code, status FROM listing ORDER BY code") == [
        ("H01", "available"),
        ("T01", "available"),
    ]


async def test_a_postgresql_restart_during_a_sellers_conversation_loses_no_accepted_message(
    tmp_path, postgres_server, postgres_url
):
    """The server restarts (every connection showroom holds is cut) while a seller sends
    photos. Each message the webhook accepted (200) is kept and answered; one refused while
    the server was down (503) is sent again, as a gateway does."""
    settings = on_postgresql(tmp_path, postgres_url)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        seller = Chat(client, simulator, server.url, SELLER)
        [understood] = await seller.say("/upload Toyota Avanza G Matic 2019 km 45rb harga 150jt")
        assert "Sekarang kirim" in understood.text

        async def until_accepted(kind: str, body: dict) -> list[int]:
            statuses = []
            while not statuses or statuses[-1] != 200:
                answer = await client.post(f"{server.url}/simulate/{kind}", json=body)
                statuses.append(answer.json()["status"])
                if statuses[-1] != 200:
                    await trio.sleep(0.2)
            return statuses

        await trio.to_thread.run_sync(postgres_server.restart)  # every connection is cut
        first = await until_accepted(
            "image", {"from": SELLER, "image_b64": photo("red"), "ready_after_s": 0}
        )
        await seller.next()  # the first photo's receipt
        restarting = trio.Event()

        async def restart_meanwhile() -> None:
            restarting.set()
            await trio.to_thread.run_sync(postgres_server.restart)

        nursery.start_soon(restart_meanwhile)
        await restarting.wait()
        during = []
        for color in ("blue", "green"):  # while the server goes down and comes back
            during += await until_accepted(
                "image", {"from": SELLER, "image_b64": photo(color), "ready_after_s": 0}
            )
        [preview] = await seller.say("selesai")
        while "Preview iklan" not in preview.text:  # "still fetching 1 photo...", then it
            [preview] = await seller.next()
        assert "Foto: 3" in preview.text
        [published] = await seller.say("ya")
        assert "#T01" in published.text
        nursery.cancel_scope.cancel()
    # the restart that was over before the next message cost nothing: accepted at once
    assert first == [200], first
    assert set(during) <= {200, 503}, during
    assert query(postgres_url, "SELECT COUNT(*) FROM photo") == [(3,)]
    assert query(postgres_url, "SELECT COUNT(*) FROM inbox_event WHERE status NOT IN ('done')") == [
        (0,)
    ]
