"""Photo downloads for uploads, on the supervised worker pool.

Each seller's upload is a JobGroup: cancelling the upload cancels exactly its queued and running
downloads (their requests are interrupted at once; nothing of them stays on disk). A download
polls the gateway on the readiness schedule while the file is "not there yet" (404, or fewer
bytes than announced: the gateway posts the webhook before it has written the file), retries
transport errors and 5xx with backoff while the shared retry budget allows, streams the body
under a size cap, then runs the photo pipeline in a worker process (one per core) and reports
PhotoStored or PhotoFailed to the seller's session.

Only the gateway's own origin is ever requested: the adapter builds every URL from its
configured base, the client never follows redirects, and each URL is checked before it is sent.
"""

from __future__ import annotations

import base64
import collections
import itertools
import logging
import os
import random
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import trio
import trio_parallel

from actors.errors import FetchFailed, GatewayTrouble, NotReady
from domain.backoff import Backoff
from domain.conversation import PhotoFailed, PhotoStored
from domain.errors import BadMediaAnswer
from domain.events import MediaRef
from domain.photo_failures import PhotoProblem, failure_reason
from domain.photos import StoredPhoto
from domain.ports import GatewayPort
from domain.readiness import TROUBLE_BACKOFF, ReadinessSchedule, RetryBudget
from runtime import Job, JobCancelled, JobGroup, PoolFull, WorkerPool
from storage.errors import NotAPhoto, PhotoTooLarge
from storage.faults import is_transient
from storage.images import DECODE_BUDGET_BYTES, store_photo
from storage.media import MediaStore

log = logging.getLogger("showroom.media")

ATTEMPT_TIMEOUT_S = 20.0
WAIT_BUCKETS_S = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 45.0)
WATCH_INTERVAL_S = 0.05  # how often the gateway's folder is looked at
# Well below the shared client's 32 connections (no request ever waits in its pool), and few:
# httpcore checks every pooled connection on each request, ~1 ms more CPU a request at 24.
REQUESTS_AT_ONCE = 8
MAX_PHOTO_BYTES = 25_000_000
# A photo that cannot be written for a passing reason (a full disk) is tried again, with
# growing pauses, for this long before the seller is told (a server fault, not their photo).
STORAGE_PATIENCE_S = 300.0
STORAGE_RETRY = Backoff(first_s=1.0, factor=2.0, cap_s=30.0)
SHORT_BODY_BYTES = 16_384  # an error page worth reading to keep the connection
# Photos are decoded and resized in worker processes, not threads: a thread shares the GIL with
# the event loop, and each hand-over costs both sides (measured in the end-to-end benchmark:
# every hop of a message, from webhook to reply, 3-5x slower while photos were processed).
IMAGE_PROCESSES = os.cpu_count() or 2


@dataclass(frozen=True, slots=True)
class TenantMedia:
    slug: str
    adapter: GatewayPort
    watch_dir: Path | None = None  # the gateway's own images folder, when on this machine


@dataclass
class DownloadStats:
    started: int = 0
    stored: int = 0
    failed: int = 0
    cancelled: int = 0
    requests: int = 0
    not_ready: int = 0  # requests that found no file yet
    troubles: int = 0  # transport errors and 5xx
    # How long the photo took to be there, from the webhook to the request that got it.
    wait_buckets: dict[float, int] = field(default_factory=lambda: dict.fromkeys(WAIT_BUCKETS_S, 0))
    wait_count: int = 0
    wait_sum_s: float = 0.0

    def mean_wait_s(self) -> float | None:
        return self.wait_sum_s / self.wait_count if self.wait_count else None

    def record_wait(self, seconds: float) -> None:
        self.wait_count += 1
        self.wait_sum_s += seconds
        for bound in self.wait_buckets:
            if seconds <= bound:
                self.wait_buckets[bound] += 1


class Downloads:
    def __init__(
        self,
        pool: WorkerPool,
        client: httpx.AsyncClient,
        store: MediaStore,
        tenants: dict[str, TenantMedia],
        report: Callable[[Hashable, object], None],
        *,
        schedule: ReadinessSchedule | None = None,
        budget: RetryBudget | None = None,
        rng: random.Random | None = None,
        decode_budget_bytes: int = DECODE_BUDGET_BYTES,
    ) -> None:
        """`report(session key, PhotoStored | PhotoFailed)` delivers results to sessions; a
        PhotoFailed's reason says what kind of failure it was (domain/photo_failures.py)."""
        self.decode_budget_bytes = decode_budget_bytes
        self.pool = pool
        self.client = client
        self.store = store
        self.tenants = tenants
        self.report = report
        self.schedule = schedule or ReadinessSchedule()
        self.budget = budget or RetryBudget()
        self.stats = DownloadStats()
        # each dealer's own failures and waits, for its /stats (one process serves many)
        self.by_tenant: collections.defaultdict[str, DownloadStats] = collections.defaultdict(
            DownloadStats
        )
        self._rng = rng or random.Random()
        self._groups: dict[tuple[Hashable, int], JobGroup] = {}
        self._running: dict[tuple[Hashable, int, str], Job] = {}
        self._image_processes = trio.CapacityLimiter(IMAGE_PROCESSES)
        # Fewer requests in flight than the shared client has connections: none ever queues
        # (and is cancelled) inside the client's pool.
        self._requests = trio.CapacityLimiter(REQUESTS_AT_ONCE)

    def fetch(
        self, key: tuple[str, str], upload: int, photo_key: str, media: MediaRef
    ) -> Job | None:
        running = self._running.get((key, upload, photo_key))
        if running is not None:
            # A session that starts again (after a crash) asks for its pending photos again:
            # the download already under way reports to it, a second would only race it.
            return running
        group = self._groups.get((key, upload))
        if group is None:
            group = self._groups[(key, upload)] = self.pool.group(
                f"{key[0]}:{key[1]}:{upload}", owner=key
            )
        tenant = self.tenants[key[0]]
        self.stats.started += 1

        def done(job: Job) -> None:
            self._running.pop((key, upload, photo_key), None)
            error = getattr(job.outcome, "error", None)
            if isinstance(error, JobCancelled):
                self.stats.cancelled += 1
                return  # the upload was cancelled: nobody waits for this photo
            if error is None:
                self.stats.stored += 1
                self.report(key, PhotoStored(upload, photo_key, job.outcome.value))
            else:
                self.stats.failed += 1
                self.by_tenant[key[0]].failed += 1
                reason = failure_of(error)
                log.warning("photo %s for %s failed: %s", photo_key, key[1], reason)
                self.report(key, PhotoFailed(upload, photo_key, reason))

        try:
            job = group.submit(self._download, tenant, media, on_done=done)
        except PoolFull as exc:
            # More photos waiting than the queue holds: this photo fails as a fault of ours
            # (the seller is asked to send it again), instead of the error crashing the
            # seller's turn, and every restart of their session, until the queue drains.
            self.stats.failed += 1
            self.by_tenant[key[0]].failed += 1
            log.error("photo %s for %s not fetched: %s", photo_key, key[1], exc)
            reason = failure_reason(PhotoProblem.SERVER_FAULT, str(exc))
            self.report(key, PhotoFailed(upload, photo_key, reason))
            return None
        self._running[(key, upload, photo_key)] = job
        return job

    def cancel(self, key: tuple[str, str], upload: int) -> None:
        group = self._groups.pop((key, upload), None)
        if group is not None:
            group.cancel()

    async def _download(self, tenant: TenantMedia, media: MediaRef) -> StoredPhoto:
        if media.failed:
            raise FetchFailed(f"the gateway could not get the photo: {media.failed}")
        if media.stored is not None:  # it came inline: the intake kept it in the media store
            try:
                data = await trio.Path(self.store.path(tenant.slug, media.stored)).read_bytes()
            except FileNotFoundError:
                raise FetchFailed("the photo is no longer kept; send it again") from None
        else:
            data = await self._bytes(tenant.adapter, media, tenant.watch_dir, tenant.slug)
        waited_s = 0.0
        for attempt in itertools.count(1):
            try:
                return await trio_parallel.run_sync(
                    store_photo,
                    self.store,
                    tenant.slug,
                    data,
                    self.decode_budget_bytes,
                    limiter=self._image_processes,
                )
            except NotAPhoto as exc:
                raise FetchFailed(str(exc)) from exc
            except OSError as exc:
                # A full disk passes: the photo waits for space (the seller would otherwise be
                # asked to send it again, and every photo sent meanwhile fail the same way).
                if not is_transient(exc) or waited_s >= STORAGE_PATIENCE_S:
                    raise
                delay_s = STORAGE_RETRY.delay(attempt, self._rng)
                if attempt == 1:
                    log.warning("photo cannot be stored now (%s); it waits for space", exc)
                await trio.sleep(delay_s)
                waited_s += delay_s
        raise AssertionError("unreachable")

    async def _watch(self, path: Path, media: MediaRef) -> bytes:
        """Wait for the gateway to write the file into its folder; read it once complete."""
        deadline = trio.current_time() + self.schedule.deadline_s
        previous = -1
        while trio.current_time() < deadline:
            try:
                size = (await trio.Path(path).stat()).st_size
            except FileNotFoundError:
                size = -1
            complete = size > 0 and (size >= (media.expected_bytes or 0)) and size == previous
            if complete:
                return await trio.Path(path).read_bytes()
            previous = size
            await trio.sleep(WATCH_INTERVAL_S)
        raise FetchFailed(f"the photo was not there after {self.schedule.deadline_s:g} s")

    async def _bytes(
        self,
        adapter: GatewayPort,
        media: MediaRef,
        tenant_watch_dir: Path | None = None,
        tenant: str = "",
    ) -> bytes:
        if media.inline_b64 is not None:
            return _b64(media.inline_b64)
        local = adapter.local_file(tenant_watch_dir, media) if tenant_watch_dir else None
        if local is not None and await trio.Path(local.parent).is_dir():
            return await self._watch(local, media)
        started = trio.current_time()
        times = self.schedule.attempt_times(self._rng)
        index, troubles = 0, 0
        while index < len(times):
            await trio.sleep_until(started + times[index])
            try:
                data = await self._attempt(adapter, media)
                waited_s = trio.current_time() - started
                self.stats.record_wait(waited_s)
                self.by_tenant[tenant].record_wait(waited_s)
                return data
            except NotReady:
                self.stats.not_ready += 1
            except GatewayTrouble as exc:
                self.stats.troubles += 1
                troubles += 1
                if not self.budget.take(trio.current_time()):
                    raise FetchFailed(f"the gateway keeps failing ({exc})") from exc
                await trio.sleep(TROUBLE_BACKOFF.delay(troubles, self._rng))
            # the next attempt time not yet passed (a slow request or a backoff skips some)
            now = trio.current_time()
            index = next(
                (i for i in range(index + 1, len(times)) if started + times[i] >= now), len(times)
            )
        raise FetchFailed(f"the photo was not there after {self.schedule.deadline_s:g} s")

    async def _attempt(self, adapter: GatewayPort, media: MediaRef) -> bytes:
        request = adapter.media_request(media)
        assert request is not None
        try:
            with trio.fail_after(ATTEMPT_TIMEOUT_S):
                data = await self._send(adapter, request, limit=MAX_PHOTO_BYTES)
                followup = adapter.media_followup(data)  # Meta: step 2, the short-lived URL
                if followup is not None:
                    data = await self._send(adapter, followup, limit=MAX_PHOTO_BYTES)
        except (httpx.TransportError, trio.TooSlowError) as exc:
            raise GatewayTrouble(type(exc).__name__) from exc
        try:
            data = adapter.media_bytes(data)  # Evolution: the file inside a JSON answer
        except BadMediaAnswer as exc:
            raise FetchFailed(str(exc)) from exc
        if media.expected_bytes and len(data) < media.expected_bytes:
            raise NotReady  # a file still being written
        return data

    async def _send(self, adapter: GatewayPort, request: httpx.Request, *, limit: int) -> bytes:
        if not adapter.may_fetch(request.url):
            raise FetchFailed(f"refused to fetch from {request.url.host!r}: not the gateway")
        self.stats.requests += 1
        async with self._requests:
            return await self._receive(request, limit)

    async def _receive(self, request: httpx.Request, limit: int) -> bytes:
        response = await self.client.send(request, stream=True)
        try:
            if response.status_code >= 300:
                await _read_short_body(response)  # so the connection can serve the next poll
            if response.status_code == 404:
                raise NotReady
            if response.status_code >= 500 or response.status_code == 429:
                raise GatewayTrouble(f"HTTP {response.status_code}")
            if response.is_redirect:
                raise FetchFailed("the gateway answered with a redirect; not followed")
            if response.status_code >= 400:
                raise FetchFailed(f"the gateway refused the photo (HTTP {response.status_code})")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchFailed("the file is larger than a photo can be")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchFailed("the file is larger than a photo can be")
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            await response.aclose()


def failure_of(error: BaseException) -> str:
    """The PhotoFailed reason for a failed download: too large a picture, a fault of ours (a
    file that could not be written, a photo worker that died), or a photo that cannot be had
    (not a picture, never ready, refused by the gateway) that the seller can send again."""
    cause = error.__cause__ if isinstance(error, FetchFailed) else error
    if isinstance(cause, PhotoTooLarge | MemoryError):
        return failure_reason(PhotoProblem.TOO_LARGE, str(cause) or type(cause).__name__)
    if isinstance(cause, OSError | trio_parallel.BrokenWorkerError):
        return failure_reason(PhotoProblem.SERVER_FAULT, f"{type(cause).__name__}: {cause}")
    return failure_reason(PhotoProblem.UNUSABLE, str(error))


async def _read_short_body(response: httpx.Response) -> None:
    """Read a short answer's body to its end. A response closed before its body was read
    takes its connection with it: every "not there yet" would cost a new TCP connection."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= SHORT_BODY_BYTES:
        await response.aread()


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except ValueError as exc:
        raise FetchFailed("the photo in the payload is not valid base64") from exc
