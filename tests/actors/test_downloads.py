"""Photo downloads against the simulated gateway, on trio's virtual clock."""

import io

import httpx
import pytest
import trio
from PIL import Image

from actors.downloads import Downloads, DownloadStats, TenantMedia
from domain.conversation import PhotoFailed, PhotoStored
from domain.events import MediaRef
from domain.photo_failures import PhotoProblem, problem_of
from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from runtime import JobCancelled, WorkerPool
from storage.media import MediaStore

KEY = ("demo", "6281234567890")


def jpeg(size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 10, 10)).save(out, "JPEG", quality=90)
    return out.getvalue()


class Harness:
    def __init__(self, tmp_path, nursery) -> None:
        self.simulator = Simulator()
        self.requests: list[httpx.Request] = []
        self.results: list = []
        self.done = trio.Event()
        self.pool = WorkerPool("downloads", workers=2, capacity=50)
        self.store = MediaStore(tmp_path / "media")
        self.adapter = make_adapter(
            GatewayConfig(
                kind="simulator",
                base_url="http://gateway",
                webhook_secret="Xq7-random-webhook-token-204",
            )
        )
        transport = httpx.ASGITransport(self.simulator.app())

        async def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return await transport.handle_async_request(request)

        self.client = httpx.AsyncClient(transport=_Recording(record))
        self.downloads = Downloads(
            self.pool,
            self.client,
            self.store,
            {"demo": TenantMedia("demo", self.adapter)},
            self.report,
        )
        self.nursery = nursery

    def report(self, key, result) -> None:
        self.results.append(result)
        self.done.set()

    def media(self, image_id: str, **extra) -> MediaRef:
        return MediaRef(locator=f"/images/{image_id}.jpg", **extra)

    async def result(self):
        await self.done.wait()
        self.done = trio.Event()
        return self.results[-1]


class _Recording(httpx.AsyncBaseTransport):
    def __init__(self, handler) -> None:
        self.handler = handler

    async def handle_async_request(self, request):
        return await self.handler(request)


@pytest.fixture
async def harness(tmp_path):
    async with trio.open_nursery() as nursery:
        h = Harness(tmp_path, nursery)
        await nursery.start(h.pool.run)
        yield h
        h.pool.close()
    await h.client.aclose()


async def test_a_photo_saved_3_s_after_its_webhook_is_fetched_soon_after(harness, autojump_clock):
    image_id = harness.simulator.add_image(jpeg(), ready_after_s=3.0)
    started = trio.current_time()
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    result = await harness.result()
    assert isinstance(result, PhotoStored) and result.photo.width == 1200
    waited = trio.current_time() - started
    assert 3.0 <= waited <= 3.0 + 0.6 * 3.0
    assert 4 <= len(harness.requests) <= 8  # polled, not hammered


async def test_a_photo_that_never_comes_fails_once_after_the_deadline(harness, autojump_clock):
    image_id = harness.simulator.add_image(jpeg(), ready_after_s=10_000)
    started = trio.current_time()
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    result = await harness.result()
    assert isinstance(result, PhotoFailed) and "45" in result.reason
    assert trio.current_time() - started <= 46
    assert len(harness.requests) <= 36 and len(harness.results) == 1  # one every 1.5 s at most


async def test_a_half_written_file_is_fetched_again(harness, autojump_clock):
    data = jpeg()
    image_id = harness.simulator.add_image(data, truncated_first=True)
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id, expected_bytes=len(data)))
    result = await harness.result()
    assert isinstance(result, PhotoStored) and result.photo.bytes == len(data)
    assert len(harness.requests) == 2


async def test_gateway_errors_are_retried_within_the_budget(harness, autojump_clock):
    image_id = harness.simulator.add_image(jpeg())
    harness.simulator.faults.image_failures = 3
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    assert isinstance(await harness.result(), PhotoStored)
    assert harness.downloads.stats.troubles == 3


async def test_a_broken_gateway_exhausts_the_budget_instead_of_storming(harness, autojump_clock):
    harness.simulator.faults.image_failures = 10_000
    ids = [harness.simulator.add_image(jpeg()) for _ in range(10)]
    started = trio.current_time()
    for n, image_id in enumerate(ids):
        harness.downloads.fetch(KEY, 1, f"p{n}", harness.media(image_id))
    while len(harness.results) < 10:
        await harness.result()
    elapsed = trio.current_time() - started
    assert all(isinstance(r, PhotoFailed) for r in harness.results)
    budget = harness.downloads.budget
    retries = len(harness.requests) - 10  # beyond each download's first try
    assert retries <= budget.burst + budget.rate_per_s * elapsed  # a steady trickle, no storm


async def test_a_broken_file_ends_as_a_clear_reason(harness, autojump_clock):
    image_id = harness.simulator.add_image(b"<html>not a photo</html>" * 100)
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    result = await harness.result()
    assert isinstance(result, PhotoFailed) and "not a usable picture" in result.reason


async def test_cancelling_the_upload_stops_its_downloads_and_leaves_no_file(
    harness, autojump_clock, tmp_path
):
    slow = harness.simulator.add_image(jpeg(), ready_after_s=30)
    other = harness.simulator.add_image(jpeg((900, 900)), ready_after_s=2)
    job = harness.downloads.fetch(KEY, 1, "p1", harness.media(slow))
    harness.downloads.fetch(("demo", "6280000000000"), 1, "q1", harness.media(other))
    await trio.sleep(1)
    harness.downloads.cancel(KEY, 1)
    assert isinstance((await job.wait()).error, JobCancelled)
    result = await harness.result()  # the other seller's download goes on
    assert isinstance(result, PhotoStored) and len(harness.results) == 1
    assert harness.pool.queued == 0
    files = list((tmp_path / "media").rglob("*.jpg"))
    assert len(files) == 3  # only the other seller's three sizes


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/images/x.jpg",
        "http://user:pw@gateway/images/x.jpg",
        "http://gateway:9999/images/x.jpg",
        "file:///etc/passwd",
        "https://gateway/images/x.jpg",
    ],
)
def test_only_the_gateway_origin_may_be_fetched(url):
    adapter = make_adapter(
        GatewayConfig(
            kind="simulator",
            base_url="http://gateway",
            webhook_secret="Xq7-random-webhook-token-204",
        )
    )
    assert adapter.may_fetch(httpx.URL("http://gateway/images/x.jpg"))
    assert not adapter.may_fetch(httpx.URL(url))


@pytest.mark.parametrize(
    "locator", ["//evil.example/x.jpg", "/@evil.example/x.jpg", "/../../../etc/passwd"]
)
async def test_tricky_locators_still_go_to_the_gateway(harness, autojump_clock, locator):
    ref = MediaRef(locator=locator)
    harness.downloads.fetch(KEY, 1, "p1", ref)
    result = await harness.result()
    assert isinstance(result, PhotoFailed)
    assert {r.url.host for r in harness.requests} == {"gateway"}


async def test_a_worker_that_breaks_is_restarted_and_its_job_reported(
    harness, autojump_clock, monkeypatch
):
    original = WorkerPool._run_job
    broken = {"once": True}

    async def run_job(job):
        if broken.pop("once", False):
            raise RuntimeError("a bug in the worker")
        await original(job)

    monkeypatch.setattr(WorkerPool, "_run_job", staticmethod(run_job))
    first = harness.downloads.fetch(
        KEY, 1, "p1", harness.media(harness.simulator.add_image(jpeg()))
    )
    assert isinstance((await first.wait()).error, RuntimeError)
    assert isinstance(await harness.result(), PhotoFailed)
    harness.downloads.fetch(KEY, 1, "p2", harness.media(harness.simulator.add_image(jpeg())))
    assert isinstance(await harness.result(), PhotoStored)


async def test_a_watched_folder_gives_the_photo_the_moment_it_is_written(
    harness, autojump_clock, tmp_path
):
    folder = tmp_path / "gateway-images"
    folder.mkdir()
    harness.downloads.tenants["demo"] = TenantMedia("demo", harness.adapter, folder)
    data = jpeg()
    started = trio.current_time()
    harness.downloads.fetch(KEY, 1, "p1", harness.media("ABC123", expected_bytes=len(data)))
    await trio.sleep(7.0)
    (folder / "ABC123.jpg").write_bytes(data[:100])  # the gateway is still writing...
    await trio.sleep(0.2)
    (folder / "ABC123.jpg").write_bytes(data)  # ...and done
    result = await harness.result()
    assert isinstance(result, PhotoStored)
    assert trio.current_time() - started - 7.2 <= 0.2  # next to no lateness
    assert harness.requests == []  # no HTTP polling at all


async def test_downloads_cancelled_mid_request_leak_no_connection_slots(tmp_path):
    """Real sockets, a client with exactly as many connections as workers: after many
    downloads are cancelled in the middle of their requests, new ones still get through."""
    from web.server import WebServer

    simulator = Simulator()
    server = WebServer(simulator.app(), "127.0.0.1", 0, name="gateway", graceful_timeout_s=0.2)
    workers = 3
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    adapter = make_adapter(
        GatewayConfig(
            kind="simulator", base_url=server.url, webhook_secret="Xq7-random-webhook-token-204"
        )
    )
    results = []
    async with httpx.AsyncClient(limits=limits) as client, trio.open_nursery() as nursery:
        nursery.start_soon(server.run)
        pool = WorkerPool("downloads", workers=workers, capacity=100)
        await nursery.start(pool.run)
        downloads = Downloads(
            pool,
            client,
            MediaStore(tmp_path),
            {"demo": TenantMedia("demo", adapter)},
            lambda key, result: results.append(result),
        )
        simulator.faults.image_slow_s = 30  # every request hangs until cancelled
        for upload in range(10):
            for n in range(3):
                image_id = simulator.add_image(jpeg())
                downloads.fetch(
                    KEY,
                    upload,
                    f"p{n}",
                    MediaRef(f"/images/{image_id}.jpg"),
                )
        with trio.fail_after(10):
            while simulator.image_requests < workers:  # noqa: ASYNC110 - the server's count
                await trio.sleep(0.01)
        for upload in range(10):
            downloads.cancel(KEY, upload)
        simulator.faults.image_slow_s = 0
        fresh = [simulator.add_image(jpeg()) for _ in range(workers * 2)]
        with trio.fail_after(20):
            jobs = [
                downloads.fetch(
                    ("demo", "62899"),
                    1,
                    f"q{n}",
                    MediaRef(f"/images/{image_id}.jpg"),
                )
                for n, image_id in enumerate(fresh)
            ]
            for job in jobs:
                await job.wait()
        pool.close()
        server.stop()
    assert [type(r).__name__ for r in results] == ["PhotoStored"] * (workers * 2)
    server.close()


async def test_polls_that_find_nothing_reuse_one_connection(tmp_path):
    """Real sockets: each "not there yet" answer is read to its end, so the next poll goes
    over the same connection instead of opening a new one."""
    from domain.readiness import ReadinessSchedule
    from web.server import WebServer

    simulator = Simulator()
    server = WebServer(simulator.app(), "127.0.0.1", 0, name="gateway", graceful_timeout_s=0.2)
    adapter = make_adapter(
        GatewayConfig(
            kind="simulator", base_url=server.url, webhook_secret="Xq7-random-webhook-token-204"
        )
    )
    results = []
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(server.run)
        pool = WorkerPool("downloads", workers=1, capacity=10)
        await nursery.start(pool.run)
        downloads = Downloads(
            pool,
            client,
            MediaStore(tmp_path),
            {"demo": TenantMedia("demo", adapter)},
            lambda key, result: results.append(result),
            schedule=ReadinessSchedule(first_s=0.02, growth=1.2),
        )
        image_id = simulator.add_image(jpeg(), ready_after_s=0.2)
        ref = MediaRef(locator=f"/images/{image_id}.jpg")
        job = downloads.fetch(KEY, 1, "p", ref)
        with trio.fail_after(10):
            await job.wait()
        server.stop()
        pool.close()
    assert isinstance(results[0], PhotoStored)
    assert simulator.image_requests >= 4  # it did poll a few times
    assert len(simulator.image_connections) == 1


def test_the_mean_wait_is_over_the_photos_fetched():
    stats = DownloadStats()
    assert stats.mean_wait_s() is None
    for seconds in (0.5, 1.0, 3.0):
        stats.record_wait(seconds)
    assert stats.mean_wait_s() == pytest.approx(1.5)
    assert stats.wait_buckets[1.0] == 2 and stats.wait_buckets[45.0] == 3


async def test_a_picture_too_large_to_decode_is_reported_as_too_large(harness, autojump_clock):
    from domain.photo_failures import PhotoProblem, problem_of

    out = io.BytesIO()
    Image.new("RGB", (16383, 2400), (10, 20, 30)).save(out, "WEBP", lossless=True)  # ~1.5 KB
    image_id = harness.simulator.add_image(out.getvalue())
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    result = await harness.result()
    assert isinstance(result, PhotoFailed)
    assert problem_of(result.reason) is PhotoProblem.TOO_LARGE, result.reason


async def test_a_media_folder_that_cannot_be_written_is_a_server_fault(harness, autojump_clock):
    from domain.photo_failures import PhotoProblem, problem_of, text_key

    harness.store.root.parent.mkdir(parents=True, exist_ok=True)
    harness.store.root.write_text("a file where the media folder should be")  # even root fails
    image_id = harness.simulator.add_image(jpeg())
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    result = await harness.result()
    assert isinstance(result, PhotoFailed)
    assert problem_of(result.reason) is PhotoProblem.SERVER_FAULT, result.reason
    assert text_key(result.reason) == "photo_server_fault"  # not "not a valid picture"


async def test_a_photo_that_came_inline_is_read_from_the_media_store(harness, autojump_clock):
    from storage.media import INBOUND

    data = jpeg()
    name = harness.store.put("demo", data, "bin", INBOUND)
    harness.downloads.fetch(KEY, 1, "p1", MediaRef(locator="inline", stored=name))
    result = await harness.result()
    assert isinstance(result, PhotoStored) and result.photo.bytes == len(data)
    assert harness.requests == []  # nothing asked of the gateway
    harness.store.remove("demo", name)
    harness.downloads.fetch(KEY, 1, "p2", MediaRef(locator="inline", stored=name))
    gone = await harness.result()
    assert isinstance(gone, PhotoFailed) and "no longer kept" in gone.reason


class FullDiskStore(MediaStore):
    """A media store on a disk that is full for its first `full_for` writes (counted in a
    file: the photo pipeline writes from worker processes)."""

    def __init__(self, root, counter, full_for: int) -> None:
        super().__init__(root)
        self.counter = counter
        self.full_for = full_for

    def put(self, tenant: str, data: bytes, extension: str, variant: str = "") -> str:
        import errno

        tries = int(self.counter.read_text() or 0) + 1 if self.counter.exists() else 1
        self.counter.write_text(str(tries))
        if tries <= self.full_for:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().put(tenant, data, extension, variant)


async def test_a_photo_waits_for_space_when_the_disk_is_full(harness, tmp_path, autojump_clock):
    from actors.downloads import STORAGE_PATIENCE_S

    counter = tmp_path / "writes"
    harness.downloads.store = FullDiskStore(tmp_path / "full", counter, full_for=3)
    image_id = harness.simulator.add_image(jpeg())
    started = trio.current_time()
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))
    harness.downloads.fetch(KEY, 1, "p1", harness.media(image_id))  # asked again: one download
    result = await harness.result()
    assert isinstance(result, PhotoStored)  # not a failure the seller must act on
    assert int(counter.read_text()) == 3 + 3 and len(harness.results) == 1  # 3 sizes
    assert trio.current_time() - started < STORAGE_PATIENCE_S


async def test_a_photo_the_full_queue_cannot_take_fails_as_our_fault_without_raising(
    tmp_path, autojump_clock
):
    async with trio.open_nursery() as nursery:
        harness = Harness(tmp_path, nursery)
        harness.pool = WorkerPool("downloads", workers=1, capacity=1)
        harness.downloads.pool = harness.pool
        await nursery.start(harness.pool.run)
        never = harness.simulator.add_image(jpeg(), ready_after_s=10_000)
        harness.downloads.fetch(KEY, 1, "p1", harness.media(never))  # runs
        await trio.sleep(0.1)
        harness.downloads.fetch(KEY, 1, "p2", harness.media(never))  # queued
        assert harness.downloads.fetch(KEY, 1, "p3", harness.media(never)) is None
        assert problem_of((await harness.result()).reason) is PhotoProblem.SERVER_FAULT
        assert harness.results[-1].key == "p3" and harness.downloads.stats.failed == 1
        harness.pool.close()
    await harness.client.aclose()
