"""WhatsApp Web API (rizrmd/whatsapp-web-api v1.6.0/v1.7.0), showroom's default gateway.

Flat webhooks (`event`, `message`, `sender`, `chat`, `time`, optional `attachment`), no message
id and no signature: the webhook URL carries an unguessable token instead
(`WA_WEBHOOK_URL=http://showroom:8000/webhook/<tenant>/<token>`). Images are served at
`/images/<id>.jpg`, written *after* the webhook is posted. `/send` answers 200 with
`success: false` when it failed.

It sends to `<number>@s.whatsapp.net` only: a hidden linked id cannot be addressed (Unreachable),
and the gateway never says which phone one stands for. Photos are sent as `attachments`: a URL
it downloads itself.

The number's own messages never come: `handleMessage` returns at once on `IsFromMe`, so with
this gateway the bot cannot see a person answering a buyer from the dealer's phone (the buyer
side's silence after a person answers needs GoWA, WAHA, Evolution or the Cloud API). The
simulator, which stands in for this gateway, can post such a message all the same, marked
`"from_me": true` with the chat in `chat` (`/simulate/own`): it is read as the chat's own
message, as a gateway that forwarded them would give it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from domain.errors import Unreachable
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, phone_first
from domain.ports import PhotoToSend
from gateways.base import (
    Adapter,
    BadPayload,
    SendResult,
    direct_sender,
    failed_send,
    int_or_none,
    iso_timestamp,
    load_json,
    require,
    same_secret,
    text_or_empty,
)

_IMAGE_URL = re.compile(r"^/images/([A-Za-z0-9_-]{1,128})\.jpg$")
_IMAGE_FILE = re.compile(r"[A-Za-z0-9_-]{1,128}\.jpg")
_SEPARATOR = "\x1f"
UNSUPPORTED_TYPES = frozenset({"document", "audio", "video", "sticker", "contact", "location"})


class WhatsAppWebApi(Adapter):
    kind = "whatsapp-web-api"
    signed_by = "path-token"
    takes_image_url = True  # `attachments` are public HTTP(S) URLs it downloads itself

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        return same_secret(path_token, self.config.webhook_secret)

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        data = load_json(body)
        event = require(data, "event", str, "")
        if event != "message":
            return []
        chat = require(data, "chat", str, "")
        sender_address = require(data, "sender", str, "")
        message = text_or_empty(data.get("message"))
        attachment = data.get("attachment")
        if attachment is not None and not isinstance(attachment, dict):
            raise BadPayload("attachment is not an object")
        chat_identity = direct_sender(chat, "chat")
        if chat_identity is None:
            return []
        if data.get("from_me") is True:  # the simulator's own messages (see above)
            key = _body_key(chat, sender_address, data.get("time"), message)
            return [
                InboundEvent(
                    tenant=tenant,
                    dedupe_key=key,
                    sender=chat_identity,
                    chat_kind=ChatKind.DIRECT,
                    kind=EventKind.TEXT,
                    text=message,
                    sent_at=iso_timestamp(data.get("time")),
                    from_me=True,
                )
            ]
        sender = direct_sender(sender_address, "sender")
        if sender is None:
            return []
        # whatsmeow prints the chat and the sender as they came: should one be the hidden id
        # and the other the phone, the pair is worth remembering (the only mapping this
        # gateway can give).
        sender, alternates = phone_first(sender, (chat_identity,))
        sent_at = iso_timestamp(data.get("time"))
        common = {
            "tenant": tenant,
            "sender": sender,
            "chat_kind": ChatKind.DIRECT,
            "sent_at": sent_at,
            "alternates": alternates,
        }
        if attachment:
            return self._attachment_event(attachment, common, data)
        if not message:
            return []
        key = _body_key(chat, sender_address, data.get("time"), message)
        return [InboundEvent(dedupe_key=key, kind=EventKind.TEXT, text=message, **common)]

    def _attachment_event(
        self, attachment: dict[str, Any], common: dict[str, Any], data: dict[str, Any]
    ) -> list[InboundEvent]:
        kind = text_or_empty(attachment.get("type"))
        caption = text_or_empty(attachment.get("caption"))
        if kind == "image":
            url = require(attachment, "url", str, "attachment.")
            found = _IMAGE_URL.match(url)
            if not found:
                raise BadPayload("attachment.url is not an /images/<id>.jpg path")
            media = MediaRef(
                locator=url,
                mimetype=text_or_empty(attachment.get("mimetype")),
                expected_bytes=int_or_none(attachment.get("file_length")),
                width=int_or_none(attachment.get("width")),
                height=int_or_none(attachment.get("height")),
            )
            return [
                InboundEvent(
                    dedupe_key=f"wwa:msg:{found.group(1)}",
                    kind=EventKind.IMAGE,
                    text=caption,
                    media=media,
                    **common,
                )
            ]
        if kind in UNSUPPORTED_TYPES:
            key = _body_key(data["chat"], data["sender"], data.get("time"), f"[{kind}]")
            return [
                InboundEvent(dedupe_key=key, kind=EventKind.UNSUPPORTED, text=caption, **common)
            ]
        return []  # reactions, edits, deletes, polls: nothing to do

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        return httpx.Request(
            "POST", self.url("/send"), json={"number": _number(to), "message": text}
        )

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """`/send` with one image attachment: the gateway downloads `url` (it takes no bytes)
        and sends it with `message` as its caption."""
        attachment = {"type": "image", "url": photo.url, "filename": photo.filename}
        body = {"number": _number(to), "message": caption, "attachments": [attachment]}
        return httpx.Request("POST", self.url("/send"), json=body)

    def send_result(self, response: httpx.Response) -> SendResult:
        if not response.is_success:
            return failed_send(response)
        try:
            answer = response.json()
        except ValueError:
            return SendResult(ok=False, retryable=True, reason="answer is not JSON")
        if isinstance(answer, dict) and answer.get("success") is True:
            return SendResult(ok=True)
        reason = answer.get("message", "") if isinstance(answer, dict) else ""
        # "not connected" heals when the phone reconnects; a bad number does not.
        retryable = "connect" in str(reason).lower() or "pair" in str(reason).lower()
        return SendResult(ok=False, retryable=retryable, reason=f"success:false: {reason}")

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        return httpx.Request("GET", self.url(media.locator))

    def local_file(self, folder: Path, media: MediaRef) -> Path | None:
        """`/images/<id>.jpg` is the file `<id>.jpg` in the gateway's `downloads` folder (only a
        plain file name: nothing can lead out of the folder)."""
        name = media.locator.rsplit("/", 1)[-1]
        return folder / name if _IMAGE_FILE.fullmatch(name) else None

    def health_request(self) -> httpx.Request:
        return httpx.Request("GET", self.url("/health"))

    def health(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json().get("data", {})
        except (ValueError, AttributeError):
            return {"reachable": False, "version": ""}
        return {
            "reachable": response.is_success,
            "version": text_or_empty(data.get("version")),
            "paired": bool(data.get("paired")),
            "connected": bool(data.get("connected")),
        }


def _number(to: Identity) -> str:
    """`/send` appends `@s.whatsapp.net` to whatever `number` is: a hidden id's digits would
    go to a stranger's phone (or nowhere). Only a phone number can be addressed."""
    if not to.is_phone:
        raise Unreachable(
            f"{to}: WhatsApp Web API can only send to phone numbers, and none is known for it"
        )
    return to.value


def _body_key(chat: str, sender: str, time: Any, message: str) -> str:
    joined = _SEPARATOR.join([chat, sender, str(time), message])
    return "wwa:body:" + hashlib.sha256(joined.encode()).hexdigest()
