"""`showroom demo`: the whole product in one command, for someone trying it.

Starts showroom with a temporary database and the built-in simulated gateway, plays a seller's
conversation through the gateway's own control API (the same HTTP a real phone's messages would
arrive by), prints it as it happens with the catalog link, and keeps the site up until Ctrl-C
(`--exit` stops after the conversation, for scripts).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import sys
import tempfile
from pathlib import Path

import httpx
import trio
from PIL import Image, ImageDraw

from showroom.app import serve
from showroom.config import GatewaySettings, OutboxSettings, ServerSettings, Settings

SELLER = "6281234567890"
STOPPING_S = 30.0  # how long a stopping server may take to return (its grace is 10 s)
# (what the seller sends, the reply that ends the wait: None for a photo, which may get none)
CONVERSATION = [
    (
        "text",
        "/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt warna putih",
        "Sekarang kirim",
    ),
    ("photo", ((200, 40, 40), 0.5), None),
    ("photo", ((40, 90, 200), 2.0), None),
    ("photo", ((40, 160, 80), 4.0), None),
    ("text", "selesai", "*Preview iklan*"),
    ("text", "ya", "sudah tayang"),
]


def car_photo(color: tuple[int, int, int]) -> str:
    """A recognisable drawing of a car, as a phone would send it (1600x1200 JPEG)."""
    image = Image.new("RGB", (1600, 1200), (225, 230, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 900, 1600, 1200), fill=(90, 90, 90))
    draw.rounded_rectangle((250, 520, 1350, 860), radius=80, fill=color)
    draw.rounded_rectangle((430, 380, 1130, 560), radius=60, fill=color)
    draw.rectangle((480, 410, 760, 540), fill=(190, 220, 240))
    draw.rectangle((800, 410, 1080, 540), fill=(190, 220, 240))
    for x in (450, 1150):
        draw.ellipse((x - 110, 760, x + 110, 980), fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return base64.b64encode(out.getvalue()).decode()


def demo_settings(folder: Path, port: int) -> Settings:
    defaults = Settings()
    demo = dataclasses.replace(
        defaults.tenants["demo"],
        name="Showroom Demo",
        whatsapp_number="081234567890",
        gateway=GatewaySettings(base_url="http://127.0.0.1:0"),
    )
    return dataclasses.replace(
        defaults,
        server=ServerSettings(host="127.0.0.1", port=port),
        outbox=OutboxSettings(per_chat_gap_s=0.3, typing=False),
        tenants={"demo": demo},
        base_dir=folder,
    )


async def run_demo(port: int, stay: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="showroom-demo-") as folder:
        stopped = trio.Event()

        async def serve_until_stopped(task_status: trio.TaskStatus = trio.TASK_STATUS_IGNORED):
            try:  # Ctrl-C drains the server, which then returns
                await serve(demo_settings(Path(folder), port), task_status=task_status)
            finally:
                stopped.set()
                # a conversation still playing has nobody to talk to any more: the demo ends
                nursery.cancel_scope.cancel()

        async with trio.open_nursery() as nursery:
            running = await nursery.start(serve_until_stopped)
            simulator, server = running.simulators["demo"]
            print(f"showroom demo: catalog {running.web.url}  chat page {server.url}\n")
            try:
                await _play(server.url, simulator)
            except httpx.TransportError:
                # the gateway went away under a message: Ctrl-C is stopping the server
                with trio.move_on_after(STOPPING_S):
                    await stopped.wait()
                if not stopped.is_set():
                    raise  # not stopping: a real fault
                return
            print(f"\nThe car is live: {running.web.url}")
            if stay:
                print("The site stays up; press Ctrl-C to stop.")
                await stopped.wait()
            nursery.cancel_scope.cancel()


async def _play(gateway_url: str, simulator) -> None:
    """The seller's conversation, through the gateway's control API, printed as it goes."""
    seen = 0
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        for kind, content, awaited in CONVERSATION:
            if kind == "text":
                print(f"seller> {content}")
                await client.post("/simulate/message", json={"from": SELLER, "text": content})
            else:
                color, ready_after_s = content
                print(f"seller> [photo, saved by the gateway after {ready_after_s:g} s]")
                await client.post(
                    "/simulate/image",
                    json={
                        "from": SELLER,
                        "image_b64": car_photo(color),
                        "ready_after_s": ready_after_s,
                    },
                )
            seen = await _print_replies(simulator, seen, awaited)


async def _print_replies(simulator, seen: int, awaited: str | None) -> int:
    """Print the bot's replies until the awaited one (a photo may get none: no spam)."""
    with trio.move_on_after(1.5 if awaited is None else 60.0):
        while True:
            sent = await simulator.wait_sent(SELLER, seen + 1)
            for message in sent[seen:]:
                print("bot   > " + message.text.replace("\n", "\n        "))
            seen = len(sent)
            if awaited is not None and any(awaited in m.text for m in sent[-1:]):
                break
    return seen


def main(port: int, stay: bool) -> int:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how the demo ends
        trio.run(run_demo, port, stay)
    sys.stdout.flush()
    return 0
