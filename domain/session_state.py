"""A seller's conversation state, typed: the stage it is at and the data of the upload in
progress. One `to_row`/`from_row` pair turns it into the two columns it is stored in
(`conversation_session.state` and `.data`, JSON), and everything that reads a stored session
(the session actor, the media sweep, the restart of unfinished downloads) reads it through them.

The JSON keys are the ones sessions were stored with before the state was typed, so stored
sessions resume as they are; a key this version does not know is ignored, a missing one takes
its default.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, replace
from typing import Any

from domain.buyer_state import BuyerState
from domain.events import MediaRef
from domain.photos import StoredPhoto


class Stage(enum.Enum):
    """Where a seller's conversation is (its value is what the `state` column holds)."""

    # No upload in progress: commands, or the start of an upload.
    IDLE = "idle"
    # An upload is open: its photos are coming in, and its listing has been read or is being
    # completed (a field asked for alone), or has not come yet (photos sent before it).
    COLLECTING = "collecting"
    # Every photo is in: the seller checks the preview and answers ya, a correction or batal.
    PREVIEW = "preview"
    # Photos are being added to a car already published (`/foto #H07`).
    ADDING = "adding"


class PhotoStatus(enum.Enum):
    # Being downloaded: the reference is kept, so a restart fetches it again.
    PENDING = "pending"
    # Downloaded and stored in three sizes.
    STORED = "stored"
    # The gateway could not give it, or it is not a picture: the seller was asked again.
    FAILED = "failed"
    # The same picture as one already stored: kept once.
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class PhotoSlot:
    """One photo message of an upload, keyed on the message's dedupe key."""

    key: str
    status: PhotoStatus
    media: MediaRef | None = None  # while pending
    stored: StoredPhoto | None = None  # once stored

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "status": self.status.value}
        if self.media is not None:
            data["media"] = self.media.to_json()
        if self.stored is not None:
            data.update(self.stored.to_json())
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PhotoSlot:
        return cls(
            key=data["key"],
            status=PhotoStatus(data["status"]),
            media=MediaRef.from_json(data["media"]) if data.get("media") else None,
            stored=StoredPhoto.from_json(data) if "content_hash" in data else None,
        )


@dataclass(frozen=True, slots=True)
class SessionData:
    """The data that goes with the stage. Immutable: a turn makes a new one (`replace`)."""

    upload: int = 0  # the number of the latest upload: downloads and their results carry it
    # What the listing says (the parser's fields); never changed in place.
    draft: dict[str, Any] = field(default_factory=dict)
    photos: tuple[PhotoSlot, ...] = ()
    original_text: str = ""  # the seller's own words, kept with the listing
    description: str = ""  # the sales text shown in the preview
    described: str = ""  # which facts `description` was written for (domain.conversation)
    asking: str | None = None  # the field the seller was asked for alone (its answer fills it)
    confirming: str | None = None  # a doubtful value the seller was asked to confirm
    # Photos came before their listing (since then): they are kept for it for a while.
    photos_first_at: float | None = None
    adding_to: str | None = None  # ADDING: the code of the published car
    finishing: bool = False  # `selesai` came while photos were still downloading
    acknowledged: bool = False  # the first photo was answered (the rest are taken quietly)
    refused_extra: bool = False  # the seller was told about the 10-photo limit
    told_duplicate: bool = False  # the seller was told that the same photo came twice
    expires_at: float | None = None  # an unfinished upload is cancelled after this
    confirm_delete: str | None = None  # "remove #H07?" waits for ya or tidak
    told_at: float = 0.0  # when someone who may not sell was last pointed to the catalog
    helped_at: float = 0.0  # when the seller last got the full help without asking for it
    buyer: BuyerState = field(default_factory=BuyerState)  # the buyer conversation's state

    # -- what the photos say ----------------------------------------------------------

    def pending(self) -> tuple[PhotoSlot, ...]:
        return tuple(p for p in self.photos if p.status is PhotoStatus.PENDING)

    def stored(self) -> tuple[StoredPhoto, ...]:
        return tuple(p.stored for p in self.photos if p.stored is not None)

    def files(self) -> tuple[str, ...]:
        """Every photo file this session holds (kept from the media sweep until published)."""
        return tuple(name for photo in self.stored() for name in photo.files.names())

    def slot(self, key: str) -> PhotoSlot | None:
        return next((p for p in self.photos if p.key == key), None)

    def with_slot(self, slot: PhotoSlot) -> SessionData:
        """This data with the photo of the same key replaced, or added at the end."""
        if self.slot(slot.key) is None:
            return replace(self, photos=(*self.photos, slot))
        return replace(self, photos=tuple(slot if p.key == slot.key else p for p in self.photos))

    # -- the stored form ----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"upload": self.upload}
        if self.draft:
            data["draft"] = self.draft
        if self.photos:
            data["photos"] = [p.to_json() for p in self.photos]
        for name in _TEXTS:
            if getattr(self, name):
                data[name] = getattr(self, name)
        for name in _FLAGS:
            if getattr(self, name):
                data[name] = True
        for name in _TIMES:
            if getattr(self, name):
                data[name] = getattr(self, name)
        if not self.buyer.empty:
            data["buyer"] = self.buyer.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionData:
        return cls(
            upload=int(data.get("upload", 0)),
            draft=dict(data.get("draft") or {}),
            photos=tuple(PhotoSlot.from_json(p) for p in data.get("photos") or ()),
            **{name: data.get(name, "") for name in ("original_text", "description", "described")},
            **{name: data.get(name) for name in ("adding_to", "confirm_delete")},
            **{name: data.get(name) for name in ("asking", "confirming")},
            **{name: bool(data.get(name)) for name in _FLAGS},
            expires_at=data.get("expires_at"),
            photos_first_at=data.get("photos_first_at"),
            told_at=float(data.get("told_at", 0.0)),
            helped_at=float(data.get("helped_at", 0.0)),
            buyer=BuyerState.from_json(data.get("buyer")),
        )


# The stored form leaves out what is empty, false or unset.
_TEXTS = (
    "original_text",
    "description",
    "described",
    "adding_to",
    "confirm_delete",
    "asking",
    "confirming",
)
_FLAGS = ("finishing", "acknowledged", "refused_extra", "told_duplicate")
_TIMES = ("expires_at", "photos_first_at", "told_at", "helped_at")


@dataclass(frozen=True, slots=True)
class SessionState:
    stage: Stage = Stage.IDLE
    data: SessionData = field(default_factory=SessionData)

    @property
    def waiting_on_photos(self) -> bool:
        """An upload waits for downloads: after a restart nothing but us would wake it."""
        return self.stage in (Stage.COLLECTING, Stage.ADDING) and bool(self.data.pending())

    def to_row(self) -> tuple[str, str]:
        """(state, data JSON): the columns the session is stored in."""
        return self.stage.value, json.dumps(self.data.to_json(), ensure_ascii=False)

    @classmethod
    def from_row(cls, stage: str, data: str) -> SessionState:
        """Raises ValueError when the row cannot be read (the caller decides what then)."""
        try:
            return cls(Stage(stage), SessionData.from_json(json.loads(data)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"unreadable session data: {exc!r}") from exc
