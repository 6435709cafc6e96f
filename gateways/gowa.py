"""GoWA (aldinokemal/go-whatsapp-web-multidevice v9.x).

Webhooks `{event, device_id, payload{...}}` signed with `X-Hub-Signature-256: sha256=<hex>`
(HMAC-SHA256 over the raw body; the gateway's default secret `secret` is refused). With
auto-download on, the photo file exists before the webhook is posted, at
`payload.image` (a path string, or `{path, caption}`), served under the gateway's base URL.

Replies go to `phone`: `<n>@s.whatsapp.net`, or `<id>@lid` for a hidden linked id (GoWA turns
it into the phone when it knows it). Photos go as a form to `/send/image`, with the file.

The number's own messages (`is_from_me`) come back too, both the bot's sends and what a person
types on the dealer's phone, alike: in a private chat each becomes an event of that chat with
`from_me` set (its text or caption), and the session tells the bot's own from a person's by the
outbox (`storage.buyers.sent_by_bot`). `from` is then the dealer's own number, never the chat.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import httpx

from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, phone_first
from domain.ports import PhotoToSend
from gateways.base import (
    Adapter,
    BadPayload,
    SendResult,
    direct_sender,
    failed_send,
    hub_signature_valid,
    iso_timestamp,
    load_json,
    one_person,
    other_forms,
    require,
    text_or_empty,
    whatsapp_address,
)

UNSUPPORTED_KEYS = ("video", "audio", "document", "sticker", "location", "contact")


class GoWA(Adapter):
    kind = "gowa"
    signed_by = "hmac"

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        return hub_signature_valid(headers, body, self.config.webhook_secret)

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        data = load_json(body)
        if require(data, "event", str, "") != "message":
            return []
        payload = require(data, "payload", dict, "")
        if payload.get("is_from_me") is True:
            return self._own(tenant, payload)
        message_id = require(payload, "id", str, "payload.")
        chat = direct_sender(require(payload, "chat_id", str, "payload."), "payload.chat_id")
        if chat is None:
            return []
        # `from` is the phone when GoWA could resolve the hidden id (then in `from_lid`);
        # in a private chat the chat is the sender, its hidden id in `chat_lid`.
        sender = direct_sender(require(payload, "from", str, "payload."), "payload.from") or chat
        sender, alternates = phone_first(
            sender, (chat, *other_forms(payload.get("from_lid"), payload.get("chat_lid")))
        )
        common = {
            "tenant": tenant,
            "dedupe_key": f"gowa:{message_id}",
            "sender": sender,
            "chat_kind": ChatKind.DIRECT,
            "sender_name": text_or_empty(payload.get("from_name")),
            "sent_at": iso_timestamp(payload.get("timestamp")),
            "alternates": alternates,
        }
        body_text = text_or_empty(payload.get("body"))
        image = payload.get("image")
        if isinstance(image, str | dict):
            path = image if isinstance(image, str) else text_or_empty(image.get("path"))
            if not path:
                raise BadPayload("payload.image has no path")
            caption = body_text or (
                text_or_empty(image.get("caption")) if isinstance(image, dict) else ""
            )
            media = MediaRef(locator="/" + path.lstrip("/"))
            return [InboundEvent(kind=EventKind.IMAGE, text=caption, media=media, **common)]
        if any(key in payload for key in UNSUPPORTED_KEYS):
            return [InboundEvent(kind=EventKind.UNSUPPORTED, text=body_text, **common)]
        if not body_text:
            # an uncaptioned photo whose download failed on the gateway, an album's parent,
            # an HD photo's second copy (GoWA unwraps neither): nothing to answer
            return []
        return [InboundEvent(kind=EventKind.TEXT, text=body_text, **common)]

    def _own(self, tenant: str, payload: dict[str, Any]) -> list[InboundEvent]:
        """The dealer's own message in a private chat: an event of that chat, `from_me`."""
        message_id = require(payload, "id", str, "payload.")
        chat = direct_sender(require(payload, "chat_id", str, "payload."), "payload.chat_id")
        if chat is None:
            return []
        chat, alternates = phone_first(chat, other_forms(payload.get("chat_lid")))
        image = payload.get("image")
        caption = text_or_empty(image.get("caption")) if isinstance(image, dict) else ""
        return [
            InboundEvent(
                tenant=tenant,
                dedupe_key=f"gowa:{message_id}",
                sender=chat,
                chat_kind=ChatKind.DIRECT,
                kind=EventKind.TEXT,
                text=text_or_empty(payload.get("body")) or caption,
                sent_at=iso_timestamp(payload.get("timestamp")),
                alternates=alternates,
                from_me=True,
            )
        ]

    def _headers(self) -> dict[str, str]:
        if not self.config.api_key:
            return {}
        token = base64.b64encode(self.config.api_key.encode()).decode()  # APP_BASIC_AUTH
        return {"Authorization": f"Basic {token}"}

    def people_in_passing(self, body: bytes) -> tuple[tuple[Identity, ...], ...]:
        """A group message's sender: `from` (the phone) and `from_lid`."""
        payload = load_json(body).get("payload")
        if not isinstance(payload, dict):
            return ()
        return one_person(payload.get("from"), payload.get("from_lid"))

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.url("/send/message"),
            headers=self._headers(),
            # A hidden id goes as `<id>@lid` (GoWA resolves it to the phone when it can): as
            # `<id>@s.whatsapp.net` it would be refused with INVALID_JID, and bare digits
            # longer than 15 would even be taken for a group.
            json={"phone": whatsapp_address(to, "@s.whatsapp.net"), "message": text},
        )

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """`POST /send/image` as a form with the file itself (`image`, JPEG or PNG only)."""
        return httpx.Request(
            "POST",
            self.url("/send/image"),
            headers=self._headers(),
            data={"phone": whatsapp_address(to, "@s.whatsapp.net"), "caption": caption},
            files={"image": (photo.filename, photo.data, photo.mimetype)},
        )

    def send_result(self, response: httpx.Response) -> SendResult:
        try:
            answer: Any = response.json()
        except ValueError:
            answer = None
        if not response.is_success:
            failed = failed_send(response)
            # "not connected" / "not logged in" heal when the phone is back (a wrong password
            # is fiber's plain-text 401, which no retry mends)
            reconnect = isinstance(answer, dict) and answer.get("code") == "AUTHENTICATION_ERROR"
            return SendResult(
                ok=False, retryable=failed.retryable or reconnect, reason=failed.reason
            )
        if isinstance(answer, dict) and answer.get("code") == "SUCCESS":
            results = answer.get("results") or {}
            return SendResult(ok=True, message_id=text_or_empty(results.get("message_id")))
        return SendResult(ok=False, retryable=False, reason=f"unexpected answer: {answer!r:.200}")

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        return httpx.Request("GET", self.url(media.locator))

    def health_request(self) -> httpx.Request:
        return httpx.Request("GET", self.url("/app/info"))
