"""The writes the persistence actor applies. Each runs inside the batch's transaction (in its
own savepoint) on the writer thread; `apply` returns what the asker gets back.

Every write is idempotent where a replay can reach it: an inbox event is stored once per
(tenant, dedupe key), a turn is committed once per inbox event, a reply is enqueued once per
dedupe key. So a redelivered webhook or a replay after a crash creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage import sql
from storage.errors import StorageError
from storage.models import Tenant, utcnow


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
        params = (self.tenant_id, self.dedupe_key, self.sender, self.raw, self.event, utcnow())
        row = sql.fetch_one(
            'INSERT INTO "inbox_event" ("tenant_id", "dedupe_key", "sender", "raw", "event", '
            '"status", "attempts", "received_at") VALUES (?, ?, ?, ?, ?, \'new\', 0, ?) '
            'ON CONFLICT ("tenant_id", "dedupe_key") DO NOTHING RETURNING "id"',
            params,
        )
        if row is not None:
            return InboxAppended(row[0], duplicate=False)
        existing = sql.fetch_one(
            'SELECT "id" FROM "inbox_event" WHERE "tenant_id" = ? AND "dedupe_key" = ?',
            params[:2],
        )
        return InboxAppended(existing[0], duplicate=True)


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
    """Queue a reply for the outbox. With a dedupe key, a second enqueue returns the first id."""

    tenant_id: int
    chat: str
    text: str
    dedupe_key: str | None = None

    def apply(self) -> int:
        now = utcnow()
        row = sql.fetch_one(
            'INSERT INTO "outbox_message" ("tenant_id", "chat", "text", "dedupe_key", "status", '
            '"attempts", "next_attempt_at", "created_at") '
            "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) "
            'ON CONFLICT ("tenant_id", "dedupe_key") DO NOTHING RETURNING "id"',
            (self.tenant_id, self.chat, self.text, self.dedupe_key, now, now),
        )
        if row is not None:
            return row[0]
        existing = sql.fetch_one(
            'SELECT "id" FROM "outbox_message" WHERE "tenant_id" = ? AND "dedupe_key" = ?',
            (self.tenant_id, self.dedupe_key),
        )
        return existing[0]


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
        sent_at = utcnow() if self.status == "sent" else None
        sql.execute(
            'UPDATE "outbox_message" SET "status" = ?, "attempts" = "attempts" + 1, '
            '"last_error" = ?, "sent_at" = COALESCE(?, "sent_at"), '
            '"next_attempt_at" = COALESCE(?, "next_attempt_at") WHERE "id" = ?',
            (self.status, self.error, sent_at, self.retry_at, self.message_id),
        )
