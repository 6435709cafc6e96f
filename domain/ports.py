"""What the actors need of a WhatsApp gateway, whichever it is (the gateways floor implements
it): build a send and read its result, build a media fetch, and say which hosts may be asked."""

from __future__ import annotations

from dataclasses import dataclass
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


class GatewayPort(Protocol):
    kind: str
    # The gateway shows "typing..." before a send by itself (so the outbox does not wait).
    shows_typing_itself: bool

    def send_request(self, to: Identity, text: str) -> httpx.Request: ...

    def send_result(self, response: httpx.Response) -> SendResult: ...

    def media_request(self, media: MediaRef) -> httpx.Request | None: ...

    def media_followup(self, answer: bytes) -> httpx.Request | None:
        """A second request the first answer points at (Meta's short-lived URL), or None."""

    def may_fetch(self, url: httpx.URL) -> bool: ...


def typing_delay_s(text: str) -> float:
    """How long a person would type this reply: 0.8 s + 30 ms a character, 1.5 s to 6 s."""
    return min(max(0.8 + 0.03 * len(text), 1.5), 6.0)
