"""Scale benchmark: one installation serving many dealers (tenants).

Three shapes of the same kind of work, each on a fresh `showroom serve` process: tenants x
sellers 1x50, 20x25 and 100x10, every seller uploading a car with 5 photos at once (the photos
saved by the gateway after random delays up to 5 s). Each tenant has its own simulated gateway
(WhatsApp Web API flavour, its own port, all in this process with the sellers) and the default
pacing except typing: at most `outbox.per_minute` (30) replies a minute per tenant, 2.5 s or
more between two replies to one chat, 2 sends at once per tenant.

Reported per size: the time from the first `/upload` until every seller has been told their
car is published, against the ideal; server CPU seconds per photo, per webhook and per reply
(server = the `showroom serve` process and its photo worker processes, from /proc, nothing
subtracted); photo lateness (from the file being saved to the gateway serving it), median and
p95; the server's peak memory (its own and its workers' added up).

The ideal is the largest of three lower bounds, each measured in the same run:

- readiness: the last photo is saved 5 s after the start, then a seller's conversation still
  takes its own steps (measured on one seller of an extra, otherwise idle tenant on the same
  server, photos ready at once, the same pacing: it includes the gaps between its replies);
- pacing: the busiest tenant sends R replies, at most `per_minute` (30) in any 60 s, so the
  last goes at least 60 s x m after the (R - 30 m)-th, m = floor((R - 1) / 30); and that one
  no earlier than the 2.5 s gaps between the replies to one chat allow (a chat's k-th reply
  comes k - 1 gaps after its first). A lower bound, unlike R / per_minute minutes (which a
  window that lets 30 go at once can beat). With the default pacing this is what 1x50 takes by
  design (250 replies: 8 minutes); a benchmark that switched the pacing off would measure an
  installation nobody runs;
- CPU: all the CPU the run needed (the server's, plus this process's: the gateways and the
  sellers share the machine's cores with the server here) divided by the cores.

Targets: the time within 1.4x the ideal at every size; server CPU per photo at 100x10 at most
1.25x that at 1x50; peak memory at 100x10 under 400 MB; nothing lost (every webhook answered
200, every car published with its 5 photos, every inbox event processed, every reply sent) and
every chat's replies in its conversation's order.

Then a catalog at size, on a server with 100 tenants: 50,000 listings (500 a dealer, each with
its photos) and 10,000 passivated sessions in the database, none in memory. Idle: the server's
CPU over 60 s once its start has settled (target under 1 % of a core) and its memory (under
150 MB). Catalog: list pages with filters and car pages per second, each against a static file
served by the same server (target >= 0.3), load from another process. Sitemap: every dealer's
`/sitemap.xml` lists exactly its cars; then one dealer grows past 50,000 cars and its sitemap
must become an index of sitemaps of at most 50,000 URLs each, together listing every car once.

The benchmark exits non-zero when a target is missed. It takes about 15 minutes, most of it the
pacing (`--quick`: smaller sizes, about 3 minutes, for development; its targets are indicative).

    python -m bench.scale [--quick] [--threads]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import trio

from bench.e2e import photos
from bench.support import procfs
from gateways.simulator import Simulator
from showroom.testing import ServerProcess
from web.server import WebServer

PHOTOS = 5
MAX_READY_S = 5.0
PER_MINUTE = 30  # the default outbox.per_minute and per_chat_gap_s: the pacing bound uses them
PER_CHAT_GAP_S = 2.5
CORES = os.cpu_count() or 2
WARM_TENANT = "warm"  # the extra tenant whose one seller measures a conversation's own steps

TARGET_TIME_RATIO = 1.4
TARGET_CPU_GROWTH = 1.25
TARGET_PEAK_MB = 400.0
TARGET_IDLE_CPU = 0.01  # of one core
TARGET_IDLE_MB = 150.0
TARGET_CATALOG_RATIO = 0.3
SITEMAP_URLS = 50_000
GIVE_UP_AFTER_S = 120.0  # past the pacing bound: the sellers still waiting count as lost

# What each seller must be told, in this order: (a piece of the reply, whether it may be left
# out). "Still fetching the photos" is said only when they take longer than 2.5 s after
# `selesai`, which the random delays decide.
CONVERSATION: list[tuple[str, bool]] = [
    ("Sekarang kirim", False),
    ("Foto pertama diterima", False),
    ("masih mengambil", True),
    (f"Foto: {PHOTOS}", False),
    ("sudah tayang", False),
]


@dataclass(frozen=True, slots=True)
class Size:
    tenants: int
    sellers: int  # per tenant

    @property
    def label(self) -> str:
        return f"{self.tenants}x{self.sellers}"


@dataclass(frozen=True, slots=True)
class CatalogSize:
    tenants: int
    listings: int  # all tenants together
    sessions: int
    idle_s: float


FULL_SIZES = [Size(1, 50), Size(20, 25), Size(100, 10)]
QUICK_SIZES = [Size(1, 10), Size(5, 4), Size(20, 2)]
FULL_CATALOG = CatalogSize(tenants=100, listings=50_000, sessions=10_000, idle_s=60.0)
QUICK_CATALOG = CatalogSize(tenants=20, listings=5_000, sessions=1_000, idle_s=15.0)


# -- the simulated gateways --------------------------------------------------------------------


@dataclass
class Gateway:
    """One tenant's simulated WhatsApp gateway, in this process."""

    slug: str
    secret: str
    simulator: Simulator
    server: WebServer
    sellers: list[str]  # the dealer's registered sellers


def gateways_for(slugs: list[str], sellers: int = 0) -> list[Gateway]:
    """A gateway for each tenant; tenant n (counting from 0) has `sellers` sellers."""
    return [
        Gateway(
            slug,
            secrets.token_urlsafe(24),
            Simulator(),
            WebServer(None, "127.0.0.1", 0, name=f"simulated gateway {slug}"),
            [seller_number(n, s) for s in range(sellers)],
        )
        for n, slug in enumerate(slugs)
    ]


def tenant_slug(n: int) -> str:
    return f"dealer-{n:03d}"


def config_for(gateways: list[Gateway], *, quick_outbox: bool = False) -> str:
    """A config.toml with one tenant per gateway and its sellers: default pacing except
    typing, each catalog on a host name of its own (`<slug>.showroom.test`)."""
    lines = ["[server]", "port = 0", "[outbox]", "typing = false"]
    if quick_outbox:
        lines += ["per_chat_gap_s = 0", "per_minute = 6000"]
    for gateway in gateways:
        lines += [
            f"[tenants.{gateway.slug}]",
            f"sellers = {json.dumps(gateway.sellers)}",
            f'name = "Dealer {gateway.slug}"',
            f'public_url = "http://{gateway.slug}.showroom.test"',
            f"[tenants.{gateway.slug}.gateway]",
            'kind = "whatsapp-web-api"',
            f'base_url = "{gateway.server.url}"',
            f'webhook_secret = "{gateway.secret}"',
        ]
    return "\n".join(lines) + "\n"


# -- the sellers ---------------------------------------------------------------------------


@dataclass
class Observed:
    """What the sellers saw."""

    refused: list[int] = field(default_factory=list)  # statuses of webhooks not answered 200


async def upload(
    simulator: Simulator,
    number: str,
    images: list[bytes],
    delays: list[float],
    observed: Observed,
) -> None:
    """One seller's upload, as bench/e2e.py: the listing, the photos, `selesai`, `ya`, each
    text sent once the bot has answered the one before."""

    async def say(text: str, awaited: str) -> None:
        seen = len(simulator.sent_to(number))
        status = await simulator.post_message(number, text)
        if status != 200:
            observed.refused.append(status)
            raise SystemExit(f"the server answered {status} to a webhook")
        while not any(awaited in m.text for m in simulator.sent_to(number)[seen:]):
            await simulator.wait_sent(number, len(simulator.sent_to(number)) + 1)

    await say("/upload Toyota Avanza G 2019 km 40rb harga 190jt", "Sekarang kirim")
    for image, delay in zip(images, delays, strict=True):
        _, status = await simulator.post_image(number, image, ready_after_s=delay)
        if status != 200:
            observed.refused.append(status)
    await say("selesai", f"Foto: {len(images)}")
    await say("ya", "sudah tayang")


def seller_number(tenant: int, seller: int) -> str:
    return f"628{tenant:04d}{seller:06d}"


def out_of_order(replies: list[str]) -> str | None:
    """Why a chat's replies are not its conversation, in order and each once; None if they are."""
    expected = iter(CONVERSATION)
    for reply in replies:
        for piece, optional in expected:
            if piece in reply:
                break
            if not optional:
                return f"expected {piece!r} before {reply[:40]!r}"
        else:
            return f"{reply[:40]!r} after the conversation's end"
    missing = [piece for piece, optional in expected if not optional]
    return f"never told {missing}" if missing else None


# -- one size ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: Size
    total_s: float
    steps_s: float
    pacing_s: float
    cpu_bound_s: float
    server_cpu_s: float
    load_cpu_s: float
    photos: int
    webhooks: int
    replies: int
    busiest_replies: int
    lateness: list[float]
    peak_mb: float
    problems: list[str]
    threads: dict[str, float]

    @property
    def ideal_s(self) -> float:
        return max(MAX_READY_S + self.steps_s, self.pacing_s, self.cpu_bound_s)

    @property
    def ratio(self) -> float:
        return self.total_s / self.ideal_s

    @property
    def cpu_per_photo_ms(self) -> float:
        return 1000 * self.server_cpu_s / self.photos


def run_size(size: Size, *, show_timeline: bool = False, profile: Path | None = None) -> SizeResult:
    slugs = [tenant_slug(n) for n in range(1, size.tenants + 1)]
    warm, *dealers = gateways_for([WARM_TENANT, *slugs], sellers=max(size.sellers, 2))
    problems: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="showroom-scale-") as folder:
            server = ServerProcess(Path(folder), config_for([warm, *dealers]))
            url = server.start()
            try:
                for gateway in (warm, *dealers):
                    gateway.simulator.webhook_url = f"{url}/webhook/{gateway.slug}/{gateway.secret}"
                db_path = Path(folder) / "data" / "showroom.db"
                timeline: list[Sample] | None = [] if show_timeline else None
                spy = _py_spy(server.pid, profile / f"{size.label}.txt") if profile else None
                try:
                    result = trio.run(drive, size, warm, dealers, server.pid, db_path, timeline)
                finally:
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)
                        spy.wait()
                if timeline:
                    print_timeline(timeline)
                problems = result.problems + check_database(db_path, size)
            finally:
                server.stop()
                if problems:  # the server's own account of what went wrong is kept
                    kept = Path(tempfile.gettempdir()) / f"showroom-scale-{size.label}.log"
                    shutil.copy(server.log, kept)
                    problems.append(f"the server's log: {kept}")
    finally:
        for gateway in (warm, *dealers):
            gateway.server.close()
    return dataclasses.replace(result, problems=problems)


async def drive(
    size: Size,
    warm: Gateway,
    dealers: list[Gateway],
    pid: int,
    db_path: Path,
    timeline: list[Sample] | None = None,
) -> SizeResult:
    rng = random.Random(2)
    images = photos()
    observed = Observed()
    async with trio.open_nursery() as nursery:
        for gateway in (warm, *dealers):
            await nursery.start(gateway.simulator.run)
            gateway.server.app = gateway.simulator.app()
            nursery.start_soon(gateway.server.run)
        # Warm up (the photo worker processes start with the first photo), then one seller's
        # conversation alone: its own steps, with the pacing's gaps between its replies.
        await upload(warm.simulator, seller_number(0, 0), images[:PHOTOS], [0.0] * PHOTOS, observed)
        started = trio.current_time()
        await upload(warm.simulator, seller_number(0, 1), images[5:10], [0.0] * PHOTOS, observed)
        steps_s = trio.current_time() - started
        threads_before = procfs.thread_cpu(pid)
        before, load_before = procfs.usage(pid), time.process_time()
        started = trio.current_time()
        if timeline is not None:
            nursery.start_soon(sample_timeline, timeline, pid, dealers)
        # With the default pacing every size takes about the pacing bound; far past it, some
        # sellers are waiting for replies that will never come (counted as lost below).
        expected_replies = len([p for p, optional in CONVERSATION if not optional]) * size.sellers
        with trio.move_on_after(60.0 * expected_replies / PER_MINUTE + GIVE_UP_AFTER_S):
            async with trio.open_nursery() as everyone:
                for t, gateway in enumerate(dealers, start=1):
                    for s in range(size.sellers):
                        delays = [rng.uniform(0, MAX_READY_S) for _ in range(PHOTOS)]
                        everyone.start_soon(
                            upload,
                            gateway.simulator,
                            seller_number(t, s),
                            rng.sample(images, PHOTOS),
                            delays,
                            observed,
                        )
        total_s = trio.current_time() - started
        after, load_cpu_s = procfs.usage(pid), time.process_time() - load_before
        threads_after = procfs.thread_cpu(pid)
        # The gateways stay up until the server has recorded every send: one stopped in the
        # middle of answering a send would leave that reply to be retried.
        await replies_recorded(db_path)
        for gateway in (warm, *dealers):
            gateway.server.stop()
        nursery.cancel_scope.cancel()
    server_cpu_s = after.cpu_s - before.cpu_s
    replies_by_tenant = [len(g.simulator.sent) for g in dealers]
    busiest = max(replies_by_tenant)
    problems = []
    if observed.refused:
        statuses = dict(Counter(observed.refused))
        problems.append(f"{len(observed.refused)} webhooks refused (status: count {statuses})")
    for t, gateway in enumerate(dealers, start=1):
        for s in range(size.sellers):
            number = seller_number(t, s)
            wrong = out_of_order([m.text for m in gateway.simulator.sent_to(number)])
            if wrong:
                problems.append(f"{gateway.slug} {number}: {wrong}")
    return SizeResult(
        size=size,
        total_s=total_s,
        steps_s=steps_s,
        pacing_s=pacing_bound_s(busiest, size.sellers),
        cpu_bound_s=(server_cpu_s + load_cpu_s) / CORES,
        server_cpu_s=server_cpu_s,
        load_cpu_s=load_cpu_s,
        photos=size.tenants * size.sellers * PHOTOS,
        webhooks=sum(g.simulator.webhooks_posted for g in dealers),
        replies=sum(replies_by_tenant),
        busiest_replies=busiest,
        lateness=[x for g in dealers for x in g.simulator.lateness()],
        peak_mb=after.peak_mb,
        problems=problems,
        threads={
            name: seconds - threads_before.get(name, 0.0) for name, seconds in threads_after.items()
        },
    )


@dataclass(frozen=True, slots=True)
class Sample:
    at_s: float
    server_cpu_s: float
    main_thread_s: float
    load_cpu_s: float
    webhooks: int
    photos_served: int
    replies: int


async def sample_timeline(samples: list[Sample], pid: int, dealers: list[Gateway]) -> None:
    """Once a second: the CPU used so far and what the gateways have seen (`--timeline`)."""
    started = trio.current_time()
    while True:
        samples.append(
            Sample(
                at_s=trio.current_time() - started,
                server_cpu_s=procfs.usage(pid).cpu_s,
                main_thread_s=procfs.thread_cpu(pid).get("python", 0.0),
                load_cpu_s=time.process_time(),
                webhooks=sum(g.simulator.webhooks_posted for g in dealers),
                photos_served=sum(len(g.simulator.lateness()) for g in dealers),
                replies=sum(len(g.simulator.sent) for g in dealers),
            )
        )
        await trio.sleep(1.0)


def print_timeline(samples: list[Sample], every_s: int = 5) -> None:
    print("       t  server%  main%  load%  webhooks  photos  replies  (CPU in % of one core)")
    for before, after in zip(samples[::every_s], samples[every_s::every_s], strict=False):
        span = after.at_s - before.at_s
        server = 100 * (after.server_cpu_s - before.server_cpu_s) / span
        main = 100 * (after.main_thread_s - before.main_thread_s) / span
        load = 100 * (after.load_cpu_s - before.load_cpu_s) / span
        print(
            f"    {after.at_s:4.0f} s {server:7.0f} {main:6.0f} {load:6.0f} "
            f"{after.webhooks:9d} {after.photos_served:7d} {after.replies:8d}"
        )


async def replies_recorded(path: Path, most_s: float = 10.0) -> None:
    """Wait until no reply is pending in the database (the outcome of the last sends is on
    its way to it), at most `most_s`."""
    with trio.move_on_after(most_s):
        # the server says nothing when it records an outcome: the database is looked at
        while await trio.to_thread.run_sync(_pending_replies, path):  # noqa: ASYNC110
            await trio.sleep(0.1)


def _pending_replies(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (pending,) = db.execute(
            "SELECT COUNT(*) FROM outbox_message WHERE status = 'pending'"
        ).fetchone()
    return pending


def pacing_bound_s(replies: int, chats: int) -> float:
    """The earliest the last of a tenant's `replies` to `chats` chats can go: at most
    PER_MINUTE in any 60 s puts the last one 60 s x m after the one PER_MINUTE x m before
    it, and that one cannot go before the gaps between the replies to one chat allow (the
    k-th reply to a chat comes k - 1 gaps after its first)."""
    windows = (replies - 1) // PER_MINUTE
    earlier = replies - PER_MINUTE * windows  # the reply m windows before the last
    return 60.0 * windows + PER_CHAT_GAP_S * ((earlier - 1) // chats)


def check_database(path: Path, size: Size) -> list[str]:
    """Nothing lost: every car published with its photos, every inbox event processed, every
    reply sent."""
    problems = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        outbox = dict(db.execute("SELECT status, COUNT(*) FROM outbox_message GROUP BY 1"))
        if set(outbox) != {"sent"}:
            unsent = db.execute(
                "SELECT chat, status, substr(text, 1, 40) FROM outbox_message "
                "WHERE status != 'sent' LIMIT 5"
            ).fetchall()
            problems.append(f"replies not all sent: {outbox}, such as {unsent}")
        inbox = dict(db.execute("SELECT status, COUNT(*) FROM inbox_event GROUP BY 1"))
        if set(inbox) != {"done"}:
            problems.append(f"inbox events not all processed: {inbox}")
        cars = db.execute(
            "SELECT t.slug, COUNT(DISTINCT l.id), COUNT(p.id) FROM listing l "
            "JOIN tenant t ON t.id = l.tenant_id LEFT JOIN photo p ON p.listing_id = l.id "
            "WHERE l.status = 'available' AND t.slug != ? GROUP BY t.slug",
            (WARM_TENANT,),
        ).fetchall()
    expected = (size.sellers, size.sellers * PHOTOS)
    wrong = [
        (slug, listed, pictured)
        for slug, listed, pictured in cars
        if (listed, pictured) != expected
    ]
    if len(cars) != size.tenants or wrong:
        problems.append(
            f"cars published: {len(cars)} tenants with cars, expected {size.tenants} with "
            f"{expected[0]} cars and {expected[1]} photos each; wrong: {wrong[:5]}"
        )
    return problems


# -- the catalog at size, and the idle server -------------------------------------------------

MAKES = {
    "Honda": ["Jazz", "Brio", "HR-V", "CR-V", "Mobilio"],
    "Toyota": ["Avanza", "Innova", "Rush", "Yaris", "Fortuner"],
    "Daihatsu": ["Xenia", "Terios", "Sigra"],
    "Suzuki": ["Ertiga", "XL7", "Karimun"],
    "Mitsubishi": ["Xpander", "Pajero"],
}
TRANSMISSIONS = ["Matic", "Manual"]
PHOTOS_PER_CAR = 5


@dataclass(frozen=True, slots=True)
class CatalogResult:
    size: CatalogSize
    idle_cpu: float  # of one core
    idle_rss_mb: float
    idle_peak_mb: float
    static_rate: float
    list_rate: float
    car_rate: float
    sitemap_largest: int
    sitemap_parts: int
    sitemap_part_s: float
    problems: list[str]
    idle_threads: dict[str, float]


def fill_catalog(path: Path, size: CatalogSize, rng: random.Random) -> dict[str, list[str]]:
    """Cars (each with its photos) and passivated sessions, spread evenly over the tenants;
    the slugs of each tenant's cars."""
    slugs: dict[str, list[str]] = {}
    with sqlite3.connect(path) as db:
        tenants = db.execute("SELECT id, slug FROM tenant ORDER BY id").fetchall()
        per_tenant = size.listings // len(tenants)
        for tenant_id, slug in tenants:
            slugs[slug] = insert_cars(db, tenant_id, per_tenant, 0, rng)
        sessions = size.sessions // len(tenants)
        db.executemany(
            "INSERT INTO conversation_session (tenant_id, user, state, data, version, "
            "updated_at) VALUES (?, ?, 'idle', '{}', 3, datetime('now', '-1 day'))",
            [
                (tenant_id, f"62899{tenant_id:04d}{n:05d}")
                for tenant_id, _ in tenants
                for n in range(sessions)
            ],
        )
    return slugs


def insert_cars(
    db: sqlite3.Connection, tenant_id: int, count: int, first: int, rng: random.Random
) -> list[str]:
    slugs = []
    for n in range(first, first + count):
        make = rng.choice(list(MAKES))
        model = rng.choice(MAKES[make])
        year = rng.randint(2008, 2024)
        slug = f"{make}-{model}-{year}-c{n}".lower()
        cursor = db.execute(
            "INSERT INTO listing (tenant_id, code, slug, seller, make, model, variant, year, "
            "transmission, fuel, color, mileage_km, price_idr, original_text, description, "
            "status, created_at, updated_at) VALUES (?, ?, ?, '62812', ?, ?, 'G', ?, ?, "
            "'Bensin', 'Hitam', ?, ?, '', ?, 'available', "
            "datetime('now', ?), datetime('now', ?))",
            (
                tenant_id,
                f"C{n}",
                slug,
                make,
                model,
                year,
                rng.choice(TRANSMISSIONS),
                rng.randint(10, 200) * 1000,
                rng.randint(60, 600) * 1_000_000,
                f"Dijual {make} {model} {year}, pajak panjang, servis rutin. " * 4,
                f"-{n} minutes",
                f"-{n} minutes",
            ),
        )
        listing_id = cursor.lastrowid
        db.executemany(
            "INSERT INTO photo (tenant_id, listing_id, position, content_hash, file_large, "
            "file_medium, file_thumb, width, height, bytes, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, 1600, 1200, 180000, datetime('now'))",
            [
                (
                    tenant_id,
                    listing_id,
                    position,
                    f"{listing_id:032x}{position:032x}",
                    f"l/{listing_id}-{position}.jpg",
                    f"m/{listing_id}-{position}.jpg",
                    f"t/{listing_id}-{position}.jpg",
                )
                for position in range(PHOTOS_PER_CAR)
            ],
        )
        db.execute(
            "UPDATE listing SET cover_photo_id = (SELECT id FROM photo WHERE listing_id = ? "
            "AND position = 0) WHERE id = ?",
            (listing_id, listing_id),
        )
        slugs.append(slug)
    return slugs


def run_catalog(size: CatalogSize) -> CatalogResult:
    rng = random.Random(5)
    slugs = [tenant_slug(n) for n in range(1, size.tenants + 1)]
    gateways = gateways_for(slugs)  # addresses only: an idle server asks its gateways nothing
    problems: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="showroom-scale-") as folder:
            config = config_for(gateways)
            first = ServerProcess(Path(folder), config)
            first.start()  # creates the database and the tenants
            first.stop()
            db_path = Path(folder) / "data" / "showroom.db"
            cars = fill_catalog(db_path, size, rng)
            server = ServerProcess(Path(folder), config)
            base = server.start()
            try:
                settle(server.pid)
                idle_threads_before = procfs.thread_cpu(server.pid)
                before = procfs.usage(server.pid)
                time.sleep(size.idle_s)
                after = procfs.usage(server.pid)
                idle_threads = {
                    name: seconds - idle_threads_before.get(name, 0.0)
                    for name, seconds in procfs.thread_cpu(server.pid).items()
                }
                static_rate, list_rate, car_rate = catalog_rates(base, cars, rng)
                problems += check_sitemaps(base, cars)
                grown, largest_parts, part_s, more = sitemap_at_size(base, db_path, cars, rng)
                problems += more
            finally:
                server.stop()
    finally:
        for gateway in gateways:
            gateway.server.close()
    return CatalogResult(
        size=size,
        idle_cpu=(after.cpu_s - before.cpu_s) / size.idle_s,
        idle_rss_mb=after.rss_mb,
        idle_peak_mb=after.peak_mb,
        static_rate=static_rate,
        list_rate=list_rate,
        car_rate=car_rate,
        sitemap_largest=grown,
        sitemap_parts=largest_parts,
        sitemap_part_s=part_s,
        problems=problems,
        idle_threads=idle_threads,
    )


def settle(pid: int, quiet_cpu: float = 0.05, window_s: float = 2.0, most_s: float = 60.0) -> None:
    """Wait until the start-up's work is over: two windows in a row under `quiet_cpu`."""
    deadline = time.monotonic() + most_s
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        before = procfs.usage(pid).cpu_s
        time.sleep(window_s)
        quiet = quiet + 1 if (procfs.usage(pid).cpu_s - before) / window_s < quiet_cpu else 0


REQUESTS = 1_500
CONCURRENCY = 16
ROUNDS = 3


def catalog_rates(
    base: str, cars: dict[str, list[str]], rng: random.Random
) -> tuple[float, float, float]:
    """Requests per second (medians of three rounds): the static stylesheet, list pages with
    filters, car pages; spread over every tenant's host name."""
    tenants = list(cars)
    static = [(rng.choice(tenants), "/static/catalog.css") for _ in range(REQUESTS)]
    lists = [(rng.choice(tenants), list_path(rng)) for _ in range(REQUESTS)]
    pages = []
    for _ in range(REQUESTS):
        tenant = rng.choice(tenants)
        pages.append((tenant, f"/cars/{rng.choice(cars[tenant])}"))
    measure_load(base, static[:300])  # warm up
    rates = []
    for requests in (static, lists, pages):
        rates.append(statistics.median(measure_load(base, requests) for _ in range(ROUNDS)))
    return rates[0], rates[1], rates[2]


def list_path(rng: random.Random) -> str:
    """A list page as buyers filter it: a make, a transmission, a price or year range, a word,
    a later page; a few filters at a time."""
    make = rng.choice(list(MAKES))
    choices = {
        "make": make,
        "transmission": rng.choice(TRANSMISSIONS),
        "harga_min": str(rng.choice([50, 100, 150])),
        "harga_max": str(rng.choice([200, 300, 500])),
        "tahun_min": str(rng.randint(2008, 2018)),
        "q": rng.choice(MAKES[make]).lower(),
        "page": str(rng.randint(1, 3)),
    }
    picked = rng.sample(sorted(choices), rng.randint(1, 3))
    return "/?" + "&".join(f"{key}={choices[key]}" for key in sorted(picked))


def measure_load(base: str, requests: list[tuple[str, str]]) -> float:
    """Requests per second from another process (its own cores' share, not this one's)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listed:
        json.dump(requests, listed)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--load", base, listed.name],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(listed.name)
    if done.returncode != 0:
        raise SystemExit(f"load failed: {done.stdout}{done.stderr}")
    return float(done.stdout)


async def load(base: str, requests: list[tuple[str, str]]) -> float:
    queue = list(requests)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                tenant, path = queue.pop()
                headers = {"host": f"{tenant}.showroom.test"}
                try:
                    answer = await client.get(path, headers=headers)
                except (httpx.RemoteProtocolError, httpx.ReadError):
                    answer = await client.get(path, headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(f"{tenant} {path}: HTTP {answer.status_code}")

        started = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(CONCURRENCY):
                nursery.start_soon(worker)
        return len(requests) / (time.perf_counter() - started)


LOC = re.compile(r"<loc>([^<]+)</loc>")


def fetch(base: str, tenant: str, path: str) -> httpx.Response:
    answer = httpx.get(base + path, headers={"host": f"{tenant}.showroom.test"}, timeout=120)
    answer.raise_for_status()
    return answer


def check_sitemaps(base: str, cars: dict[str, list[str]]) -> list[str]:
    """Every tenant's sitemap lists its home page and exactly its cars."""
    problems = []
    for tenant, slugs in cars.items():
        listed = LOC.findall(fetch(base, tenant, "/sitemap.xml").text)
        expected = {f"http://{tenant}.showroom.test/cars/{slug}" for slug in slugs}
        expected.add(f"http://{tenant}.showroom.test/")
        if set(listed) != expected or len(listed) != len(expected):
            problems.append(
                f"{tenant}: the sitemap lists {len(listed)} URLs, not its {len(expected)}"
            )
    return problems


def sitemap_at_size(
    base: str, db_path: Path, cars: dict[str, list[str]], rng: random.Random
) -> tuple[int, int, float, list[str]]:
    """One tenant grows past 50,000 cars: its sitemap becomes an index of sitemaps of at most
    50,000 URLs, which together list each car once. (its cars, parts, seconds for the slowest
    part, problems)"""
    tenant = next(iter(cars))
    with sqlite3.connect(db_path) as db:
        (tenant_id,) = db.execute("SELECT id FROM tenant WHERE slug = ?", (tenant,)).fetchone()
        grown = len(cars[tenant]) + SITEMAP_URLS
        cars[tenant] += insert_cars(db, tenant_id, SITEMAP_URLS, len(cars[tenant]), rng)
    index = fetch(base, tenant, "/sitemap.xml").text
    parts = LOC.findall(index)
    problems = []
    if "<sitemapindex" not in index or len(parts) != math.ceil(grown / SITEMAP_URLS):
        problems.append(f"{tenant}: {grown:,} cars, but the sitemap is not an index of their parts")
    listed: list[str] = []
    slowest = 0.0
    for part in parts:
        started = time.perf_counter()
        urls = LOC.findall(fetch(base, tenant, part.split(".test", 1)[1]).text)
        slowest = max(slowest, time.perf_counter() - started)
        if len(urls) > SITEMAP_URLS:
            problems.append(f"{tenant}: {part} lists {len(urls):,} URLs (at most {SITEMAP_URLS:,})")
        listed += urls
    if sorted(listed) != sorted(f"http://{tenant}.showroom.test/cars/{s}" for s in cars[tenant]):
        problems.append(f"{tenant}: the sitemap parts do not list each of its cars once")
    return grown, len(parts), slowest, problems


# -- the report ------------------------------------------------------------------------------


def report_size(result: SizeResult, show_threads: bool) -> None:
    lateness = sorted(result.lateness)
    median = statistics.median(lateness) if lateness else float("nan")
    p95 = lateness[int(0.95 * (len(lateness) - 1))] if lateness else float("nan")
    print(
        f"{result.size.label} ({result.size.tenants} tenants x {result.size.sellers} sellers x "
        f"{PHOTOS} photos): all published in {result.total_s:.1f} s; ideal {result.ideal_s:.1f} s "
        f"(readiness {MAX_READY_S:g} + {result.steps_s:.1f} s, pacing {result.pacing_s:.0f} s for "
        f"{result.busiest_replies} replies, CPU {result.cpu_bound_s:.1f} s); ratio "
        f"{result.ratio:.2f} (target <= {TARGET_TIME_RATIO:g})"
    )
    print(
        f"    server CPU {result.server_cpu_s:.1f} s (load generator {result.load_cpu_s:.1f} s): "
        f"{result.cpu_per_photo_ms:.1f} ms a photo, "
        f"{1000 * result.server_cpu_s / result.webhooks:.1f} ms a webhook ({result.webhooks}), "
        f"{1000 * result.server_cpu_s / result.replies:.1f} ms a reply ({result.replies}); "
        f"photo lateness median {median:.2f} s, p95 {p95:.2f} s; peak memory "
        f"{result.peak_mb:.0f} MB (server and workers)"
    )
    if show_threads:
        print("    server threads (CPU s): " + threads_line(result.threads))
    for problem in result.problems[:10]:
        print(f"    PROBLEM: {problem}")


def threads_line(threads: dict[str, float]) -> str:
    busiest = sorted(threads.items(), key=lambda item: -item[1])[:8]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in busiest if seconds > 0)


def report_catalog(result: CatalogResult, show_threads: bool) -> None:
    size = result.size
    print(
        f"idle, {size.tenants} tenants, {size.sessions:,} passivated sessions, "
        f"{size.listings:,} cars: CPU {100 * result.idle_cpu:.2f} % of a core over "
        f"{size.idle_s:g} s (target < {100 * TARGET_IDLE_CPU:g} %); memory "
        f"{result.idle_rss_mb:.0f} MB, peak {result.idle_peak_mb:.0f} MB "
        f"(target < {TARGET_IDLE_MB:g} MB)"
    )
    if show_threads:
        print("    idle threads (CPU s): " + threads_line(result.idle_threads))
    print(
        f"catalog of {size.listings:,} cars over {size.tenants} tenants: static file "
        f"{result.static_rate:,.0f}/s; list pages with filters {result.list_rate:,.0f}/s, ratio "
        f"{result.list_rate / result.static_rate:.2f}; car pages {result.car_rate:,.0f}/s, "
        f"ratio {result.car_rate / result.static_rate:.2f} (target >= {TARGET_CATALOG_RATIO:g})"
    )
    print(
        f"sitemap: every tenant's lists exactly its cars; one tenant grown to "
        f"{result.sitemap_largest:,} cars: an index of {result.sitemap_parts} sitemaps of at "
        f"most {SITEMAP_URLS:,} URLs, the largest served in {result.sitemap_part_s:.2f} s"
    )
    for problem in result.problems[:10]:
        print(f"    PROBLEM: {problem}")


def missed_targets(sizes: list[SizeResult], catalog: CatalogResult) -> list[str]:
    missed = []
    for result in sizes:
        if result.ratio > TARGET_TIME_RATIO:
            missed.append(f"{result.size.label}: time ratio {result.ratio:.2f}")
        if result.problems:
            missed.append(f"{result.size.label}: {len(result.problems)} problem(s)")
    growth = sizes[-1].cpu_per_photo_ms / sizes[0].cpu_per_photo_ms
    print(
        f"server CPU per photo, {sizes[-1].size.label} against {sizes[0].size.label}: "
        f"{sizes[-1].cpu_per_photo_ms:.1f} / {sizes[0].cpu_per_photo_ms:.1f} ms, ratio "
        f"{growth:.2f} (target <= {TARGET_CPU_GROWTH:g}); peak memory at {sizes[-1].size.label} "
        f"{sizes[-1].peak_mb:.0f} MB (target < {TARGET_PEAK_MB:g} MB)"
    )
    if growth > TARGET_CPU_GROWTH:
        missed.append(f"CPU per photo grows {growth:.2f}x")
    if sizes[-1].peak_mb >= TARGET_PEAK_MB:
        missed.append(f"peak memory {sizes[-1].peak_mb:.0f} MB")
    if catalog.idle_cpu >= TARGET_IDLE_CPU:
        missed.append(f"idle CPU {100 * catalog.idle_cpu:.2f} %")
    if catalog.idle_rss_mb >= TARGET_IDLE_MB:
        missed.append(f"idle memory {catalog.idle_rss_mb:.0f} MB")
    for name, rate in (("list pages", catalog.list_rate), ("car pages", catalog.car_rate)):
        if rate / catalog.static_rate < TARGET_CATALOG_RATIO:
            missed.append(f"{name} ratio {rate / catalog.static_rate:.2f}")
    if catalog.problems:
        missed.append(f"catalog: {len(catalog.problems)} problem(s)")
    return missed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for development")
    parser.add_argument("--threads", action="store_true", help="the server's CPU by thread")
    parser.add_argument("--only", choices=["sizes", "catalog"], help="run one part")
    parser.add_argument("--timeline", action="store_true", help="print what happened each 5 s")
    parser.add_argument("--profile", type=Path, help="py-spy each size's server into this folder")
    parser.add_argument("--sizes", help="tenants x sellers to run instead, e.g. 20x25,100x10")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    _raise_open_files()
    print(f"load average before: {_load_average()}")
    sizes: list[SizeResult] = []
    if args.only != "catalog":
        chosen = QUICK_SIZES if args.quick else FULL_SIZES
        if args.sizes:
            chosen = [Size(*map(int, each.split("x"))) for each in args.sizes.split(",")]
        for size in chosen:
            sizes.append(run_size(size, show_timeline=args.timeline, profile=args.profile))
            report_size(sizes[-1], args.threads)
    catalog = None
    if args.only != "sizes":
        catalog = run_catalog(QUICK_CATALOG if args.quick else FULL_CATALOG)
        report_catalog(catalog, args.threads)
    print(f"load average after: {_load_average()}")
    if not sizes or catalog is None:
        return 0
    missed = missed_targets(sizes, catalog)
    if missed:
        print("TARGET MISSED: " + "; ".join(missed))
        return 1
    return 0


def _py_spy(pid: int, output: Path) -> subprocess.Popen:
    """Sample the server (and its photo workers) with py-spy until interrupted (`--profile`:
    `pip install py-spy` into the venv)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",
            "--threads",
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _raise_open_files() -> None:
    """A hundred gateways and a thousand sellers hold many connections at once."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--load":
        listed: list[tuple[str, str]] = [
            tuple(r) for r in json.loads(Path(sys.argv[3]).read_text())
        ]
        print(trio.run(load, sys.argv[2], listed))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
