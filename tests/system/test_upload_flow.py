"""The seller's whole upload, end to end: the real bot, the simulated gateway, real photos."""

import base64
import io
import sqlite3
import time

import httpx
import trio
from PIL import Image

from storage.writes import EnqueueReply

BUDI = "6281234567890"
UPLOAD = "/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt"


def photo(color: str, size=(1200, 900)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return base64.b64encode(out.getvalue()).decode()


def query(tmp_path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        return db.execute(sql).fetchall()


class Seller:
    def __init__(self, client: httpx.AsyncClient, simulator, url: str) -> None:
        self.client, self.simulator, self.url = client, simulator, url
        self.seen = 0

    async def say(self, text: str) -> None:
        await self.client.post(f"{self.url}/simulate/message", json={"from": BUDI, "text": text})

    async def send_photo(self, color: str, ready_after_s: float, **extra) -> None:
        await self.client.post(
            f"{self.url}/simulate/image",
            json={"from": BUDI, "image_b64": photo(color), "ready_after_s": ready_after_s, **extra},
        )

    async def reply(self) -> str:
        with trio.fail_after(30):
            sent = await self.simulator.wait_sent(BUDI, self.seen + 1)
        self.seen += 1
        return sent[self.seen - 1].text


async def test_upload_three_photos_ready_at_different_times_then_publish(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        assert "Honda Freed PSD" in await seller.reply()
        await seller.send_photo("red", 0.5)
        assert "Foto pertama diterima" in await seller.reply()
        await seller.send_photo("green", 2.0)
        await seller.send_photo("blue", 6.0)
        await seller.say("Selesai!")
        assert "masih mengambil" in await seller.reply()
        preview = await seller.reply()
        assert "Preview iklan" in preview and "Foto: 3" in preview
        assert "Rp 145.000.000" in preview and "145.515 km" in preview
        await seller.say("harga 140jt")
        assert "Rp 140.000.000" in await seller.reply()
        await seller.say("ya")
        published = await seller.reply()
    assert published.startswith("Iklan *#H01* sudah tayang: ")
    assert published.endswith("/cars/honda-freed-psd-2012-h01")
    [(listing_id, price, description, cover, original)] = query(
        tmp_path, "SELECT id, price_idr, description, cover_photo_id, original_text FROM listing"
    )
    assert price == 140_000_000 and "Honda Freed PSD" in description
    assert original == UPLOAD.removeprefix("/upload ")  # the seller's own words
    photos = query(
        tmp_path,
        f"SELECT id, position, file_large FROM photo WHERE listing_id = "
        f"{listing_id} ORDER BY position",
    )
    assert [p[1] for p in photos] == [0, 1, 2] and cover == photos[0][0]
    for _, _, name in photos:  # the files are on disk, re-encoded, at most the large size
        with Image.open(tmp_path / "data" / "media" / "demo" / name) as image:
            assert image.format == "JPEG" and max(image.size) <= 1600


async def test_cancel_during_downloads_drops_them_and_their_files(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await seller.send_photo("red", 0.1)
        await seller.reply()
        await seller.send_photo("green", 30.0)  # still "being saved" when the seller cancels
        await seller.say("batal")
        assert "dibatalkan" in await seller.reply()
        await seller.say("halo")
        assert "Halo!" in await seller.reply()  # idle again
    assert query(tmp_path, "SELECT COUNT(*) FROM listing") == [(0,)]
    assert query(tmp_path, "SELECT state FROM conversation_session") == [("idle",)]


async def test_a_broken_photo_gets_one_clear_message(showroom):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await client.post(
            f"{server.url}/simulate/image",
            json={"from": BUDI, "image_b64": base64.b64encode(b"not a jpeg at all" * 50).decode()},
        )
        assert "Foto pertama" in await seller.reply()
        assert "kirim ulang" in await seller.reply()


async def test_duplicate_webhooks_keep_each_photo_once(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    simulator.faults.duplicate_webhooks = True
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await seller.send_photo("red", 0.1)
        await seller.send_photo("red", 0.1)  # the seller sends the same picture twice, too
        await seller.reply()
        await seller.say("selesai")
        preview = await seller.reply()
        while "Preview" not in preview:
            preview = await seller.reply()
    assert "Foto: 1" in preview
    assert query(tmp_path, "SELECT COUNT(*) FROM inbox_event") == [(4,)]


async def test_a_restart_between_selesai_and_ya_resumes_at_the_preview(tmp_path):
    from showroom.app import serve
    from tests.system.conftest import make_settings

    settings = make_settings(tmp_path)
    async with httpx.AsyncClient() as client:
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller = Seller(client, simulator, server.url)
            await seller.say(UPLOAD)
            await seller.reply()
            await seller.send_photo("red", 0.2)
            await seller.reply()
            await seller.say("selesai")
            preview = await seller.reply()
            while "Preview" not in preview:
                preview = await seller.reply()
            nursery.cancel_scope.cancel()  # the server goes down at the preview
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller = Seller(client, simulator, server.url)
            await seller.say("ya")
            published = await seller.reply()
            while "Preview" in published:  # a reply whose send was not confirmed comes again
                published = await seller.reply()
            nursery.cancel_scope.cancel()
    assert "sudah tayang" in published
    assert query(tmp_path, "SELECT COUNT(*) FROM photo") == [(1,)]


async def test_seller_commands_on_a_published_car(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await seller.say("skip")
        await seller.reply()
        await seller.say("ya")
        assert "#H01" in await seller.reply()
        await seller.say("/harga #H01 139,5jt")
        assert await seller.reply() == "Harga *#H01* sekarang Rp 139.500.000."
        await seller.say("/status #h01 booking")
        assert "*booking*" in await seller.reply()
        await seller.say("/list")
        listing = await seller.reply()
        assert "#H01 Honda Freed PSD 2012 - Rp 139.500.000 - booking" in listing
        await seller.say("/sold #H99")
        assert "tidak ditemukan" in await seller.reply()
        await seller.say("/hapus #H01")
        assert "Ketik *ya*" in await seller.reply()
        await seller.say("ya")
        assert "dihapus" in await seller.reply()
        await seller.say("/list")
        assert "belum punya mobil" in await seller.reply()
    assert query(tmp_path, "SELECT code, status, price_idr FROM listing") == [
        ("H01", "deleted", 139_500_000)
    ]


async def test_only_registered_sellers_may_upload_others_become_leads(tmp_path):
    import dataclasses

    from showroom.app import serve
    from tests.system.conftest import make_settings

    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"],
        open_to_all=False,
        sellers=(BUDI,),
        public_url="https://katalog.example.id",
    )
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    stranger = "6289999999999"
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        for message in (UPLOAD, "halo, mobilnya masih ada?"):
            await client.post(
                f"{server.url}/simulate/message", json={"from": stranger, "text": message}
            )
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        assert "Sekarang kirim 1-10 foto" in await seller.reply()
        with trio.fail_after(30):
            # a buyer now: told they may not upload, then asked which car they mean
            refused, which = await simulator.wait_sent(stranger, 2)
        nursery.cancel_scope.cancel()
    assert "belum terdaftar sebagai penjual" in refused.text
    assert "https://katalog.example.id" in refused.text
    assert "Mobil yang mana" in which.text
    assert query(tmp_path, "SELECT identity, messages FROM lead") == [(stranger, 2)]
    assert query(tmp_path, "SELECT phone, role FROM person") == [(BUDI, "seller")]


async def test_foto_adds_photos_to_a_published_car(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await seller.send_photo("red", 0)
        await seller.reply()
        await seller.say("selesai")
        while "Preview" not in await seller.reply():
            pass
        await seller.say("ya")
        await seller.reply()
        await seller.say("/foto #H01")
        assert "#H01" in await seller.reply()
        await seller.send_photo("green", 0.3)
        await seller.send_photo("red", 0)  # already on the car: not added twice
        await seller.reply()  # the first photo is acknowledged
        await seller.say("selesai")
        answer = await seller.reply()
        while "ditambahkan" not in answer:
            answer = await seller.reply()
    assert answer == "1 foto ditambahkan ke *#H01*."
    assert query(tmp_path, "SELECT position FROM photo ORDER BY position") == [(0,), (1,)]


async def test_a_configured_copywriter_writes_the_sales_text(tmp_path):
    import dataclasses

    from showroom.app import serve
    from showroom.config import CopywriterSettings
    from tests.actors.test_ai_copy import GOOD, chat, fake_api
    from tests.system.conftest import make_settings
    from web.server import WebServer

    app, seen = fake_api(lambda: chat(GOOD))
    model = WebServer(app, "127.0.0.1", 0, name="fake model", graceful_timeout_s=0.1)
    settings = dataclasses.replace(
        make_settings(tmp_path),
        copywriter=CopywriterSettings(
            base_url=f"{model.url}/v1", model="m", api_key="k", timeout_s=5
        ),
    )
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(model.run)
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        await seller.say("skip")
        preview = await seller.reply()
        await seller.say("ya")
        await seller.reply()
        nursery.cancel_scope.cancel()
    model.close()
    assert GOOD in preview
    assert query(tmp_path, "SELECT description FROM listing") == [(GOOD,)]
    assert len(seen) == 1


async def test_a_restart_while_photos_download_after_selesai_still_shows_the_preview(tmp_path):
    """The seller typed `selesai` and waits; the server restarts; nobody writes again. The
    upload must resume by itself: its pending download restarts and the preview comes."""
    from showroom.app import serve
    from tests.system.conftest import make_settings

    settings = make_settings(tmp_path)
    async with httpx.AsyncClient() as client:
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller = Seller(client, simulator, server.url)
            await seller.say(UPLOAD)
            await seller.reply()
            data = photo("red")
            await seller.send_photo("red", 600)  # "saved" long after the restart below
            await seller.reply()
            await seller.say("selesai")
            await trio.sleep(0.5)
            nursery.cancel_scope.cancel()  # down, with the download pending
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator2, server2 = running.simulators["demo"]
            # the gateway kept its files: the photo is there now, on the new simulator
            [pending] = [p for p in _session_photos(tmp_path) if p["status"] == "pending"]
            image_id = pending["media"]["locator"].split("/")[-1].removesuffix(".jpg")
            simulator2._images[image_id] = simulator._images[image_id]
            simulator2._images[image_id].ready_at = 0
            seller2 = Seller(client, simulator2, server2.url)
            preview = await seller2.reply()
            while "Preview" not in preview:
                preview = await seller2.reply()
            nursery.cancel_scope.cancel()
    assert "Foto: 1" in preview and data


def _session_photos(tmp_path) -> list[dict]:
    import json

    [(data,)] = query(tmp_path, "SELECT data FROM conversation_session")
    return json.loads(data)["photos"]


async def test_the_conversation_completes_through_a_misbehaving_gateway(showroom, tmp_path):
    """Duplicated and reordered webhooks, photo requests failing with 500, and replies
    failing to send for a while: the seller still ends with one complete listing."""
    simulator, server = showroom.simulators["demo"]
    faults = simulator.faults
    faults.duplicate_webhooks = True
    faults.reorder_webhooks = True
    faults.image_failures = 2
    faults.send_status = 500
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await trio.sleep(1.0)
        faults.send_status = 0  # the gateway's sending recovers; the outbox retries
        assert "Sekarang kirim" in await seller.reply()
        for color in ("red", "green", "blue"):
            await seller.send_photo(color, 0.3)
        await seller.say("selesai")  # may overtake the photos: they are taken all the same
        reply = await seller.reply()
        while not ("Preview" in reply and "Foto: 3" in reply):
            if "Belum ada foto" in reply:  # it overtook all of them: as a person would, again
                await seller.say("selesai")
            reply = await seller.reply()
        await seller.say("ya")
        while "sudah tayang" not in reply:
            reply = await seller.reply()
    assert query(tmp_path, "SELECT COUNT(*) FROM listing") == [(1,)]
    assert query(tmp_path, "SELECT COUNT(*) FROM photo") == [(3,)]


async def test_a_message_that_crashes_a_turn_twice_is_given_up_with_a_way_forward(
    showroom, monkeypatch
):
    import actors.session
    from actors.outbox import POLL_S

    real_step = actors.session.step

    tries = []

    def step(state, received, context):
        if getattr(received, "text", "") == "meledak":
            tries.append(1)
            raise RuntimeError("a bug in the conversation")
        return real_step(state, received, context)

    monkeypatch.setattr(actors.session, "step", step)
    real_enqueue = EnqueueReply.apply

    def slow_enqueue(self):  # the writer is busy: the apology commits a moment later
        time.sleep(0.3)
        return real_enqueue(self)

    monkeypatch.setattr(EnqueueReply, "apply", slow_enqueue)
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say("meledak")
        with trio.fail_after(POLL_S / 2):  # sent once committed, not at the next poll
            sent = await simulator.wait_sent(BUDI, 1)
        # tried twice, then given up: the seller is told what could not be read and how to
        # write, never asked to send the same message again
        assert len(tries) == 2
        assert sent[0].text.startswith("Maaf, pesan _meledak_ tidak bisa saya proses")
        assert "kirim lagi" not in sent[0].text and "Traceback" not in sent[0].text
        seller.seen = 1
        await seller.say(UPLOAD)  # the seller carries on
        assert "Sekarang kirim" in await seller.reply()
