"""The writes the persistence actor applies. Each runs inside the batch's transaction on the
writer thread (a write that fails is answered with its error, and the batch is run again
without it); `apply` returns what the asker gets back.

Every write is idempotent where a replay can reach it: an inbox event is stored once per
(tenant, dedupe key), a turn is committed once per inbox event, a reply is enqueued once per
dedupe key. So a redelivered webhook or a replay after a crash creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from domain.events import InboundEvent
from domain.identity import Identity
from domain.photos import StoredPhoto
from storage import sql
from storage.buyers import lead_of_seller
from storage.errors import StaleSession, StorageError
from storage.models import (
    AuditEntry,
    BuyerQuestion,
    Lead,
    Listing,
    Person,
    Photo,
    Tenant,
    utcnow,
)


class Write:
    """Base of every write command (frozen dataclasses)."""

    def apply(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class EnsureTenant(Write):
    """Create the tenant if it is new, or update its settings. Returns its id."""

    slug: str
    name: str
    public_url: str = ""
    whatsapp_number: str = ""
    language: str = "id"

    def apply(self) -> int:
        values = {
            "name": self.name,
            "public_url": self.public_url,
            "whatsapp_number": self.whatsapp_number,
            "language": self.language,
        }
        tenant = Tenant.get_or_none(Tenant.slug == self.slug)
        if tenant is None:
            return Tenant.create(slug=self.slug, **values).id
        Tenant.update(**values).where(Tenant.id == tenant.id).execute()
        return tenant.id


@dataclass(frozen=True, slots=True)
class InboxAppended:
    id: int
    duplicate: bool
    # The phone number the event's sender was taken as (its hidden id was known), else None.
    resolved: str | None = None


@dataclass(frozen=True, slots=True)
class AppendInbox(Write):
    """Store a received event once per (tenant, dedupe key); a repeat reports duplicate=True.

    `aliases` are the other forms of the sender the webhook carried (a hidden linked id next to
    the phone number): each pair is remembered, and a sender that comes as an alias alone is
    stored as the phone number it stands for (reported in `resolved`).
    `media_file`: the photo that came inline, already in the media store."""

    tenant_id: int
    dedupe_key: str
    sender: str
    event: str
    aliases: tuple[str, ...] = ()
    media_file: str | None = None

    def apply(self) -> InboxAppended:
        sender, event, resolved = self.sender, self.event, None
        if self.aliases or not Identity.parse(sender).is_phone:
            canonical = canonical_identity(self.tenant_id, sender, self.aliases)
            if canonical != sender:
                sender, resolved = canonical, canonical
                event = InboundEvent.from_json(event).sent_by(Identity.parse(canonical)).to_json()
        params = (self.tenant_id, self.dedupe_key, sender, event, self.media_file, utcnow())
        row = sql.fetch_one(
            'INSERT INTO "inbox_event" ("tenant_id", "dedupe_key", "sender", "event", '
            '"media_file", "status", "attempts", "received_at") '
            "VALUES (?, ?, ?, ?, ?, 'new', 0, ?) "
            'ON CONFLICT ("tenant_id", "dedupe_key") DO NOTHING RETURNING "id"',
            params,
        )
        if row is not None:
            return InboxAppended(row[0], duplicate=False, resolved=resolved)
        existing = sql.fetch_one(
            'SELECT "id" FROM "inbox_event" WHERE "tenant_id" = ? AND "dedupe_key" = ?',
            params[:2],
        )
        return InboxAppended(existing[0], duplicate=True, resolved=resolved)


@dataclass(frozen=True, slots=True)
class RememberAliases(Write):
    """Forms of people a webhook showed without a message for the bot (a group member's hidden
    id next to their phone): each person's pair is remembered, as with a message's sender."""

    tenant_id: int
    people: tuple[tuple[str, ...], ...]

    def apply(self) -> None:
        for forms in self.people:
            if len(forms) > 1:
                canonical_identity(self.tenant_id, forms[0], forms[1:])


REMEMBER_ALIAS = (
    'INSERT INTO "identity_alias" ("tenant_id", "alias", "identity", "learned_at") '
    "VALUES (?, ?, ?, ?) "
    'ON CONFLICT ("tenant_id", "alias") DO UPDATE SET "identity" = excluded."identity", '
    '"learned_at" = excluded."learned_at" WHERE "identity_alias"."identity" <> excluded."identity"'
)


def canonical_identity(tenant_id: int, sender: str, aliases: tuple[str, ...]) -> str:
    """The phone number among the forms (stored form) one message gave for its sender, every
    other form remembered as standing for it; without a phone, the phone a form was seen with
    before; else the sender as it came. (Part of a write: runs in the batch's transaction.)"""
    forms = list(dict.fromkeys((sender, *aliases)))
    phone = next((form for form in forms if Identity.parse(form).is_phone), None)
    if phone is not None:
        now = utcnow()
        for form in forms:
            if form != phone:
                sql.execute(REMEMBER_ALIAS, (tenant_id, form, phone, now))
        return phone
    for form in forms:
        row = sql.fetch_one(
            'SELECT "identity" FROM "identity_alias" WHERE "tenant_id" = ? AND "alias" = ?',
            (tenant_id, form),
        )
        if row is not None:
            return row[0]
    return sender


@dataclass(frozen=True, slots=True)
class PruneInbox(Write):
    """Delete up to `limit` processed (done or dead) inbox events processed before `before`,
    oldest first; returns how many. Small batches: each holds the write lock only briefly.
    (Their inline photos become orphans, which the media sweep removes.)"""

    before: dt.datetime
    limit: int = 500

    def apply(self) -> int:
        ids = [
            row[0]
            for row in sql.execute(
                'SELECT "id" FROM "inbox_event" WHERE "status" IN (\'done\', \'dead\') '
                'AND "processed_at" < ? ORDER BY "processed_at" LIMIT ?',
                (self.before, self.limit),
            ).fetchall()
        ]
        if ids:
            marks = ", ".join("?" * len(ids))
            sql.execute(f'DELETE FROM "inbox_event" WHERE "id" IN ({marks})', ids)
        return len(ids)


@dataclass(frozen=True, slots=True)
class MarkInbox(Write):
    """Finish an inbox event as done, or give up on it as dead (with the reason)."""

    inbox_id: int
    status: str
    error: str | None = None

    def apply(self) -> None:
        sql.execute(
            'UPDATE "inbox_event" SET "status" = ?, "processed_at" = ?, "last_error" = ?, '
            '"attempts" = "attempts" + 1 WHERE "id" = ?',
            (self.status, utcnow(), self.error, self.inbox_id),
        )


@dataclass(frozen=True, slots=True)
class EnqueueReply(Write):
    """Queue a reply for the outbox: a text, or with `image` (a stored photo's name in the
    tenant's folder) that photo with the text as its caption. With a dedupe key, a second
    enqueue returns the first id."""

    tenant_id: int
    chat: str
    text: str
    dedupe_key: str | None = None
    image: str | None = None

    def apply(self) -> int:
        now = utcnow()
        row = sql.fetch_one(
            'INSERT INTO "outbox_message" ("tenant_id", "chat", "text", "image", "dedupe_key", '
            '"status", "attempts", "next_attempt_at", "created_at") '
            "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
            'ON CONFLICT ("tenant_id", "dedupe_key") DO NOTHING RETURNING "id"',
            (self.tenant_id, self.chat, self.text, self.image, self.dedupe_key, now, now),
        )
        if row is not None:
            return row[0]
        existing = sql.fetch_one(
            'SELECT "id" FROM "outbox_message" WHERE "tenant_id" = ? AND "dedupe_key" = ?',
            (self.tenant_id, self.dedupe_key),
        )
        return existing[0]


@dataclass(frozen=True, slots=True)
class OutgoingImage:
    """A turn's reply that is a stored photo (its name in the tenant's folder) with a caption."""

    file: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class TurnCommitted:
    version: int
    replayed: bool  # the inbox event had been committed before: nothing changed
    listing_code: str | None = None  # set when the turn published a listing
    listing_slug: str | None = None


@dataclass(frozen=True, slots=True)
class PublishListing:
    """Part of a turn: create the listing with its code, slug, photos and description, and
    queue `published_text` with its {code} and {link} filled in."""

    draft: dict[str, Any]
    photos: tuple[StoredPhoto, ...]
    description: str
    original_text: str
    published_text: str
    link_base: str

    def create(self, tenant_id: int, seller: str) -> tuple[str, str]:
        draft = self.draft
        code = _next_code(tenant_id, draft.get("make") or draft.get("model") or "X")
        slug = slugify(
            " ".join(str(draft[k]) for k in ("make", "model", "variant", "year") if draft.get(k))
            + f" {code}"
        )
        listing = Listing.create(
            tenant=tenant_id,
            code=code,
            slug=slug,
            seller=seller,
            make=draft.get("make") or "",
            model=draft.get("model") or "",
            variant=draft.get("variant") or "",
            year=draft.get("year"),
            transmission=draft.get("transmission") or "",
            fuel=draft.get("fuel") or "",
            color=draft.get("color") or "",
            mileage_km=draft.get("mileage_km"),
            price_idr=int(draft["price_idr"]),
            original_text=self.original_text,
            description=self.description,
        )
        cover = None
        for position, photo in enumerate(self.photos):
            row = _create_photo(tenant_id, listing, position, photo)
            cover = cover or row
        if cover is not None:
            Listing.update(cover_photo=cover.id).where(Listing.id == listing.id).execute()
        return code, slug


@dataclass(frozen=True, slots=True)
class AddListingPhotos:
    """Part of a turn: more photos for a published car of this seller, up to the limit.
    Returns the reply: `added_text` with {count} filled in, or `not_found_text`."""

    code: str
    photos: tuple[StoredPhoto, ...]
    added_text: str
    not_found_text: str
    max_photos: int = 10

    def add(self, tenant_id: int, seller: str) -> str:
        listing = Listing.get_or_none(
            (Listing.tenant == tenant_id)
            & (Listing.code == self.code)
            & (Listing.seller == seller)
            & (Listing.status != "deleted")
        )
        if listing is None:
            return self.not_found_text
        existing = list(
            Photo.select(Photo.position, Photo.content_hash)
            .where(Photo.listing == listing.id)
            .tuples()
        )
        known = {content for _, content in existing}
        position = max((p for p, _ in existing), default=-1) + 1
        added = 0
        for photo in self.photos:
            if len(existing) + added >= self.max_photos or photo.content_hash in known:
                continue
            row = _create_photo(tenant_id, listing, position + added, photo)
            known.add(photo.content_hash)
            added += 1
            if listing.cover_photo_id is None:
                Listing.update(cover_photo=row.id).where(Listing.id == listing.id).execute()
                listing.cover_photo_id = row.id
        return self.added_text.format(count=added)


def _create_photo(tenant_id: int, listing: Listing, position: int, photo: StoredPhoto) -> Photo:
    return Photo.create(
        tenant=tenant_id,
        listing=listing,
        position=position,
        content_hash=photo.content_hash,
        file_large=photo.files.large,
        file_medium=photo.files.medium,
        file_thumb=photo.files.thumb,
        width=photo.width,
        height=photo.height,
        bytes=photo.bytes,
    )


def _next_code(tenant_id: int, name: str) -> str:
    """`H07`: the first letter of the make and the next free number for it (`H100` after
    `H99`). Deleted listings keep their codes, so a code never points at two cars."""
    letter = next((c for c in name.upper() if "A" <= c <= "Z"), "X")
    codes = (
        Listing.select(Listing.code)
        .where((Listing.tenant == tenant_id) & (Listing.code.startswith(letter)))
        .tuples()
    )
    numbers = [int(code[1:]) for (code,) in codes if code[1:].isdigit()]
    return f"{letter}{max(numbers, default=0) + 1:02d}"


def slugify(text: str) -> str:
    """`Honda Freed PSD 2012 H07` -> `honda-freed-psd-2012-h07` (ASCII, for web addresses)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:150] or "mobil"


@dataclass(frozen=True, slots=True)
class CommitTurn(Write):
    """One conversation turn, all or nothing: the session's new state and data, the inbox
    event marked done, and the replies it produced. A replayed event changes nothing twice."""

    tenant_id: int
    user: str
    inbox_id: int | None
    expected_version: int
    state: str
    data: str
    replies: tuple[str | OutgoingImage, ...] = ()  # in the order they are to arrive
    expires_at: dt.datetime | None = None
    publish: PublishListing | None = None
    lead: RecordLead | None = None
    add_photos: AddListingPhotos | None = None
    # Texts to other chats (an alert to a seller about this buyer): (chat, text), queued with
    # the turn's replies, once per inbox event like them.
    alerts: tuple[tuple[str, str], ...] = ()

    def apply(self) -> TurnCommitted:
        session = sql.fetch_one(
            'SELECT "id", "version" FROM "conversation_session" WHERE "tenant_id" = ? '
            'AND "user" = ?',
            (self.tenant_id, self.user),
        )
        current = session[1] if session else 0
        if self.inbox_id is not None:
            event = sql.fetch_one(
                'SELECT "status" FROM "inbox_event" WHERE "id" = ?', (self.inbox_id,)
            )
            if event is None:
                raise StorageError(f"there is no inbox event {self.inbox_id}")
            if event[0] != "new":
                return TurnCommitted(current, replayed=True)
        if current != self.expected_version:
            raise StaleSession(
                f"session of {self.user} is at version {current}, not {self.expected_version}"
            )
        values = (self.state, self.data, current + 1, utcnow(), self.expires_at)
        if session is None:
            sql.execute(
                'INSERT INTO "conversation_session" ("state", "data", "version", "updated_at", '
                '"expires_at", "tenant_id", "user") VALUES (?, ?, ?, ?, ?, ?, ?)',
                (*values, self.tenant_id, self.user),
            )
        else:
            sql.execute(
                'UPDATE "conversation_session" SET "state" = ?, "data" = ?, "version" = ?, '
                '"updated_at" = ?, "expires_at" = ? WHERE "id" = ?',
                (*values, session[0]),
            )
        replies, code, slug = list(self.replies), None, None
        if self.lead is not None:
            self.lead.record(self.tenant_id, self.user)
        if self.add_photos is not None:
            replies.append(self.add_photos.add(self.tenant_id, self.user))
        if self.publish is not None:
            code, slug = self.publish.create(self.tenant_id, self.user)
            link = f"{self.publish.link_base.rstrip('/')}/cars/{slug}"
            replies.append(self.publish.published_text.format(code=code, link=link))
        for number, reply in enumerate(replies):
            key = f"inbox:{self.inbox_id}:{number}" if self.inbox_id is not None else None
            if isinstance(reply, OutgoingImage):
                EnqueueReply(self.tenant_id, self.user, reply.caption, key, reply.file).apply()
            else:
                EnqueueReply(self.tenant_id, self.user, reply, key).apply()
        for number, (chat, alert) in enumerate(self.alerts):
            key = f"inbox:{self.inbox_id}:alert:{number}" if self.inbox_id is not None else None
            EnqueueReply(self.tenant_id, chat, alert, key).apply()
        if self.inbox_id is not None:
            MarkInbox(self.inbox_id, "done").apply()
        return TurnCommitted(current + 1, replayed=False, listing_code=code, listing_slug=slug)


@dataclass(frozen=True, slots=True)
class MarkOutbox(Write):
    """Record how a send went: sent, failed (with the reason), or pending again at `retry_at`."""

    message_id: int
    status: str
    error: str | None = None
    retry_at: dt.datetime | None = None

    def apply(self) -> None:
        sent_at = utcnow() if self.status == "sent" else None
        sql.execute(
            'UPDATE "outbox_message" SET "status" = ?, "attempts" = "attempts" + 1, '
            '"last_error" = ?, "sent_at" = COALESCE(?, "sent_at"), '
            '"next_attempt_at" = COALESCE(?, "next_attempt_at") WHERE "id" = ?',
            (self.status, self.error, sent_at, self.retry_at, self.message_id),
        )


@dataclass(frozen=True, slots=True)
class ChangeListing(Write):
    """A seller's change to one of their own cars (or an admin's to any: `seller` None):
    `status` (available, booking, sold, hidden), `price`, or `delete` (it leaves the catalog;
    the row and its code stay). Returns the code, or None when there is no such car."""

    tenant_id: int
    seller: str | None
    code: str
    action: str
    value: Any = None

    def apply(self) -> str | None:
        # a seller's own cars, except those an admin hid (moderation is not theirs to undo)
        mine = (
            (Listing.seller == self.seller) & (Listing.status != "hidden")
            if self.seller is not None
            else True
        )
        listing = Listing.get_or_none(
            (Listing.tenant == self.tenant_id)
            & (Listing.code == self.code)
            & mine
            & (Listing.status != "deleted")
        )
        if listing is None:
            return None
        changes: dict[str, Any] = {"updated_at": utcnow()}
        if self.action == "status":
            changes["status"] = self.value
        elif self.action == "price":
            changes["price_idr"] = int(self.value)
        elif self.action == "delete":
            changes["status"] = "deleted"
        else:
            raise StorageError(f"unknown listing change {self.action!r}")
        Listing.update(**changes).where(Listing.id == listing.id).execute()
        return listing.code


@dataclass(frozen=True, slots=True)
class EnsurePeople(Write):
    """Make sure the configured admins and sellers are registered and active (others that
    were added from the chat are left as they are)."""

    tenant_id: int
    admins: tuple[str, ...]
    sellers: tuple[str, ...]

    def apply(self) -> None:
        wanted = {phone: "seller" for phone in self.sellers}
        wanted.update({phone: "admin" for phone in self.admins})
        for phone, role in wanted.items():
            person = Person.get_or_none((Person.tenant == self.tenant_id) & (Person.phone == phone))
            if person is None:
                Person.create(tenant=self.tenant_id, phone=phone, role=role)
            elif not person.active or (role == "admin" and person.role != "admin"):
                Person.update(active=True, role=role, updated_at=utcnow()).where(
                    Person.id == person.id
                ).execute()


@dataclass(frozen=True, slots=True)
class RecordLead:
    """Part of a turn: someone who is not a seller wrote to the bot. A buyer turn (`intent`
    given) also raises the lead's status (it never drops by itself: new < warm < hot; a closed
    or lost lead opens again only as hot), remembers the cars asked about and who was alerted,
    and keeps the question as it was read and answered (`buyer_question`)."""

    name: str
    text: str
    intent: str = ""
    status: str = "new"
    cars: tuple[str, ...] = ()
    answered: bool = False
    wanted: str = ""  # a search that found nothing: what was wanted
    found: int | None = None
    alerted: tuple[str, ...] = ()
    # the answer to a message already counted (held back by the flood limit): the lead rises
    # and remembers, but the message is neither counted nor its question kept again
    repeat: bool = False

    def record(self, tenant_id: int, identity: str) -> None:
        now = utcnow()
        lead = Lead.get_or_none((Lead.tenant == tenant_id) & (Lead.identity == identity))
        last_car = self.cars[-1] if self.cars else ""
        alerted = ",".join(self.alerted)[:200]
        if lead is None:
            Lead.create(
                tenant=tenant_id,
                identity=identity,
                name=self.name[:100],
                messages=1,
                last_text=self.text[:1000],
                status=self.status,
                last_car=last_car,
                alerted=alerted,
                alerts=1 if self.alerted else 0,
                status_at=now,
            )
        else:
            status = risen_status(lead.status, self.status)
            changes: dict[str, Any] = {
                "messages": Lead.messages + (0 if self.repeat else 1),
                "last_text": self.text[:1000],
                "last_seen": now,
                "name": self.name[:100] or lead.name,
                "status": status,
            }
            if status != lead.status:
                changes["status_at"] = now
            if last_car:
                changes["last_car"] = last_car
            if self.alerted:
                changes.update(alerted=alerted, alerts=Lead.alerts + 1)
            Lead.update(**changes).where(Lead.id == lead.id).execute()
        for code in self.cars:
            sql.execute(
                'INSERT INTO "lead_car" ("tenant_id", "identity", "code", "first_at", '
                '"last_at") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("tenant_id", "identity", '
                '"code") DO UPDATE SET "last_at" = excluded."last_at"',
                (tenant_id, identity, code, now, now),
            )
        if self.intent and not self.repeat:
            BuyerQuestion.create(
                tenant=tenant_id,
                identity=identity,
                intent=self.intent[:16],
                code=last_car,
                wanted=self.wanted[:200],
                found=self.found,
                answered=self.answered,
                alerted=bool(self.alerted),
                created_at=now,
            )


_RISING = ("new", "warm", "hot")


def risen_status(current: str, proposed: str) -> str:
    """A lead's status after a turn that makes it at least `proposed`."""
    if current in ("closed", "lost"):
        return "hot" if proposed == "hot" else current
    if current not in _RISING or proposed not in _RISING:
        return current
    return max(current, proposed, key=_RISING.index)


@dataclass(frozen=True, slots=True)
class SetLeadStatus(Write):
    """The showroom sets a lead's status (`/lead 0812... closed`); with `seller`, only a lead
    who asked about one of that seller's cars. Returns the status, or None: no such lead."""

    tenant_id: int
    identity: str
    status: str
    seller: str | None = None

    def apply(self) -> str | None:
        lead = Lead.get_or_none((Lead.tenant == self.tenant_id) & (Lead.identity == self.identity))
        if lead is None:
            return None
        if self.seller is not None and not lead_of_seller(
            self.tenant_id, self.identity, self.seller
        ):
            return None
        Lead.update(status=self.status, status_at=utcnow()).where(Lead.id == lead.id).execute()
        return self.status


@dataclass(frozen=True, slots=True)
class SetPerson(Write):
    """Add (or re-activate) a seller or an admin, or remove one (`active` False). Removing the
    last active admin is refused. Returns what changed: added, updated, removed, absent,
    last_admin."""

    tenant_id: int
    phone: str
    role: str
    active: bool
    name: str = ""

    def apply(self) -> str:
        person = Person.get_or_none(
            (Person.tenant == self.tenant_id) & (Person.phone == self.phone)
        )
        if not self.active:
            if person is None or not person.active or person.role != self.role:
                return "absent"
            if (
                self.role == "admin"
                and Person.select()
                .where((Person.tenant == self.tenant_id) & (Person.role == "admin") & Person.active)
                .count()
                <= 1
            ):
                return "last_admin"
            Person.update(active=False, updated_at=utcnow()).where(Person.id == person.id).execute()
            return "removed"
        if person is None:
            Person.create(tenant=self.tenant_id, phone=self.phone, role=self.role, name=self.name)
            return "added"
        role = "admin" if "admin" in (person.role, self.role) else self.role
        Person.update(
            active=True, role=role, name=self.name or person.name, updated_at=utcnow()
        ).where(Person.id == person.id).execute()
        return "updated"


@dataclass(frozen=True, slots=True)
class Audit(Write):
    """Who did what, allowed or denied."""

    tenant_id: int
    actor: str
    action: str
    target: str
    allowed: bool
    detail: str = ""

    def apply(self) -> None:
        AuditEntry.create(
            tenant=self.tenant_id,
            actor=self.actor,
            action=self.action,
            target=self.target[:200],
            allowed=self.allowed,
            detail=self.detail[:2000],
        )
