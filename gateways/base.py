"""What every gateway adapter offers, and the helpers they share.

An adapter is pure where it can be: it checks a webhook's signature, parses the body into
InboundEvents, builds the HTTP request for a send or a media fetch, and reads the gateway's
answer. The actors do the I/O with one shared httpx client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx

from domain.errors import Unreachable
from domain.events import InboundEvent, MediaRef
from domain.identity import (
    ChatKind,
    Identity,
    IdentityKind,
    NotAnIdentity,
    chat_kind,
    parse_address,
)
from domain.ports import PhotoToSend, SendResult
from gateways.errors import BadPayload, GatewayConfigError
from gateways.json_body import parse_json
from gateways.secret_strength import HOW_TO, secret_weakness

GATEWAY_AUTH = "gateway"  # webhook_auth: the gateway's own signature, header or path token
PATH_AUTH = "path"  # webhook_auth: the secret in the webhook URL, for gateways that cannot sign


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    kind: str
    base_url: str = "http://127.0.0.1:8080"
    webhook_secret: str = ""  # HMAC key, path token or static header value, by gateway
    api_key: str = ""  # X-Api-Key, apikey, bearer token or "user:password", by gateway
    session: str = ""  # WAHA session, Evolution instance, Meta phone number id
    verify_token: str = ""  # Meta's subscription handshake
    webhook_header: str = "x-webhook-token"  # Evolution: the static header holding the secret
    # "gateway": its own proof (signature, header, or the path token of WhatsApp Web API);
    # "path": the secret in the webhook's URL, for a gateway that cannot sign.
    webhook_auth: str = "gateway"
    api_version: str = "v21.0"  # Meta Graph API


class Adapter:
    kind: ClassVar[str]
    # How the gateway itself proves a webhook is its own: "hmac", "path-token" or "header".
    signed_by: ClassVar[str]
    max_body_bytes: ClassVar[int] = 1_000_000
    # The gateway shows "typing..." before a send by itself (so the outbox does not wait).
    shows_typing_itself: ClassVar[bool] = False
    # A GET on the webhook is the gateway's subscription handshake (Meta); others only POST.
    answers_handshake: ClassVar[bool] = False
    # The gateway sends a photo by fetching showroom's URL of it; else it is sent the bytes
    # (preferred: the gateway then need not reach showroom).
    takes_image_url: ClassVar[bool] = False

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")

    def check_config(self) -> None:
        """Refuse settings that cannot be safe (raises GatewayConfigError)."""
        if self.config.webhook_auth not in (GATEWAY_AUTH, PATH_AUTH):
            raise GatewayConfigError(
                f"{self.kind}: webhook_auth is {self.config.webhook_auth!r}; "
                f"allowed: {GATEWAY_AUTH}, {PATH_AUTH}"
            )
        if self.config.webhook_auth == PATH_AUTH and self.answers_handshake:
            raise GatewayConfigError(
                f"{self.kind} signs its webhooks: webhook_auth must be gateway"
            )
        weakness = secret_weakness(self.config.webhook_secret)
        if weakness is not None:
            raise GatewayConfigError(
                f"{self.kind}: webhook_secret {weakness}; use a long random value ({HOW_TO})"
            )

    # -- inbound -------------------------------------------------------------------------

    def accepts(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        """Whether a webhook proves it comes from the gateway: by the gateway's own means, or,
        with `webhook_auth = "path"` (a gateway that cannot sign, such as WAHA Core before
        2026.6), by the secret in its URL (`/webhook/<tenant>/<secret>`)."""
        if self.config.webhook_auth == PATH_AUTH:
            return same_secret(path_token, self.config.webhook_secret)
        return self.verify(headers, body, path_token)

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        """The gateway's own proof (a signature over the exact body, a header, a path token)."""
        raise NotImplementedError

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        """The events in a webhook body ([] for receipts, echoes, groups...). Raises BadPayload."""
        raise NotImplementedError

    def people_in_passing(self, body: bytes) -> tuple[tuple[Identity, ...], ...]:
        """For a webhook that made no event (a group message): the forms of each person it
        shows anyway, such as a group member's hidden id next to their phone, worth
        remembering. Each tuple is one person; () when there is nothing to learn."""
        return ()

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The text that answers a GET on the webhook (Meta's `hub.challenge`), or None when the
        request is not a valid handshake."""
        return None

    # -- outbound ------------------------------------------------------------------------

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        """Raises Unreachable when the gateway cannot address `to` (a hidden id)."""
        raise NotImplementedError

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """A stored photo with its caption, through the gateway's own media send."""
        raise NotImplementedError

    def send_result(self, response: httpx.Response) -> SendResult:
        """Success only when the gateway says so; 429 and 5xx are worth another try."""
        if response.is_success:
            return SendResult(ok=True)
        return failed_send(response)

    def media_request(self, media: MediaRef) -> httpx.Request | None:
        """The request that fetches the photo (None: the bytes came inline)."""
        raise NotImplementedError

    def health_request(self) -> httpx.Request:
        raise NotImplementedError

    def media_followup(self, answer: bytes) -> httpx.Request | None:
        """A second request the first answer points at; one step is enough for most."""
        return None

    def media_bytes(self, answer: bytes) -> bytes:
        """The photo in the gateway's answer to the media request: by default the answer is
        the file itself. Raises BadMediaAnswer when the answer holds no photo."""
        return answer

    def local_file(self, folder: Path, media: MediaRef) -> Path | None:
        """Where the gateway writes this photo in its own folder (`watch_dir`, when it runs on
        the same machine), or None: fetch it over HTTP."""
        return None

    def may_fetch(self, url: httpx.URL) -> bool:
        """Only the gateway's own origin is ever asked for media (and shown our API key):
        no other host or port, no userinfo tricks, nothing but http(s)."""
        base = httpx.URL(self.base_url)
        return (
            url.scheme == base.scheme
            and url.host == base.host
            and url.port == base.port
            and not url.userinfo
        )

    def health(self, response: httpx.Response) -> dict[str, Any]:
        """{"reachable": bool, "version": str, ...} from the health answer (by default: a JSON
        object with a top-level "version", as WAHA and Evolution answer)."""
        try:
            version = text_or_empty(response.json().get("version"))
        except (ValueError, AttributeError):
            version = ""
        return {"reachable": response.is_success, "version": version}

    # -- shared helpers ------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def load_json(body: bytes) -> dict[str, Any]:
    data = parse_json(body)  # hostile nesting, numbers and surrogates: gateways/json_body.py
    if not isinstance(data, dict):
        raise BadPayload("body is not a JSON object")
    return data


def require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise BadPayload(f"{where}{key} is missing or not {getattr(kind, '__name__', kind)}")
    return value


def hmac_hex(algorithm: str, key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, getattr(hashlib, algorithm)).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def hub_signature_valid(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (GoWA, Meta)."""
    given = headers.get("x-hub-signature-256", "")
    if not given.startswith("sha256="):
        return False
    return same_secret(given.removeprefix("sha256=").lower(), hmac_hex("sha256", secret, body))


def failed_send(response: httpx.Response) -> SendResult:
    retryable = response.status_code == 429 or response.status_code >= 500
    return SendResult(
        ok=False, retryable=retryable, reason=f"HTTP {response.status_code}: {response.text[:200]}"
    )


def text_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


def int_or_none(value: Any) -> int | None:
    """A count from a payload, given as a number or as digits in a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def iso_timestamp(value: Any) -> float | None:
    """Seconds since the epoch from an RFC 3339 time (nanoseconds allowed), or None."""
    if not isinstance(value, str):
        return None
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(trimmed).timestamp()
    except ValueError:
        return None


def direct_sender(address: str, where: str) -> Identity | None:
    """The sender of a private chat, None for groups, status posts, broadcasts and channels."""
    if chat_kind(address) is not ChatKind.DIRECT:
        return None
    try:
        return parse_address(address)
    except NotAnIdentity as exc:
        raise BadPayload(f"{where}: {exc}") from None


def other_forms(*addresses: Any) -> tuple[Identity, ...]:
    """The identities among addresses a payload gives next to the sender (a hidden id, the
    phone it stands for); missing, empty and unreadable ones are left out."""
    found = []
    for address in addresses:
        if isinstance(address, str) and address and chat_kind(address) is ChatKind.DIRECT:
            try:
                found.append(parse_address(address))
            except NotAnIdentity:
                continue
    return tuple(found)


def whatsapp_address(to: Identity, phone_server: str) -> str:
    """How a gateway that takes JIDs addresses `to`: `<digits><phone_server>` for a phone
    (bare digits when `phone_server` is empty), `<id>@lid` for a hidden linked id, which every
    such gateway accepts as it is. A business-scoped id is Meta's alone: Unreachable."""
    if to.kind is IdentityKind.PHONE:
        return f"{to.value}{phone_server}"
    if to.kind is IdentityKind.LID:
        return f"{to.value}@lid"
    raise Unreachable(f"{to} cannot be addressed through this gateway")


def one_person(*addresses: Any) -> tuple[tuple[Identity, ...], ...]:
    """`((phone, hidden id),)` when the addresses give two forms of one person, else ()."""
    forms = tuple(dict.fromkeys(other_forms(*addresses)))
    return (forms,) if len(forms) > 1 else ()
