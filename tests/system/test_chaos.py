"""The crash test: sellers upload cars while the server is killed with SIGKILL again and again.

A standalone simulated gateway (it survives the kills, like a real one) posts the sellers'
messages; like WhatsApp Web API it posts each webhook once, so a seller whose message was not
answered 200 sends it again. After 50 seeded kills: every accepted webhook was processed, every
seller has exactly one complete listing (photos and description), the database is intact, and
duplicate replies (at-least-once sending) are counted and reported.
"""

import base64
import io
import random
import socket
import sqlite3
import subprocess
from collections import Counter

import httpx
import pytest
import trio
from PIL import Image

from showroom.testing import ServerProcess, config_text, simulator_process

pytestmark = pytest.mark.slow

KILLS = 50
SELLERS = 4
SEED = 20261129
SECRET = "chaos-webhook-secret-0123456789"
CARS = [
    "Honda Jazz RS 2017",
    "Toyota Avanza G 2019",
    "Daihatsu Xenia X 2016",
    "Suzuki Ertiga GX 2018",
    "Mitsubishi Xpander Exceed 2020",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jpeg(seed: int) -> str:
    rng = random.Random(seed)
    image = Image.new("RGB", (900, 700), tuple(rng.randrange(256) for _ in range(3)))
    image.paste(tuple(rng.randrange(256) for _ in range(3)), (100, 100, 500, 400))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


async def seller(client: httpx.AsyncClient, number: str, car: str, index: int) -> None:
    async def send(path: str, body: dict) -> None:
        while (await client.post(path, json={"from": number, **body})).json().get(  # noqa: ASYNC110
            "status"
        ) != 200:
            await trio.sleep(0.2)  # the server was down: a person sends it again

    async def expect(fragment: str, since: int) -> bool:
        with trio.move_on_after(30):
            while True:
                sent = (await client.get("/simulate/sent", params={"to": number})).json()
                if any(fragment in m["text"] for m in sent[since:]):
                    return True
                await trio.sleep(0.2)
        return False

    async def seen() -> int:
        return len((await client.get("/simulate/sent", params={"to": number})).json())

    mark = await seen()
    await send("/simulate/message", {"text": f"/upload {car} km 50rb harga 150jt"})
    assert await expect("Sekarang kirim", mark) or await expect("Sekarang kirim", mark)
    for n in range(2):
        await send("/simulate/image", {"image_b64": jpeg(index * 10 + n), "ready_after_s": 0.3})
    for word, answer in (("selesai", "*Preview iklan*"), ("ya", "sudah tayang")):
        for _ in range(5):  # not answered (a kill at the wrong moment): say it again
            mark = await seen()
            await send("/simulate/message", {"text": word})
            if await expect(answer, mark):
                break
        else:
            raise AssertionError(f"{number} never got {answer!r}")


def gateway_and_server(
    tmp_path, secret: str = SECRET, **options
) -> tuple[subprocess.Popen, ServerProcess, int, int]:
    """A simulated gateway in a process of its own (it outlives the server's kills, as a real
    gateway does) and a server, not started, that it posts to: (gateway, server, the server's
    port, the gateway's). `options` go to ServerProcess."""
    port, gateway_port = free_port(), free_port()
    webhook = f"http://127.0.0.1:{port}/webhook/demo/{secret}"
    gateway = simulator_process(tmp_path, gateway_port, webhook)
    config = config_text(
        secret=secret,
        port=port,
        gateway="whatsapp-web-api",
        gateway_url=f"http://127.0.0.1:{gateway_port}",
    )
    return gateway, ServerProcess(tmp_path, config, **options), port, gateway_port


async def test_sellers_upload_while_the_server_is_killed_again_and_again(tmp_path):
    gateway, server, _, gateway_port = gateway_and_server(tmp_path)
    rng = random.Random(SEED)
    try:
        await trio.to_thread.run_sync(server.start)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gateway_port}", timeout=30
        ) as client:
            async with trio.open_nursery() as nursery:
                numbers = [f"6281200000{n:03d}" for n in range(SELLERS)]
                for index, number in enumerate(numbers):
                    nursery.start_soon(seller, client, number, CARS[index], index)
                for _ in range(KILLS):
                    await trio.sleep(rng.uniform(0.05, 0.6))
                    server.kill()
                    await trio.to_thread.run_sync(server.start)
            sent = {
                n: [
                    m["text"] for m in (await client.get("/simulate/sent", params={"to": n})).json()
                ]
                for n in numbers
            }
    finally:
        server.stop()
        gateway.terminate()
        gateway.wait(timeout=30)
    db = sqlite3.connect(tmp_path / "data" / "showroom.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM inbox_event WHERE status = 'new'").fetchone()[0] == 0
    listings = db.execute("SELECT id, seller, description FROM listing").fetchall()
    assert sorted(seller for _, seller, _ in listings) == sorted(numbers)  # one each, no twice
    for listing_id, _, description in listings:
        assert description
        photos = db.execute(
            "SELECT COUNT(*) FROM photo WHERE listing_id = ?", (listing_id,)
        ).fetchone()[0]
        assert photos == 2
    duplicates = sum(
        count - 1 for texts in sent.values() for count in Counter(texts).values() if count > 1
    )
    print(
        f"\ncrash test: {KILLS} kills, {server.starts} starts, {len(listings)} listings, "
        f"{sum(map(len, sent.values()))} replies of which {duplicates} duplicates"
    )
