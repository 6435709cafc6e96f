"""Buyer side benchmark: buyer questions answered per second against a catalog of 2,000 cars,
divided by the rate of `/help` turns of sellers on the same server in the same run.

The bot is a real `showroom serve` process; this process is its WhatsApp gateway (the simulator,
WhatsApp Web API flavour, on a loopback port), the buyers and the sellers. Each of `PEOPLE`
buyers asks one question, `CONCURRENCY` at a time: the 120 shared buyer messages
(tests/domain/fixtures/buyer_questions.jsonl) with their car codes pointed at cars of the
catalog, so a question is read, the stock looked up (searches, a car by code with its photos'
rows, alternatives), answered, its lead and question row written. A question counts as answered
when its first reply reaches the gateway. The same number of registered sellers each send
`/help` (a turn with no lookup), the same way. Median of three rounds each. Target: >= 0.5.

The outbox's politeness pacing is switched off (no per-chat gap, no typing pause, 8 sends at
once), as in bench/e2e.py: the benchmark measures the bot, not the anti-ban pacing.

    python -m bench.buyers
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
import re
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import trio
from PIL import Image

from domain.buyer_questions import read_question
from gateways.simulator import Simulator
from showroom.testing import config_text, showroom_server
from web.server import WebServer

LISTINGS = 2_000
PEOPLE = 400  # buyers per round, and sellers per round
CONCURRENCY = 32
ANSWER_TIMEOUT_S = 60.0
ROUNDS = 3
TARGET = 0.5
SECRET = "bench-buyers-webhook-secret-0123456789"
QUESTIONS = Path(__file__).parent.parent / "tests" / "domain" / "fixtures" / "buyer_questions.jsonl"
MODELS = {
    "Toyota": ["Avanza", "Kijang Innova", "Rush", "Fortuner", "Calya", "Agya"],
    "Honda": ["Jazz", "Brio", "HR-V", "CR-V", "Mobilio"],
    "Daihatsu": ["Xenia", "Terios", "Sigra"],
    "Suzuki": ["Ertiga", "XL7"],
    "Mitsubishi": ["Xpander", "Pajero Sport"],
}
SELLER_BASE = 6281500000000
BUYER_BASE = 6289600000000


def config(gateway_port: int) -> str:
    return config_text(
        secret=SECRET,
        gateway="whatsapp-web-api",
        gateway_url=f"http://127.0.0.1:{gateway_port}",
        open_to_all=False,
        sends_at_once=8,
        tenant_keys='name = "Bench Motor"\naddress = "Jl. Bench 1"\nopening_hours = "08.00-17.00"',
    )


def fill(folder: Path, sellers: int) -> list[str]:
    """2,000 cars (a tenth sold) with three photos each, and the registered sellers. The photos
    are three real files that every car's rows point at (the gateway fetches what it sends)."""
    rng = random.Random(11)
    codes = []
    media = folder / "data" / "media" / "demo"
    media.mkdir(parents=True, exist_ok=True)
    files = []
    for position in range(3):
        picture = io.BytesIO()
        Image.new("RGB", (800, 600), (60 * position, 90, 150)).save(picture, "JPEG")
        digest = hashlib.sha256(picture.getvalue()).hexdigest()
        files.append(f"{digest[:2]}/{digest}-large.jpg")  # as the photo store names them
        (media / digest[:2]).mkdir(exist_ok=True)
        (media / files[-1]).write_bytes(picture.getvalue())
    db_path = folder / "data" / "showroom.db"
    with sqlite3.connect(db_path) as db:
        for n in range(LISTINGS):
            make = rng.choice(list(MODELS))
            model = rng.choice(MODELS[make])
            year = rng.randint(2010, 2024)
            code = f"{make[0]}{n:03d}"
            status = "sold" if n % 10 == 0 else "available"
            cursor = db.execute(
                "INSERT INTO listing (tenant_id, code, slug, seller, make, model, variant, year, "
                "transmission, fuel, color, mileage_km, price_idr, original_text, description, "
                "status, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, 'G', ?, ?, ?, 'Putih', "
                "?, ?, '', 'Mobil bagus.', ?, datetime('now'), datetime('now'))",
                (
                    code,
                    f"{make}-{model}-{year}-{code}".lower().replace(" ", "-"),
                    str(SELLER_BASE),
                    make,
                    model,
                    year,
                    rng.choice(["Matic", "Manual"]),
                    rng.choice(["Bensin", "Bensin", "Diesel"]),
                    rng.randint(10, 200) * 1000,
                    rng.randint(60, 600) * 1_000_000,
                    status,
                ),
            )
            for position in range(3):
                name = f"{code.lower()}-{position}"
                db.execute(
                    "INSERT INTO photo (tenant_id, listing_id, position, content_hash, file_large, "
                    "file_medium, file_thumb, width, height, bytes, created_at) VALUES "
                    "(1, ?, ?, ?, ?, ?, ?, 1600, 1200, 1000, datetime('now'))",
                    (cursor.lastrowid, position, name, files[position], name, name),
                )
            codes.append(code)
        for n in range(sellers):
            db.execute(
                "INSERT INTO person (tenant_id, phone, name, role, active, created_at, "
                "updated_at) VALUES (1, ?, '', 'seller', 1, datetime('now'), datetime('now'))",
                (str(SELLER_BASE + n),),
            )
    return codes


def buyer_messages(codes: list[str]) -> list[str]:
    """The shared buyer questions, their codes pointed at cars of the catalog (the spam one is
    left out: the bot rightly says nothing to it)."""
    rng = random.Random(5)
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[1:]
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    return [
        re.sub(r"(?i)#\s?[a-z]\s?\d{2,4}\b", lambda _: "#" + rng.choice(codes), text)
        for text in texts
        if not read_question(text).spam
    ]


async def ask_all(simulator: Simulator, people: list[tuple[str, str]]) -> float:
    """Each (number, text) sends its text; seconds until every one has a reply."""
    limit = trio.CapacityLimiter(CONCURRENCY)

    async def one(number: str, text: str) -> None:
        async with limit:
            before = len(simulator.sent_to(number))
            status = await simulator.post_message(number, text)
            if status != 200:
                raise SystemExit(f"the server answered {status} to a webhook")
            with trio.move_on_after(ANSWER_TIMEOUT_S) as waiting:
                await simulator.wait_sent(number, before + 1)
            if waiting.cancelled_caught:
                raise SystemExit(f"no answer in {ANSWER_TIMEOUT_S:g} s to {number}: {text!r}")

    started = trio.current_time()
    async with trio.open_nursery() as nursery:
        for number, text in people:
            nursery.start_soon(one, number, text)
    return trio.current_time() - started


async def run(
    simulator: Simulator, gateway: WebServer, messages: list[str]
) -> tuple[list[float], list[float]]:
    rng = random.Random(9)
    buyer_times, help_times = [], []
    async with trio.open_nursery() as nursery:
        await nursery.start(simulator.run)
        nursery.start_soon(gateway.run)
        warm = [(str(BUYER_BASE + 90_000 + n), "halo") for n in range(CONCURRENCY)]
        await ask_all(simulator, warm)
        for round_ in range(ROUNDS):
            first = round_ * PEOPLE
            buyers = [(str(BUYER_BASE + first + n), rng.choice(messages)) for n in range(PEOPLE)]
            sellers = [(str(SELLER_BASE + first + n), "/help") for n in range(PEOPLE)]
            buyer_times.append(await ask_all(simulator, buyers))
            help_times.append(await ask_all(simulator, sellers))
        gateway.stop()
        nursery.cancel_scope.cancel()
    return buyer_times, help_times


def main() -> int:
    logging.disable(logging.WARNING)
    simulator = Simulator()
    gateway = WebServer(simulator.app(), "127.0.0.1", 0, name="simulated gateway")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="showroom-buyers-") as folder,
            showroom_server(Path(folder), config(gateway.port)) as (_, url),
        ):
            codes = fill(Path(folder), PEOPLE * ROUNDS)
            simulator.webhook_url = f"{url}/webhook/demo/{SECRET}"
            buyer_times, help_times = trio.run(run, simulator, gateway, buyer_messages(codes))
    finally:
        gateway.close()
    buyer_rate = PEOPLE / statistics.median(buyer_times)
    help_rate = PEOPLE / statistics.median(help_times)
    ratio = buyer_rate / help_rate
    print(
        f"buyer questions against a catalog of {LISTINGS:,} cars: {buyer_rate:,.0f} answered/s; "
        f"/help turns: {help_rate:,.0f}/s; ratio {ratio:.2f} (target >= {TARGET:g}); "
        f"{PEOPLE} of each per round, {CONCURRENCY} at a time, median of {ROUNDS} rounds"
    )
    if ratio < TARGET:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
