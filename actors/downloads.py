"""Photo downloads for uploads, on the supervised worker pool.

Each seller's upload is a JobGroup: cancelling the upload cancels exactly its queued and
running downloads. A download polls the gateway while the file is "not there yet" (404, or a
body shorter than announced: the gateway posts the webhook before it has written the file),
then runs the photo pipeline in a worker thread and reports PhotoStored or PhotoFailed to the
seller's session.

The retry schedule here is the simple first version: a geometric series of waits from the
start of the download, with an overall deadline.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import httpx
import trio

from actors.conversation import PhotoFailed, PhotoStored
from actors.events import MediaRef
from gateways.base import Adapter
from gateways.cloudapi import CloudApi
from runtime import Job, JobCancelled, JobGroup, WorkerPool
from storage.images import NotAPhoto, store_photo
from storage.media import MediaStore

log = logging.getLogger("showroom.media")

FIRST_WAIT_S = 0.25
WAIT_GROWTH = 1.6
MAX_WAIT_S = 5.0
DEADLINE_S = 45.0
ATTEMPT_TIMEOUT_S = 20.0
MAX_PHOTO_BYTES = 25_000_000


class NotReady(Exception):
    """The gateway has not written the file yet."""


class FetchFailed(Exception):
    """The photo cannot be had (a 4xx other than 404, or the deadline passed)."""


@dataclass(frozen=True, slots=True)
class TenantMedia:
    slug: str
    adapter: Adapter


class Downloads:
    def __init__(
        self,
        pool: WorkerPool,
        client: httpx.AsyncClient,
        store: MediaStore,
        tenants: dict[str, TenantMedia],
        report: Callable[[Hashable, object], None],
    ) -> None:
        """`report(session key, PhotoStored | PhotoFailed)` delivers results to sessions."""
        self.pool = pool
        self.client = client
        self.store = store
        self.tenants = tenants
        self.report = report
        self._groups: dict[tuple[Hashable, int], JobGroup] = {}

    def fetch(
        self, key: tuple[str, str], upload: int, photo_key: str, media: dict[str, Any]
    ) -> None:
        group = self._groups.get((key, upload))
        if group is None:
            group = self._groups[(key, upload)] = self.pool.group(
                f"{key[0]}:{key[1]}:{upload}", owner=key
            )
        tenant = self.tenants[key[0]]

        def done(job: Job) -> None:
            error = getattr(job.outcome, "error", None)
            if isinstance(error, JobCancelled):
                return  # the upload was cancelled: nobody waits for this photo
            if error is None:
                self.report(key, PhotoStored(upload, photo_key, job.outcome.value))
            else:
                log.warning("photo %s for %s failed: %s", photo_key, key[1], error)
                self.report(key, PhotoFailed(upload, photo_key, str(error)))

        group.submit(self._download, tenant, MediaRef(**media), on_done=done)

    def cancel(self, key: tuple[str, str], upload: int) -> None:
        group = self._groups.pop((key, upload), None)
        if group is not None:
            group.cancel()

    async def _download(self, tenant: TenantMedia, media: MediaRef) -> dict[str, Any]:
        data = await self._bytes(tenant.adapter, media)
        try:
            stored = await trio.to_thread.run_sync(store_photo, self.store, tenant.slug, data)
        except NotAPhoto as exc:
            raise FetchFailed(str(exc)) from exc
        return stored.to_dict()

    async def _bytes(self, adapter: Adapter, media: MediaRef) -> bytes:
        if media.inline_b64 is not None:
            return base64.b64decode(media.inline_b64)
        started = trio.current_time()
        wait_s = FIRST_WAIT_S
        while True:
            try:
                return await self._attempt(adapter, media)
            except NotReady:
                pass
            next_try = trio.current_time() + wait_s
            if next_try - started > DEADLINE_S:
                raise FetchFailed(f"not ready after {DEADLINE_S:g} s")
            await trio.sleep_until(next_try)
            wait_s = min(wait_s * WAIT_GROWTH, MAX_WAIT_S)

    async def _attempt(self, adapter: Adapter, media: MediaRef) -> bytes:
        request = adapter.media_request(media)
        assert request is not None
        try:
            with trio.fail_after(ATTEMPT_TIMEOUT_S):
                response = await self.client.send(request)
                if isinstance(adapter, CloudApi) and response.is_success:
                    response = await self.client.send(adapter.media_download(response))
        except (httpx.TransportError, trio.TooSlowError) as exc:
            raise NotReady from exc  # retried within the deadline
        if response.status_code == 404 or response.status_code >= 500:
            raise NotReady
        if response.status_code >= 400:
            raise FetchFailed(f"HTTP {response.status_code}")
        data = response.content
        if len(data) > MAX_PHOTO_BYTES:
            raise FetchFailed("the file is larger than a photo can be")
        if media.expected_bytes and len(data) < media.expected_bytes:
            raise NotReady  # still being written
        if _is_json(response):
            data = base64.b64decode(response.json()["base64"])  # Evolution's getBase64 answer
        return data


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")
