"""Read queries (run them through storage.reader.Reader, off the trio thread)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from peewee import SQL, fn

from domain.session_state import SessionState, Stage
from storage import sql
from storage.models import (
    ConversationSession,
    IdentityAlias,
    InboxEvent,
    Lead,
    Listing,
    OutboxMessage,
    Person,
    Photo,
    Tenant,
)


def referenced_media_files() -> set[tuple[str, str]]:
    """(tenant slug, file name) of every photo file in use: by a listing's photo rows, by
    an upload still in progress (its photos live in the session's data until publishing), or
    by an inbox event whose photo came inline (until the event is pruned)."""
    files: set[tuple[str, str]] = set()
    query = Photo.select(Tenant.slug, Photo.file_large, Photo.file_medium, Photo.file_thumb).join(
        Tenant
    )
    for slug, *names in query.tuples():
        files.update((slug, name) for name in names)
    inbound = (
        InboxEvent.select(Tenant.slug, InboxEvent.media_file)
        .join(Tenant)
        .where(InboxEvent.media_file.is_null(False))
    )
    files.update(inbound.tuples())  # photos that came inline: kept as long as their event
    sessions = (
        ConversationSession.select(Tenant.slug, ConversationSession.state, ConversationSession.data)
        .join(Tenant)
        .where(ConversationSession.state != Stage.IDLE.value)
    )
    for slug, stage, data in sessions.tuples():
        try:
            state = SessionState.from_row(stage, data)
        except ValueError:
            continue
        files.update((slug, name) for name in state.data.files())
    return files


# The start of an outbox row's last_error when its chat cannot be addressed by the gateway.
UNREACHABLE = "unreachable: "


@dataclass(frozen=True, slots=True)
class PendingReply:
    id: int
    chat: str
    text: str  # the message, or the photo's caption
    attempts: int
    next_attempt_at: dt.datetime
    image: str | None = None  # a stored photo of the tenant (its name in the photo store)


def chats_with_due_replies(tenant_id: int, now: dt.datetime) -> list[str]:
    """Chats of the tenant that have a reply waiting to be sent now, oldest first."""
    query = (
        OutboxMessage.select(OutboxMessage.chat, fn.MIN(OutboxMessage.id).alias("first"))
        .where(
            (OutboxMessage.tenant == tenant_id)
            & (OutboxMessage.status == "pending")
            & (OutboxMessage.next_attempt_at <= now)
        )
        .group_by(OutboxMessage.chat)
        .order_by(SQL("first"))
    )
    return [chat for chat, _ in query.tuples()]


def next_reply_due(tenant_id: int, now: dt.datetime) -> dt.datetime | None:
    """When the tenant's next waiting reply falls due (a retry later), None when none waits:
    the outbox sleeps until then instead of looking every few seconds."""
    due = (
        OutboxMessage.select(fn.MIN(OutboxMessage.next_attempt_at))
        .where(
            (OutboxMessage.tenant == tenant_id)
            & (OutboxMessage.status == "pending")
            & (OutboxMessage.next_attempt_at > now)
        )
        .scalar()
    )
    return None if due is None else OutboxMessage.next_attempt_at.python_value(due)


def outbox_agenda(tenant_id: int, now: dt.datetime) -> tuple[list[str], dt.datetime | None]:
    """The chats with replies due now, and when the next reply after those falls due (one
    trip to a reader thread for both)."""
    return chats_with_due_replies(tenant_id, now), next_reply_due(tenant_id, now)


PENDING_REPLIES = (
    "SELECT id, chat, text, attempts, next_attempt_at, image FROM outbox_message "
    "WHERE tenant_id = ? AND chat = ? AND status = 'pending' ORDER BY id"
)


def pending_replies(tenant_id: int, chat: str) -> list[PendingReply]:
    """Every reply still to be sent to one chat, in the order they must arrive. Plain SQL:
    the outbox asks this once for each chat it drains (storage/sql.py says why)."""
    as_datetime = OutboxMessage.next_attempt_at.python_value
    return [
        PendingReply(id_, chat_, text, attempts, as_datetime(due), image)
        for id_, chat_, text, attempts, due, image in sql.execute(
            PENDING_REPLIES, (tenant_id, chat)
        )
    ]


def phone_for(tenant_id: int, alias: str) -> str | None:
    """The phone number a hidden id (stored form, `lid:...`) was last seen with, if any."""
    row = (
        IdentityAlias.select(IdentityAlias.identity)
        .where((IdentityAlias.tenant == tenant_id) & (IdentityAlias.alias == alias))
        .tuples()
        .first()
    )
    return row[0] if row else None


def unprocessed_inbox(
    older_than: dt.datetime | None = None,
    limit: int = 1000,
    tenant_ids: Collection[int] | None = None,
) -> list[tuple[int, str]]:
    """(id, event JSON) of inbox rows not yet processed, oldest first; of `tenant_ids` only
    when given (a dealer taken out of the configuration keeps its rows, untouched)."""
    query = InboxEvent.select(InboxEvent.id, InboxEvent.event).where(InboxEvent.status == "new")
    if tenant_ids is not None:
        query = query.where(InboxEvent.tenant.in_(list(tenant_ids)))
    if older_than is not None:
        query = query.where(InboxEvent.received_at <= older_than)
    return list(query.order_by(InboxEvent.id).limit(limit).tuples())


def load_session(tenant_id: int, user: str) -> tuple[str, str, int] | None:
    """(state, data JSON, version) of a user's conversation, None when there is none yet."""
    row = (
        ConversationSession.select(
            ConversationSession.state, ConversationSession.data, ConversationSession.version
        )
        .where((ConversationSession.tenant == tenant_id) & (ConversationSession.user == user))
        .tuples()
        .first()
    )
    return tuple(row) if row else None


def listings(
    tenant_id: int, *, seller: str | None = None, status: str | None = None, limit: int = 40
) -> list[dict]:
    """Cars in the catalog (not the deleted ones), newest first: one seller's, or everyone's
    (for the admins), of one status or all."""
    query = Listing.select(
        Listing.code,
        Listing.make,
        Listing.model,
        Listing.variant,
        Listing.year,
        Listing.price_idr,
        Listing.status,
        Listing.seller,
    ).where((Listing.tenant == tenant_id) & (Listing.status != "deleted"))
    if seller is not None:
        query = query.where(Listing.seller == seller)
    if status is not None:
        query = query.where(Listing.status == status)
    return list(query.order_by(Listing.created_at.desc()).limit(limit).dicts())


def rights(tenant_id: int, identity: str) -> tuple[bool, bool]:
    """(is an active admin, is an active seller or admin) of the tenant: read at every turn,
    so a removal takes effect on the next message."""
    role = (
        Person.select(Person.role)
        .where((Person.tenant == tenant_id) & (Person.phone == identity) & Person.active)
        .scalar()
    )
    return role == "admin", role is not None


def people(tenant_id: int, role: str) -> list[dict]:
    """Active sellers (or admins) with how many cars each has in the catalog."""
    counts = dict(
        Listing.select(Listing.seller, fn.COUNT(Listing.id))
        .where((Listing.tenant == tenant_id) & (Listing.status != "deleted"))
        .group_by(Listing.seller)
        .tuples()
    )
    rows = (
        Person.select(Person.phone, Person.name, Person.role)
        .where(
            (Person.tenant == tenant_id)
            & Person.active
            & (
                (Person.role == role) | (Person.role == "admin")
                if role == "seller"
                else (Person.role == role)
            )
        )
        .order_by(Person.phone)
        .dicts()
    )
    return [{**row, "listings": counts.get(row["phone"], 0)} for row in rows]


def stats(tenant_id: int, now: dt.datetime) -> dict:
    """The numbers behind /stats."""
    day, week = now - dt.timedelta(days=1), now - dt.timedelta(days=7)
    by_status = dict(
        Listing.select(Listing.status, fn.COUNT(Listing.id))
        .where(Listing.tenant == tenant_id)
        .group_by(Listing.status)
        .tuples()
    )
    listed = Listing.select().where(Listing.tenant == tenant_id)
    photos = Photo.select().join(Listing).where(Listing.tenant == tenant_id)
    return {
        "by_status": by_status,
        "uploads_today": listed.where(Listing.created_at >= day).count(),
        "uploads_week": listed.where(Listing.created_at >= week).count(),
        "photos": photos.count(),
        "outbox_backlog": OutboxMessage.select()
        .where((OutboxMessage.tenant == tenant_id) & (OutboxMessage.status == "pending"))
        .count(),
        "outbox_failed": OutboxMessage.select()
        .where((OutboxMessage.tenant == tenant_id) & (OutboxMessage.status == "failed"))
        .count(),
        "outbox_unreachable": OutboxMessage.select()
        .where(
            (OutboxMessage.tenant == tenant_id)
            & (OutboxMessage.status == "failed")
            & OutboxMessage.last_error.startswith(UNREACHABLE)
        )
        .count(),
        "leads": Lead.select().where(Lead.tenant == tenant_id).count(),
        # messages a turn crashed on twice and that were given up (a bug: see the log)
        "crashed_week": InboxEvent.select()
        .where(
            (InboxEvent.tenant == tenant_id)
            & (InboxEvent.status == "dead")
            & (InboxEvent.received_at >= week)
        )
        .count(),
    }


def backlogs() -> dict[str, int]:
    """Inbox events not processed yet and replies not sent yet, all tenants."""
    return {
        "inbox": InboxEvent.select().where(InboxEvent.status == "new").count(),
        "outbox": OutboxMessage.select().where(OutboxMessage.status == "pending").count(),
    }


def sessions_holding_a_message() -> list[tuple[str, str]]:
    """(tenant slug, user) of buyers whose last message the flood limit held back: it is
    answered when the limit lifts, and after a restart only a resumed session knows when."""
    return _sessions_where(
        ConversationSession.data.contains('"held_text"'),  # kept only when not empty
        lambda state: bool(state.data.buyer.held),
    )


def sessions_waiting_on_photos() -> list[tuple[str, str]]:
    """(tenant slug, user) of uploads that still wait for photo downloads: after a restart
    nothing else would wake them, since the seller is waiting for us."""
    return _sessions_where(
        ConversationSession.state.in_((Stage.COLLECTING.value, Stage.ADDING.value)),
        lambda state: state.waiting_on_photos,
    )


def _sessions_where(
    condition: Any, wanted: Callable[[SessionState], bool]
) -> list[tuple[str, str]]:
    """(tenant slug, user) of the sessions the SQL `condition` narrows to and whose state is
    `wanted` (an unreadable one is skipped)."""
    rows = (
        ConversationSession.select(
            Tenant.slug,
            ConversationSession.user,
            ConversationSession.state,
            ConversationSession.data,
        )
        .join(Tenant)
        .where(condition)
    )
    found = []
    for slug, user, stage, data in rows.tuples():
        try:
            if wanted(SessionState.from_row(stage, data)):
                found.append((slug, user))
        except ValueError:
            continue
    return found
