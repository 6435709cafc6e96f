"""What the actors and the web need of a WhatsApp gateway, whichever it is (the gateways floor
implements it): build a send and read its result, build a media fetch and read its answer, say
which hosts may be asked, and answer the webhook's handshake."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from domain.events import MediaRef
from domain.identity import Identity

if TYPE_CHECKING:  # the domain does no I/O: httpx only names the request types
    import httpx


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    retryable: bool = False
    reason: str = ""
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class PhotoToSend:
    """A stored photo on its way to a chat: where the gateway can fetch it, and (for gateways
    that take the file itself) its bytes."""

    filename: str
    url: str  # showroom's address of the photo (`<media url>/media/<tenant>/<name>`)
    mimetype: str = "image/jpeg"
    data: bytes = b""  # the file; empty when the gateway fetches `url` itself


class GatewayPort(Protocol):
    kind: str
    # The gateway shows "typing..." before a send by itself (so the outbox does not wait).
    shows_typing_itself: bool
    # The gateway sends a photo by fetching showroom's URL of it (else it is given the bytes).
    takes_image_url: bool

    def send_request(self, to: Identity, text: str) -> httpx.Request:
        """The request that sends `text` to `to` (raises Unreachable: the gateway cannot
        address that identity)."""
        ...

    def image_request(self, to: Identity, photo: PhotoToSend, caption: str) -> httpx.Request:
        """The request that sends the photo with its caption (raises Unreachable)."""
        ...

    def send_result(self, response: httpx.Response) -> SendResult: ...

    def media_request(self, media: MediaRef) -> httpx.Request | None: ...

    def media_followup(self, answer: bytes) -> httpx.Request | None:
        """A second request the first answer points at (Meta's short-lived URL), or None."""

    def may_fetch(self, url: httpx.URL) -> bool: ...

    def media_bytes(self, answer: bytes) -> bytes:
        """The photo in the answer to the media request (raises BadMediaAnswer)."""
        ...

    def local_file(self, folder: Path, media: MediaRef) -> Path | None:
        """Where the gateway writes this photo in its own folder, or None."""
        ...

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The text that answers a GET on the webhook, or None: not a valid handshake."""
        ...


def typing_delay_s(text: str) -> float:
    """How long a person would type this reply: 0.8 s + 30 ms a character, 1.5 s to 6 s."""
    return min(max(0.8 + 0.03 * len(text), 1.5), 6.0)
