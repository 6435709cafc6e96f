"""Meta WhatsApp Cloud API (Graph API).

Webhooks `{object: whatsapp_business_account, entry[].changes[].value{messages[], statuses[]}}`
signed with `X-Hub-Signature-256` (HMAC-SHA256 with the app secret); one POST may carry several
messages. Subscription starts with a GET handshake (`hub.verify_token`, `hub.challenge`).
A photo is a media id: `GET /<version>/<media id>` with the bearer token gives a URL valid for
5 minutes, fetched with the same token. `session` is the tenant's phone number id.

The bot's own sends never come back (only as `statuses`). What a person sends from the WhatsApp
Business app on a number that also runs the Cloud API (coexistence) comes as the
`smb_message_echoes` field (`value.message_echoes[]`, `to` the customer): each becomes an event
of that customer's chat with `from_me` set. Subscribe the app to that field to have the bot
fall silent when a person answers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from domain.errors import Unreachable
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, IdentityKind, NotAnIdentity, normalise_phone
from domain.ports import PhotoToSend
from gateways.base import (
    Adapter,
    BadPayload,
    SendResult,
    failed_send,
    hub_signature_valid,
    load_json,
    require,
    same_secret,
    text_or_empty,
)

log = logging.getLogger("showroom.webhook")

GRAPH_URL = "https://graph.facebook.com"
MEDIA_HOSTS = frozenset({"lookaside.fbsbx.com"})
RETRYABLE_ERRORS = frozenset({131056, 130429, 131000, 131016})  # rate limits, temporary errors


class CloudApi(Adapter):
    kind = "cloudapi"
    signed_by = "hmac"
    max_body_bytes = 3_500_000  # Meta: up to 3 MB per POST
    answers_handshake = True
    # Meta fetches the photo from showroom's public HTTPS address (its webhooks need one
    # anyway); an upload would take a second request per photo.
    takes_image_url = True

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        if self.base_url in ("", "http://127.0.0.1:8080"):
            self.base_url = GRAPH_URL

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        return hub_signature_valid(headers, body, self.config.webhook_secret)

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The challenge to echo for a valid subscription request, else None (answer 403)."""
        if query.get("hub.mode") != "subscribe":
            return None
        if not same_secret(query.get("hub.verify_token"), self.config.verify_token):
            return None
        return query.get("hub.challenge")

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        data = load_json(body)
        if data.get("object") != "whatsapp_business_account":
            raise BadPayload("object is not whatsapp_business_account")
        events = []
        for entry in require(data, "entry", list, ""):
            for change in _list(entry.get("changes")) if isinstance(entry, dict) else []:
                field = change.get("field") if isinstance(change, dict) else None
                if field not in ("messages", "smb_message_echoes"):
                    continue
                value = change.get("value")
                if not isinstance(value, dict):
                    raise BadPayload("entry[].changes[].value is not an object")
                if field == "smb_message_echoes":
                    events.extend(
                        _echo(tenant, echo) for echo in _list(value.get("message_echoes"))
                    )
                    continue
                names = _contact_names(value.get("contacts"))
                for message in _list(value.get("messages")):
                    try:
                        event = self._message(tenant, message, names)
                    # one malformed message is refused; the others of the batch are stored
                    except (BadPayload, AttributeError, KeyError, TypeError, ValueError) as exc:
                        log.warning("cloudapi: a message of a batch refused: %s", exc)
                        continue
                    if event is not None:
                        events.append(event)
        return events

    def _message(self, tenant: str, message: Any, names: dict[str, str]) -> InboundEvent | None:
        if not isinstance(message, dict):
            raise BadPayload("messages[] holds a non-object")
        if message.get("group_id"):
            return None
        message_id = require(message, "id", str, "messages[].")
        sender, alternates = _sender(message)
        kind = text_or_empty(message.get("type"))
        timestamp = text_or_empty(message.get("timestamp"))
        common = {
            "tenant": tenant,
            "dedupe_key": f"meta:{message_id}",
            "sender": sender,
            "chat_kind": ChatKind.DIRECT,
            "sender_name": names.get(sender.value, ""),
            "sent_at": float(timestamp) if timestamp.isascii() and timestamp.isdigit() else None,
            "alternates": alternates,
        }
        if kind == "text":
            text = text_or_empty((message.get("text") or {}).get("body"))
            return InboundEvent(kind=EventKind.TEXT, text=text, **common) if text else None
        if kind == "image":
            image = require(message, "image", dict, "messages[].")
            media = MediaRef(
                locator=require(image, "id", str, "messages[].image."),
                mimetype=text_or_empty(image.get("mime_type")),
            )
            return InboundEvent(
                kind=EventKind.IMAGE,
                text=text_or_empty(image.get("caption")),
                media=media,
                **common,
            )
        if kind in ("reaction", "system", "unsupported", "request_welcome"):
            return None
        return InboundEvent(kind=EventKind.UNSUPPORTED, **common)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.api_key}"}

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _recipient(to),
            "type": "text",
            "text": {"preview_url": True, "body": text},
        }
        path = f"/{self.config.api_version}/{self.config.session}/messages"
        return httpx.Request("POST", self.url(path), headers=self._headers(), json=body)

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _recipient(to),
            "type": "image",
            "image": {"link": photo.url, "caption": caption},
        }
        path = f"/{self.config.api_version}/{self.config.session}/messages"
        return httpx.Request("POST", self.url(path), headers=self._headers(), json=body)

    def send_result(self, response: httpx.Response) -> SendResult:
        if response.is_success:
            try:
                message_id = response.json()["messages"][0]["id"]
            except (ValueError, KeyError, IndexError, TypeError):
                return SendResult(ok=False, retryable=True, reason="answer without a message id")
            return SendResult(ok=True, message_id=message_id)
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return failed_send(response)
        result = failed_send(response)
        return SendResult(
            ok=False, retryable=result.retryable or code in RETRYABLE_ERRORS, reason=result.reason
        )

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        """Step 1: ask for the media's short-lived URL (step 2 is `media_download`)."""
        return httpx.Request(
            "GET", self.url(f"/{self.config.api_version}/{media.locator}"), headers=self._headers()
        )

    def media_download(self, answer: httpx.Response) -> httpx.Request:
        url = require(answer.json(), "url", str, "media answer ")
        return httpx.Request("GET", url, headers=self._headers())

    def media_followup(self, answer: bytes) -> httpx.Request | None:
        """Step 2: the short-lived URL from step 1's answer, with the same token."""
        return self.media_download(httpx.Response(200, content=answer))

    def may_fetch(self, url: httpx.URL) -> bool:
        """The Graph API, and Meta's media host the Graph API points at (HTTPS only)."""
        return super().may_fetch(url) or (
            url.scheme == "https" and not url.userinfo and url.host in MEDIA_HOSTS
        )

    def health_request(self) -> httpx.Request:
        path = f"/{self.config.api_version}/{self.config.session}"
        return httpx.Request("GET", self.url(path), headers=self._headers())


def _echo(tenant: str, echo: Any) -> InboundEvent:
    """A message a person sent from the WhatsApp Business app: an event of the customer's chat
    (`to`), `from_me`."""
    if not isinstance(echo, dict):
        raise BadPayload("message_echoes[] holds a non-object")
    message_id = require(echo, "id", str, "message_echoes[].")
    to = require(echo, "to", str, "message_echoes[].")
    try:
        chat = Identity(IdentityKind.PHONE, normalise_phone(to))
    except NotAnIdentity:
        raise BadPayload(f"message_echoes[].to {to!r} is not a phone number") from None
    kind = text_or_empty(echo.get("type"))
    content = echo.get(kind) if isinstance(echo.get(kind), dict) else {}
    said = text_or_empty(content.get("body")) or text_or_empty(content.get("caption"))
    timestamp = text_or_empty(echo.get("timestamp"))
    return InboundEvent(
        tenant=tenant,
        dedupe_key=f"meta:{message_id}",
        sender=chat,
        chat_kind=ChatKind.DIRECT,
        kind=EventKind.TEXT,
        text=said,
        sent_at=float(timestamp) if timestamp.isdigit() else None,
        from_me=True,
    )


def _recipient(to: Identity) -> str:
    """Meta knows phone numbers (and its own business-scoped ids), never WhatsApp's hidden
    linked ids, which only unofficial gateways see."""
    if to.kind is IdentityKind.LID:
        raise Unreachable(f"{to}: the Cloud API cannot send to a hidden linked id")
    return to.value


def _list(value: Any) -> list[Any]:
    """A list from the payload; anything else (absent, a number, an object) is empty."""
    return value if isinstance(value, list) else []


def _contact_names(contacts: Any) -> dict[str, str]:
    names = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, dict) and isinstance(contact.get("wa_id"), str):
            names[contact["wa_id"]] = text_or_empty((contact.get("profile") or {}).get("name"))
    return names


def _sender(message: dict[str, Any]) -> tuple[Identity, tuple[Identity, ...]]:
    bsuid = message.get("from_user_id")
    alternate = (Identity(IdentityKind.BSUID, bsuid),) if isinstance(bsuid, str) else ()
    phone = message.get("from")
    if isinstance(phone, str):
        try:
            return Identity(IdentityKind.PHONE, normalise_phone(phone)), alternate
        except NotAnIdentity:
            raise BadPayload(f"messages[].from {phone!r} is not a phone number") from None
    if alternate:
        return alternate[0], ()
    raise BadPayload("messages[] has neither from nor from_user_id")
