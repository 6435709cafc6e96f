"""The outbox: replies are rows first, then sends.

One outbox per tenant. It sends the tenant's pending replies one at a time per chat, strictly
in order (a reply waits until the one before it is sent or given up), spaced per chat, capped
per minute across chats, after a typing pause, and retries transport errors, 5xx and "not
connected" answers with growing pauses. A reply is marked sent only when the gateway confirms
it; after a restart whatever was not confirmed is sent again.

A reply may carry one of the tenant's stored photos (its text is the caption): the gateway is
sent the file itself, or, if it only takes a URL (WhatsApp Web API, the Cloud API), showroom's
address of the photo, under the tenant's media URL.

A chat known only by its hidden linked id is answered in that form where the gateway takes it;
where it does not (WhatsApp Web API), the phone number the id was seen with is used, and
without one the reply is given up as unreachable (logged once per chat, and counted).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import trio

from domain.backoff import Backoff
from domain.errors import Unreachable
from domain.identity import Identity
from domain.pacing import RateWindow, chat_gap_s
from domain.ports import GatewayPort, PhotoToSend, SendResult, typing_delay_s
from runtime import ActorRef
from storage.errors import UnsafePath
from storage.faults import is_transient
from storage.media import MediaStore
from storage.models import utcnow
from storage.queries import (
    UNREACHABLE,
    PendingReply,
    outbox_agenda,
    pending_replies,
    phone_for,
)
from storage.reader import Reader
from storage.writes import MarkOutbox

log = logging.getLogger("showroom.outbox")

T = TypeVar("T")

# Nothing is polled: the outbox looks when a turn enqueues replies (`wake`), when a drain ends,
# and when the next retry falls due. This is only a safety net (a clock set back, say).
POLL_S = 600.0
WRITE_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    per_chat_gap_s: float = 2.5
    per_minute: int = 30
    # Per tenant: parallel sends to many contacts preceded bans. At most 16, which keeps the
    # shared HTTP client's pool (32) above what downloads and sends can ask of it at once, so
    # requests never queue (and get cancelled) inside it.
    sends_at_once: int = 2
    max_attempts: int = 8
    typing: bool = True
    retry: Backoff = field(default_factory=Backoff)
    # While the database cannot take writes or reads (a full disk, no descriptor free): how
    # soon to try again.
    storage_retry: Backoff = field(default_factory=lambda: Backoff(first_s=1.0, cap_s=30.0))


MIMETYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True, slots=True)
class StoredPhotos:
    """The tenant's photos as the outbox sends them: the file, and the address a gateway that
    fetches photos itself is given (the catalog serves them under `/media/<tenant>/`)."""

    store: MediaStore
    tenant: str
    base_url: str  # showroom as the gateway reaches it, e.g. http://showroom:8000

    def url(self, name: str) -> str:
        return f"{self.base_url.rstrip('/')}/media/{self.tenant}/{name}"

    async def read(self, name: str) -> bytes:
        return await trio.Path(self.store.path(self.tenant, name)).read_bytes()

    async def exists(self, name: str) -> bool:
        return await trio.Path(self.store.path(self.tenant, name)).is_file()


class PhotoGone(Exception):
    """The reply's photo is not in the photo store (any more)."""


@dataclass
class OutboxStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0  # given up: the gateway cannot address the chat (a hidden id)

    def add(self, other: OutboxStats) -> None:
        """Add another tenant's counts to these (for totals)."""
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.unreachable += other.unreachable


class Outbox:
    def __init__(
        self,
        tenant_id: int,
        adapter: GatewayPort,
        client: httpx.AsyncClient,
        persistence: ActorRef[Any],
        reader: Reader,
        policy: OutboxPolicy,
        rng: random.Random | None = None,
        *,
        photos: StoredPhotos | None = None,
        all_sends: trio.CapacityLimiter | None = None,
        name: str = "",
    ) -> None:
        self.tenant_id = tenant_id
        # each dealer's lines name it (showroom.outbox.<tenant>): one process serves many
        self.log = log.getChild(name) if name else log
        self.photos = photos
        self.adapter = adapter
        self.client = client
        self.persistence = persistence
        self.reader = reader
        self.policy = policy
        self.stats = OutboxStats()
        self._rng = rng or random.Random()
        self._window = RateWindow(policy.per_minute)
        self._wake = trio.Event()
        self._busy_chats: set[str] = set()  # a drain task is sending to these
        self._look_again: set[str] = set()  # woken while their drain was already reading
        self._nursery: trio.Nursery | None = None
        self._recorded = trio.Event()
        self._sending = trio.CapacityLimiter(policy.sends_at_once)
        # Every tenant's sends together (one shared HTTP client): with a hundred dealers, two
        # sends each would be more requests than the client has connections, and a request
        # that waits inside the client's pool can be lost there when it is cancelled.
        self._all_sends = all_sends or trio.CapacityLimiter(policy.sends_at_once)
        self._last_sent: dict[str, float] = {}
        self._unreachable_logged: set[str] = set()
        # Outcomes the gateway gave that the database has not taken yet (a full disk), by
        # reply id: such a reply is recorded again, never sent again (see `_send`).
        self._unrecorded: dict[int, tuple[str, MarkOutbox]] = {}
        self._record_failures = 0

    def wake(self, chat: str | None = None) -> None:
        """New replies were committed (to `chat`, when known): send them now instead of at the
        next poll. Knowing the chat saves looking through every chat's replies."""
        if chat is None or self._nursery is None:
            self._wake.set()
        else:
            self._drain_soon(chat)

    async def wait_until(self, condition: Callable[[OutboxStats], bool]) -> OutboxStats:
        """Wait until the stats (updated after each outcome is committed) satisfy `condition`."""
        while not condition(self.stats):
            await self._recorded.wait()
        return self.stats

    @property
    def active_chats(self) -> int:
        return len(self._busy_chats)

    async def run(self) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            try:
                while True:
                    self._wake = trio.Event()
                    now = utcnow()
                    due, next_due = await self._read(outbox_agenda, self.tenant_id, now)
                    for chat in due:
                        self._drain_soon(chat)
                    sleep_s = POLL_S
                    if next_due is not None:
                        sleep_s = min(sleep_s, max((next_due - now).total_seconds(), 0.0))
                    with trio.move_on_after(sleep_s):
                        await self._wake.wait()
            finally:
                self._nursery = None

    def _drain_soon(self, chat: str) -> None:
        if chat in self._busy_chats:
            # its drain may have read the pending replies just before these were committed
            self._look_again.add(chat)
        elif self._nursery is not None:
            self._busy_chats.add(chat)
            self._nursery.start_soon(self._drain_chat, chat)

    async def _drain_chat(self, chat: str) -> None:
        settled = False
        try:
            while True:
                self._look_again.discard(chat)
                replies = await self._read(pending_replies, self.tenant_id, chat)
                if not replies:
                    if chat in self._look_again:
                        continue
                    settled = True
                    return
                for reply in replies:
                    wait_s = (reply.next_attempt_at - utcnow()).total_seconds()
                    if wait_s > 0:  # a retry later: the replies behind it wait too, in order
                        await trio.sleep(wait_s)
                    if not await self._send(reply):
                        break  # to be tried again later: read what is due from the start
                else:
                    # All settled. A reply committed since the read has woken this chat
                    # (`_look_again`); without one there is nothing to read again for.
                    if chat not in self._look_again:
                        settled = True
                        return
        finally:
            self._busy_chats.discard(chat)
            if not settled:
                # Stopped with replies left: the next look finds them. Not after a drain
                # that settled its chat: a look reads the waiting replies of every dealer
                # (its index leads with the status), and one after every drain cost each
                # reply 0.3-0.5 ms more with 100 dealers (bench/scale.py, 100x10).
                self._wake.set()

    async def _read(self, query: Callable[..., T], *args: Any) -> T:
        """A read that waits out a transient fault (no descriptor free, a lock) instead of
        crashing the outbox: its drains would stop, and a send in flight be sent twice."""
        for attempt in itertools.count(1):
            try:
                return await self.reader.run(query, *args)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                delay_s = self.policy.storage_retry.delay(attempt, self._rng)
                self.log.warning(
                    "outbox cannot read replies now (%s); again in %.1f s", exc, delay_s
                )
                await trio.sleep(delay_s)
        raise AssertionError("unreachable")

    async def _send(self, reply: PendingReply) -> bool:
        """Send and record the outcome; False when the reply is still pending (to be retried,
        or its outcome could not be recorded)."""
        if reply.id in self._unrecorded:  # the gateway has answered already: record, not resend
            return await self._record_again(reply.id)
        try:
            request = await self._request(reply)
        except Unreachable as exc:
            return await self._give_up_unreachable(reply, str(exc))
        except PhotoGone as exc:
            self.log.error("reply %d to %s not sent: %s", reply.id, reply.chat, exc)
            return await self._give_up(reply, str(exc), "failed")
        await self._pace(reply)
        try:
            async with self._sending, self._all_sends:
                response = await self.client.send(request)
            result = self.adapter.send_result(response)
        except httpx.HTTPError as exc:
            result = SendResult(ok=False, retryable=True, reason=f"{type(exc).__name__}: {exc}")
        self._last_sent[reply.chat] = trio.current_time()
        # The gateway has answered: record it even if we are being stopped right now, or the
        # reply would be sent a second time after the restart.
        with trio.CancelScope(shield=True):
            outcome, write = self._outcome(reply, result)
            self._unrecorded[reply.id] = (outcome, write)
            return await self._record_again(reply.id, first=True)

    async def _record_again(self, reply_id: int, *, first: bool = False) -> bool:
        """Record a kept outcome; True when it is recorded and the reply settled. While the
        database cannot take it (a full disk), the outcome stays in memory and the chat's
        replies wait behind it; only a restart of the program loses it (and may then send
        that reply a second time)."""
        outcome, write = self._unrecorded[reply_id]
        if not first:
            await trio.sleep(self.policy.storage_retry.delay(self._record_failures, self._rng))
        try:
            await self.persistence.ask(write, timeout=WRITE_TIMEOUT_S)
        except Exception as exc:  # full disk, lock, the tree going down: keep it, try again
            self._record_failures += 1
            self.log.warning(
                "outcome of reply %d (%s) not recorded yet (%s); kept, it will not be sent again",
                reply_id,
                outcome,
                exc,
            )
            return False
        self._record_failures = 0
        del self._unrecorded[reply_id]
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        self._recorded.set()
        self._recorded = trio.Event()
        return outcome != "retried"

    @property
    def unrecorded(self) -> int:
        """Replies the gateway has answered whose outcome is not in the database yet."""
        return len(self._unrecorded)

    async def _request(self, reply: PendingReply) -> httpx.Request:
        """The gateway's request for this reply (a text, or a photo with its caption). A chat
        the gateway cannot address (a hidden id) goes to the phone number the id was seen
        with; raises Unreachable without one, PhotoGone when the photo is not stored."""
        if reply.image is None:
            text = reply.text

            def build(to: Identity) -> httpx.Request:
                return self.adapter.send_request(to, text)
        else:
            photo, caption = await self._photo(reply.image), reply.text

            def build(to: Identity) -> httpx.Request:
                return self.adapter.image_request(to, photo, caption)

        try:
            return build(Identity.parse(reply.chat))
        except Unreachable:
            phone = await self.reader.run(phone_for, self.tenant_id, reply.chat)
            if phone is None:
                raise
            return build(Identity.parse(phone))

    async def _photo(self, name: str) -> PhotoToSend:
        """The stored photo as the gateway takes it: its URL, and its bytes unless the gateway
        fetches the URL itself (then only that the file is there is checked)."""
        if self.photos is None:
            raise PhotoGone(f"no photo store to send {name} from")
        extension = name.rsplit(".", 1)[-1].lower()
        try:
            if self.adapter.takes_image_url:
                if not await self.photos.exists(name):
                    raise FileNotFoundError(name)
                data = b""
            else:
                data = await self.photos.read(name)
        except (OSError, UnsafePath) as exc:
            raise PhotoGone(f"the photo {name} is not in the photo store") from exc
        return PhotoToSend(
            filename=name.rsplit("/", 1)[-1],
            url=self.photos.url(name),
            mimetype=MIMETYPES.get(extension, "image/jpeg"),
            data=data,
        )

    async def _give_up_unreachable(self, reply: PendingReply, reason: str) -> bool:
        if reply.chat not in self._unreachable_logged:  # once per chat: it repeats per reply
            self._unreachable_logged.add(reply.chat)
            self.log.error("replies to %s cannot be sent: %s", reply.chat, reason)
        return await self._give_up(reply, f"{UNREACHABLE}{reason}", "unreachable")

    async def _give_up(self, reply: PendingReply, reason: str, outcome: str) -> bool:
        """Mark a reply failed without sending it (nothing a retry would mend); recorded like
        any outcome (kept and recorded again while the database cannot take it)."""
        with trio.CancelScope(shield=True):
            self._unrecorded[reply.id] = (outcome, MarkOutbox(reply.id, "failed", reason))
            return await self._record_again(reply.id, first=True)

    async def _pace(self, reply: PendingReply) -> None:
        last = self._last_sent.get(reply.chat)
        if last is not None:
            gap = chat_gap_s(self.policy.per_chat_gap_s, self._rng)
            await trio.sleep_until(last + gap)
        await trio.sleep(self._window.reserve(trio.current_time()))
        if self.policy.typing and not self.adapter.shows_typing_itself:
            await trio.sleep(typing_delay_s(reply.text))

    def _outcome(self, reply: PendingReply, result: SendResult) -> tuple[str, MarkOutbox]:
        attempts = reply.attempts + 1
        if result.ok:
            outcome, write = "sent", MarkOutbox(reply.id, "sent")
        elif result.retryable and attempts < self.policy.max_attempts:
            delay_s = self.policy.retry.delay(attempts, self._rng)
            self.log.warning(
                "send to %s failed (%s); try %d in %.1f s",
                reply.chat,
                result.reason,
                attempts + 1,
                delay_s,
            )
            retry_at = utcnow() + dt.timedelta(seconds=delay_s)
            outcome, write = "retried", MarkOutbox(reply.id, "pending", result.reason, retry_at)
        else:
            self.log.error(
                "reply %d to %s failed for good after %d tries: %s",
                reply.id,
                reply.chat,
                attempts,
                result.reason,
            )
            outcome, write = "failed", MarkOutbox(reply.id, "failed", result.reason)
        return outcome, write
