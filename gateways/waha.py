"""WAHA (devlikeapro/waha). Events `{id, event, session, payload{...}}`, optionally signed with
`X-Webhook-Hmac` (hex HMAC-SHA512 over the raw body). The file is downloaded before the webhook;
`payload.media.url`'s host is not trusted (only its path, joined to the configured gateway URL).
Media is deleted after 180 s by default: it must be fetched on receipt. WAHA Core before its
2026.6 releases does not sign at all: `webhook_auth = "path"` then.

Replies go to `chatId`: `<n>@c.us`, or `<id>@lid` for a hidden linked id; photos through
`sendImage` with the file inside (base64).

The number's own messages come only as `message.any` (subscribe to it besides `message`, or
instead: the same message under both events has one dedupe key, so it is stored once). WAHA
marks what its own API sent (`source: "api"`): those are the bot's replies and are skipped.
Anything else `fromMe` in a private chat (`source: "app"`: typed on the dealer's phone or
WhatsApp Web) becomes an event of that chat with `from_me` set; the session still checks it
against the outbox. The chat of an own message is `to` where the engine sets it (WEBJS), else
`from` (NOWEB and GOWS give the chat there).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, phone_first
from domain.ports import PhotoToSend
from gateways.base import (
    Adapter,
    BadPayload,
    direct_sender,
    hmac_hex,
    load_json,
    one_person,
    other_forms,
    require,
    same_secret,
    text_or_empty,
    whatsapp_address,
)


class Waha(Adapter):
    kind = "waha"
    signed_by = "hmac"

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        expected = hmac_hex("sha512", self.config.webhook_secret, body)
        return same_secret(headers.get("x-webhook-hmac", "").lower(), expected)

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        data = load_json(body)
        if require(data, "event", str, "") not in ("message", "message.any"):
            return []
        payload = require(data, "payload", dict, "")
        if payload.get("fromMe") is True:
            return self._own(tenant, payload)
        sender = direct_sender(require(payload, "from", str, "payload."), "payload.from")
        if sender is None:
            return []
        engine_data = payload.get("_data")
        sender, alternates = phone_first(sender, _other_forms(engine_data))
        # "<fromMe>_<chat>_<message id>": the same message can come once per chat spelling.
        parts = require(payload, "id", str, "payload.").split("_")
        if len(parts) < 3 or not parts[2]:
            raise BadPayload("payload.id is not <fromMe>_<chat>_<message id>")
        engine_message = _engine_message(engine_data)
        if _is_album_parent(engine_data, engine_message):
            return []  # announces the photos picked at once; each comes as its own message
        # An HD photo's second copy is the same photo: it takes the first copy's key.
        message_id = _hd_copy_of(engine_message) or parts[2]
        timestamp = payload.get("timestamp")
        common = {
            "tenant": tenant,
            "dedupe_key": f"waha:{message_id}",
            "sender": sender,
            "chat_kind": ChatKind.DIRECT,
            "sent_at": float(timestamp) if isinstance(timestamp, int | float) else None,
            "alternates": alternates,
        }
        text = text_or_empty(payload.get("body"))
        if payload.get("hasMedia") is True:
            media = payload.get("media")
            if media is None:  # WAHA's download failed (or media download is switched off)
                failed = MediaRef(locator="", failed="WAHA could not download the file")
                return [InboundEvent(kind=EventKind.IMAGE, text=text, media=failed, **common)]
            if not isinstance(media, dict):
                raise BadPayload("payload.media is not an object")
            mimetype = text_or_empty(media.get("mimetype"))
            if not mimetype.startswith("image/"):
                return [InboundEvent(kind=EventKind.UNSUPPORTED, text=text, **common)]
            return [InboundEvent(kind=EventKind.IMAGE, text=text, media=_media(media), **common)]
        if not text:
            return []
        return [InboundEvent(kind=EventKind.TEXT, text=text, **common)]

    def _own(self, tenant: str, payload: dict[str, Any]) -> list[InboundEvent]:
        """The dealer's own message: skipped when WAHA's API sent it (the bot), else an event of
        its private chat with `from_me` set."""
        if payload.get("source") == "api":
            return []
        to = payload.get("to")
        address = to if isinstance(to, str) and to else require(payload, "from", str, "payload.")
        chat = direct_sender(address, "payload.to" if address is to else "payload.from")
        if chat is None:
            return []
        parts = require(payload, "id", str, "payload.").split("_")
        if len(parts) < 3 or not parts[2]:
            raise BadPayload("payload.id is not <fromMe>_<chat>_<message id>")
        timestamp = payload.get("timestamp")
        return [
            InboundEvent(
                tenant=tenant,
                dedupe_key=f"waha:{parts[2]}",
                sender=chat,
                chat_kind=ChatKind.DIRECT,
                kind=EventKind.TEXT,
                text=text_or_empty(payload.get("body")),
                sent_at=float(timestamp) if isinstance(timestamp, int | float) else None,
                from_me=True,
            )
        ]

    def people_in_passing(self, body: bytes) -> tuple[tuple[Identity, ...], ...]:
        """A group message's sender, from the engine's data: NOWEB `key.participant` and
        `participantAlt`, GOWS `Info.Sender` and `Info.SenderAlt`."""
        payload = load_json(body).get("payload")
        data = payload.get("_data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            return ()
        key = data.get("key") if isinstance(data.get("key"), dict) else {}
        info = data.get("Info") if isinstance(data.get("Info"), dict) else {}
        return one_person(key.get("participant"), key.get("participantAlt")) or one_person(
            info.get("Sender"), info.get("SenderAlt")
        )

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.config.api_key} if self.config.api_key else {}

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        body = {
            "session": self.config.session or "default",
            # a hidden id as `<id>@lid` (as `<id>@c.us` it would go to a phone number)
            "chatId": whatsapp_address(to, "@c.us"),
            "text": text,
        }
        return httpx.Request("POST", self.url("/api/sendText"), headers=self._headers(), json=body)

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """`POST /api/sendImage` with the file inside (base64), so WAHA need not reach us."""
        body = {
            "session": self.config.session or "default",
            "chatId": whatsapp_address(to, "@c.us"),
            "file": {
                "mimetype": photo.mimetype,
                "filename": photo.filename,
                "data": base64.b64encode(photo.data).decode(),
            },
            "caption": caption,
        }
        return httpx.Request("POST", self.url("/api/sendImage"), headers=self._headers(), json=body)

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        return httpx.Request("GET", self.url(media.locator), headers=self._headers())

    def health_request(self) -> httpx.Request:
        return httpx.Request("GET", self.url("/api/server/version"), headers=self._headers())


def _other_forms(engine_data: Any) -> tuple[Identity, ...]:
    """The sender's other form from the engine's own message (`_data`): NOWEB (Baileys) puts it
    in `key.remoteJidAlt`, GOWS (whatsmeow) in `Info.SenderAlt`; WEBJS gives none."""
    if not isinstance(engine_data, dict):
        return ()
    key = engine_data.get("key") if isinstance(engine_data.get("key"), dict) else {}
    info = engine_data.get("Info") if isinstance(engine_data.get("Info"), dict) else {}
    return other_forms(key.get("remoteJidAlt"), info.get("SenderAlt"))


def _engine_message(engine_data: Any) -> dict[str, Any]:
    """The WhatsApp message inside the engine's own data: NOWEB `message`, GOWS `Message`."""
    if not isinstance(engine_data, dict):
        return {}
    for name in ("message", "Message"):
        if isinstance(engine_data.get(name), dict):
            return engine_data[name]
    return {}


def _is_album_parent(engine_data: Any, message: dict[str, Any]) -> bool:
    """WEBJS marks it with type `album`; NOWEB and GOWS carry an `albumMessage`."""
    webjs_type = engine_data.get("type") if isinstance(engine_data, dict) else None
    return webjs_type == "album" or isinstance(message.get("albumMessage"), dict)


def _hd_copy_of(message: dict[str, Any]) -> str | None:
    """The id of the photo whose HD copy this is (an `associatedChildMessage` with association
    HD_IMAGE_DUAL_UPLOAD, 10), else None."""
    wrapped = message.get("associatedChildMessage")
    inner = wrapped.get("message") if isinstance(wrapped, dict) else None
    context = inner.get("messageContextInfo") if isinstance(inner, dict) else None
    association = context.get("messageAssociation") if isinstance(context, dict) else None
    if not isinstance(association, dict):
        return None
    if association.get("associationType") not in (10, "HD_IMAGE_DUAL_UPLOAD"):
        return None
    parent = association.get("parentMessageKey")
    if not isinstance(parent, dict):
        return None
    parent_id = parent.get("id") or parent.get("ID")  # Baileys' spelling, whatsmeow's
    return parent_id if isinstance(parent_id, str) and parent_id else None


def _media(media: dict[str, Any]) -> MediaRef:
    error = media.get("error")
    url = media.get("url")
    if error or not isinstance(url, str):
        reason = (
            error.get("message")
            if isinstance(error, dict)
            else "no file (check WAHA media settings)"
        )
        return MediaRef(
            locator="", mimetype=text_or_empty(media.get("mimetype")), failed=str(reason)
        )
    path = urlsplit(url).path  # the host is whatever WAHA_BASE_URL says: never trust it
    return MediaRef(locator=path, mimetype=text_or_empty(media.get("mimetype")))
