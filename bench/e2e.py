"""End-to-end benchmark: 50 sellers upload a car with 5 photos each, at once.

The bot is a real `showroom serve` process; this process is its WhatsApp gateway (the simulator,
WhatsApp Web API flavour, on a loopback port) and the 50 sellers. Each photo becomes ready after
a random delay up to 5 s. Reported: the time from the first `/upload` until all 50 cars are
published (the median of three rounds of the same uploads), divided by the ideal (the largest
readiness delay plus the conversation's own steps, measured on one seller whose photos are ready
at once, on the same server in the same run), the photo lateness median and p95 (from the file
becoming ready to the gateway serving it), and the server's peak memory (its own and its photo
worker processes' added up). Target: within 1.5x of the ideal.

The outbox's politeness pacing is switched off (no per-chat gap, no typing pause, no per-minute
cap, 8 sends at once): with the defaults, 250 replies at 30 a minute take minutes by design; the
benchmark measures the bot, not the anti-ban pacing.

    python -m bench.e2e
"""

from __future__ import annotations

import functools
import io
import logging
import random
import statistics
import sys
import tempfile
from pathlib import Path

import trio
from PIL import Image, ImageFilter

from gateways.simulator import Simulator
from showroom.testing import config_text, showroom_server
from web.server import WebServer

SELLERS = 50
PHOTOS = 5
MAX_READY_S = 5.0
TARGET = 1.5
ROUNDS = 3  # the same 50 uploads (same delays) three times; the median counts (a shared machine)
SECRET = "bench-e2e-webhook-secret-0123456789"


@functools.cache
def photos() -> list[bytes]:
    """Photos as WhatsApp delivers them: 1600x1200 JPEG, quality 75, ~180 KB, with texture."""
    out = []
    for n in range(PHOTOS * 4):
        noise = Image.effect_noise((1600, 1200), 60 + n).convert("RGB")
        gradient = Image.linear_gradient("L").resize(noise.size).convert("RGB")
        tint = Image.new("RGB", noise.size, (n * 37 % 256, 90, 150))
        picture = Image.blend(
            Image.blend(noise.filter(ImageFilter.GaussianBlur(1.2)), tint, 0.5), gradient, 0.3
        )
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=75)
        out.append(buffer.getvalue())
    return out


def config(gateway_port: int) -> str:
    return config_text(
        secret=SECRET,
        gateway="whatsapp-web-api",
        gateway_url=f"http://127.0.0.1:{gateway_port}",
        sends_at_once=8,
    )


async def upload(simulator: Simulator, number: str, images: list[bytes], delays: list[float]):
    async def say(text: str, awaited: str) -> None:
        seen = len(simulator.sent_to(number))
        status = await simulator.post_message(number, text)
        if status != 200:
            raise SystemExit(f"the server answered {status} to a webhook")
        while not any(awaited in m.text for m in simulator.sent_to(number)[seen:]):
            await simulator.wait_sent(number, len(simulator.sent_to(number)) + 1)

    await say("/upload Toyota Avanza G 2019 km 40rb harga 190jt", "Sekarang kirim")
    for image, delay in zip(images, delays, strict=True):
        await simulator.post_image(number, image, ready_after_s=delay)
    await say("selesai", f"Foto: {len(images)}")
    await say("ya", "sudah tayang")


async def sellers_upload(
    simulator: Simulator, first: int, sellers: int, max_ready_s: float, seed: int
) -> float:
    """Seconds until every seller's car is published."""
    rng = random.Random(seed)
    images = photos()
    started = trio.current_time()
    async with trio.open_nursery() as everyone:
        for n in range(first, first + sellers):
            delays = [rng.uniform(0, max_ready_s) for _ in range(PHOTOS)]
            everyone.start_soon(
                upload, simulator, f"6281300{n:05d}", rng.sample(images, PHOTOS), delays
            )
    return trio.current_time() - started


async def run(
    simulator: Simulator, gateway: WebServer, server_pid: int
) -> tuple[float, float, list[float], float]:
    async with trio.open_nursery() as nursery:
        await nursery.start(simulator.run)
        nursery.start_soon(gateway.run)
        await sellers_upload(simulator, 0, 1, 0.0, 0)  # warm up
        steps = await sellers_upload(simulator, 1, 1, 0.0, 1)
        photos_before = len(simulator.lateness())
        totals = [
            await sellers_upload(simulator, 100 * (round_ + 1), SELLERS, MAX_READY_S, 2)
            for round_ in range(ROUNDS)
        ]
        lateness = simulator.lateness()[photos_before:]
        gateway.stop()
        nursery.cancel_scope.cancel()
    return steps, statistics.median(totals), lateness, peak_memory_mb(server_pid)


def main() -> int:
    logging.disable(logging.WARNING)
    simulator = Simulator()
    gateway = WebServer(simulator.app(), "127.0.0.1", 0, name="simulated gateway")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="showroom-e2e-") as folder,
            showroom_server(Path(folder), config(gateway.port)) as (pid, url),
        ):
            simulator.webhook_url = f"{url}/webhook/demo/{SECRET}"
            steps, total, lateness, peak_mb = trio.run(run, simulator, gateway, pid)
    finally:
        gateway.close()
    ideal = MAX_READY_S + steps
    ratio = total / ideal
    lateness.sort()
    median = statistics.median(lateness)
    p95 = lateness[int(0.95 * (len(lateness) - 1))]
    print(
        f"{SELLERS} sellers x {PHOTOS} photos (ready after up to {MAX_READY_S:g} s): all "
        f"published in {total:.1f} s (median of {ROUNDS} rounds); ideal {ideal:.1f} s "
        f"({MAX_READY_S:g} s + {steps:.2f} s of conversation); ratio {ratio:.2f} "
        f"(target <= {TARGET:g}); photo lateness median "
        f"{median:.2f} s, p95 {p95:.2f} s; server peak memory {peak_mb:.0f} MB (with its workers)"
    )
    if ratio > TARGET:
        print("TARGET MISSED")
        return 1
    return 0


def peak_memory_mb(pid: int) -> float:
    """The server's peak resident memory plus that of its photo worker processes."""
    return sum(_peak_kb(process) for process in [pid, *_children(pid)]) / 1024


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


if __name__ == "__main__":
    sys.exit(main())
