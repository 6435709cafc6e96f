"""The one inbound event type every gateway adapter produces, and its JSON form for the inbox."""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from typing import Any

from domain.identity import ChatKind, Identity


class EventKind(enum.Enum):
    TEXT = "text"
    IMAGE = "image"
    UNSUPPORTED = "unsupported"  # a video, sticker, document...: the seller is asked for photos


@dataclass(frozen=True, slots=True)
class MediaRef:
    """Where the downloader can get a photo. `locator` means what the gateway says: a path on
    the gateway (`/images/<id>.jpg`), a media id (Meta), or `inline` when the photo came in
    the webhook itself: then the intake keeps its bytes as the file `stored` in the media store
    (`inline_b64` holds them only until then, and in events stored by an older showroom).
    `failed` is set when the gateway itself reported that it could not get the file."""

    locator: str
    mimetype: str = ""
    expected_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    inline_b64: str | None = None
    failed: str | None = None
    stored: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in MediaRef.__slots__}
        if data["stored"] is None:  # the same JSON as before the field existed
            del data["stored"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaRef:
        return cls(**{name: data[name] for name in MediaRef.__slots__ if name in data})


@dataclass(frozen=True, slots=True)
class InboundEvent:
    tenant: str
    dedupe_key: str
    sender: Identity
    chat_kind: ChatKind
    kind: EventKind
    text: str = ""  # the message, or an image's caption
    media: MediaRef | None = None
    sender_name: str = ""
    sent_at: float | None = None  # seconds since the epoch, as the gateway says
    alternates: tuple[Identity, ...] = field(default=())  # other forms of the same sender
    # Sent from the dealer's own number into this private chat (`sender` is then the other
    # person of the chat): a person answering a buyer, or the bot's own send coming back.
    from_me: bool = False

    def sent_by(self, sender: Identity) -> InboundEvent:
        """The same event with `sender` as its identity (the one it came with becomes an
        alternate): a hidden id resolved to the phone number it stands for."""
        if sender == self.sender:
            return self
        others = tuple(a for a in (self.sender, *self.alternates) if a != sender)
        return dataclasses.replace(self, sender=sender, alternates=tuple(dict.fromkeys(others)))

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "tenant": self.tenant,
            "dedupe_key": self.dedupe_key,
            "sender": str(self.sender),
            "chat_kind": self.chat_kind.value,
            "kind": self.kind.value,
            "text": self.text,
            "sender_name": self.sender_name,
            "sent_at": self.sent_at,
            "alternates": [str(a) for a in self.alternates],
        }
        if self.from_me:
            data["from_me"] = True
        if self.media is not None:
            data["media"] = self.media.to_json()
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> InboundEvent:
        data = json.loads(text)
        media = data.get("media")
        return cls(
            tenant=data["tenant"],
            dedupe_key=data["dedupe_key"],
            sender=Identity.parse(data["sender"]),
            chat_kind=ChatKind(data["chat_kind"]),
            kind=EventKind(data["kind"]),
            text=data["text"],
            media=MediaRef.from_json(media) if media else None,
            sender_name=data.get("sender_name", ""),
            sent_at=data.get("sent_at"),
            alternates=tuple(Identity.parse(a) for a in data.get("alternates", ())),
            from_me=bool(data.get("from_me", False)),
        )
