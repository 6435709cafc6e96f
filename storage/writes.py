"""The writes the persistence actor applies. Each runs inside the batch's transaction (in its
own savepoint) on the writer thread; `apply` returns what the asker gets back.

Every write is idempotent where a replay can reach it: an inbox event is stored once per
(tenant, dedupe key), a turn is committed once per inbox event, a reply is enqueued once per
dedupe key. So a redelivered webhook or a replay after a crash creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from storage.errors import StorageError
from storage.models import ConversationSession, InboxEvent, OutboxMessage, Tenant, utcnow


class StaleSession(StorageError):
    """The session changed since it was read (another turn committed first)."""


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


@dataclass(frozen=True, slots=True)
class AppendInbox(Write):
    """Store a received event once per (tenant, dedupe key); a repeat reports duplicate=True."""

    tenant_id: int
    dedupe_key: str
    sender: str
    raw: str
    event: str

    def apply(self) -> InboxAppended:
        # The hottest write (every webhook waits for it), so its SQL is written once here
        # instead of being built by the ORM per call (that building costs more than the
        # grouped commit itself). Plain SQL that SQLite (3.35+) and PostgreSQL both speak.
        db = InboxEvent._meta.database
        received_at = InboxEvent.received_at.db_value(utcnow())
        params = (self.tenant_id, self.dedupe_key, self.sender, self.raw, self.event, received_at)
        row = db.execute_sql(_append_inbox_sql(db.param), params).fetchone()
        if row is not None:
            return InboxAppended(row[0], duplicate=False)
        existing = db.execute_sql(_find_inbox_sql(db.param), params[:2]).fetchone()
        return InboxAppended(existing[0], duplicate=True)


@functools.cache
def _append_inbox_sql(p: str) -> str:
    return (
        'INSERT INTO "inbox_event" ("tenant_id", "dedupe_key", "sender", "raw", "event", '
        f'"status", "attempts", "received_at") VALUES ({p}, {p}, {p}, {p}, {p}, \'new\', 0, {p}) '
        'ON CONFLICT ("tenant_id", "dedupe_key") DO NOTHING RETURNING "id"'
    )


@functools.cache
def _find_inbox_sql(p: str) -> str:
    return f'SELECT "id" FROM "inbox_event" WHERE "tenant_id" = {p} AND "dedupe_key" = {p}'


@dataclass(frozen=True, slots=True)
class MarkInbox(Write):
    """Finish an inbox event as done, or give up on it as dead (with the reason)."""

    inbox_id: int
    status: str
    error: str | None = None

    def apply(self) -> None:
        InboxEvent.update(
            status=self.status,
            processed_at=utcnow(),
            last_error=self.error,
            attempts=InboxEvent.attempts + 1,
        ).where(InboxEvent.id == self.inbox_id).execute()


@dataclass(frozen=True, slots=True)
class EnqueueReply(Write):
    """Queue a reply for the outbox. With a dedupe key, a second enqueue returns the first id."""

    tenant_id: int
    chat: str
    text: str
    dedupe_key: str | None = None

    def apply(self) -> int:
        if self.dedupe_key is not None:
            existing = OutboxMessage.get_or_none(
                (OutboxMessage.tenant == self.tenant_id)
                & (OutboxMessage.dedupe_key == self.dedupe_key)
            )
            if existing is not None:
                return existing.id
        return OutboxMessage.create(
            tenant=self.tenant_id, chat=self.chat, text=self.text, dedupe_key=self.dedupe_key
        ).id


@dataclass(frozen=True, slots=True)
class TurnCommitted:
    version: int
    replayed: bool  # the inbox event had been committed before: nothing changed


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
    replies: tuple[str, ...] = ()
    expires_at: dt.datetime | None = None

    def apply(self) -> TurnCommitted:
        session = ConversationSession.get_or_none(
            (ConversationSession.tenant == self.tenant_id) & (ConversationSession.user == self.user)
        )
        if self.inbox_id is not None:
            event = InboxEvent.get_by_id(self.inbox_id)
            if event.status != "new":
                return TurnCommitted(session.version if session else 0, replayed=True)
        current = session.version if session else 0
        if current != self.expected_version:
            raise StaleSession(
                f"session of {self.user} is at version {current}, not {self.expected_version}"
            )
        values = {
            "state": self.state,
            "data": self.data,
            "version": current + 1,
            "updated_at": utcnow(),
            "expires_at": self.expires_at,
        }
        if session is None:
            ConversationSession.create(tenant=self.tenant_id, user=self.user, **values)
        else:
            ConversationSession.update(**values).where(
                ConversationSession.id == session.id
            ).execute()
        for number, text in enumerate(self.replies):
            key = f"inbox:{self.inbox_id}:{number}" if self.inbox_id is not None else None
            EnqueueReply(self.tenant_id, self.user, text, key).apply()
        if self.inbox_id is not None:
            MarkInbox(self.inbox_id, "done").apply()
        return TurnCommitted(current + 1, replayed=False)


@dataclass(frozen=True, slots=True)
class MarkOutbox(Write):
    """Record how a send went: sent, failed (with the reason), or pending again at `retry_at`."""

    message_id: int
    status: str
    error: str | None = None
    retry_at: dt.datetime | None = None

    def apply(self) -> None:
        values: dict[str, Any] = {
            "status": self.status,
            "attempts": OutboxMessage.attempts + 1,
            "last_error": self.error,
        }
        if self.status == "sent":
            values["sent_at"] = utcnow()
        if self.retry_at is not None:
            values["next_attempt_at"] = self.retry_at
        OutboxMessage.update(**values).where(OutboxMessage.id == self.message_id).execute()
