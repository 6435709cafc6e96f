"""The crash test, with the faults from outside: sellers upload cars again and again while the
database is locked longer than SQLite waits, the disk fills up, 300 connections trickle into
the web server of a process that has 1,024 file descriptors, and the server is killed with
SIGKILL. At the end it prints what happened to every message and reply:

    events accepted, lost (accepted but never processed), processed twice (a car or a photo
    twice), replies sent twice (sends the gateway saw beyond the replies marked sent)

and checks that nothing accepted was lost, nothing processed twice, and that replies were
sent twice only where a kill came between a send and its record (at most two per kill).

The disk is a tmpfs of its own when this process may mount one (root); else SQLite's page
limit stands in for it (tests/system/page_limit.py; SHOWROOM_TEST_DISK=page-limit forces it).
Reproduce: .venv/bin/python -m pytest -s tests/system/test_chaos_faults.py
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import trio

from showroom.testing import ServerProcess
from tests.system.flood import FloodStats, slow_body_flood
from tests.system.test_chaos import gateway_and_server, jpeg

pytestmark = pytest.mark.slow

SEED = 20261201
SECRET = "faults-webhook-secret-Hq28-0123456789"
SELLERS = 4
KILLS = 15
LOCK_S = 12.0  # longer than SQLite's busy timeout (10 s): writes wait, then fail
FULL_S = 8.0
FLOOD_S = 8.0
FLOOD_CONNECTIONS = 300
OPEN_FILES = 1024  # what a systemd unit without LimitNOFILE gives
QUIET_S = 2.0  # normal running between the phases
PATIENCE_S = 45.0  # how long a seller waits for an answer before saying it again
CARS = ["Honda Jazz RS", "Toyota Avanza G", "Daihatsu Xenia X", "Suzuki Ertiga GX"]
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Figures:
    texts: Counter = field(default_factory=Counter)  # accepted (200), by seller
    photos: set = field(default_factory=set)  # ids of accepted photos
    refused: Counter = field(default_factory=Counter)  # webhook answers other than 200
    published: list = field(default_factory=list)  # (seller, km) the seller saw published


class SmallDisk:
    """The data folder on a filesystem the test can fill."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.control = folder.parent / "page-limit"
        self.filler = folder / "filler"
        folder.mkdir(parents=True)
        forced = os.environ.get("SHOWROOM_TEST_DISK") == "page-limit"
        self.tmpfs = not forced and _mount_tmpfs(folder, size_mb=64)
        self.mode = "a 64 MB tmpfs" if self.tmpfs else "SQLite's page limit"

    def program(self) -> list[str] | None:
        if self.tmpfs:
            return None
        return [sys.executable, str(ROOT / "tests" / "system" / "page_limit.py"), str(self.control)]

    def fill(self, db_path: Path) -> None:
        if not self.tmpfs:
            self.control.write_text("full")
            return
        # SQLite writes over its WAL file again after a checkpoint: with a WAL already grown,
        # a full disk would not touch the database for a while. Emptied, it must grow.
        with contextlib.closing(sqlite3.connect(db_path, timeout=10)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        descriptor = os.open(self.filler, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            for chunk in (1 << 20, 4096):  # megabytes, then the last pages
                with contextlib.suppress(OSError):
                    while os.write(descriptor, b"\0" * chunk):
                        pass
        finally:
            os.close(descriptor)

    def free(self) -> None:
        if self.tmpfs:
            self.filler.unlink(missing_ok=True)
        else:
            self.control.write_text("")

    def close(self) -> None:
        if self.tmpfs:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)


def _mount_tmpfs(folder: Path, size_mb: int) -> bool:
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return done.returncode == 0


async def seller(
    client: httpx.AsyncClient, number: str, index: int, figures: Figures, stop: trio.Event
) -> None:
    async def send(path: str, body: dict) -> None:
        while True:
            answer = (await client.post(path, json={"from": number, **body})).json()
            if answer.get("status") == 200:
                if "image_b64" in body:
                    figures.photos.add(answer["id"])
                else:
                    figures.texts[number] += 1
                return
            figures.refused[answer.get("status")] += 1
            await trio.sleep(0.2)  # not taken (503, or the server is down): send it again

    async def sent_count() -> int:
        return len((await client.get("/simulate/sent", params={"to": number})).json())

    async def expect(fragment: str, since: int) -> bool:
        with trio.move_on_after(PATIENCE_S):
            while True:
                sent = (await client.get("/simulate/sent", params={"to": number})).json()
                if any(fragment in m["text"] for m in sent[since:]):
                    return True
                await trio.sleep(0.2)
        return False

    async def say_until(text: str, answer: str) -> None:
        for _ in range(5):
            mark = await sent_count()
            await send("/simulate/message", {"text": text})
            if await expect(answer, mark):
                return
        raise AssertionError(f"{number} never got {answer!r} for {text!r}")

    car = 0
    while not stop.is_set():
        car += 1
        km = index * 100 + car  # tells this car from every other
        await say_until(f"/upload {CARS[index]} 2018 km {km}rb harga 150jt", "Sekarang kirim")
        for n in range(2):
            image = jpeg(SEED + index * 1000 + car * 10 + n)
            await send("/simulate/image", {"image_b64": image, "ready_after_s": 0.3})
        await say_until("selesai", "*Preview iklan*")
        await say_until("ya", "sudah tayang")
        figures.published.append((number, km))


@dataclass
class Phases:
    server: ServerProcess
    disk: SmallDisk
    db_path: Path
    port: int
    rng: random.Random
    flood: FloodStats = field(default_factory=FloodStats)
    kills: int = 0

    async def run(self) -> None:
        await trio.sleep(QUIET_S)
        await self.lock()
        await trio.sleep(QUIET_S)
        await self.disk_full()
        await trio.sleep(QUIET_S)
        await self.slow_flood()
        await trio.sleep(QUIET_S)
        await self.kill_again_and_again()

    async def lock(self) -> None:
        """Another program holds the database's write lock longer than SQLite waits."""
        holder = sqlite3.connect(
            self.db_path, timeout=30, isolation_level=None, check_same_thread=False
        )
        await trio.to_thread.run_sync(holder.execute, "BEGIN IMMEDIATE")
        await trio.sleep(LOCK_S)
        holder.execute("ROLLBACK")
        holder.close()

    async def disk_full(self) -> None:
        await trio.to_thread.run_sync(self.disk.fill, self.db_path)
        await trio.sleep(FULL_S)
        await trio.to_thread.run_sync(self.disk.free)

    async def slow_flood(self) -> None:
        paths = ["/webhook/demo", f"/webhook/demo/not-{SECRET}"]
        with trio.move_on_after(FLOOD_S):
            await slow_body_flood(
                "127.0.0.1", self.port, paths, FLOOD_CONNECTIONS, self.flood, headers_too=True
            )

    async def kill_again_and_again(self) -> None:
        for _ in range(KILLS):
            await trio.sleep(self.rng.uniform(0.1, 0.8))
            self.server.kill()
            self.kills += 1
            await trio.to_thread.run_sync(self.server.start)


def rows(db_path: Path, query: str, *params) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return db.execute(query, params).fetchall()


async def wait_until_settled(db_path: Path) -> None:
    """Every event processed and every reply sent (or given up)."""
    with trio.fail_after(120):
        while rows(  # noqa: ASYNC110 - another process: there is no event to wait on
            db_path,
            "SELECT (SELECT COUNT(*) FROM inbox_event WHERE status = 'new') + "
            "(SELECT COUNT(*) FROM outbox_message WHERE status = 'pending')",
        )[0][0]:
            await trio.sleep(0.2)


async def test_sellers_upload_through_locks_a_full_disk_a_flood_and_kills(tmp_path):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the flood's connections
    disk = SmallDisk(tmp_path / "data")
    gateway, server, port, gateway_port = gateway_and_server(
        tmp_path, SECRET, open_files=OPEN_FILES, program=disk.program()
    )
    db_path = tmp_path / "data" / "showroom.db"
    figures = Figures()
    numbers = [f"6281300000{n:03d}" for n in range(SELLERS)]
    try:
        await trio.to_thread.run_sync(server.start)
        phases = Phases(server, disk, db_path, port, random.Random(SEED))
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gateway_port}", timeout=30
        ) as client:
            stop = trio.Event()
            with trio.fail_after(300):
                async with trio.open_nursery() as nursery:
                    for index, number in enumerate(numbers):
                        nursery.start_soon(seller, client, number, index, figures, stop)
                    await phases.run()
                    stop.set()  # the sellers finish the car they are at
            await wait_until_settled(db_path)
            sends = {
                n: len((await client.get("/simulate/sent", params={"to": n})).json())
                for n in numbers
            }
        assert server.stop() == 0
        figures_line, checks = report(db_path, figures, sends, phases, disk)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()
        gateway.terminate()
        gateway.wait(timeout=30)
        disk.close()
    print("\n" + figures_line)
    logs = "".join(log.read_text() for log in tmp_path.glob("server-*.log"))
    assert "gave up" not in logs and "Too many open files" not in logs
    assert checks["integrity"] == "ok"
    assert checks["lost"] == 0 and checks["processed_twice"] == 0 and checks["dead"] == 0
    assert checks["replies_sent_twice"] <= 2 * phases.kills  # only a kill between send and record
    assert checks["cars"] == len(figures.published) > 0


def report(
    db_path: Path, figures: Figures, sends: dict[str, int], phases: Phases, disk: SmallDisk
) -> tuple[str, dict]:
    integrity = rows(db_path, "PRAGMA integrity_check")[0][0]
    done = {
        key: status for key, status in rows(db_path, "SELECT dedupe_key, status FROM inbox_event")
    }
    lost_photos = sum(1 for image in figures.photos if done.get(f"wwa:msg:{image}") != "done")
    lost_texts = 0
    for number, accepted in figures.texts.items():
        [(processed,)] = rows(
            db_path,
            "SELECT COUNT(*) FROM inbox_event WHERE sender = ? AND status = 'done' "
            "AND json_extract(event, '$.kind') = 'text'",
            number,
        )
        lost_texts += max(0, accepted - processed)
    listings = Counter(rows(db_path, "SELECT seller, mileage_km FROM listing"))
    cars_twice = sum(count - 1 for count in listings.values())
    photos_twice = sum(
        count - 1
        for (count,) in rows(
            db_path, "SELECT COUNT(*) FROM photo GROUP BY listing_id, content_hash"
        )
    )
    recorded = dict(
        rows(
            db_path, "SELECT chat, COUNT(*) FROM outbox_message WHERE status = 'sent' GROUP BY chat"
        )
    )
    sent_twice = sum(max(0, sends[n] - recorded.get(n, 0)) for n in sends)
    seen = {(seller, km * 1000) for seller, km in figures.published}
    checks = {
        "integrity": integrity,
        "lost": lost_photos + lost_texts,
        "processed_twice": cars_twice + photos_twice,
        "dead": sum(1 for status in done.values() if status == "dead"),
        "replies_sent_twice": sent_twice,
        "cars": len(seen & set(listings)),
    }
    accepted = sum(figures.texts.values()) + len(figures.photos)
    line = (
        f"faults test: {accepted} events accepted ({sum(figures.texts.values())} texts, "
        f"{len(figures.photos)} photos), {checks['lost']} lost, {checks['processed_twice']} "
        f"processed twice, {sent_twice} replies sent twice of {sum(sends.values())} sent; "
        f"{len(figures.published)} cars published; refused while faulty: "
        f"{dict(figures.refused)}; phases: a {LOCK_S:g} s lock, {FULL_S:g} s of full disk "
        f"({disk.mode}), {FLOOD_CONNECTIONS} trickling connections for {FLOOD_S:g} s "
        f"({phases.flood.opened} opened, {phases.flood.cut_off} cut off) against "
        f"{OPEN_FILES} file descriptors, {phases.kills} kills ({phases.server.starts} starts)"
    )
    return line, checks
