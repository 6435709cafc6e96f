"""Evolution API (EvolutionAPI/evolution-api 2.3.x, Baileys).

Events `{event, instance, data{key, message, messageType, ...}}`. No HMAC: the webhook is
configured with a static header holding a secret (`webhook_header`, compared in constant time),
or with Evolution's `jwt_key`: then `Authorization: Bearer <JWT>` comes, HS256-signed with the
secret, claims `app: "evolution"` and `action: "webhook"`, valid 10 minutes.
Set the webhook with `base64: true` so the photo arrives inside the payload; otherwise it is
fetched with `POST /chat/getBase64FromMediaMessage/{instance}`. The top-level `sender` is the
bot's own number (ignored). The number's own messages come back as `messages.upsert` with
`fromMe`, the bot's sends (evolution-foundation/evolution-api#1340) and what a person types on
the dealer's phone alike: in a private chat each becomes an event of that chat with `from_me`
set (its text or caption), and the session tells the bot's own by the outbox.

Replies go to `number`: bare digits for a phone, `<id>@lid` for a hidden linked id; photos
through `sendMedia` as base64.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from domain.errors import BadMediaAnswer
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, phone_first
from domain.ports import PhotoToSend, typing_delay_s
from gateways.base import (
    Adapter,
    BadPayload,
    direct_sender,
    int_or_none,
    load_json,
    one_person,
    other_forms,
    require,
    same_secret,
    text_or_empty,
    whatsapp_address,
)

# MessageAssociation.AssociationType of an HD photo's second copy (numbers when Evolution
# passes Baileys' objects on, names when it went through protobuf's JSON).
HD_COPY = (10, "HD_IMAGE_DUAL_UPLOAD")
DOWNLOAD_FIELDS = (
    "url",
    "directPath",
    "mediaKey",
    "mediaKeyTimestamp",
    "mimetype",
    "fileLength",
    "fileSha256",
    "fileEncSha256",
    "width",
    "height",
)
MESSAGE_LOCATOR = "msg:"

# Evolution mints one token per event and its retries reuse it past the 10 minutes, never
# retrying a 401: an expired token is accepted for an hour more (a replay is a duplicate
# event, which the inbox drops by its id anyway).
JWT_LEEWAY_S = 3600


class Evolution(Adapter):
    kind = "evolution"
    signed_by = "header"
    max_body_bytes = 25_000_000  # photos come inline as base64
    shows_typing_itself = True  # the `delay` of each send

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        value = headers.get(self.config.webhook_header.lower())
        scheme, _, token = (value or "").partition(" ")
        if scheme.lower() == "bearer" and token.count(".") == 2:
            return _valid_webhook_token(token, self.config.webhook_secret)
        return same_secret(value, self.config.webhook_secret)

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        data = load_json(body)
        if require(data, "event", str, "") != "messages.upsert":
            return []
        item = require(data, "data", dict, "")
        key = require(item, "key", dict, "data.")
        if key.get("fromMe") is True:
            return _own(tenant, item, key)
        remote = require(key, "remoteJid", str, "data.key.")
        sender = direct_sender(remote, "data.key.remoteJid")
        if sender is None:
            return []
        # Baileys gives the other form of a private chat in `remoteJidAlt` (the phone of a
        # hidden id, or the reverse): the phone is the identity, sellers are matched by it.
        sender, alternates = phone_first(sender, other_forms(key.get("remoteJidAlt")))
        message = item.get("message") if isinstance(item.get("message"), dict) else {}
        timestamp = int_or_none(item.get("messageTimestamp"))
        common = {
            "tenant": tenant,
            "dedupe_key": f"evo:{require(key, 'id', str, 'data.key.')}",
            "sender": sender,
            "chat_kind": ChatKind.DIRECT,
            "sender_name": text_or_empty(item.get("pushName")),
            "sent_at": float(timestamp) if timestamp is not None else None,
            "alternates": alternates,
        }
        kind = text_or_empty(item.get("messageType"))
        if kind in ("conversation", "extendedTextMessage"):
            text = text_or_empty(message.get("conversation")) or text_or_empty(
                (message.get("extendedTextMessage") or {}).get("text")
            )
            return [InboundEvent(kind=EventKind.TEXT, text=text, **common)] if text else []
        if kind == "imageMessage":
            image = message.get("imageMessage")
            if not isinstance(image, dict):
                raise BadPayload("data.message.imageMessage is missing")
            inline = message.get("base64")
            locator = "inline" if isinstance(inline, str) else f"key:{key['id']}"
            return [_image_event(image, locator, inline, common)]
        if kind == "albumMessage":
            return []  # announces the photos picked at once; each comes as its own message
        if kind == "associatedChildMessage":
            return _associated_child(message, key, common)
        if kind in ("reactionMessage", "protocolMessage", "editedMessage", "pollUpdateMessage"):
            return []
        return [InboundEvent(kind=EventKind.UNSUPPORTED, **common)]

    def people_in_passing(self, body: bytes) -> tuple[tuple[Identity, ...], ...]:
        """A group message's sender: `participant` and `participantAlt` (Baileys)."""
        item = load_json(body).get("data")
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, dict):
            return ()
        return one_person(key.get("participant"), key.get("participantAlt"))

    def _headers(self) -> dict[str, str]:
        return {"apikey": self.config.api_key} if self.config.api_key else {}

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.url(f"/message/sendText/{self.config.session}"),
            headers=self._headers(),
            # Evolution shows "typing..." for `delay` ms before it sends, as a person would.
            # A hidden id as `<id>@lid`: bare digits would be taken for a phone number.
            json={
                "number": whatsapp_address(to, ""),
                "text": text,
                "delay": round(typing_delay_s(text) * 1000),
            },
        )

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """`POST /message/sendMedia/{instance}` with the file as base64 (Evolution takes a URL
        or base64; the bytes spare it reaching us)."""
        body = {
            "number": whatsapp_address(to, ""),
            "mediatype": "image",
            "mimetype": photo.mimetype,
            "caption": caption,
            "media": base64.b64encode(photo.data).decode(),
            "fileName": photo.filename,
            "delay": round(typing_delay_s(caption) * 1000),
        }
        return httpx.Request(
            "POST",
            self.url(f"/message/sendMedia/{self.config.session}"),
            headers=self._headers(),
            json=body,
        )

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        if media.inline_b64 is not None:
            return None
        if media.locator.startswith(MESSAGE_LOCATOR):
            # the message itself: Evolution decodes it without looking it up (it cannot
            # unwrap an associatedChildMessage it stored)
            message = json.loads(media.locator.removeprefix(MESSAGE_LOCATOR))
        else:
            message = {"key": {"id": media.locator.removeprefix("key:")}}
        return httpx.Request(
            "POST",
            self.url(f"/chat/getBase64FromMediaMessage/{self.config.session}"),
            headers=self._headers(),
            json={"message": message, "convertToMp4": False},
        )

    def media_bytes(self, answer: bytes) -> bytes:
        """getBase64FromMediaMessage answers JSON with the file in `base64`."""
        try:
            encoded = json.loads(answer)["base64"]
            return base64.b64decode(encoded, validate=False)
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise BadMediaAnswer("the gateway's answer has no base64 photo") from exc

    def health_request(self) -> httpx.Request:
        return httpx.Request("GET", self.url("/"), headers=self._headers())


def _own(tenant: str, item: dict[str, Any], key: dict[str, Any]) -> list[InboundEvent]:
    """The dealer's own message in a private chat: an event of that chat, `from_me`."""
    chat = direct_sender(require(key, "remoteJid", str, "data.key."), "data.key.remoteJid")
    if chat is None:
        return []
    chat, alternates = phone_first(chat, other_forms(key.get("remoteJidAlt")))
    message = item.get("message") if isinstance(item.get("message"), dict) else {}
    said = (
        text_or_empty(message.get("conversation"))
        or text_or_empty((message.get("extendedTextMessage") or {}).get("text"))
        or text_or_empty((message.get("imageMessage") or {}).get("caption"))
    )
    timestamp = int_or_none(item.get("messageTimestamp"))
    return [
        InboundEvent(
            tenant=tenant,
            dedupe_key=f"evo:{require(key, 'id', str, 'data.key.')}",
            sender=chat,
            chat_kind=ChatKind.DIRECT,
            kind=EventKind.TEXT,
            text=said,
            sent_at=float(timestamp) if timestamp is not None else None,
            alternates=alternates,
            from_me=True,
        )
    ]


def _image_event(
    image: dict[str, Any], locator: str, inline: Any, common: dict[str, Any]
) -> InboundEvent:
    media = MediaRef(
        locator=locator,
        mimetype=text_or_empty(image.get("mimetype")),
        expected_bytes=_long(image.get("fileLength")),
        width=int_or_none(image.get("width")),
        height=int_or_none(image.get("height")),
        inline_b64=inline if isinstance(inline, str) else None,
    )
    caption = text_or_empty(image.get("caption"))
    return InboundEvent(kind=EventKind.IMAGE, text=caption, media=media, **common)


def _associated_child(
    message: dict[str, Any], key: dict[str, Any], common: dict[str, Any]
) -> list[InboundEvent]:
    """A photo wrapped in `associatedChildMessage`. WhatsApp sends an HD photo twice: the
    ordinary photo, then its HD copy wrapped so, pointing at the first (association
    HD_IMAGE_DUAL_UPLOAD): the copy is the same photo and gets the first one's key, so
    whichever comes first is the photo and the other a duplicate. Some clients wrap each photo
    of an album too (MEDIA_ALBUM): those are photos of their own."""
    wrapped = message.get("associatedChildMessage")
    inner = wrapped.get("message") if isinstance(wrapped, dict) else None
    image = inner.get("imageMessage") if isinstance(inner, dict) else None
    if not isinstance(image, dict):
        return []  # an HD video's copy, a sticker's annotation...: the parent said it all
    association = _association(inner) or _association(message)
    parent = association.get("parentMessageKey")
    parent_id = parent.get("id") if isinstance(parent, dict) else None
    kind = association.get("associationType")
    if kind in HD_COPY and isinstance(parent_id, str) and parent_id:
        common = {**common, "dedupe_key": f"evo:{parent_id}"}
    # Evolution attaches no base64 to a wrapped photo: it is fetched with the message itself
    # (only what the download needs; the thumbnail would be most of it).
    needed = {name: image[name] for name in DOWNLOAD_FIELDS if name in image}
    sent = {"key": {n: key[n] for n in ("id", "remoteJid", "fromMe") if n in key}}
    locator = MESSAGE_LOCATOR + json.dumps(
        {**sent, "message": {"imageMessage": needed}}, separators=(",", ":")
    )
    return [_image_event(image, locator, None, common)]


def _association(message: dict[str, Any]) -> dict[str, Any]:
    context = message.get("messageContextInfo")
    found = context.get("messageAssociation") if isinstance(context, dict) else None
    return found if isinstance(found, dict) else {}


def _long(value: Any) -> int | None:
    """Baileys' 64-bit numbers reach the webhook as `{low, high, unsigned}` (a Long, turned
    into a plain object by Evolution), sometimes as a plain number."""
    if isinstance(value, dict):
        low, high = int_or_none(value.get("low")), int_or_none(value.get("high"))
        if low is None or high is None:
            return None
        return (high << 32) + (low & 0xFFFFFFFF)
    return int_or_none(value)


def _valid_webhook_token(token: str, secret: str) -> bool:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=JWT_LEEWAY_S,
            options={"require": ["exp", "iat"]},
        )
    except jwt.InvalidTokenError:
        return False
    return claims.get("app") == "evolution" and claims.get("action") == "webhook"
