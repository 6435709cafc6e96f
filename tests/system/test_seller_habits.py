"""Sellers' real habits, end to end: the real bot, the simulated gateway, real photos.

Each test is one habit an Indonesian seller has on WhatsApp; the pure rules are tested one by
one in tests/domain/test_conversation.py, these check that the whole program carries them.
"""

import httpx
import trio

from tests.system.test_upload_flow import BUDI, Seller, query


async def until(seller: Seller, fragment: str) -> str:
    """The bot's next replies, up to the one that contains `fragment`."""
    with trio.fail_after(30):
        while fragment not in (reply := await seller.reply()):
            pass
    return reply


async def test_the_listing_in_a_photos_caption_then_more_photos_then_ya(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        caption = "Jual Toyota Avanza G 2019 AT\nkm 67rb\nharga Rp 165,000,000 nego 🙏"
        await seller.send_photo("red", 0.2, caption=caption)
        assert "1 foto sudah saya terima" in await until(seller, "Avanza")
        await seller.send_photo("green", 0.5)
        await seller.say("udah itu aja kak")
        preview = await until(seller, "*Preview iklan*")
        assert "Rp 165.000.000" in preview and "Foto: 2" in preview
        await seller.say("oke gas")
        assert "sudah tayang" in await until(seller, "tayang")
    assert query(tmp_path, "SELECT model, variant, year, price_idr FROM listing") == [
        ("Avanza", "G", 2019, 165_000_000)
    ]


async def test_photos_first_then_the_listing_then_a_missing_year(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.send_photo("red", 0)
        assert "Foto disimpan" in await seller.reply()
        await seller.send_photo("blue", 0)
        await seller.say("jual honda jazz rs matic 179jt")  # no year
        assert "tahun berapa" in await seller.reply()
        await seller.say("thn 2017")
        assert "2 foto sudah saya terima" in await seller.reply()
        await seller.say("selesai")
        preview = await until(seller, "*Preview iklan*")
        assert "*Honda Jazz RS* 2017" in preview and "Foto: 2" in preview
        await seller.say("harga 175jt")
        corrected = await seller.reply()
        assert corrected.startswith("Sudah diubah: harga Rp 175.000.000.")
        await seller.say("ya")
        await until(seller, "sudah tayang")
    assert query(tmp_path, "SELECT year, price_idr FROM listing") == [(2017, 175_000_000)]
    assert query(tmp_path, "SELECT COUNT(*) FROM photo") == [(2,)]


async def test_an_absurd_price_is_questioned_and_tidak_jadi_cancels(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(
            "/upload Toyota Alphard 2.5 X AT 2018 hitam\nodometer: 59,702\nharga 570000jt"
        )
        reply = await seller.reply()
        assert "Sepertinya" in reply or "harganya berapa" in reply
        await seller.say("570jt")
        assert "Rp 570.000.000" in await seller.reply()
        await seller.say("tidak jadi")
        assert "dibatalkan" in await seller.reply()
    assert query(tmp_path, "SELECT COUNT(*) FROM listing") == [(0,)]
    assert simulator.sent_to(BUDI)  # every turn was answered
