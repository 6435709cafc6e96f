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
from domain.buyer import Alert, AnswerLater, AskModel, BuyerContext, LeadNote, Say
from domain.completion import Question, next_question, read_into, still_doubtful
from domain.copywriter import describe
from domain.events import EventKind, InboundEvent, MediaRef
from domain.formatting import car_name, kilometres, rupiah
from domain.listing import Doubt, looks_like_listing, parse_listing, read_answer
from domain.photo_failures import text_key
from domain.photos import StoredPhoto
from domain.replies import ReplyImage
from domain.session_state import PhotoSlot, PhotoStatus, SessionData, SessionState, Stage
from domain.texts import field_name, listing_lines, text, value_name
from domain.words import (
    changed_mind,
    is_done,
    is_help,
    is_later,
    is_question,
    is_short,
    is_skip,
    words_of,
    yes_or_no,
)

MAX_PHOTOS = 10
SESSION_TTL_S = 24 * 3600.0
WAIT_NOTICE_AFTER_S = 2.5  # `selesai` while photos download: say "wait" only if it takes long
PHOTOS_FIRST_KEPT_S = 15 * 60.0  # photos sent before their listing wait this long for it
FULL_HELP_EVERY_S = 3600.0  # the full help, unasked, at most this often

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
    | AnswerLater  # and a message the flood limit held back, answered when it lifts
)


# -- the machine --------------------------------------------------------------------------

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
_UPLOAD = re.compile(r"^\s*/(upload|unggah|jual)\b", re.IGNORECASE)


def _code(message: str) -> str | None:
    """`#H07`, `#h07` or `H07` in a command -> `H07`."""
    found = re.search(r"#?\b([a-zA-Z]\d{2,4})\b", message.split(maxsplit=1)[-1])
    return found.group(1).upper() if found and " " in message else None


def _status_word(text_: str) -> str | None:
    words = words_of(text_)
    return _STATUS_WORDS.get(words[0]) if words else None


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
                helped_at=self.data.helped_at,
                buyer=self.data.buyer,
            )
        elif self.waiting_for_listing() and self.data.photos_first_at is not None:
            # photos sent before their listing wait a while only
            self.change(expires_at=self.data.photos_first_at + PHOTOS_FIRST_KEPT_S)
        else:
            self.change(expires_at=self.context.now + self.context.session_ttl_s)
        return SessionState(self.stage, self.data), self.effects

    def say(self, key: str, **values: Any) -> None:
        self.effects.append(Reply(text(self.context.language, key, **values)))

    def change(self, **values: Any) -> None:
        self.data = replace(self.data, **values)

    def waiting_for_listing(self) -> bool:
        """Photos came, their listing not yet."""
        return self.stage == COLLECTING and not self.data.draft

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
        first_word = received.text.split(maxsplit=1)[0].lower() if received.text else ""
        if admin is not None and not self.context.is_admin and first_word in _LISTING_COMMANDS:
            admin = None  # `/mobil` is a seller's own list too
        if admin is not None:  # allowed or not, the admin service answers (and audits it)
            self.effects.append(AdminAction(admin, allowed=self.context.is_admin))
            return
        if not self.context.may_sell:
            self.stranger(received)
            return
        self.expire()
        message = received.text.strip()
        is_text = received.kind is EventKind.TEXT
        if is_text and self.data.confirm_delete and self.confirm_delete(message):
            return
        command = message.split(maxsplit=1)[0].lower() if message else ""
        if is_text and command in _LISTING_COMMANDS:
            self.listing_command(command, message)
        elif _UPLOAD.match(message) and received.kind is EventKind.IMAGE:
            self.upload_with_photo(received)
        elif _UPLOAD.match(message):
            self.upload(message)
        elif is_text and changed_mind(message):
            self.cancel(announce=True)
        elif is_text and is_help(message):
            self.help()
        elif self.stage in (COLLECTING, ADDING):
            self.collecting(received)
        elif self.stage == PREVIEW:
            self.preview_input(received)
        else:
            self.idle_input(received)

    def expire(self) -> None:
        """An upload left alone too long is cancelled; the seller is told when they next
        write (photos that waited for a listing that never came go without a word)."""
        expires_at = self.data.expires_at
        if self.stage == IDLE or expires_at is None or self.context.now <= expires_at:
            return
        photos_first = self.waiting_for_listing()
        had_photos = bool(self.data.photos)
        self.cancel(announce=False)
        if not photos_first:
            self.say("expired")
        elif had_photos:
            self.say("photos_first_expired")

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

    def help(self, *, unasked: bool = False) -> None:
        """The full help; unasked (a greeting, something not understood) at most once an hour
        and never in the middle of an upload (it reads as if nothing were in progress): a
        short pointer to the next step otherwise."""
        recently = self.context.now - self.data.helped_at < FULL_HELP_EVERY_S
        if unasked and (recently or self.stage != IDLE):
            self.next_step_hint()
            return
        if unasked:
            self.change(helped_at=self.context.now)
        self.say("help", showroom=self.context.showroom)

    def next_step_hint(self) -> None:
        if self.stage == PREVIEW:
            self.say("preview_unclear")
        elif self.stage == ADDING:
            self.say("collecting_hint")
        elif self.stage == COLLECTING and self.data.asking:
            self.ask(unclear=True)
        elif self.stage == COLLECTING:
            self.say("collecting_hint")
        else:
            self.say("idle_hint")

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
            amount = re.sub(r"#?\b[a-zA-Z]\d{2,4}\b", " ", message.split(maxsplit=1)[-1])
            answer = read_answer(amount, "price_idr")
            if answer.value is not None:
                self.effects.append(ListingCommand("price", code, answer.value))
            elif answer.doubt is not None:
                self.say(f"retype_{answer.doubt.reason}", value=self.shown("price_idr", answer))
            else:
                self.say("usage_price")
        elif name == "delete":
            self.change(confirm_delete=code)
            self.say("confirm_delete", code=code)
        elif name == "photos":
            if self.stage != IDLE:
                self.cancel(announce=False)
                self.say("upload_replaced")
            self.stage = ADDING
            self.data = SessionData(
                upload=self.data.upload + 1, adding_to=code, helped_at=self.data.helped_at
            )
            self.say("send_photos_for", code=code)

    def confirm_delete(self, message: str) -> bool:
        """Handle the answer to "remove #CODE?"; False when the message is something else
        (a command, a listing: the question is dropped and the message handled)."""
        code = self.data.confirm_delete
        answer = yes_or_no(message)
        if answer is None and "hapus" in words_of(message) and is_short(message):
            answer = True  # "hapus aja", "hapus"
        if answer is True:
            self.change(confirm_delete=None)
            self.effects.append(ListingCommand("delete", code, None))
            return True
        if answer is False:
            self.change(confirm_delete=None)
            self.say("delete_kept", code=code)
            return True
        if is_short(message) and not message.startswith("/") and not looks_like_listing(message):
            self.say("delete_pending", code=code)  # `bentar`, `hmm`: still waiting for it
            return True
        self.change(confirm_delete=None)
        return False

    # -- starting an upload ---------------------------------------------------------------

    def idle_input(self, received: InboundEvent) -> None:
        if received.kind is EventKind.IMAGE:
            if looks_like_listing(received.text):  # the listing in the photo's caption
                self.upload_with_photo(received)
            else:  # kept for the listing the seller is about to send
                self.keep_photo_for_listing(received)
                self.say("photos_first_kept")
        elif received.kind is EventKind.UNSUPPORTED:
            self.say("unsupported")
        elif looks_like_listing(received.text) or _wants_to_sell(received.text):
            self.upload(received.text)  # `jual avanza 2019 matic 165jt`, `mau jual mobil`
        elif answer := self.stock_question(received):
            self.effects.extend(answer)  # a seller asks about a car or the stock
        else:
            self.help(unasked=True)

    def keep_photo_for_listing(self, received: InboundEvent) -> None:
        if not self.waiting_for_listing():
            if self.stage != IDLE:
                self.cancel(announce=False)
                self.say("upload_replaced")
            self.stage = COLLECTING
            self.data = replace(
                self.data, upload=self.data.upload + 1, photos_first_at=self.context.now
            )
        self.photo(received)

    def upload_with_photo(self, received: InboundEvent) -> None:
        """A photo whose caption is the listing: the photo first, then its listing (so the
        answer counts it)."""
        self.keep_photo_for_listing(received)
        self.upload(received.text)

    def upload(self, message: str) -> None:
        """A listing: start an upload with it (photos sent just before it are kept for it;
        an upload in progress is replaced), and ask for what it lacks."""
        keep_photos = self.waiting_for_listing()
        if self.stage != IDLE and not keep_photos:
            self.cancel(announce=False)
            self.say("upload_replaced")
        reading = read_into({}, message, asking=None, override=True)
        self.stage = COLLECTING
        self.data = SessionData(
            upload=self.data.upload if keep_photos else self.data.upload + 1,
            draft=reading.draft,
            photos=self.data.photos if keep_photos else (),
            acknowledged=keep_photos and bool(self.data.photos),
            original_text=_UPLOAD.sub("", message).strip(),
            helped_at=self.data.helped_at,
        )
        self.settle(reading.doubts, understood=True)

    def settle(self, doubts: dict[str, Doubt], *, understood: bool) -> None:
        """Ask the next question, or, the listing complete, say what was understood."""
        question = next_question(self.data.draft, doubts)
        if question is not None:
            self.change(asking=question.field, confirming=None)
            if question.kind == "confirm":
                self.change(confirming=question.field)
            self.ask(question)
            return
        self.change(asking=None, confirming=None)
        if self.data.finishing:  # `selesai` came before the listing was complete: go on
            self.finish(skip=False)
            return
        if understood:
            received = len(self.data.photos)
            if received:
                self.say("upload_understood_photos", summary=self.summary(), count=received)
            else:
                self.say("upload_understood", summary=self.summary())

    def ask(self, question: Question | None = None, *, unclear: bool = False) -> None:
        """Ask for one field (again, when the answer was not understood)."""
        if question is None:  # the question pending: ask it again
            name = self.data.asking or "model"
            question = Question(name, "confirm" if self.data.confirming else "missing")
            if question.kind == "confirm":
                question = Question(name, "confirm", self.data.draft.get(name), "")
        draft = self.data.draft
        car = f"{car_name(draft)} {draft.get('year') or ''}".strip()
        prefix = text(self.context.language, "not_understood") + " " if unclear else ""
        if question.kind == "missing":
            key = f"ask_{question.field}" if draft else "ask_listing"
            self.effects.append(Reply(prefix + text(self.context.language, key, car=car)))
        elif question.kind == "retype":
            key = f"retype_{question.reason}"
            value = self.shown(question.field, question)
            self.effects.append(Reply(prefix + text(self.context.language, key, value=value)))
        else:
            value = self.shown(question.field, question)
            self.effects.append(
                Reply(
                    prefix
                    + text(
                        self.context.language,
                        f"confirm_{question.field}",
                        value=value,
                        year=draft.get("year") or "",
                    )
                )
            )

    @staticmethod
    def shown(name: str, found: Question | Any) -> str:
        """A doubtful value as the seller should see it (`Rp 165.000.000.000.000`)."""
        value = getattr(found, "value", None)
        if value is None:
            doubt = getattr(found, "doubt", None)
            value = doubt.value if doubt is not None else None
        if value is None:
            return "?"
        if name == "price_idr":
            return rupiah(value)
        if name == "mileage_km":
            return kilometres(value)
        return str(value)

    # -- collecting -----------------------------------------------------------------------

    def collecting(self, received: InboundEvent) -> None:
        if received.kind is EventKind.IMAGE:
            self.collecting_photo(received)
            return
        if received.kind is EventKind.UNSUPPORTED:
            self.say("unsupported")
            return
        message = received.text
        adding = self.stage == ADDING
        if not adding and self.data.confirming and yes_or_no(message) is True:
            self.change(confirming=None, asking=None)
            self.settle({}, understood=True)
        elif not adding and (self.data.asking or self.waiting_for_listing()) and self.fill(message):
            pass  # the answer, or the listing (`sudah 2017` is an answer, not "done")
        elif is_done(message) or is_skip(message):
            if not adding and (self.waiting_for_listing() or self.data.asking):
                self.change(finishing=True)  # go on once the listing is complete
                self.ask()
            else:
                self.finish(skip=is_skip(message))
        elif is_later(message):
            self.say("collecting_later")
        elif not adding and self.other_car(message):
            self.upload(message)  # another car: the seller starts over
        elif not adding and self.correct_while_collecting(message):
            pass
        elif not adding and self.data.asking:
            self.ask(unclear=True)
        else:
            self.help(unasked=True)

    def collecting_photo(self, received: InboundEvent) -> None:
        caption = received.text
        if self.stage == COLLECTING and caption:
            if self.other_car(caption):
                self.upload_with_photo(received)  # the first photo of another car
                return
            if self.data.asking or self.waiting_for_listing():
                if self.waiting_for_listing() and looks_like_listing(caption):
                    self.upload_with_photo(received)
                    return
                self.fill(caption, quiet=True)  # the caption may hold what was asked
        self.photo(received)

    def other_car(self, message: str) -> bool:
        """Is this the listing of another car than the one being uploaded?"""
        model = self.data.draft.get("model")
        if model is None or not looks_like_listing(message):
            return False
        return parse_listing(message).model not in (None, model)

    def correct_while_collecting(self, message: str) -> bool:
        """`harga 150jt`, `eh kmnya 95rb`: a correction before the preview, said in one line."""
        reading = read_into(
            self.data.draft, _corrected_part(message), asking=_asked_in(message), override=True
        )
        shown = [name for name in reading.changed if name in _SHOWN]
        if not shown:
            return False
        self.change(draft=reading.draft)
        self.effects.append(Reply(self.changed_line(tuple(shown))))
        return True

    def fill(self, message: str, *, quiet: bool = False) -> bool:
        """The seller's answer (or more of the listing) goes into the draft. False when the
        message adds nothing."""
        if self.waiting_for_listing():
            if not looks_like_listing(message) and parse_listing(message).model is None:
                return False
            self.upload(message)
            return True
        reading = read_into(self.data.draft, message, asking=self.data.asking, override=False)
        asked = self.data.asking
        if not reading.changed and not (asked and asked in reading.doubts):
            return False
        self.change(draft=reading.draft)
        doubts = still_doubtful(reading.draft, reading.doubts)
        before = self.data.asking
        self.settle(doubts, understood=not quiet or next_question(reading.draft, doubts) is None)
        if quiet and before == self.data.asking and self.data.asking is not None:
            self.effects.pop()  # a caption that did not answer: no question again per photo
        return True

    def photo(self, received: InboundEvent) -> None:
        if self.data.slot(received.dedupe_key) is not None:
            return  # the same delivery again
        kept = (PhotoStatus.PENDING, PhotoStatus.STORED)
        if len([p for p in self.data.photos if p.status in kept]) >= MAX_PHOTOS:
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
            if not self.waiting_for_listing() and not self.data.asking:
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
            self.say(text_key(result.reason))  # not a picture, too large, or our own fault
        elif any(p.content_hash == result.photo.content_hash for p in self.data.stored()):
            slot = PhotoSlot(slot.key, PhotoStatus.DUPLICATE)  # the same picture twice: once
            if not self.data.told_duplicate:
                self.change(told_duplicate=True)
                self.say("photo_duplicate")
        else:
            slot = PhotoSlot(slot.key, PhotoStatus.STORED, stored=result.photo)
        self.data = self.data.with_slot(slot)
        if self.data.finishing and not self.data.pending() and not self.data.asking:
            self.complete()

    def finish(self, *, skip: bool) -> None:
        if self.data.pending():
            self.change(finishing=True)
            self.effects.append(RemindLater(WAIT_NOTICE_AFTER_S, StillWaiting(self.data.upload)))
            return
        if not self.data.stored() and not skip:
            self.change(finishing=False)
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
        else:
            self.say("photos_none_added", code=code)
        self.stage = IDLE

    # -- the preview ----------------------------------------------------------------------

    def show_preview(self, *, changed: tuple[str, ...] = ()) -> None:
        """The preview; after a correction, one line saying what changed comes first. The
        sales text is written again only when the facts it was written for changed."""
        self.stage = PREVIEW
        self.change(finishing=False)
        key = copy_key(self.data.draft, self.context.language)
        if not self.context.copywriter:  # the template states only facts: same facts, same text
            self.change(description=describe(self.data.draft, self.context.language))
        elif key != self.data.described or not self.data.description:
            # a written text may state any fact it was given: a changed one, a new text
            written = self.context.descriptions.get(key)
            if written is None:
                self.effects.append(WriteCopy(key, dict(self.data.draft)))
            description = written or describe(self.data.draft, self.context.language)
            self.change(description=description, described=key)
        preview = text(
            self.context.language,
            "preview",
            summary=self.summary(),
            photos=len(self.data.stored()),
            description=self.data.description,
        )
        if changed:
            preview = self.changed_line(changed) + "\n\n" + preview
        self.effects.append(Reply(preview))

    def changed_line(self, changed: tuple[str, ...]) -> str:
        """`Sudah diubah: harga Rp 140.000.000, transmisi Manual.`"""
        language, draft = self.context.language, self.data.draft
        parts = []
        for name in changed:
            value = draft.get(name)
            if name == "negotiable" and value is not None:
                parts.append(text(language, "value_negotiable" if value else "value_nett"))
            elif name == "model" or (name == "variant" and "model" in changed):
                if name == "model":
                    parts.append(car_name(draft))
            elif value is None:
                continue
            elif name == "price_idr":
                parts.append(f"{field_name(language, name)} {rupiah(value)}")
            elif name == "mileage_km":
                parts.append(f"{field_name(language, name)} {kilometres(value)}")
            else:
                parts.append(f"{field_name(language, name)} {value_name(language, value)}")
        return text(language, "corrected", changes=", ".join(parts) or car_name(draft))

    def preview_input(self, received: InboundEvent) -> None:
        message = received.text
        if received.kind is EventKind.IMAGE:
            if self.other_car(message):
                self.upload_with_photo(received)
                return
            # A photo after `selesai` (gateways do not keep the order, or one more): take it,
            # and show the preview again once it is in.
            self.stage = COLLECTING
            self.change(finishing=True)
            self.photo(received)
            if not self.data.pending():
                self.complete()
            return
        if received.kind is EventKind.UNSUPPORTED:
            self.say("unsupported")
            return
        if self.other_car(message):
            self.upload(message)
        elif self.correct(message):
            pass  # a correction comes first: `tahun 2017 ya` corrects, it does not publish
        elif (answer := yes_or_no(message)) is True:
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
        elif answer is False or (is_short(message) and "hapus" in words_of(message)):
            self.cancel(announce=True)
        elif is_later(message):
            self.say("preview_later")
        elif any(word.startswith("foto") for word in words_of(message)):
            self.say("preview_more_photos")
        else:
            self.say("preview_unclear")

    def correct(self, message: str) -> bool:
        """`harga 140jt`, `thn 17`, `kmnya 55rb`, `matic`, `bukan 2019 tapi 2018`: what the
        message states replaces the draft's, and the preview is shown again with one line
        saying what changed; a value that cannot be right is questioned. False when the
        message corrects nothing."""
        asked = _asked_in(message)
        reading = read_into(self.data.draft, _corrected_part(message), asking=asked, override=True)
        stated_doubts = {
            name: doubt
            for name, doubt in reading.doubts.items()
            if name == asked or name in reading.changed or not doubt.kept
        }
        for name, doubt in stated_doubts.items():
            if not doubt.kept and name not in reading.changed:
                self.ask(Question(name, "retype", doubt.value, doubt.reason))
                return True  # the draft is left as it was
        shown = tuple(name for name in reading.changed if name in _SHOWN)
        if not shown or (is_question(message) and asked is None):
            return False  # `bisa nego ga nanti pembeli?` is a question, not a correction
        old, new = self.data.draft.get("price_idr"), reading.draft.get("price_idr")
        if "price_idr" in shown and old and new and not old / 4 <= new <= old * 4:
            # `harga 14` for a car of Rp 185 jt: most likely a slip, so it is asked
            stated_doubts["price_idr"] = Doubt(new, "price_change", kept=True)
        self.change(draft=reading.draft)
        self.show_preview(changed=shown)
        question = next_question(reading.draft, still_doubtful(reading.draft, stated_doubts))
        if question is not None and question.kind == "confirm":
            self.change(asking=question.field, confirming=question.field)
            self.ask(question)
        return True

    def cancel(self, *, announce: bool) -> None:
        if self.stage == IDLE:
            if announce:
                self.say("nothing_to_cancel")
            return
        self.effects.append(CancelUpload(self.data.upload, self.data.files()))
        sent_photos = bool(self.data.photos)
        self.stage = IDLE
        self.data = SessionData(upload=self.data.upload, helped_at=self.data.helped_at)
        if announce:
            self.say("cancelled" if sent_photos else "cancelled_nothing_sent")

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
                f"{field_name(language, 'transmission').capitalize()}: "
                f"{value_name(language, draft['transmission'])}"
            )
        return "\n".join(lines)


# What a correction may change and the seller is told about.
_SHOWN = frozenset(
    {"model", "variant", "year", "price_idr", "mileage_km", "transmission", "fuel", "color"}
    | {"negotiable"}
)
# `bukan 2019 tapi 2018`, `harga nego jadi 140`: what follows is the correction.
_CORRECTED = re.compile(r"\b(?:tapi|tp|jadi|jd|harusnya|seharusnya|yang benar|yg bener)\b", re.I)
_SELL_WORDS = frozenset({"jual", "dijual", "djual", "wts", "pasang", "iklan", "upload", "unggah"})


def _corrected_part(message: str) -> str:
    """The part of a correction that states the new value (after `tapi`, `jadi`...)."""
    parts = _CORRECTED.split(message)
    last = parts[-1].strip()
    return last if len(parts) > 1 and last else message


def _wants_to_sell(message: str) -> bool:
    """`mau jual mobil kak`, `jual Ertiga GX manual silver`, `mau pasang iklan`: a seller who
    starts an upload without its details (they are asked for next)."""
    words = words_of(message)
    return bool(_SELL_WORDS.intersection(words)) and len(words) <= 12 and not is_question(message)


def _asked_in(message: str) -> str | None:
    """Which number a correction names (`thn 17`, `km 55rb`, `harga 140`), so that its
    short form is read as that field."""
    words = words_of(message)
    for name, labels in _CORRECTION_LABELS.items():
        if any(w in labels or any(w.startswith(f"{label}ny") for label in labels) for w in words):
            return name
    return None


_CORRECTION_LABELS = {
    "year": frozenset({"tahun", "thn", "th", "taun", "year"}),
    "mileage_km": frozenset({"km", "kilometer", "odo", "odometer", "kilometernya"}),
    "price_idr": frozenset({"harga", "hrg", "price", "rp"}),
}


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
