"""Webhook intake: `POST /webhook/{tenant}` (and `/webhook/{tenant}/{token}`).

Read the raw body under the gateway's size cap (413), check the signature over those exact
bytes (401), parse (400 with a short reason), then store each event in the inbox through the
persistence actor and answer 200 only after COMMIT. A duplicate is a 200 too, and counted.
Nothing is stored for a refused request. The handler never waits for the bot's processing:
it tells the router and returns. 503 only when the event could not be stored (a retry wanted).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import peewee
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from actors.router import Deliver
from gateways.base import Adapter
from gateways.cloudapi import CloudApi
from gateways.errors import BadPayload
from runtime import ActorRef, ActorStopped, MailboxFull
from storage.faults import classify
from storage.writes import AppendInbox
from web.errors import BodyTooLarge
from web.redact import redact_paths

log = logging.getLogger("showroom.webhook")

STORE_TIMEOUT_S = 10.0


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
        self, tenants: dict[str, IntakeTenant], persistence: ActorRef[Any], router: ActorRef[Any]
    ) -> None:
        self.tenants = tenants
        self.persistence = persistence
        self.router = router
        self.stats = IntakeStats()

    async def webhook(self, request: Request) -> Response:
        tenant = self.tenants.get(request.path_params["tenant"])
        if tenant is None:
            return self._refuse(404, "unknown tenant", request)
        if request.method == "GET":
            return self._handshake(tenant, request)
        try:
            body = await _read_capped(request, tenant.adapter.max_body_bytes)
        except BodyTooLarge:
            return self._refuse(
                413, f"body larger than {tenant.adapter.max_body_bytes} bytes", request
            )
        except ClientDisconnect:
            return self._refuse(400, "client went away", request)
        token = request.path_params.get("token")
        if not tenant.adapter.verify(request.headers, body, token):
            return self._refuse(401, "bad or missing signature", request)
        try:
            events = tenant.adapter.parse(tenant.slug, body)
        except BadPayload as exc:
            return self._refuse(400, str(exc), request)
        except Exception as exc:  # an adapter tripped on a shape it did not expect: still a 400
            log.warning("webhook for %s: body not understood", tenant.slug, exc_info=exc)
            return self._refuse(400, f"body not understood ({type(exc).__name__})", request)
        if not events:
            self.stats.ignored += 1
            return JSONResponse({"status": "ignored"})
        duplicates, unstorable = 0, 0
        raw = body.decode("utf-8", errors="replace")
        for event in events:
            try:
                write = AppendInbox(
                    tenant.id, event.dedupe_key, str(event.sender), raw, event.to_json()
                )
                stored = await self.persistence.ask(write, timeout=STORE_TIMEOUT_S)
            except Exception as exc:
                if _database_unavailable(exc):  # nothing can be stored now: the gateway retries
                    log.error("webhook for %s not stored: %s", tenant.slug, exc)
                    return self._refuse(503, "could not store the event; try again", request)
                # this event cannot be stored (its data): the others of the body still are
                log.error(
                    "webhook for %s: event %s refused: %r", tenant.slug, event.dedupe_key, exc
                )
                unstorable += 1
                continue
            if stored.duplicate:
                duplicates += 1
                continue
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

    def _handshake(self, tenant: IntakeTenant, request: Request) -> Response:
        if not isinstance(tenant.adapter, CloudApi):
            return self._refuse(405, "webhooks are POSTed", request)
        challenge = tenant.adapter.handshake(request.query_params)
        if challenge is None:
            return self._refuse(403, "verify token does not match", request)
        return PlainTextResponse(challenge)

    def _refuse(self, status: int, reason: str, request: Request) -> Response:
        self.stats.refuse(status)
        client = request.client.host if request.client else "?"
        log.warning(
            "webhook %s from %s refused with %d: %s",
            redact_paths(request.url.path),
            client,
            status,
            reason,
        )
        return JSONResponse({"error": reason}, status_code=status)


def _database_unavailable(error: Exception) -> bool:
    """Is the database unable to take any write now (full, locked, gone, the writer stopped
    or too slow), as opposed to this one event being unstorable?"""
    if isinstance(error, TimeoutError | MailboxFull | ActorStopped):
        return True
    return classify(error) is not None or (
        isinstance(error, peewee.OperationalError) and not isinstance(error, peewee.IntegrityError)
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
