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
from typing import Any, ClassVar

import httpx

from domain.events import InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, NotAnIdentity, chat_kind, parse_address
from domain.ports import SendResult
from gateways.errors import BadPayload, GatewayConfigError
from gateways.json_body import parse_json
from gateways.secret_strength import HOW_TO, secret_weakness


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    kind: str
    base_url: str = "http://127.0.0.1:8080"
    webhook_secret: str = ""  # HMAC key, path token or static header value, by gateway
    api_key: str = ""  # X-Api-Key, apikey, bearer token or "user:password", by gateway
    session: str = ""  # WAHA session, Evolution instance, Meta phone number id
    verify_token: str = ""  # Meta's subscription handshake
    webhook_header: str = "x-webhook-token"  # Evolution: the static header holding the secret
    api_version: str = "v21.0"  # Meta Graph API


class Adapter:
    kind: ClassVar[str]
    # How the webhook proves it comes from the gateway: "hmac", "path-token" or "header".
    webhook_auth: ClassVar[str]
    max_body_bytes: ClassVar[int] = 1_000_000
    # The gateway shows "typing..." before a send by itself (so the outbox does not wait).
    shows_typing_itself: ClassVar[bool] = False

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")

    def check_config(self) -> None:
        """Refuse settings that cannot be safe (raises GatewayConfigError)."""
        weakness = secret_weakness(self.config.webhook_secret)
        if weakness is not None:
            raise GatewayConfigError(
                f"{self.kind}: webhook_secret {weakness}; use a long random value ({HOW_TO})"
            )

    # -- inbound -------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes, path_token: str | None) -> bool:
        raise NotImplementedError

    def parse(self, tenant: str, body: bytes) -> list[InboundEvent]:
        """The events in a webhook body ([] for receipts, echoes, groups...). Raises BadPayload."""
        raise NotImplementedError

    # -- outbound ------------------------------------------------------------------------

    def send_request(self, to: Identity, text: str) -> httpx.Request:
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
