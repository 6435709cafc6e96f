"""Webhook intake: `POST /webhook/{tenant}` (and `/webhook/{tenant}/{token}`).

What can be checked before the body is read is checked first (the tenant, a token in the path
or a header, the declared length); then the raw body is read under the gateway's size cap (413)
and a deadline (408), the signature checked over those exact bytes (401), the body parsed (400
with a short reason), and each event stored in the inbox through the persistence actor,
answered 200 only after COMMIT. A duplicate is a 200 too, and counted.
Nothing is stored for a refused request. The handler never waits for the bot's processing:
it tells the router and returns. 503 only when the event could not be stored (a retry wanted).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import trio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from actors.router import Deliver
from domain.events import InboundEvent
from domain.identity import Identity
from gateways.base import PATH_AUTH, Adapter
from gateways.errors import BadPayload
from runtime import ActorRef, ActorStopped, MailboxFull
from storage.errors import StorageError, StorageUnavailable
from storage.faults import classify
from storage.media import INBOUND, MediaStore
from storage.writes import AppendInbox, RememberAliases
from web.errors import BodyTooLarge
from web.redact import redact_paths

log = logging.getLogger("showroom.webhook")

STORE_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0  # server.body_timeout_s: a body must arrive within this...
BODY_BYTES_PER_S = 1_000_000  # ...plus a second for every MB it declares (or may have),
BODY_GRACE_S = 2.0  # and keep coming: after this, at least
MIN_BODY_BYTES_PER_S = 1_000  # this many bytes a second on average
REFUSALS_LOGGED = 20  # refused webhooks logged one by one per window; the rest are counted
REFUSAL_WINDOW_S = 10.0


@dataclass(frozen=True, slots=True)
class IntakeTenant:
    slug: str
    id: int
    adapter: Adapter


@dataclass
class IntakeStats:
    accepted: int = 0
    duplicates: int = 0
    ignored: int = 0
    refused: dict[int, int] = field(default_factory=dict)  # by HTTP status

    def refuse(self, status: int) -> None:
        self.refused[status] = self.refused.get(status, 0) + 1


class Intake:
    def __init__(
        self,
        tenants: dict[str, IntakeTenant],
        persistence: ActorRef[Any],
        router: ActorRef[Any],
        *,
        body_timeout_s: float = BODY_TIMEOUT_S,
        media: MediaStore | None = None,
    ) -> None:
        self.tenants = tenants
        self.persistence = persistence
        self.router = router
        self.body_timeout_s = body_timeout_s
        self.media = media
        self.stats = IntakeStats()
        self._refusal_log = _LogBudget()

    async def webhook(self, request: Request) -> Response:
        tenant = self.tenants.get(request.path_params["tenant"])
        if tenant is None:
            return self._refuse(404, "unknown tenant", request)
        if request.method == "GET":
            return self._handshake(tenant, request)
        token = request.path_params.get("token")
        # What can be checked before reading the body is checked first: a client that could
        # never be accepted does not get to hold a connection while it trickles a body.
        if not _may_be_authentic(tenant.adapter, request.headers, token):
            return self._refuse(401, "bad or missing signature", request)
        limit = tenant.adapter.max_body_bytes
        declared = _declared_length(request)
        if declared is not None and declared > limit:
            return self._refuse(413, f"body larger than {limit} bytes", request)
        try:
            body = await _read_capped(request, limit, self.body_timeout_s, declared)
        except trio.TooSlowError:
            return self._refuse(408, "body too slow", request)
        except BodyTooLarge:
            return self._refuse(413, f"body larger than {limit} bytes", request)
        except ClientDisconnect:
            return self._refuse(400, "client went away", request)
        if not tenant.adapter.accepts(request.headers, body, token):
            return self._refuse(401, "bad or missing signature", request)
        try:
            events = tenant.adapter.parse(tenant.slug, body)
        except BadPayload as exc:
            return self._refuse(400, str(exc), request)
        except Exception as exc:  # an adapter tripped on a shape it did not expect: still a 400
            log.warning("webhook for %s: body not understood", tenant.slug, exc_info=exc)
            return self._refuse(400, f"body not understood ({type(exc).__name__})", request)
        if not events:
            await self._remember_people(tenant, body)
            self.stats.ignored += 1
            return JSONResponse({"status": "ignored"})
        duplicates, unstorable = 0, 0
        for event in events:
            try:
                event = await self._keep_inline_photo(tenant.slug, event)
                write = AppendInbox(
                    tenant.id,
                    event.dedupe_key,
                    str(event.sender),
                    event.to_json(),
                    tuple(str(alternate) for alternate in event.alternates),
                    event.media.stored if event.media else None,
                )
                stored = await self.persistence.ask(write, timeout=STORE_TIMEOUT_S)
            except Exception as exc:
                if _storage_unavailable(exc):  # nothing can be stored now: the gateway retries
                    reason = "could not store the event; try again"
                    return self._refuse(503, reason, request, detail=str(exc))
                # this event cannot be stored (its data): the others of the body still are
                log.error(
                    "webhook for %s: event %s refused: %r", tenant.slug, event.dedupe_key, exc
                )
                unstorable += 1
                continue
            if stored.duplicate:
                duplicates += 1
                continue
            if stored.resolved is not None:  # a hidden id whose phone number is known
                event = event.sent_by(Identity.parse(stored.resolved))
            with contextlib.suppress(MailboxFull, ActorStopped):  # else the rescan delivers it
                self.router.tell(Deliver(stored.id, event))
        if unstorable == len(events):
            return self._refuse(400, "no event of this body can be stored", request)
        self.stats.duplicates += duplicates
        self.stats.accepted += len(events) - duplicates - unstorable
        answer = {"status": "accepted", "events": len(events), "duplicates": duplicates}
        if unstorable:
            self.stats.refuse(400)
            answer["refused"] = unstorable
        return JSONResponse(answer)

    async def _keep_inline_photo(self, tenant: str, event: InboundEvent) -> InboundEvent:
        """A photo that came inside the webhook (Evolution's base64) is written to the media
        store, and the event names the file: a 10 MB photo is not 14 MB of text in the inbox.
        Written before the event commits, as every file is before the row that names it."""
        media = event.media
        if media is None or media.inline_b64 is None or self.media is None:
            return event
        kept = await trio.to_thread.run_sync(_store_inline, self.media, tenant, media.inline_b64)
        if kept is None:
            media = dataclasses.replace(
                media, inline_b64=None, failed="the photo in the payload is not valid base64"
            )
        else:
            media = dataclasses.replace(media, inline_b64=None, stored=kept)
        return dataclasses.replace(event, media=media)

    async def _remember_people(self, tenant: IntakeTenant, body: bytes) -> None:
        """A message not for the bot (a group's) may still show someone's hidden id next to
        their phone: remembered, so their own chat with the bot is one identity. Best effort:
        the webhook is answered 200 either way."""
        try:
            people = tenant.adapter.people_in_passing(body)
        except BadPayload:
            return
        if not people:
            return
        write = RememberAliases(tenant.id, tuple(tuple(str(f) for f in p) for p in people))
        try:
            await self.persistence.ask(write, timeout=STORE_TIMEOUT_S)
        except (TimeoutError, MailboxFull, ActorStopped, StorageError) as exc:
            log.warning("identities seen in a webhook for %s not kept: %s", tenant.slug, exc)

    def _handshake(self, tenant: IntakeTenant, request: Request) -> Response:
        if not tenant.adapter.answers_handshake:
            return self._refuse(405, "webhooks are POSTed", request)
        challenge = tenant.adapter.handshake(request.query_params)
        if challenge is None:
            return self._refuse(403, "verify token does not match", request)
        return PlainTextResponse(challenge)

    def _refuse(self, status: int, reason: str, request: Request, *, detail: str = "") -> Response:
        """Answer `status` with `reason`; logged (with `detail`, for the operator only) within
        the log budget."""
        self.stats.refuse(status)
        if self._refusal_log.allow(trio.current_time()):
            client = request.client.host if request.client else "?"
            log.warning(
                "webhook %s from %s refused with %d: %s%s",
                redact_paths(request.url.path),
                client,
                status,
                reason,
                f" ({detail})" if detail else "",
            )
        return JSONResponse({"error": reason}, status_code=status)


class _LogBudget:
    """At most `lines` log lines per `window_s`, then one line saying how many were left out:
    a flood of refused requests must not become a flood of log lines (and fill the disk)."""

    def __init__(self, lines: int = REFUSALS_LOGGED, window_s: float = REFUSAL_WINDOW_S) -> None:
        self.lines = lines
        self.window_s = window_s
        self._window_start = -window_s
        self._logged = 0
        self._left_out = 0

    def allow(self, now: float) -> bool:
        if now - self._window_start >= self.window_s:
            if self._left_out:
                log.warning(
                    "%d more refused webhooks not logged in %g s (see /metrics)",
                    self._left_out,
                    self.window_s,
                )
            self._window_start, self._logged, self._left_out = now, 0, 0
        if self._logged < self.lines:
            self._logged += 1
            return True
        self._left_out += 1
        return False


def _store_inline(store: MediaStore, tenant: str, encoded: str) -> str | None:
    """The file name of the decoded photo, None when it is not base64. (Blocking: a thread.)"""
    try:
        data = base64.b64decode(encoded, validate=False)
    except ValueError:
        return None
    return store.put(tenant, data, "bin", INBOUND)


def _storage_unavailable(error: Exception) -> bool:
    """Is the database or the media store unable to take any write now (full, locked, gone,
    not writable, the writer stopped or too slow), as opposed to this one event being
    unstorable? Then the gateway is asked to send it again later (503)."""
    if isinstance(error, TimeoutError | MailboxFull | ActorStopped | OSError):
        return True
    return classify(error) is not None or isinstance(error, StorageUnavailable)


def _may_be_authentic(adapter: Adapter, headers: Mapping[str, str], token: str | None) -> bool:
    """Could this request be the gateway's, judged before its body is read? The gateways that
    prove themselves by a token in the path or a header (signed_by "path-token", "header")
    are checked in full: their `verify` does not look at the body. An HMAC needs the body."""
    if adapter.config.webhook_auth == PATH_AUTH:  # the operator chose the secret in the path
        return adapter.accepts(headers, b"", token)
    if adapter.signed_by in ("path-token", "header"):
        return adapter.verify(headers, b"", token)
    return True


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and len(declared) <= 18:
        return int(declared)
    return None


async def _read_capped(
    request: Request, limit: int, timeout_s: float, declared: int | None
) -> bytes:
    """The body, at most `limit` bytes (else BodyTooLarge). It must keep coming, at least
    MIN_BODY_BYTES_PER_S on average once BODY_GRACE_S have passed, and be complete within
    `timeout_s` plus a second for every MB it declares (else trio.TooSlowError): a client
    trickling a byte a second gives its connection back within seconds, not minutes."""
    started = trio.current_time()
    final = started + timeout_s + (declared or limit) / BODY_BYTES_PER_S
    chunks, size = [], 0
    with trio.fail_at(min(final, started + BODY_GRACE_S)) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
            scope.deadline = min(final, started + BODY_GRACE_S + size / MIN_BODY_BYTES_PER_S)
    return b"".join(chunks)
