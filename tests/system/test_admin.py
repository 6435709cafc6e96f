"""Running the showroom from a chat, end to end through the simulated gateway."""

import dataclasses
import sqlite3

import httpx
import trio

from showroom.app import serve
from tests.system.conftest import make_settings

ADMIN = "6281311112222"
SELLER = "6281234567890"
STRANGER = "6289999999999"


def query(tmp_path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        return db.execute(sql).fetchall()


class Chat:
    def __init__(self, client, simulator, url, number, typed_as=None) -> None:
        self.client, self.simulator, self.url = client, simulator, url
        self.number, self.typed_as = number, typed_as or number
        self.seen = 0

    async def say(self, text: str) -> str:
        await self.client.post(
            f"{self.url}/simulate/message", json={"from": self.typed_as, "text": text}
        )
        return await self.reply()

    async def reply(self) -> str:
        with trio.fail_after(30):
            sent = await self.simulator.wait_sent(self.number, self.seen + 1)
        self.seen += 1
        return sent[self.seen - 1].text


async def test_admins_run_the_showroom_from_their_chat(tmp_path):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"], open_to_all=False, admins=(ADMIN,), sellers=(SELLER,)
    )
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        # the same number typed the way a phone shows it: still the admin
        admin = Chat(client, simulator, server.url, ADMIN, typed_as="+62 813-1111-2222")
        seller = Chat(client, simulator, server.url, SELLER)
        stranger = Chat(client, simulator, server.url, STRANGER)

        assert "Perintah admin" in await admin.say("/admin")
        assert "hanya untuk admin" in await seller.say("/seller tambah 0812 0000 1111 Eko")
        assert "hanya untuk admin" in await stranger.say("/stats")
        assert await admin.say("/seller tambah 0812 0000 1111 Eko") == (
            "6281200001111 sekarang penjual."
        )
        listing = await admin.say("/seller")
        assert "6281200001111 Eko - 0 mobil" in listing and f"{ADMIN}" in listing
        assert "Admin terakhir" in await admin.say(f"/admin hapus {ADMIN}")

        await seller.say("/upload Honda Jazz RS 2017 km 76rb 179jt")
        await seller.say("skip")
        assert "sudah tayang" in await seller.say("ya")
        assert "#H01 Honda Jazz RS 2017" in await admin.say("/mobil")
        assert "disembunyikan" in await admin.say("/sembunyikan #H01")
        statistics = await admin.say("/stats")
        assert "Tersedia 0" in statistics and "rata-rata siap setelah -" in statistics
        assert "tidak ditemukan" in await seller.say("/sold #H01")  # hidden: not in their list
        assert "sekarang: *tersedia*" in await admin.say("/tampilkan #H01")
        assert "Gateway: whatsapp-web-api v1.7.0: reachable" in await admin.say("/health")
        assert await admin.say("/backup") == "Backup sedang dibuat..."
        done = await admin.reply()
        assert done.startswith("Backup selesai: ")
        nursery.cancel_scope.cancel()
    backups = list((tmp_path / "data" / "backups").glob("*.db"))
    assert len(backups) == 1
    audit = query(tmp_path, "SELECT actor, action, allowed FROM audit_entry ORDER BY id")
    assert (SELLER, "seller add", 0) in audit and (STRANGER, "stats", 0) in audit
    assert (ADMIN, "seller add", 1) in audit and (ADMIN, "backup", 1) in audit
    assert len(audit) == 12  # ten by the admin, one by the seller, one by the stranger


async def test_a_removed_admin_or_seller_loses_their_rights_at_their_next_message(tmp_path):
    second_admin, seller_number = "6281322223333", "6281244445555"
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"], open_to_all=False, admins=(ADMIN,), sellers=(SELLER,)
    )
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        admin = Chat(client, simulator, server.url, ADMIN)
        other = Chat(client, simulator, server.url, second_admin)
        seller = Chat(client, simulator, server.url, seller_number)
        assert "sekarang admin" in await admin.say(f"/admin tambah {second_admin}")
        assert "sekarang penjual" in await admin.say(f"/seller tambah {seller_number}")
        assert "Perintah admin" in await other.say("/admin")  # their session is active now
        assert "Sekarang kirim" in await seller.say("/upload Honda Jazz RS 2017 km 76rb 179jt")
        await admin.say(f"/admin hapus {second_admin}")
        await admin.say(f"/seller hapus {seller_number}")
        # at once, while their sessions are still active: the rights are gone
        assert "hanya untuk admin" in await other.say("/seller tambah 0899 1234 5678")
        assert "Sekarang kirim" not in await seller.say("/upload Toyota Avanza G 2019 150jt")
        nursery.cancel_scope.cancel()
    audit = query(tmp_path, f"SELECT allowed FROM audit_entry WHERE actor = '{second_admin}'")
    assert audit == [(1,), (0,)]
    assert query(tmp_path, "SELECT COUNT(*) FROM person WHERE phone = '6289912345678'") == [(0,)]


async def test_each_dealers_stats_are_its_own(tmp_path):
    from tests.system.test_upload_flow import photo

    settings = make_settings(tmp_path)
    base = dataclasses.replace(
        settings.tenants["demo"], open_to_all=False, admins=(ADMIN,), sellers=(SELLER,)
    )
    jaya = dataclasses.replace(base, public_url="https://jaya.test")
    sentosa = dataclasses.replace(base, public_url="https://sentosa.test")
    settings = dataclasses.replace(settings, tenants={"jaya": jaya, "sentosa": sentosa})
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        chats = {}
        for slug in ("jaya", "sentosa"):
            simulator, server = running.simulators[slug]
            chats[slug] = (
                Chat(client, simulator, server.url, SELLER),
                Chat(client, simulator, server.url, ADMIN),
            )
        seller, _ = chats["jaya"]
        await seller.say("/upload Honda Jazz RS 2017 km 76rb 179jt")
        await client.post(
            f"{seller.url}/simulate/image",
            json={"from": SELLER, "image_b64": photo("red"), "ready_after_s": 0},
        )
        assert "Foto pertama diterima" in await seller.reply()
        jaya_stats = await chats["jaya"][1].say("/stats")
        sentosa_stats = await chats["sentosa"][1].say("/stats")
        nursery.cancel_scope.cancel()
    assert "rata-rata siap setelah -" not in jaya_stats  # its photo's wait
    assert "rata-rata siap setelah -" in sentosa_stats  # no photo of its own yet
    assert "Sesi aktif 2" in jaya_stats and "Sesi aktif 1" in sentosa_stats
