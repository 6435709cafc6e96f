"""Catalog benchmark.

Car pages per second from a catalog of 2,000 listings, divided by the rate of a static file
(the stylesheet) served by the same `showroom serve` process, in the same run; load from another
process with 16 connections. Target: >= 0.3. Also the weight of a car page without photos (the
HTML and the stylesheet it needs): target under 60 KB.

    python -m bench.catalog
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import trio

from showroom.testing import config_text, showroom_server

LISTINGS = 2_000
REQUESTS = 1_000
CONCURRENCY = 16
ROUNDS = 3
TARGET_RATIO = 0.3
TARGET_WEIGHT = 60_000
CONFIG = config_text(
    open_to_all=False,
    quick_outbox=False,
    tenant_keys='name = "Bench Motor"\nwhatsapp_number = "081234567890"',
)
MAKES = {
    "Honda": ["Jazz", "Brio", "HR-V", "CR-V"],
    "Toyota": ["Avanza", "Innova", "Rush"],
    "Daihatsu": ["Xenia", "Terios"],
    "Suzuki": ["Ertiga", "XL7"],
}


def fill(db_path: Path) -> list[str]:
    rng = random.Random(7)
    slugs = []
    with sqlite3.connect(db_path) as db:
        for n in range(LISTINGS):
            make = rng.choice(list(MAKES))
            model = rng.choice(MAKES[make])
            year = rng.randint(2008, 2024)
            slug = f"{make}-{model}-{year}-b{n}".lower()
            db.execute(
                "INSERT INTO listing (tenant_id, code, slug, seller, make, model, variant, year, "
                "transmission, fuel, color, mileage_km, price_idr, original_text, description, "
                "status, created_at, updated_at) VALUES (1, ?, ?, '62812', ?, ?, 'G', ?, "
                "'Matic', 'Bensin', 'Hitam', ?, ?, '', ?, 'available', datetime('now'), "
                "datetime('now'))",
                (
                    f"B{n}",
                    slug,
                    make,
                    model,
                    year,
                    rng.randint(10, 200) * 1000,
                    rng.randint(80, 500) * 1_000_000,
                    f"Dijual {make} {model} {year}. " * 5,
                ),
            )
            slugs.append(slug)
    return slugs


async def load(base: str, paths: list[str]) -> float:
    queue = list(paths)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                path = queue.pop()
                try:
                    answer = await client.get(path)
                except (httpx.RemoteProtocolError, httpx.ReadError):
                    answer = await client.get(path)
                if answer.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {answer.status_code}")

        started = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(CONCURRENCY):
                nursery.start_soon(worker)
        return len(paths) / (time.perf_counter() - started)


def measure(base: str, paths: list[str]) -> float:
    done = subprocess.run(
        [sys.executable, "-m", "bench.catalog", "--load", base, *paths],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"load failed: {done.stdout}{done.stderr}")
    return float(done.stdout)


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="showroom-bench-", dir=Path.cwd()) as folder,
        showroom_server(Path(folder), CONFIG) as (_, base),
    ):
        slugs = fill(Path(folder) / "data" / "showroom.db")
        rng = random.Random(3)
        pages = [f"/cars/{rng.choice(slugs)}" for _ in range(REQUESTS)]
        static = ["/static/catalog.css"] * REQUESTS
        measure(base, static[:200])  # warm up
        statics = [measure(base, static) for _ in range(ROUNDS)]
        cars = [measure(base, pages) for _ in range(ROUNDS)]
        page = httpx.get(base + pages[0])
        css = httpx.get(base + "/static/catalog.css")
        weight = len(page.content) + len(css.content)
    car_rate, static_rate = statistics.median(cars), statistics.median(statics)
    ratio = car_rate / static_rate
    print(
        f"car pages (catalog of {LISTINGS:,}): {car_rate:,.0f}/s; static file: "
        f"{static_rate:,.0f}/s; ratio {ratio:.2f} (target >= {TARGET_RATIO:g}); car page "
        f"weight without photos {weight / 1000:.1f} KB (target < {TARGET_WEIGHT / 1000:g} KB)"
    )
    if ratio < TARGET_RATIO or weight >= TARGET_WEIGHT:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--load":
        print(trio.run(load, sys.argv[2], sys.argv[3:]))
        sys.exit(0)
    sys.exit(main())
