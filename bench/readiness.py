"""Readiness benchmark: how late do we fetch a photo that appears T seconds after its webhook?

For T in {0.1, 0.5, 1, 3, 10, 30} s, a real download (the downloader, the simulated gateway
answering 404 until T) runs on trio's virtual clock; we record the lateness (time of the request
that got the file, minus T) and the number of requests, and the same for the original system's
schedule (tries at 0 s, 2 s and 5 s, then it gave up), measured the same way. Averaged over
several random phase shifts.

Targets: our lateness at most 0.6 x max(T, 0.25 s) for every T, and our mean lateness under
0.4 x the original's on the T values the original survives.

    python -m bench.readiness
"""

from __future__ import annotations

import io
import logging
import random
import statistics
import sys
import tempfile

import httpx
import trio
import trio.testing
from PIL import Image

from actors.downloads import Downloads, TenantMedia
from domain.events import MediaRef
from domain.readiness import ORIGINAL_SCHEDULE, ReadinessSchedule
from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from runtime import WorkerPool
from storage.media import MediaStore

READY_TIMES = (0.1, 0.5, 1.0, 3.0, 10.0, 30.0)
SEEDS = 5


class OriginalSchedule:
    deadline_s = ORIGINAL_SCHEDULE[-1]

    def attempt_times(self, rng: random.Random) -> list[float]:
        return list(ORIGINAL_SCHEDULE)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


async def one_download(schedule, ready_at: float, seed: int, data: bytes) -> tuple:
    """(lateness or None when the photo was lost, number of requests)."""
    simulator = Simulator()
    app = httpx.ASGITransport(simulator.app())
    found: list[float] = []
    requests = 0

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            nonlocal requests
            requests += 1
            response = await app.handle_async_request(request)
            if response.status_code == 200 and not found:
                found.append(trio.current_time())
            return response

    adapter = make_adapter(
        GatewayConfig(
            kind="simulator",
            base_url="http://gateway",
            webhook_secret="Xq7-random-webhook-token-204",
        )
    )
    pool = WorkerPool("downloads", workers=1, capacity=4)
    done = trio.Event()
    with tempfile.TemporaryDirectory() as folder:
        async with (
            httpx.AsyncClient(transport=Recording()) as client,
            trio.open_nursery() as nursery,
        ):
            await nursery.start(pool.run)
            downloads = Downloads(
                pool,
                client,
                MediaStore(folder),
                {"b": TenantMedia("b", adapter)},
                lambda key, result: done.set(),
                schedule=schedule,
                rng=random.Random(seed),
            )
            started = trio.current_time()
            image_id = simulator.add_image(data, ready_after_s=ready_at)
            ref = MediaRef(locator=f"/images/{image_id}.jpg")
            downloads.fetch(("b", "62812"), 1, "p", ref)
            await done.wait()
            pool.close()
    late = found[0] - started - ready_at if found else None
    return late, requests


def measure(schedule, ready_at: float, data: bytes) -> tuple:
    results = [
        trio.run(
            one_download,
            schedule,
            ready_at,
            seed,
            data,
            clock=trio.testing.MockClock(autojump_threshold=0),
        )
        for seed in range(SEEDS)
    ]
    latenesses = [late for late, _ in results]
    if any(late is None for late in latenesses):
        return None, statistics.mean(n for _, n in results)
    return statistics.mean(latenesses), statistics.mean(n for _, n in results)


def main() -> int:
    logging.disable(logging.WARNING)  # the original schedule's lost photos are expected here
    data = photo()
    ok = True
    ours_on_survived, theirs_on_survived = [], []
    print(
        f"{'T (s)':>6} | {'ours: late (s)':>14} {'requests':>8} | {'original: late':>14} "
        f"{'requests':>8}"
    )
    for ready_at in READY_TIMES:
        ours, our_requests = measure(ReadinessSchedule(), ready_at, data)
        theirs, their_requests = measure(OriginalSchedule(), ready_at, data)
        bound = 0.6 * max(ready_at, 0.25)
        if ours is None or ours > bound + 1e-9:
            ok = False
        if theirs is not None:
            ours_on_survived.append(ours)
            theirs_on_survived.append(theirs)
        theirs_text = "LOST" if theirs is None else f"{theirs:.2f}"
        print(
            f"{ready_at:>6g} | {ours:>14.2f} {our_requests:>8.1f} | {theirs_text:>14} "
            f"{their_requests:>8.1f}"
        )
    ratio = statistics.mean(ours_on_survived) / statistics.mean(theirs_on_survived)
    print(
        f"mean lateness on the T the original survives: ours / original = {ratio:.2f} "
        f"(target < 0.4); ours within 0.6 x max(T, 0.25 s) everywhere: {ok}"
    )
    if not ok or ratio >= 0.4:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
