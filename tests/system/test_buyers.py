"""The buyer side end to end: a real showroom, the simulated gateway, buyers writing to the
dealer's number, sellers receiving the hand-overs, admins reading the leads."""

import dataclasses
import sqlite3
from urllib.parse import quote

import httpx
import pytest
import trio

import domain.buyer
from domain.buyer import BURST
from domain.financing import monthly_instalment
from domain.texts import WEB_TEXTS
from showroom.app import serve
from tests.system.conftest import make_settings
from tests.system.test_upload_flow import photo

ADMIN = "6281311112222"
SELLER = "6281234567890"
BUYER = "6289911112222"
OTHER_BUYER = "6289933334444"


def query(tmp_path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        return db.execute(sql).fetchall()


async def until(tmp_path, sql: str, expected: list[tuple]) -> None:
    """Wait for what the database must come to say (a turn that sends nothing leaves no other
    trace to wait for)."""
    with trio.fail_after(30):
        while query(tmp_path, sql) != expected:  # noqa: ASYNC110
            await trio.sleep(0.05)


class Chat:
    """One person's chat with the dealer's number, through the simulator."""

    def __init__(self, client, simulator, url, number) -> None:
        self.client, self.simulator, self.url, self.number = client, simulator, url, number
        self.seen = 0

    async def send(self, text: str) -> None:
        await self.client.post(
            f"{self.url}/simulate/message", json={"from": self.number, "text": text}
        )

    async def say(self, text: str, replies: int = 1) -> list:
        """Send `text` and wait for that many messages back (texts and photos)."""
        await self.send(text)
        return await self.next(replies)

    async def next(self, count: int = 1) -> list:
        with trio.fail_after(30):
            sent = await self.simulator.wait_sent(self.number, self.seen + count)
        got, self.seen = sent[self.seen : self.seen + count], self.seen + count
        return got

    async def photo(self, color: str) -> None:
        await self.client.post(
            f"{self.url}/simulate/image",
            json={"from": self.number, "image_b64": photo(color), "ready_after_s": 0},
        )


def buyer_settings(tmp_path, **tenant):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"],
        open_to_all=False,
        admins=(ADMIN,),
        sellers=(SELLER,),
        address="Jl. Raya Bogor Km 28, Jakarta Timur",
        maps_url="https://maps.app.goo.gl/showroom",
        opening_hours="Senin-Sabtu 08.00-17.00",
        credit_flat_rate_pct=6.0,
        **tenant,
    )
    return dataclasses.replace(settings, tenants={"demo": demo})


async def publish(seller: Chat, upload: str, photos: tuple[str, ...] = ()) -> str:
    """A seller's whole upload; returns the published message."""
    [understood] = await seller.say(upload)
    assert "Sekarang kirim" in understood.text, understood.text
    for number, color in enumerate(photos):
        await seller.photo(color)
        if number == 0:
            await seller.next()  # "Foto pertama diterima"
    [preview] = await seller.say("selesai" if photos else "skip")
    assert "Preview iklan" in preview.text and f"Foto: {len(photos)}" in preview.text
    [published] = await seller.say("ya")
    return published.text


@pytest.fixture
async def stocked(tmp_path):
    """A showroom with three cars: #T01 (two photos), #H01, and #T02 sold."""
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, buyer_settings(tmp_path))
        simulator, server = running.simulators["demo"]

        def chat(number: str) -> Chat:
            return Chat(client, simulator, server.url, number)

        seller = chat(SELLER)
        assert "#T01" in await publish(
            seller, "/upload Toyota Avanza G Matic 2019 km 45rb harga 150jt", ("red", "blue")
        )
        assert "#H01" in await publish(seller, "/upload Honda Jazz RS 2017 km 76rb 179jt")
        assert "#T02" in await publish(
            seller, "/upload Toyota Fortuner VRZ diesel 2018 km 80rb 400jt"
        )
        [sold] = await seller.say("/sold #T02")
        assert "terjual" in sold.text
        yield chat, simulator, running.web.url  # the catalog's address: this server
        nursery.cancel_scope.cancel()


async def test_a_buyer_searches_gets_a_car_with_its_photos_financing_and_a_person(
    stocked, tmp_path, monkeypatch
):
    # this buyer types faster than any person: the flood limit is another test's
    monkeypatch.setattr(domain.buyer, "BURST", 100)
    chat, simulator, catalog = stocked
    buyer, seller, admin = chat(BUYER), chat(SELLER), chat(ADMIN)
    seller.seen = len(simulator.sent_to(SELLER))

    [greeting] = await buyer.say("halo kak")
    assert "selamat datang" in greeting.text and "#KODE" in greeting.text

    [found] = await buyer.say("ada avanza matic dibawah 160jt?")
    assert "*#T01* Toyota Avanza G 2019" in found.text and "Rp 150.000.000" in found.text
    assert f"{catalog}/cars/toyota-avanza-g-2019-t01" in found.text
    assert "Honda" not in found.text and "#T02" not in found.text  # only what matches, for sale

    [nothing] = await buyer.say("ada xpander 2020?")
    assert "belum ada di stok" in nothing.text and "Mitsubishi Xpander 2020" in nothing.text

    # a code: the details, both photos as images with captions, and what next
    card, first, second, _ = await buyer.say("#T01 masih ada?", replies=4)
    assert card.text.startswith("*#T01 Toyota Avanza G 2019*") and "45.000 km" in card.text
    assert first.image and first.text == "#T01 Toyota Avanza G 2019 (1/2)"
    assert second.image and second.text.endswith("(2/2)")
    assert simulator.sent_image_bytes(first)[:2] == b"\xff\xd8"  # a real JPEG went out

    [credit] = await buyer.say("kalau kredit dp 30% cicilannya berapa?")
    monthly = monthly_instalment(150_000_000, 45_000_000, 3, 600)
    assert "DP Rp 45.000.000 (30%)" in credit.text
    assert f"3 th Rp {monthly:,}".replace(",", ".") in credit.text
    assert "bunga flat 6% per tahun" in credit.text and "Perkiraan" in credit.text

    sold, alternatives = await buyer.say("#T02 masih ada?", replies=2)
    assert "sudah *terjual*" in sold.text and "#T01" in alternatives.text

    [hidden] = await buyer.say("#T99")
    assert "tidak ada di katalog" in hidden.text

    jazz, no_photos, _ = await buyer.say(
        f"{catalog}/cars/honda-jazz-rs-2017-h01 ini masih ada kak?", replies=3
    )
    assert jazz.text.startswith("*#H01 Honda Jazz RS 2017*")
    assert "Foto *#H01* belum" in no_photos.text and not no_photos.image
    prefilled = WEB_TEXTS["id"]["wa_message"].format(
        name="Toyota Avanza G", year=2019, code="T01", link=f"{catalog}/cars/x-t01"
    )
    replies = await buyer.say(prefilled, replies=4)
    assert replies[0].text.startswith("*#T01 Toyota Avanza G 2019*")

    [location] = await buyer.say("lokasi showroom dimana? buka jam brp")
    assert "Jl. Raya Bogor Km 28" in location.text and "Senin-Sabtu 08.00-17.00" in location.text

    # a person: the buyer is told, the car's seller alerted with the buyer's number
    [handover] = await buyer.say("bisa nego kak? besok mau lihat unit")
    assert "segera membalas" in handover.text
    [alert] = await seller.next()
    assert f"https://wa.me/{BUYER}" in alert.text and "#T01" in alert.text
    assert "bisa nego kak?" in alert.text
    [again] = await buyer.say("harga pas berapa?")
    assert "Sudah saya teruskan" in again.text  # one alert an hour per buyer and car
    # its photos again: none it has not sent, never the same again; the person has it
    no_more, still = await buyer.say("fotonya dong", replies=2)
    assert "Itu semua foto" in no_more.text and not no_more.image
    assert "Sudah saya teruskan" in still.text

    # the people who sell read the leads and the demand
    [leads] = await admin.say("/leads hot")
    assert BUYER in leads.text and "#T01" in leads.text
    [demand] = await admin.say("/permintaan")
    assert "1x Mitsubishi Xpander 2020 (1 pembeli)" in demand.text
    [stats] = await admin.say("/stats")
    assert "Pembeli hari ini 1" in stats.text and "lead hot 1" in stats.text
    [mine] = await seller.say("/leads")
    assert BUYER in mine.text
    [closed] = await admin.say(f"/lead {BUYER} closed")
    assert "closed" in closed.text
    [(status, alerts, last_car)] = query(
        tmp_path, f"SELECT status, alerts, last_car FROM lead WHERE identity = '{BUYER}'"
    )
    assert (status, alerts, last_car) == ("closed", 1, "T01")
    cars = query(tmp_path, f"SELECT code FROM lead_car WHERE identity = '{BUYER}' ORDER BY code")
    assert cars == [("H01",), ("T01",), ("T02",)]


async def test_when_a_person_answers_from_the_dealers_number_the_bot_falls_silent(
    stocked, tmp_path
):
    chat, simulator, _ = stocked
    buyer = chat(BUYER)
    [greeting] = await buyer.say("halo")
    # the bot's own reply coming back (as GoWA and Evolution echo them) changes nothing
    await simulator.post_own(BUYER, greeting.text)
    [answer] = await buyer.say("#H01", replies=1)
    assert answer.text.startswith("*#H01")
    await buyer.next(2)  # no photos yet, what next
    # a person answers by hand: silence in this chat
    await simulator.post_own(BUYER, "Halo kak, saya Budi dari showroom. Mau lihat kapan?")
    await buyer.send("#T01 masih ada?")
    await buyer.send("besok jam 10 ya")
    await until(tmp_path, f"SELECT messages FROM lead WHERE identity = '{BUYER}'", [(4,)])
    await until(tmp_path, "SELECT COUNT(*) FROM inbox_event WHERE status = 'new'", [(0,)])
    await until(tmp_path, "SELECT COUNT(*) FROM outbox_message WHERE status = 'pending'", [(0,)])
    assert len(simulator.sent_to(BUYER)) == buyer.seen  # nothing more was sent
    assert query(tmp_path, "SELECT COUNT(*) FROM outbox_message WHERE chat = '" + SELLER + "'")
    # another buyer is answered as ever
    [other] = await chat(OTHER_BUYER).say("ada jazz?")
    assert "#H01" in other.text
    # the dealer's own message in a seller's chat is nobody's command
    seller = chat(SELLER)
    seller.seen = len(simulator.sent_to(SELLER))
    await simulator.post_own(SELLER, "/sold #T01")
    [mine] = await seller.say("/list tersedia")
    assert "#T01" in mine.text


async def test_a_flooding_buyer_is_rate_limited_without_slowing_anyone_else(stocked, tmp_path):
    chat, simulator, _ = stocked
    flood, other = chat(BUYER), chat(OTHER_BUYER)
    for number in range(40):
        await flood.send(f"halo {number}")
    [answer] = await other.say("ada jazz?")
    assert "#H01" in answer.text  # answered while the flood is handled
    await until(tmp_path, f"SELECT messages FROM lead WHERE identity = '{BUYER}'", [(40,)])
    await until(tmp_path, "SELECT COUNT(*) FROM outbox_message WHERE status = 'pending'", [(0,)])
    sent = [m.text for m in simulator.sent_to(BUYER)]
    answers = [t for t in sent if "selamat datang" in t or "Ada yang bisa" in t]
    assert BURST <= len(answers) <= BURST + 3  # the burst, the refill, and the last one held
    assert sum("selamat datang" in t for t in sent) == 1  # the full welcome once, then short
    assert sum("banyak sekali" in t for t in sent) == 1


def test_the_prefilled_message_of_the_catalog_is_what_the_buyer_side_reads():
    message = WEB_TEXTS["en"]["wa_message"].format(
        name="Honda Jazz RS", year=2017, code="H01", link="https://x.id/cars/honda-jazz-rs-2017-h01"
    )
    assert quote(message)  # what the catalog's button pre-fills
    from domain.buyer_questions import Intent, read_question

    question = read_question(message)
    assert question.intent is Intent.CAR_BY_CODE and question.code == "H01"


async def test_thanks_availability_trade_in_and_two_unanswerable_messages(stocked):
    chat, simulator, _ = stocked
    buyer, admin = chat(OTHER_BUYER), chat(ADMIN)
    admin.seen = len(simulator.sent_to(ADMIN))
    [pointer] = await buyer.say("bisa bantu urus balik nama?")
    assert "belum paham" in pointer.text
    [handover] = await buyer.say("ini nomor siapa ya?")  # the second in a row: a person
    assert "segera membalas" in handover.text
    [alert] = await admin.next()  # no car in question: the admins
    assert f"https://wa.me/{OTHER_BUYER}" in alert.text and "tidak bisa dijawab" in alert.text
    [found] = await buyer.say("ada jazz rs?")
    assert "#H01" in found.text
    [still] = await buyer.say("yang tadi masih ada kak?")  # the one car just shown
    assert still.text.startswith("Masih ada") and "#H01" in still.text
    [thanks] = await buyer.say("oke makasih kak")
    assert thanks.text.startswith("Sama-sama")
    seller = chat(SELLER)
    seller.seen = len(simulator.sent_to(SELLER))
    [trade] = await buyer.say("bisa tukar tambah sama brio saya?")
    assert "segera membalas" in trade.text
    [alert] = await seller.next()  # about the car being talked about: its seller
    assert "tukar tambah" in alert.text and "#H01" in alert.text


async def test_a_message_the_flood_limit_held_is_answered_after_a_restart(tmp_path):
    settings = buyer_settings(tmp_path)
    holding = (  # the question is the message held back (the last one, once all are read)
        "SELECT COUNT(*) FROM conversation_session"
        f" WHERE user = '{BUYER}' AND data LIKE '%\"held_text\": \"ada jazz?\"%'"
    )
    async with httpx.AsyncClient() as client:
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, server = running.simulators["demo"]
            seller = Chat(client, simulator, server.url, SELLER)
            assert "#H01" in await publish(seller, "/upload Honda Jazz RS 2017 km 76rb 179jt")
            flood = Chat(client, simulator, server.url, BUYER)
            for number in range(BURST + 2):
                await flood.send(f"halo {number}")
            await flood.send("ada jazz?")  # held back: the limit has bitten
            await until(tmp_path, holding, [(1,)])
            nursery.cancel_scope.cancel()  # stopped before the limit lifts
        assert not any("#H01" in m.text for m in simulator.sent_to(BUYER))
        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve, settings)
            simulator, _ = running.simulators["demo"]
            with trio.fail_after(30):  # the held question, answered once the limit lifted
                while not any("#H01" in m.text for m in simulator.sent_to(BUYER)):
                    await simulator.wait_sent(BUYER, len(simulator.sent_to(BUYER)) + 1)
            await until(tmp_path, holding, [(0,)])
            nursery.cancel_scope.cancel()


async def test_a_dealer_taken_out_of_the_configuration_stops_no_one_else(tmp_path):
    settings = buyer_settings(tmp_path)
    demo = dataclasses.replace(settings.tenants["demo"], public_url="https://demo.test")
    other = dataclasses.replace(demo, public_url="https://other.test")
    both = dataclasses.replace(settings, tenants={"demo": demo, "other": other})

    def holding(user: str) -> str:
        return (
            "SELECT COUNT(*) FROM conversation_session"
            f" WHERE user = '{user}' AND data LIKE '%\"held_text\": \"ada jazz?\"%'"
        )

    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, both)
        for slug, user in (("other", OTHER_BUYER), ("demo", BUYER)):
            simulator, server = running.simulators[slug]
            flood = Chat(client, simulator, server.url, user)
            for number in range(BURST + 2):
                await flood.send(f"halo {number}")
            await flood.send("ada jazz?")  # held back by the flood limit
            await until(tmp_path, holding(user), [(1,)])
        nursery.cancel_scope.cancel()
    only_demo = dataclasses.replace(settings, tenants={"demo": demo})
    async with trio.open_nursery() as nursery:
        await nursery.start(serve, only_demo)
        await until(tmp_path, holding(BUYER), [(0,)])  # answered after the restart
        assert query(tmp_path, holding(OTHER_BUYER)) == [(1,)]  # the other dealer's rests
        nursery.cancel_scope.cancel()
