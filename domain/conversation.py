"""The seller conversation as a pure state machine: (state, input) -> (new state, effects).

No trio and no database here. The session actor runs `step` for each input (a message from the
seller, or a downloader's report about a photo) and commits the new state together with the
effects that must be atomic with it (replies, publishing) in one transaction.

    idle --/upload (complete)--> collecting --selesai/skip--> preview --ya--> idle (published)
                                      ^  |                       |  \\--correction--> preview
                                      |  \\--batal, /cancel------+----> idle (cancelled)
    a new /upload at any step cancels the current one first.

The state is typed (`domain.session_state`): the stage, and the data of the upload in progress
(the parsed draft, the upload number (downloads belong to it, so a cancelled upload's late
results are recognised and dropped), the photos with their download status, and when the
upload expires). A turn never changes the state it is given; it returns a new one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from domain import buyer
from domain.admin_commands import AdminCommand, parse_admin
from domain.buyer import Alert, AskModel, BuyerContext, LeadNote, Say
from domain.copywriter import describe
from domain.events import EventKind, InboundEvent, MediaRef
from domain.formatting import car_name, kilometres, rupiah
from domain.listing import parse_listing, parse_mileage, parse_price
from domain.photos import StoredPhoto
from domain.replies import ReplyImage
from domain.session_state import PhotoSlot, PhotoStatus, SessionData, SessionState, Stage
from domain.texts import field_name, listing_lines, text

MAX_PHOTOS = 10
SESSION_TTL_S = 24 * 3600.0
WAIT_NOTICE_AFTER_S = 2.5  # `selesai` while photos download: say "wait" only if it takes long

IDLE, COLLECTING, PREVIEW, ADDING = Stage.IDLE, Stage.COLLECTING, Stage.PREVIEW, Stage.ADDING


@dataclass(frozen=True, slots=True)
class Context:
    """What a turn needs to know besides the state."""

    language: str = "id"
    showroom: str = "Showroom"
    now: float = 0.0  # seconds since the epoch
    session_ttl_s: float = SESSION_TTL_S
    may_sell: bool = True  # a registered seller or admin (or the tenant is open to all)
    catalog_url: str = ""
    # A sales-text writer besides the templates is configured: the machine asks for a text
    # (WriteCopy) and the session runs the turn again with the answer in `descriptions`.
    is_admin: bool = False
    copywriter: bool = False
    descriptions: Mapping[str, str] = field(default_factory=dict)
    # Someone who may not sell is a buyer (domain.buyer): the question read and the stock's
    # facts the session looked up for it (None: the buyer conversation runs without facts).
    buyer: BuyerContext | None = None


# -- inputs besides the seller's messages -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoStored:
    upload: int
    key: str
    photo: StoredPhoto


@dataclass(frozen=True, slots=True)
class PhotoFailed:
    upload: int
    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class StillWaiting:
    """A reminder the session set itself when `selesai` had to wait for downloads."""

    upload: int


Input = InboundEvent | PhotoStored | PhotoFailed | StillWaiting


# -- effects ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    text: str


@dataclass(frozen=True, slots=True)
class Fetch:
    """Download a photo for an upload (the downloader reports PhotoStored or PhotoFailed)."""

    upload: int
    key: str
    media: MediaRef


@dataclass(frozen=True, slots=True)
class CancelUpload:
    """Stop the upload's downloads and remove its files that nothing else uses."""

    upload: int
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Publish:
    """Create the listing (code, slug, photos, description) in the turn's transaction; the
    reply `published_text` gets the code and link filled in there."""

    draft: dict[str, Any]
    photos: tuple[StoredPhoto, ...]
    description: str
    original_text: str
    published_text: str  # with {code} and {link} left to fill


@dataclass(frozen=True, slots=True)
class ListingCommand:
    """A seller's command on a published car (`list`, `status`, `price`, `delete`): the
    session runs it against the database, then answers with `listing_command_reply`."""

    action: str
    code: str | None
    value: Any


@dataclass(frozen=True, slots=True)
class AdminAction:
    """An admin command for the admin service (which checks `allowed` and audits it)."""

    command: AdminCommand
    allowed: bool


@dataclass(frozen=True, slots=True)
class WriteCopy:
    """Ask the configured writer for a sales text for this draft (see Context.copywriter)."""

    key: str
    draft: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RemindLater:
    """Deliver `message` to this session after `delay_s` (a reminder to itself)."""

    delay_s: float
    message: StillWaiting


@dataclass(frozen=True, slots=True)
class AddPhotos:
    """Add photos to a published car of this seller, in the turn's transaction (as many as
    fit under the 10-photo limit); `added_text` gets the number added filled in there."""

    code: str
    photos: tuple[StoredPhoto, ...]
    added_text: str  # with {count} left to fill
    not_found_text: str


Effect = (
    Reply
    | Fetch
    | CancelUpload
    | Publish
    | ListingCommand
    | AddPhotos
    | RemindLater
    | WriteCopy
    | AdminAction
    | ReplyImage  # the buyer conversation's effects: a car's photo,
    | Alert  # a text to the people who sell,
    | LeadNote  # the lead's update,
    | AskModel  # a language model's answer to a free-form question (the turn runs again)
)


# -- the machine --------------------------------------------------------------------------

_WORDS = {
    "done": {"selesai", "done", "sudah", "udah", "beres", "finish", "finished", "cukup"},
    "skip": {"skip", "lewati", "lanjut"},
    "yes": {"ya", "yes", "y", "iya", "ok", "oke", "okay", "setuju", "tayang", "lanjutkan"},
    "no": {"tidak", "no", "n", "gak", "nggak", "ga", "enggak", "jangan"},
    "cancel": {"batal", "/cancel", "/batal", "cancel", "batalkan"},
    "help": {"/help", "/bantuan", "help", "bantuan", "menu", "/start"},
}


_LISTING_COMMANDS = {
    "/list": "list", "/daftar": "list", "/mobil": "list", "/status": "status", "/sold": "sold",
    "/terjual": "sold", "/laku": "sold", "/harga": "price", "/price": "price", "/hapus": "delete",
    "/delete": "delete", "/foto": "photos", "/photo": "photos", "/photos": "photos",
}  # fmt: skip
_STATUS_WORDS = {
    "sold": "sold", "terjual": "sold", "laku": "sold", "booking": "booking", "booked": "booking",
    "dipesan": "booking", "dp": "booking", "available": "available", "tersedia": "available",
    "ready": "available", "ada": "available",
}  # fmt: skip


def _code(message: str) -> str | None:
    """`#H07`, `#h07` or `H07` in a command -> `H07`."""
    found = re.search(r"#?\b([a-zA-Z]\d{2,4})\b", message.split(maxsplit=1)[-1])
    return found.group(1).upper() if found and " " in message else None


def _status_word(text_: str) -> str | None:
    return _STATUS_WORDS.get(_word(text_.split()[0])) if text_.split() else None


def listing_command_reply(command: ListingCommand, result: Any, language: str) -> str:
    """The answer to a seller's listing command, from what the database said."""
    if command.action == "list":
        if not result:
            return text(language, "my_listings_none")
        return text(language, "my_listings", lines=listing_lines(result, language))
    if result is None:
        return text(language, "listing_not_found", code=command.code)
    if command.action == "status":
        return text(
            language,
            "listing_status_set",
            code=command.code,
            status=text(language, f"status_{command.value}"),
        )
    if command.action == "price":
        return text(language, "listing_price_set", code=command.code, price=rupiah(command.value))
    return text(language, "listing_deleted", code=command.code)


def _word(text_: str) -> str:
    """A one-word command, tolerant of case, spaces and punctuation: 'Selesai!' -> 'selesai'."""
    return re.sub(r"[^\w/]+", "", text_.strip().lower())


def _is(text_: str, kind: str) -> bool:
    return _word(text_) in _WORDS[kind]


def step(
    state: SessionState, received: Input, context: Context
) -> tuple[SessionState, list[Effect]]:
    turn = _Turn(state, context)
    turn.run(received)
    return turn.result()


class _Turn:
    def __init__(self, state: SessionState, context: Context) -> None:
        self.stage = state.stage
        self.data = state.data
        self.context = context
        self.effects: list[Effect] = []

    def result(self) -> tuple[SessionState, list[Effect]]:
        if self.stage == IDLE:  # nothing of a finished upload is kept
            self.data = SessionData(
                upload=self.data.upload,
                confirm_delete=self.data.confirm_delete,
                told_at=self.data.told_at,
                buyer=self.data.buyer,
            )
        else:
            self.data = replace(self.data, expires_at=self.context.now + self.context.session_ttl_s)
        return SessionState(self.stage, self.data), self.effects

    def say(self, key: str, **values: Any) -> None:
        self.effects.append(Reply(text(self.context.language, key, **values)))

    def change(self, **values: Any) -> None:
        self.data = replace(self.data, **values)

    # -- dispatch -------------------------------------------------------------------------

    def run(self, received: Input) -> None:
        if isinstance(received, PhotoStored | PhotoFailed):
            self.photo_result(received)
            return
        if isinstance(received, StillWaiting):
            # Only now, if the photos are still not all in, is the seller told to wait.
            if received.upload == self.data.upload and self.data.finishing:
                self.say("waiting_photos", count=len(self.data.pending()))
            return
        admin = parse_admin(received.text) if received.kind is EventKind.TEXT else None
        if admin is not None:  # allowed or not, the admin service answers (and audits it)
            self.effects.append(AdminAction(admin, allowed=self.context.is_admin))
            return
        if not self.context.may_sell:
            self.stranger(received)
            return
        expires_at = self.data.expires_at
        if self.stage != IDLE and expires_at is not None and self.context.now > expires_at:
            self.cancel(announce=False)
            self.say("expired")
        message = received.text.strip()
        confirming = received.kind is EventKind.TEXT and self.data.confirm_delete
        if confirming and self.confirm_delete(message):
            return
        command = message.split(maxsplit=1)[0].lower() if message else ""
        if received.kind is EventKind.TEXT and command in _LISTING_COMMANDS:
            self.listing_command(command, message)
        elif received.kind is EventKind.TEXT and message.lower().startswith("/upload"):
            self.upload(message)
        elif received.kind is EventKind.TEXT and _is(message, "cancel"):
            self.cancel(announce=True)
        elif received.kind is EventKind.TEXT and _is(message, "help"):
            self.say("help", showroom=self.context.showroom)
        elif self.stage in (COLLECTING, ADDING):
            self.collecting(received)
        elif self.stage == PREVIEW:
            self.preview_input(received)
        elif received.kind is EventKind.IMAGE:
            self.say("photos_need_upload")
        elif received.kind is EventKind.UNSUPPORTED:
            self.say("unsupported")
        elif answer := self.stock_question(received):
            self.effects.extend(answer)  # a seller asks about a car or the stock
        else:
            self.say("help", showroom=self.context.showroom)

    def stranger(self, received: InboundEvent) -> None:
        """Not a seller: a buyer. The buyer conversation answers (domain.buyer)."""
        self.stage = IDLE
        context = self.context.buyer or BuyerContext(
            buyer.BuyerSettings(
                self.context.language, self.context.showroom, self.context.catalog_url
            )
        )
        state, effects = buyer.step(self.data.buyer, received, context, self.context.now)
        self.change(buyer=state)
        self.effects.extend(Reply(e.text) if isinstance(e, Say) else e for e in effects)

    def stock_question(self, received: InboundEvent) -> list[Effect]:
        """A seller's question about a code, a link or the stock outside an upload gets the
        buyer's answer (no lead, no alert); [] when it is no such question."""
        if self.context.buyer is None or received.kind is not EventKind.TEXT:
            return []
        answer = buyer.seller_answer(received, self.context.buyer, self.context.now)
        return [Reply(e.text) if isinstance(e, Say) else e for e in answer]

    # -- seller commands on published cars ------------------------------------------------

    def listing_command(self, command: str, message: str) -> None:
        name = _LISTING_COMMANDS[command]
        if name == "list":
            status = _status_word(message.split(maxsplit=1)[1]) if " " in message else None
            self.effects.append(ListingCommand("list", None, status))
            return
        code = _code(message)
        if code is None:
            self.say("usage_code", command=command.lstrip("/"))
        elif name == "status":
            rest = re.sub(r"#?\b[a-zA-Z]\d{2,4}\b", " ", message.split(maxsplit=1)[-1])
            status = _status_word(rest)
            if status is None:
                self.say("usage_status")
            else:
                self.effects.append(ListingCommand("status", code, status))
        elif name == "sold":
            self.effects.append(ListingCommand("status", code, "sold"))
        elif name == "price":
            price = parse_price(re.sub(r"#\w+", " ", message.split(maxsplit=1)[-1]))
            if price is None:
                self.say("usage_price")
            else:
                self.effects.append(ListingCommand("price", code, price))
        elif name == "delete":
            self.change(confirm_delete=code)
            self.say("confirm_delete", code=code)
        elif name == "photos":
            if self.stage != IDLE:
                self.cancel(announce=False)
                self.say("upload_replaced")
            self.stage = ADDING
            self.data = SessionData(upload=self.data.upload + 1, adding_to=code)
            self.say("send_photos_for", code=code)

    def confirm_delete(self, message: str) -> bool:
        """Handle the answer to "remove #CODE?"; False when the message is something else."""
        code = self.data.confirm_delete
        self.change(confirm_delete=None)
        if _is(message, "yes"):
            self.effects.append(ListingCommand("delete", code, None))
            return True
        if _is(message, "no") or _is(message, "cancel"):
            self.say("delete_kept", code=code)
            return True
        return False

    # -- steps ----------------------------------------------------------------------------

    def upload(self, message: str) -> None:
        draft = parse_listing(message)
        if draft.missing:
            names = ", ".join(field_name(self.context.language, m) for m in draft.missing)
            self.say("upload_missing", missing=names)
            return  # a running upload goes on: the new one was not started
        if self.stage != IDLE:
            self.cancel(announce=False)
            self.say("upload_replaced")
        self.stage = COLLECTING
        facts = draft.to_dict()
        facts.pop("missing", None)
        self.data = SessionData(upload=self.data.upload + 1, draft=facts, original_text=message)
        self.say("upload_understood", summary=self.summary())

    def collecting(self, received: InboundEvent) -> None:
        if received.kind is EventKind.IMAGE:
            self.photo(received)
        elif received.kind is EventKind.UNSUPPORTED:
            self.say("unsupported")
        elif _is(received.text, "done") or _is(received.text, "skip"):
            self.finish(skip=_is(received.text, "skip"))
        else:
            self.say("collecting_hint")

    def photo(self, received: InboundEvent) -> None:
        if self.data.slot(received.dedupe_key) is not None:
            return  # the same delivery again
        taken = [p for p in self.data.photos if p.status is not PhotoStatus.FAILED]
        if len(taken) >= MAX_PHOTOS:
            if not self.data.refused_extra:
                self.change(refused_extra=True)
                self.say("photo_limit")
            return
        media = received.media
        if media is None or media.failed:
            self.data = self.data.with_slot(PhotoSlot(received.dedupe_key, PhotoStatus.FAILED))
            self.say("photo_failed")
            return
        # the reference is kept: after a restart the session fetches what is still pending
        self.data = self.data.with_slot(
            PhotoSlot(received.dedupe_key, PhotoStatus.PENDING, media=media)
        )
        self.effects.append(Fetch(self.data.upload, received.dedupe_key, media))
        if not self.data.acknowledged:
            self.change(acknowledged=True)
            self.say("photo_first")

    def photo_result(self, result: PhotoStored | PhotoFailed) -> None:
        if self.stage not in (COLLECTING, ADDING) or result.upload != self.data.upload:
            if isinstance(result, PhotoStored):  # a cancelled upload's late photo
                self.effects.append(CancelUpload(result.upload, result.photo.files.names()))
            return
        slot = self.data.slot(result.key)
        if slot is None or slot.status is not PhotoStatus.PENDING:
            return
        if isinstance(result, PhotoFailed):
            slot = PhotoSlot(slot.key, PhotoStatus.FAILED)
            self.say("photo_failed")
        elif any(p.content_hash == result.photo.content_hash for p in self.data.stored()):
            slot = PhotoSlot(slot.key, PhotoStatus.DUPLICATE)  # the same picture twice: once
        else:
            slot = PhotoSlot(slot.key, PhotoStatus.STORED, stored=result.photo)
        self.data = self.data.with_slot(slot)
        if self.data.finishing and not self.data.pending():
            self.complete()

    def finish(self, *, skip: bool) -> None:
        if self.data.pending():
            self.change(finishing=True)
            self.effects.append(RemindLater(WAIT_NOTICE_AFTER_S, StillWaiting(self.data.upload)))
            return
        if not self.data.stored() and not skip:
            self.say("no_photos")
            return
        self.complete()

    def complete(self) -> None:
        """Every photo is in: preview a new listing, or add the photos to a published one."""
        if self.stage == COLLECTING:
            self.show_preview()
            return
        code = self.data.adding_to or ""
        if self.data.stored():
            self.effects.append(
                AddPhotos(
                    code,
                    self.data.stored(),
                    text(self.context.language, "photos_added", count="{count}", code=code),
                    text(self.context.language, "listing_not_found", code=code),
                )
            )
        self.stage = IDLE

    def show_preview(self) -> None:
        self.stage = PREVIEW
        key = copy_key(self.data.draft, self.context.language)
        written = self.context.descriptions.get(key)
        if written is None and self.context.copywriter:
            self.effects.append(WriteCopy(key, dict(self.data.draft)))
        self.change(
            finishing=False,
            description=written or describe(self.data.draft, self.context.language),
        )
        self.say(
            "preview",
            summary=self.summary(),
            photos=len(self.data.stored()),
            description=self.data.description,
        )

    def preview_input(self, received: InboundEvent) -> None:
        message = received.text
        if received.kind is EventKind.IMAGE:
            # A photo after `selesai` (gateways do not keep the order): take it, and show the
            # preview again once it is in.
            self.stage = COLLECTING
            self.change(finishing=True)
            self.photo(received)
            if not self.data.pending():
                self.complete()
            return
        if received.kind is EventKind.TEXT and _is(message, "yes"):
            self.effects.append(
                Publish(
                    self.data.draft,
                    self.data.stored(),
                    self.data.description,
                    self.data.original_text,
                    text(self.context.language, "published", code="{code}", link="{link}"),
                )
            )
            self.stage = IDLE
        elif received.kind is EventKind.TEXT and _is(message, "no"):
            self.cancel(announce=True)
        else:  # a correction, or something else: either way, show where we are
            if received.kind is EventKind.TEXT:
                self.correct(message)
            self.show_preview()

    def correct(self, message: str) -> bool:
        """`harga 140jt`, `km 120rb`, `tahun 2014`, `matic`: update what the text states."""
        draft, changed = dict(self.data.draft), False
        lowered = message.lower()
        if re.search(r"\b(harga|hrg|price|rp)\b|\d\s*(jt|juta|m|miliar)\b", lowered):
            price = parse_price(message)
            if price is not None:
                draft["price_idr"], changed = price, True
        if re.search(r"\b(km|odometer|kilometer)\b", lowered):
            mileage = parse_mileage(message)
            if mileage is not None:
                draft["mileage_km"], changed = mileage, True
        restated = parse_listing(message)
        for key in ("transmission", "color", "fuel"):
            if getattr(restated, key) is not None:
                draft[key], changed = getattr(restated, key), True
        if restated.year is not None and re.search(r"\b(tahun|thn|th)\b", lowered):
            draft["year"], changed = restated.year, True
        self.change(draft=draft)
        return changed

    def cancel(self, *, announce: bool) -> None:
        if self.stage == IDLE:
            if announce:
                self.say("nothing_to_cancel")
            return
        self.effects.append(CancelUpload(self.data.upload, self.data.files()))
        self.stage = IDLE
        self.data = SessionData(upload=self.data.upload)
        if announce:
            self.say("cancelled")

    # -- helpers --------------------------------------------------------------------------

    def summary(self) -> str:
        draft, language = self.data.draft, self.context.language
        lines = [f"*{car_name(draft)}* {draft.get('year') or ''}".rstrip()]
        if draft.get("price_idr"):
            lines.append(
                f"{field_name(language, 'price_idr').capitalize()}: {rupiah(draft['price_idr'])}"
            )
        if draft.get("mileage_km"):
            lines.append(
                f"{field_name(language, 'mileage_km').capitalize()}: "
                f"{kilometres(draft['mileage_km'])}"
            )
        if draft.get("transmission"):
            lines.append(
                f"{field_name(language, 'transmission').capitalize()}: {draft['transmission']}"
            )
        return "\n".join(lines)


def copy_key(draft: dict[str, Any], language: str) -> str:
    """Which draft a written sales text belongs to (a correction makes a new one)."""
    return language + ":" + json.dumps(draft, sort_keys=True, ensure_ascii=False)


def pending_fetches(state: SessionState) -> list[Fetch]:
    """The downloads a restored session must start again (they died with the last process)."""
    if state.stage not in (COLLECTING, ADDING):
        return []
    return [
        Fetch(state.data.upload, p.key, p.media)
        for p in state.data.pending()
        if p.media is not None
    ]
