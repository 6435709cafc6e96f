"""The session actor: one per chatting user, a thin shell around the conversation state machine.

Activated by the user's first message (it loads the conversation from the database and
restarts the photo downloads a previous process left unfinished), passivated when idle. Each
turn runs `conversation.step` and commits the new state, the replies, a listing to publish and
the "inbox event done" mark in ONE transaction, so a replayed event changes nothing twice.
Downloads start and uploads are cancelled only after that commit.

A buyer's message (anyone who may not sell) is read first (`domain.buyer.question_of`, pure),
the stock facts its answer needs are looked up through the reader (`storage.buyers`, indexed),
and then the pure turn runs with them in its context; its lead update, question row and the
alerts to the people who sell (texts to their chats) commit in the turn's one transaction, and
the outbox is woken for every chat the turn wrote to. A message from the dealer's own number
into a buyer's chat (`InboundEvent.from_me`) is the bot's own reply coming back when its text
matches a reply the outbox holds for that chat (`storage.buyers.sent_by_bot`): then it only
marks the event done; otherwise a person answered, and the buyer turn falls silent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import trio

from domain import buyer
from domain.admin_commands import BUYER_COMMANDS
from domain.backoff import Backoff
from domain.buyer import (
    Alert,
    AnswerHeld,
    AnswerLater,
    AskModel,
    BuyerContext,
    BuyerSettings,
    LeadNote,
    held_answer_in,
)
from domain.conversation import (
    AddPhotos,
    AdminAction,
    CancelUpload,
    Context,
    Fetch,
    ListingCommand,
    PhotoFailed,
    PhotoStored,
    Publish,
    RemindLater,
    Reply,
    StillWaiting,
    WriteCopy,
    listing_command_reply,
    pending_fetches,
    step,
)
from domain.copywriter import describe
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity
from domain.replies import ReplyImage
from domain.session_state import SessionState, Stage
from domain.texts import text
from runtime import Actor, ActorRef
from storage.buyers import rights_and_stock, sent_by_bot, stock_facts
from storage.errors import StaleSession
from storage.faults import is_transient
from storage.media import MediaStore
from storage.models import utcnow
from storage.queries import (
    listings,
    load_session,
    referenced_media_files,
)
from storage.reader import Reader
from storage.writes import (
    AddListingPhotos,
    ChangeListing,
    CommitTurn,
    EnqueueReply,
    MarkInbox,
    OutgoingImage,
    PublishListing,
    RecordLead,
)

log = logging.getLogger("showroom.session")

COMMIT_TIMEOUT_S = 30.0
APOLOGY_TIMEOUT_S = 10.0
# A turn the storage could not save is tried again after 1 s, 2 s, 4 s ... at most a minute.
STORAGE_RETRY = Backoff(first_s=1.0, factor=2.0, cap_s=60.0, jitter=0.2)
IDLE_PASSIVATE_S = 600.0
MAILBOX_SIZE = 64


@dataclass(frozen=True, slots=True)
class Incoming:
    """A committed inbox event for this user."""

    inbox_id: int
    event: InboundEvent


class DownloadService:
    """What a session needs of the downloader (actors.downloads.Downloads)."""

    def fetch(self, key: tuple[str, str], upload: int, photo_key: str, media: MediaRef) -> None: ...

    def cancel(self, key: tuple[str, str], upload: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Resume:
    """Wake up after a restart: activating is the point (it restarts pending downloads)."""


SessionKey = tuple[str, str]  # (tenant slug, user identity)


@dataclass(frozen=True, slots=True)
class TenantRuntime:
    """What the session actors of one tenant need."""

    slug: str
    id: int
    language: str
    showroom: str
    link_base: str
    open_to_all: bool
    upload_ttl_s: float
    copywriter: Any  # actors.ai_copy.ChatCopywriter, or None: templates only
    admin: Any  # actors.admin.AdminService
    remind: Callable[[SessionKey, float, object], None]
    wake_outbox: Callable[[str | None], None]  # the chat with new replies, or None: look
    downloads: DownloadService
    media: MediaStore
    buyers: BuyerSettings = field(default_factory=BuyerSettings)  # what it set for buyers


Message = Incoming | PhotoStored | PhotoFailed | StillWaiting | AnswerHeld


class SessionActor(Actor[Message]):
    def __init__(
        self, key: SessionKey, tenant: TenantRuntime, persistence: ActorRef[Any], reader: Reader
    ) -> None:
        self.key = key
        self.user = key[1]
        self.tenant = tenant
        self.persistence = persistence
        self.reader = reader
        self.state = SessionState()
        self.version = 0
        self.may_sell = False
        self.is_admin = False
        self._rng = random.Random()
        self._admin_answers: dict[AdminAction, str] = {}  # this message's, by command

    async def started(self) -> None:
        self._restore(await self.reader.run(load_session, self.tenant.id, self.user))
        for fetch in pending_fetches(self.state):
            self.tenant.downloads.fetch(self.key, fetch.upload, fetch.key, fetch.media)

    async def _load(self) -> None:
        self._restore(await self.reader.run(load_session, self.tenant.id, self.user))

    def _restore(self, row: tuple[str, str, int] | None) -> None:
        if row is None:
            self.state, self.version = SessionState(), 0
            return
        stage, data, self.version = row
        try:
            self.state = SessionState.from_row(stage, data)
        except ValueError:  # unreadable: the user starts over rather than being stuck
            log.error("session of %s has unreadable data; starting it afresh", self.user)
            self.state = SessionState()

    async def handle(self, message: Message) -> None:
        if isinstance(message, Resume):
            # `started` has restarted the downloads; a message held back by the flood limit
            # needs its reminder again (the timer did not outlive the process)
            buyer_state = self.state.data.buyer
            wait_s = held_answer_in(buyer_state, time.time())
            if wait_s is not None:
                self.tenant.remind(self.key, wait_s, AnswerHeld(buyer_state.held))
            return
        self._admin_answers = {}  # a turn tried again does not carry out its commands again
        for attempt in itertools.count(1):
            try:
                await self._turn_once(message)
                return
            except Exception as exc:
                # The storage failed, not the message (another process holds the lock, the
                # disk is full): the event stays new, and the same turn is tried again.
                if not (is_transient(exc) or isinstance(exc, TimeoutError)):
                    raise
                pause = STORAGE_RETRY.delay(attempt, self._rng)
                log.warning(
                    "turn for %s could not be saved (%s); trying again in %.1f s",
                    self.user,
                    exc,
                    pause,
                )
                await trio.sleep(pause)
                await self._load()

    async def _turn_once(self, message: Message) -> None:
        prefetched: BuyerContext | None = None
        planned_at = time.time()  # the buyer's lookup and turn see the same moment
        held = isinstance(message, AnswerHeld)
        if isinstance(message, Incoming):
            received, inbox_id = message.event, message.inbox_id
            prefetched = await self._read_rights(received, planned_at)
        elif isinstance(message, AnswerHeld):
            event = self._held_message(message)
            if event is None:
                return  # a later message was held, or it is answered already
            received, inbox_id = event, None
        else:
            received, inbox_id = message, None
        echo = isinstance(received, InboundEvent) and received.from_me
        if echo and not self.may_sell:
            # the bot's own reply coming back is nothing; a person's answer silences the bot
            echo = await self.reader.run(
                sent_by_bot, self.tenant.id, self.user, received.text, utcnow()
            )
        for attempt in (1, 2):
            now = planned_at if attempt == 1 else time.time()
            buyer_context = None
            if isinstance(received, InboundEvent) and received.from_me:
                buyer_context = BuyerContext(self.tenant.buyers)  # a person took the chat
            elif prefetched is not None and attempt == 1:
                buyer_context = prefetched
            elif isinstance(received, InboundEvent):
                buyer_context = await self._buyer_context(received, now)
            if held and buyer_context is not None:
                buyer_context = dataclasses.replace(buyer_context, held=True)
            context = Context(
                self.tenant.language,
                self.tenant.showroom,
                now=now,
                may_sell=self.may_sell,
                is_admin=self.is_admin,
                session_ttl_s=self.tenant.upload_ttl_s,
                catalog_url=self.tenant.link_base,
                copywriter=self.tenant.copywriter is not None,
                buyer=buyer_context,
            )
            if echo:  # the dealer's own message in a seller's chat, or the bot's own reply
                new_state, effects = self.state, []
            else:
                new_state, effects = step(self.state, received, context)
            wanted = next((e for e in effects if isinstance(e, WriteCopy)), None)
            if wanted is not None:  # the same turn again, with the written text
                written = await self.tenant.copywriter.write(wanted.draft, self.tenant.language)
                written = written or describe(wanted.draft, self.tenant.language)
                context = dataclasses.replace(context, descriptions={wanted.key: written})
                new_state, effects = step(self.state, received, context)
            asked = next((e for e in effects if isinstance(e, AskModel)), None)
            if asked is not None and context.buyer is not None:  # again, with the model's answer
                answer = await self.tenant.copywriter.answer(
                    asked.question, asked.cars, asked.settings
                )
                context = dataclasses.replace(
                    context,
                    buyer=dataclasses.replace(context.buyer, written={asked.key: answer or ""}),
                )
                new_state, effects = step(self.state, received, context)
            effects = await self._run_commands(effects)
            turn = self._turn(inbox_id, new_state, effects)
            try:
                result = await self.persistence.ask(turn, timeout=COMMIT_TIMEOUT_S)
            except StaleSession:
                if attempt == 2:
                    raise
                await self._load()  # another activation committed first: start from its state
                continue
            if result.replayed:
                await self._load()  # this event was handled before (a replay): nothing to do
                return
            self.state, self.version = new_state, result.version
            await self._after_commit(effects)
            if turn.replies or turn.publish or turn.add_photos:  # the turn enqueued replies
                self.tenant.wake_outbox(self.user)
            for chat in dict.fromkeys(chat for chat, _ in turn.alerts):
                self.tenant.wake_outbox(chat)
            return

    def _held_message(self, reminder: AnswerHeld) -> InboundEvent | None:
        """The buyer's message the flood limit held back, if it is still the last one held:
        answered now, as if it had just come (its question is read and looked up again)."""
        state = self.state.data.buyer
        if self.may_sell or state.held != reminder.key or not state.held_text:
            return None
        return InboundEvent(
            self.tenant.slug,
            reminder.key,
            Identity.parse(self.user),
            ChatKind.DIRECT,
            EventKind.TEXT,
            state.held_text,
        )

    async def _read_rights(self, received: InboundEvent, now: float) -> BuyerContext | None:
        """Read the sender's rights (at every message: a removed admin or seller loses them at
        once). Most who write are buyers: the stock facts a buyer's answer needs come in the
        same read, and are returned as the buyer's context (None for a seller or admin)."""
        question, lookup = None, None
        if not received.from_me and not self.tenant.open_to_all:
            question = buyer.question_of(received)
            lookup = buyer.plan(
                self.state.data.buyer, question, now, model=self.tenant.buyers.model_answers
            )
        self.is_admin, seller, facts = await self.reader.run(
            rights_and_stock, self.tenant.id, self.user, lookup
        )
        self.may_sell = self.is_admin or seller or self.tenant.open_to_all
        if self.may_sell or received.from_me:
            return None
        return BuyerContext(self.tenant.buyers, question, facts)

    async def _buyer_context(self, received: InboundEvent, now: float) -> BuyerContext | None:
        """The question a buyer's message asks and the stock's facts its answer needs (a
        seller gets them only for a question about a car or the stock outside an upload)."""
        question = buyer.question_of(received)
        if self.may_sell:
            if (
                self.state.stage is not Stage.IDLE
                or question is None
                or not buyer.answers_seller(question)
            ):
                return None
            lookup = buyer.plan(self.state.data.buyer, question, now, seller=True)
        else:
            lookup = buyer.plan(
                self.state.data.buyer, question, now, model=self.tenant.buyers.model_answers
            )
        facts = await self.reader.run(stock_facts, self.tenant.id, lookup) if lookup else None
        return BuyerContext(self.tenant.buyers, question, facts)

    async def _run_commands(self, effects: list) -> list:
        """Listing commands act on the database first; their answers join the turn's replies.
        (Each is idempotent, so a turn replayed after a crash may safely run it again.)"""
        done = []
        for effect in effects:
            if isinstance(effect, AdminAction):
                tenant = (self.tenant.id, self.tenant.slug, self.tenant.language)
                allowed, seller_only = effect.allowed, False
                if effect.command.name in BUYER_COMMANDS:  # leads: for sellers too, their own
                    allowed, seller_only = self.may_sell, not self.is_admin
                answer = self._admin_answers.get(effect)
                if answer is None:
                    answer = await self.tenant.admin.carry_out(
                        tenant, self.user, allowed, effect.command, seller_only=seller_only
                    )
                    self._admin_answers[effect] = answer
                done.append(Reply(answer))
                continue
            if not isinstance(effect, ListingCommand):
                done.append(effect)
                continue
            if effect.action == "list":
                result = await self.reader.run(
                    partial(
                        listings, self.tenant.id, seller=self.user, status=effect.value, limit=30
                    )
                )
            else:
                result = await self.persistence.ask(
                    ChangeListing(  # an admin may change any car
                        self.tenant.id,
                        None if self.is_admin else self.user,
                        effect.code,
                        effect.action,
                        effect.value,
                    ),
                    timeout=COMMIT_TIMEOUT_S,
                )
            done.append(Reply(listing_command_reply(effect, result, self.tenant.language)))
        return done

    def _turn(self, inbox_id: int | None, state: SessionState, effects: list) -> CommitTurn:
        publish = next((e for e in effects if isinstance(e, Publish)), None)
        lead = next((e for e in effects if isinstance(e, LeadNote)), None)
        more = next((e for e in effects if isinstance(e, AddPhotos)), None)
        expires = state.data.expires_at
        return CommitTurn(
            self.tenant.id,
            self.user,
            inbox_id,
            self.version,
            *state.to_row(),
            tuple(_outgoing(e) for e in effects if isinstance(e, Reply | ReplyImage)),
            expires_at=dt.datetime.fromtimestamp(expires, dt.UTC).replace(tzinfo=None)
            if expires
            else None,
            publish=PublishListing(
                publish.draft,
                publish.photos,
                publish.description,
                publish.original_text,
                publish.published_text,
                self.tenant.link_base,
            )
            if publish
            else None,
            lead=RecordLead(
                lead.name,
                lead.text,
                intent=lead.intent,
                status=lead.status,
                cars=lead.cars,
                answered=lead.answered,
                wanted=lead.wanted,
                found=lead.found,
                alerted=lead.alerted,
                repeat=lead.repeat,
            )
            if lead
            else None,
            add_photos=AddListingPhotos(
                more.code, more.photos, more.added_text, more.not_found_text
            )
            if more
            else None,
            alerts=tuple((e.chat, e.text) for e in effects if isinstance(e, Alert)),
        )

    async def _after_commit(self, effects: list) -> None:
        for effect in effects:
            match effect:
                case Fetch(upload, photo_key, media):
                    self.tenant.downloads.fetch(self.key, upload, photo_key, media)
                case RemindLater(delay_s, reminder):
                    self.tenant.remind(self.key, delay_s, reminder)
                case AnswerLater(delay_s, key):
                    self.tenant.remind(self.key, delay_s, AnswerHeld(key))
                case CancelUpload(upload, files):
                    self.tenant.downloads.cancel(self.key, upload)
                    if files:
                        await self._remove_unused(files)

    async def _remove_unused(self, files: tuple[str, ...]) -> None:
        in_use = await self.reader.run(referenced_media_files)
        unused = [name for name in files if (self.tenant.slug, name) not in in_use]
        for name in unused:
            await trio.to_thread.run_sync(self.tenant.media.remove, self.tenant.slug, name)


class CrashedTurns:
    """What happens to a message a session crashed on.

    A passing fault of the storage (a full disk, a lock, no file descriptor free: met while
    the session started, say; a turn's own commit retries in place) is nobody's fault:
    nothing was committed, so after a growing pause the same message is told again, as often
    as it takes. The pause is taken here, before the registry starts the key again: started
    at once, the session would fetch its pending photos again, get them, and crash again.

    Any other crash is a bug. The first time, the message is handled again by a fresh
    activation (the crash may have been a passing one). The second time, it is given up for
    good (marked dead: it is not replayed, and /stats counts it) and the seller is told what
    could not be read and how to write it, never asked to send the same message again."""

    def __init__(
        self,
        runtimes: dict[str, TenantRuntime],
        persistence: ActorRef[Any],
        retell: Callable[[SessionKey, object], None],
    ) -> None:
        self.runtimes = runtimes
        self.persistence = persistence
        self.retell = retell
        self._crashed_once: set[int] = set()  # inbox ids (a restart starts counting again)
        self._waits: dict[SessionKey, int] = {}  # storage faults in a row, by session
        self._rng = random.Random()

    async def __call__(self, key: SessionKey, message: object, error: BaseException) -> None:
        if is_transient(error):
            if len(self._waits) > 10_000:  # a long-past fault's counts: forgotten
                self._waits.clear()
            waits = self._waits[key] = self._waits.get(key, 0) + 1
            pause = STORAGE_RETRY.delay(waits, self._rng)
            log.warning(
                "turn of %s waits for the storage (%s); %s again in %.0f s",
                key[1],
                error,
                type(message).__name__,
                pause,
            )
            await trio.sleep(pause)
            self.retell(key, message)
            return
        self._waits.pop(key, None)
        if not isinstance(message, Incoming):
            return
        inbox_id = message.inbox_id
        if inbox_id not in self._crashed_once:
            self._crashed_once.add(inbox_id)
            log.warning("turn for %s crashed (%s); trying it once more", key[1], error)
            self.retell(key, message)
            return
        self._crashed_once.discard(inbox_id)
        runtime = self.runtimes[key[0]]
        words = " ".join(message.event.text.split())
        excerpt = words if len(words) <= 60 else words[:57] + "..."
        reply = (
            text(runtime.language, "crashed_gave_up", excerpt=excerpt)
            if excerpt
            else text(runtime.language, "crashed")
        )
        self.persistence.tell(MarkInbox(inbox_id, "dead", f"{type(error).__name__}: {error}"))
        apology = EnqueueReply(runtime.id, key[1], reply, dedupe_key=f"crash:{inbox_id}")
        # Woken before the COMMIT, the outbox could find nothing yet and leave the apology for
        # its next poll, seconds later. (The writes are applied in order: both are committed.)
        await self.persistence.ask(apology, timeout=APOLOGY_TIMEOUT_S)
        runtime.wake_outbox(key[1])


def _outgoing(effect: Reply | ReplyImage) -> str | OutgoingImage:
    """A reply as the turn commits it: a text, or a stored photo with its caption."""
    if isinstance(effect, ReplyImage):
        return OutgoingImage(effect.file, effect.caption)
    return effect.text
