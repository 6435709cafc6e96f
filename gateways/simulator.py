"""A faithful stand-in for the WhatsApp Web API gateway, as a real HTTP server.

It speaks the gateway's own endpoints (`POST /send`, `GET /health`, `GET /images/{name}`) the
way v1.6.0/v1.7.0 do, including their quirks: a webhook is posted as soon as a message
"arrives", while its photo answers 404 until it is "saved" (`ready_after_s`), optionally served
truncated once first, as a file still being written; `/send` failures are HTTP 200 with
`success: false`; an image in `attachments` is downloaded from its URL before it is "sent", and
a text with one image is one captioned image; several photos picked together come as an album
(its parent message first, then each photo). A control API drives it from tests and scripts,
and the page at `/` is a small WhatsApp: a chat list of several people (sellers, buyers,
admins), each chat with both sides in order, photos with captions, the bot's photos.

One thing the real gateway cannot do: `/simulate/own` posts a message written from the dealer's
own number into a chat (`"from_me": true`, the chat in `chat`, the number's own in `sender`),
as someone answering a buyer by hand; the real WhatsApp Web API drops the number's own messages.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import logging
import random
import secrets
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import httpx
import trio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.identity import NotAnIdentity, normalise_phone
from gateways.simulator_chats import ChatLog, ChatMessage, chat_of

log = logging.getLogger("showroom.simulator")

VERSION = "v1.7.0"
OWN_NUMBER = "6280000000001"  # the dealer's number the simulator "is"
# Like a real gateway, keep the connections to showroom open however many chats post at once
# (httpx keeps only 20 by default: a burst of sellers would open and close connections). The
# posts are spread over several clients because httpcore walks its whole pool, once per idle
# connection, on every request: one pool of 100 cost the simulator ~1.5 ms of CPU a webhook,
# which made the end-to-end benchmark measure the simulator instead of showroom.
WEBHOOK_CLIENTS = 8
# An idle connection is given up after 4 s, before showroom (server.idle_timeout_s, 5 s) closes
# it: a webhook posted on a connection the server is closing at that moment gets no answer.
WEBHOOK_CONNECTIONS = httpx.Limits(
    max_connections=None, max_keepalive_connections=16, keepalive_expiry=4.0
)
WEBHOOK_TIMEOUT_S = 30.0
MOST_PHOTOS_IN_AN_ALBUM = 30  # WhatsApp lets a person pick up to 30 at once
# The chat page is a developer tool on the gateway's port, but it shows what strangers typed
# and what the bot sent: nothing but its own script, styles and images may run or load.
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@dataclass
class Faults:
    """Misbehaviour to switch on: for /send, for images, and for webhook delivery."""

    send_status: int = 0  # answer /send with this HTTP status (0: normal)
    send_not_connected: bool = False  # answer /send 200 with success:false
    send_reset: bool = False  # break the connection in the middle of the /send answer
    send_slow_s: float = 0.0  # wait this long before answering /send
    image_never_ready: bool = False  # the gateway's own download "failed"
    image_failures: int = 0  # the next this many image requests answer 500
    image_slow_s: float = 0.0  # wait this long before answering an image request
    duplicate_webhooks: bool = False  # post every webhook twice
    reorder_webhooks: bool = False  # hold each webhook back a random moment (out of order)


@dataclass
class _Image:
    data: bytes
    ready_at: float
    truncated_first: bool
    served_at: float | None = None  # when the whole file was first handed out


@dataclass
class SentMessage:
    to: str
    text: str  # the message, or the photo's caption
    at: float
    image: str = ""  # a photo: where the simulator serves the copy it downloaded


@dataclass
class Simulator:
    webhook_url: str = ""
    faults: Faults = field(default_factory=Faults)
    sent: list[SentMessage] = field(default_factory=list)
    chats: ChatLog = field(default_factory=ChatLog.for_people)  # what the chat page shows
    webhooks_posted: int = 0
    image_requests: int = 0
    image_connections: set[tuple] = field(default_factory=set)  # the clients' (address, port)
    most_sends_at_once_per_chat: int = 0  # politeness check: should stay 1
    most_sends_at_once: int = 0  # across chats
    _in_flight: dict[str, int] = field(default_factory=dict)
    _images: dict[str, _Image] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=random.Random)
    _clients: list[httpx.AsyncClient] = field(default_factory=list)
    _sent_to: dict[str, list[SentMessage]] = field(default_factory=dict)
    _sent_images: dict[str, bytes] = field(default_factory=dict)
    _sent_changed: dict[str, trio.Event] = field(default_factory=dict)
    _nursery: trio.Nursery | None = None

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/send", self.send, methods=["POST"]),
                Route("/health", self.health, methods=["GET"]),
                Route("/images/{name}", self.image, methods=["GET"]),
                Route("/sent-images/{name}", self.sent_image, methods=["GET"]),
                Route("/chat-images/{name}", self.chat_image, methods=["GET"]),
                Route("/simulate/message", self.simulate_message, methods=["POST"]),
                Route("/simulate/image", self.simulate_image, methods=["POST"]),
                Route("/simulate/album", self.simulate_album, methods=["POST"]),
                Route("/simulate/own", self.simulate_own, methods=["POST"]),
                Route("/simulate/sent", self.simulate_sent, methods=["GET"]),
                Route("/simulate/faults", self.simulate_faults, methods=["GET", "POST"]),
                Route("/simulate/chats", self.simulate_chats, methods=["GET"]),
                Route("/simulate/contacts", self.simulate_contacts, methods=["POST"]),
                Route("/simulate/messages", self.simulate_messages, methods=["GET"]),
                Route("/", self.page, methods=["GET"]),
                Route("/sim.js", self.script, methods=["GET"]),
                Route("/sim.css", self.stylesheet, methods=["GET"]),
            ]
        )

    async def run(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Own the HTTP client that posts webhooks (over `transport` when given) and the
        background posts of reordered webhooks."""
        async with contextlib.AsyncExitStack() as stack:
            # a given transport is one connection pool already (and each client would close it)
            for _ in range(1 if transport else WEBHOOK_CLIENTS):
                self._clients.append(
                    await stack.enter_async_context(
                        httpx.AsyncClient(
                            timeout=WEBHOOK_TIMEOUT_S,
                            transport=transport,
                            limits=WEBHOOK_CONNECTIONS,
                        )
                    )
                )
            self._nursery = await stack.enter_async_context(trio.open_nursery())
            task_status.started()
            try:
                await trio.sleep_forever()
            finally:
                self._clients, self._nursery = [], None

    # -- the gateway's own endpoints ------------------------------------------------------

    async def send(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ClientDisconnect:  # the bot gave up on this send (it stops): nothing to answer
            return Response(status_code=499)
        except ValueError:
            return _failure("Invalid request body", 400)
        try:
            number = str(body.get("number") or "")
            message = str(body.get("message") or "")
            attachments = list(body.get("attachments") or [])
        except (ValueError, TypeError, AttributeError):
            return _failure("Invalid request body", 400)
        if not number:
            return _failure("Number is required", 400)
        if not message and not attachments:
            return _failure("Either message or attachments are required", 400)
        self._in_flight[number] = self._in_flight.get(number, 0) + 1
        self.most_sends_at_once_per_chat = max(
            self.most_sends_at_once_per_chat, self._in_flight[number]
        )
        self.most_sends_at_once = max(self.most_sends_at_once, sum(self._in_flight.values()))
        try:
            return await self._answer_send(number, message, attachments)
        finally:
            self._in_flight[number] -= 1

    async def _answer_send(self, number: str, message: str, attachments: list[Any]) -> Response:
        faults = self.faults
        if faults.send_slow_s:
            await trio.sleep(faults.send_slow_s)
        if faults.send_reset:
            return _BrokenResponse()
        if faults.send_status:
            return JSONResponse(
                {"success": False, "message": "internal error"}, status_code=faults.send_status
            )
        if faults.send_not_connected:
            return JSONResponse(
                {"success": False, "message": "WhatsApp client not connected", "data": None}
            )
        # Like the gateway: a text with one image is one captioned image; otherwise the text
        # goes first, then each attachment, every image downloaded from its URL beforehand.
        captioned = bool(message) and len(attachments) == 1
        outgoing: list[tuple[str, str]] = [] if captioned or not message else [(message, "")]
        for attachment in attachments:
            caption = message if captioned else str(attachment.get("caption") or "")
            try:
                outgoing.append((caption, await self._download_attachment(attachment)))
            except _AttachmentFailed as failed:
                return _failure(f"Failed to prepare attachment: {failed}")
        for text, image in outgoing:
            self._record_sent(SentMessage(number, text, time.time(), image))
        return JSONResponse(
            {
                "success": True,
                "message": f"Successfully sent {len(outgoing)} message(s)",
                "data": {"number": number, "message": message, "attachments": attachments},
            }
        )

    async def _download_attachment(self, attachment: Any) -> str:
        """Fetch an attachment as the gateway does (a public http(s) URL, answered 200) and
        keep a copy to show; returns where the simulator serves it."""
        if not isinstance(attachment, dict):
            raise _AttachmentFailed("attachment is not an object")
        url = str(attachment.get("url") or "")
        if attachment.get("type") != "image":
            raise _AttachmentFailed(f"unsupported attachment type: {attachment.get('type')}")
        if not url.startswith("http"):
            raise _AttachmentFailed(
                "attachment URL must be a publicly accessible HTTP/HTTPS link, not base64 data"
            )
        try:
            if self._clients:
                response = await self._clients[0].get(url)
            else:
                async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S) as client:
                    response = await client.get(url)
        except httpx.HTTPError as exc:
            raise _AttachmentFailed(f"failed to load attachment: {exc}") from exc
        if response.status_code != 200:
            raise _AttachmentFailed(
                f"failed to load attachment: HTTP error: {response.status_code}"
            )
        image_id = secrets.token_hex(8)
        self._sent_images[image_id] = response.content
        return f"/sent-images/{image_id}.jpg"

    def _record_sent(self, sent: SentMessage) -> None:
        self.sent.append(sent)
        self._sent_to.setdefault(sent.to, []).append(sent)
        self.chats.bot_wrote(chat_of(sent.to), sent.text, sent.image)
        if (changed := self._sent_changed.pop(sent.to, None)) is not None:
            changed.set()

    async def sent_image(self, request: Request) -> Response:
        data = self._sent_images.get(request.path_params["name"].removesuffix(".jpg"))
        if data is None:
            return Response("Image not found", status_code=404, media_type="text/plain")
        return Response(data, media_type="image/jpeg")

    async def chat_image(self, request: Request) -> Response:
        """A photo a person sent, as their own phone shows it: at once, whatever the gateway's
        copy (`/images/...`) is doing, and without counting as the bot's download."""
        image = self._images.get(request.path_params["name"].removesuffix(".jpg"))
        if image is None:
            return Response("Image not found", status_code=404, media_type="text/plain")
        return Response(image.data, media_type="image/jpeg")

    def sent_image_bytes(self, sent: SentMessage) -> bytes:
        """The photo the simulator downloaded for a sent image (for tests)."""
        return self._sent_images[sent.image.rsplit("/", 1)[-1].removesuffix(".jpg")]

    async def health(self, _: Request) -> Response:
        return JSONResponse(
            {
                "success": True,
                "message": "WhatsApp service is running",
                "data": {
                    "version": VERSION,
                    "paired": True,
                    "connected": True,
                    "webhook_configured": bool(self.webhook_url),
                },
            }
        )

    async def image(self, request: Request) -> Response:
        self.image_requests += 1
        if request.client is not None:
            self.image_connections.add(tuple(request.client))
        if self.faults.image_slow_s:
            await trio.sleep(self.faults.image_slow_s)
        if self.faults.image_failures > 0:
            self.faults.image_failures -= 1
            return Response("internal error", status_code=500, media_type="text/plain")
        name = request.path_params["name"]
        image = self._images.get(name.removesuffix(".jpg"))
        if image is None or self.faults.image_never_ready or trio.current_time() < image.ready_at:
            return Response("Image not found", status_code=404, media_type="text/plain")
        data = image.data
        if image.served_at is None and not image.truncated_first:
            image.served_at = trio.current_time()
        if image.truncated_first:  # the first read catches the file half written
            image.truncated_first = False
            data = data[: len(data) // 2]
        return Response(
            data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"}
        )

    def sent_to(self, to: str) -> list[SentMessage]:
        return list(self._sent_to.get(to, ()))

    async def wait_sent(self, to: str, count: int) -> list[SentMessage]:
        """Wait until `count` messages were sent to `to` (for tests and scripts)."""
        while len(self._sent_to.get(to, ())) < count:
            await self._sent_changed.setdefault(to, trio.Event()).wait()
        return self.sent_to(to)

    def add_image(
        self, data: bytes, ready_after_s: float = 0.0, truncated_first: bool = False
    ) -> str:
        """A photo the gateway "saves" `ready_after_s` from now; returns its id."""
        image_id = secrets.token_hex(16).upper()
        self._images[image_id] = _Image(data, trio.current_time() + ready_after_s, truncated_first)
        return image_id

    def lateness(self) -> list[float]:
        """For every photo fetched: seconds between its becoming ready and being served."""
        return [
            image.served_at - image.ready_at
            for image in self._images.values()
            if image.served_at is not None
        ]

    # -- the control API -------------------------------------------------------------------

    async def simulate_message(self, request: Request) -> Response:
        body = await _json_object(request)
        sender = _phone(body.get("from"))
        if sender is None or not isinstance(body.get("text"), str):
            return JSONResponse(
                {"error": "from (a phone number) and text are required"}, status_code=400
            )
        return JSONResponse({"status": await self.post_message(sender, body["text"])})

    async def simulate_image(self, request: Request) -> Response:
        body = await _json_object(request)
        sender = _phone(body.get("from"))
        photo = _photo(body)
        if sender is None or photo is None:
            return JSONResponse(
                {"error": "from and image_b64 (base64) are required"}, status_code=400
            )
        image_id, status = await self.post_image(sender, photo.data, **photo.options())
        return JSONResponse({"id": image_id, "status": status})

    async def simulate_album(self, request: Request) -> Response:
        """Several photos picked together, each with its own optional caption (and its own
        `ready_after_s`, `truncated_first`, else the album's)."""
        body = await _json_object(request)
        sender = _phone(body.get("from"))
        listed = body.get("photos")
        shared = {k: body[k] for k in ("ready_after_s", "truncated_first") if k in body}
        photos = (
            [_photo({**shared, **each}) if isinstance(each, dict) else None for each in listed]
            if isinstance(listed, list) and 1 <= len(listed) <= MOST_PHOTOS_IN_AN_ALBUM
            else [None]
        )
        if sender is None or None in photos:
            return JSONResponse(
                {
                    "error": f"from and photos (1 to {MOST_PHOTOS_IN_AN_ALBUM} objects with "
                    "image_b64, optional caption) are required"
                },
                status_code=400,
            )
        posted = await self.post_album(sender, [p for p in photos if p is not None])
        return JSONResponse(
            {"ids": [image_id for image_id, _ in posted], "statuses": [s for _, s in posted]}
        )

    async def simulate_chats(self, _: Request) -> Response:
        """The chat list: the dealer's account, then every person with their last message."""
        return JSONResponse(
            {
                "dealer": {"name": self.chats.dealer_name, "number": self.chats.dealer_number},
                "seq": self.chats.seq,
                "chats": self.chats.chats(),
            }
        )

    async def simulate_contacts(self, request: Request) -> Response:
        """Add a person to the chat list: `{"number", "name", "role"}`; without a number, a
        new buyer with a number of their own."""
        body = await _json_object(request)
        name, role = body.get("name", ""), body.get("role", "")
        if not isinstance(name, str) or role not in ("", "seller", "buyer", "admin"):
            return JSONResponse(
                {"error": "name is text; role is seller, buyer, admin or empty"}, status_code=400
            )
        if not body.get("number"):
            return JSONResponse(asdict(self.chats.new_buyer()))
        number = _phone(body.get("number"))
        if number is None:
            return JSONResponse({"error": "number is not a phone number"}, status_code=400)
        return JSONResponse(asdict(self.chats.add_contact(number, name.strip()[:60], role)))

    async def simulate_messages(self, request: Request) -> Response:
        """Every message of every chat that is new or changed (its ticks) since `after` (the
        `seq` of an earlier answer): what the page polls. `contacts_seq` above the page's
        `seq` means the chat list changed too; another `log` than before, that the simulator
        was restarted (its `seq` starts again)."""
        after = request.query_params.get("after", "0")
        since = int(after) if after.isdigit() and len(after) < 12 else 0
        return JSONResponse(
            {
                "log": self.chats.id,
                "seq": self.chats.seq,
                "contacts_seq": self.chats.contacts_seq,
                "messages": [m.as_json() for m in self.chats.changed_after(since)],
            }
        )

    async def simulate_own(self, request: Request) -> Response:
        body = await _json_object(request)
        chat = _phone(body.get("to"))
        if chat is None or not isinstance(body.get("text"), str):
            return JSONResponse(
                {"error": "to (a phone number) and text are required"}, status_code=400
            )
        return JSONResponse({"status": await self.post_own(chat, body["text"])})

    async def simulate_sent(self, request: Request) -> Response:
        to = _phone(request.query_params.get("to"))
        sent = [asdict(m) for m in (self.sent if to is None else self.sent_to(to))]
        return JSONResponse(sent)

    async def simulate_faults(self, request: Request) -> Response:
        if request.method == "POST":
            body = await _json_object(request)
            known = set(Faults.__dataclass_fields__)
            unknown = set(body) - known
            if unknown:
                return JSONResponse(
                    {"error": f"unknown faults {sorted(unknown)}; known: {sorted(known)}"},
                    status_code=400,
                )
            self.faults = Faults(**{**asdict(self.faults), **body})
        return JSONResponse(asdict(self.faults))

    async def page(self, _: Request) -> Response:
        return Response(
            _static("chat.html"),
            media_type="text/html; charset=utf-8",
            headers=PAGE_SECURITY_HEADERS,
        )

    async def script(self, _: Request) -> Response:
        return Response(
            _static("sim.js"),
            media_type="text/javascript; charset=utf-8",
            headers=PAGE_SECURITY_HEADERS,
        )

    async def stylesheet(self, _: Request) -> Response:
        return Response(
            _static("sim.css"), media_type="text/css; charset=utf-8", headers=PAGE_SECURITY_HEADERS
        )

    # -- webhooks --------------------------------------------------------------------------

    async def post_message(self, sender: str, text: str) -> int:
        """`sender` (a normalised number, or an address such as `<id>@lid`) writes `text`: the
        webhook is posted; returns showroom's status (0 when the post failed)."""
        written = self.chats.person_wrote(chat_of(sender), text)
        return await self._deliver(self._envelope(sender, text), written)

    async def post_own(self, chat: str, text: str) -> int:
        """Someone writes `text` from the dealer's own number into the chat with `chat` (a
        person answering a buyer by hand): returns showroom's status."""
        payload = self._envelope(OWN_NUMBER, text)
        payload["chat"] = chat if "@" in chat else f"{chat}@s.whatsapp.net"
        payload["from_me"] = True
        return await self._deliver(payload)

    async def post_image(
        self,
        sender: str,
        data: bytes,
        *,
        caption: str = "",
        ready_after_s: float = 0.0,
        truncated_first: bool = False,
    ) -> tuple[str, int]:
        """`sender` sends a photo the gateway saves `ready_after_s` later: (its id, status)."""
        image_id = self.add_image(data, ready_after_s, truncated_first)
        written = self.chats.person_wrote(chat_of(sender), caption, f"/chat-images/{image_id}.jpg")
        payload = self._envelope(
            sender, f"Image received: {caption}" if caption else "Image received"
        )
        payload["attachment"] = {
            "type": "image",
            "caption": caption,
            "mimetype": "image/jpeg",
            "file_length": len(data),
            "url": f"/images/{image_id}.jpg",
        }
        return image_id, await self._deliver(payload, written)

    async def post_album(self, sender: str, photos: list[AlbumPhoto]) -> list[tuple[str, int]]:
        """`sender` picks several photos at once: like WhatsApp, two or more go as an album,
        whose parent message the gateway posts first (as a message of an unknown type, which
        carries nothing), then each photo. Returns each photo's (id, status)."""
        if len(photos) > 1:
            parent = self._envelope(sender, "Non-text message received")
            parent["attachment"] = {"type": "unknown"}
            await self._deliver(parent)
        return [await self.post_image(sender, photo.data, **photo.options()) for photo in photos]

    def _envelope(self, sender: str, message: str) -> dict[str, Any]:
        # a number, or a whole address: `<id>@lid` writes as a hidden linked id
        jid = sender if "@" in sender else f"{sender}@s.whatsapp.net"
        return {
            "event": "message",
            "message": message,
            "sender": jid,
            "chat": jid,
            "time": _rfc3339_ns(),
        }

    async def _deliver(self, payload: dict[str, Any], written: ChatMessage | None = None) -> int:
        """Post the webhook like the gateway: one POST, no retry. Returns showroom's status.
        `written` (the message as the page shows it) gets its ticks from the answer."""
        if self.faults.reorder_webhooks and self._nursery is not None:
            delay_s = self._rng.uniform(0.05, 0.5)
            self._nursery.start_soon(self._post_later, payload, delay_s, written)
            return 202
        status = await self._post(payload, written)
        if self.faults.duplicate_webhooks:
            await self._post(payload, written)
        return status

    async def _post_later(
        self, payload: dict[str, Any], delay_s: float, written: ChatMessage | None
    ) -> None:
        await trio.sleep(delay_s)
        await self._post(payload, written)

    async def _post(self, payload: dict[str, Any], written: ChatMessage | None = None) -> int:
        if not self._clients or not self.webhook_url:
            raise RuntimeError("the simulator is not running or has no webhook URL")
        self.webhooks_posted += 1
        client = self._clients[self.webhooks_posted % len(self._clients)]
        try:
            response = await client.post(self.webhook_url, json=payload)
        except httpx.HTTPError as exc:  # the real gateway only logs it, and the message is lost
            log.warning("webhook post failed: %s", exc)
            status = 0
        else:
            status = response.status_code
        if written is not None:
            self.chats.delivered(written, 200 <= status < 300)
        return status


@dataclass(frozen=True, slots=True)
class AlbumPhoto:
    """A photo a person sends, with how the gateway will treat it."""

    data: bytes
    caption: str = ""
    ready_after_s: float = 0.0
    truncated_first: bool = False

    def options(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "ready_after_s": self.ready_after_s,
            "truncated_first": self.truncated_first,
        }


class _AttachmentFailed(Exception):
    pass


def _failure(message: str, status: int = 200) -> JSONResponse:
    """The gateway's failure answer: HTTP 200 with `success: false`, 400 for a bad body."""
    return JSONResponse({"success": False, "message": message}, status_code=status)


class _BrokenResponse(Response):
    """Promises a body and breaks off: the client sees the connection cut mid-answer."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"succ', "more_body": True})
        raise ConnectionResetError("simulated connection reset")


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _photo(body: dict[str, Any]) -> AlbumPhoto | None:
    """A photo from the control API's fields, None without valid base64 in `image_b64`."""
    try:
        data = base64.b64decode(body.get("image_b64", ""), validate=True)
    except (ValueError, TypeError):
        return None
    if not data:
        return None
    caption = body.get("caption")
    try:
        ready_after_s = float(body.get("ready_after_s", 0) or 0)
    except (TypeError, ValueError):  # not a number: ready at once
        ready_after_s = 0.0
    return AlbumPhoto(
        data,
        caption if isinstance(caption, str) else "",
        ready_after_s,
        bool(body.get("truncated_first")),
    )


def _phone(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalise_phone(value)
    except NotAnIdentity:
        return None


def _rfc3339_ns() -> str:
    now_ns = time.time_ns()
    seconds, nanos = divmod(now_ns, 1_000_000_000)
    stamp = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def _static(name: str) -> bytes:
    return resources.files("gateways.simulator_static").joinpath(name).read_bytes()
