"""The session actor against a real database: what happens when the storage fails under a turn."""

import dataclasses
import sqlite3
import threading

import pytest
import trio

import storage.database
from actors.persistence import PersistenceActor
from actors.session import Incoming, SessionActor, TenantRuntime
from domain.events import EventKind, InboundEvent
from domain.identity import ChatKind, Identity, IdentityKind
from runtime.testing import running
from storage.database import open_sqlite
from storage.models import InboxEvent, OutboxMessage
from storage.reader import Reader
from storage.writes import AppendInbox, CommitTurn

SELLER = Identity(IdentityKind.PHONE, "6281234567890")


def runtime(tenant) -> TenantRuntime:
    return TenantRuntime(
        slug=tenant.slug,
        id=tenant.id,
        language="id",
        showroom="Surabaya Motor",
        link_base="http://catalog",
        open_to_all=True,
        upload_ttl_s=3600,
        copywriter=None,
        admin=None,
        remind=lambda key, delay_s, message: None,
        wake_outbox=lambda chat: None,
        downloads=None,
        media=None,
    )


def hold_write_lock(db_path, seconds: float, locked: threading.Event) -> None:
    """Another process's writer: holds the write lock for `seconds`."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    locked.set()
    threading.Event().wait(seconds)
    other.execute("ROLLBACK")
    other.close()


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """Give up on a lock after 0.2 s instead of 10 s, so the test need not wait that long."""
    monkeypatch.setattr(storage.database, "BUSY_TIMEOUT_MS", 200)


async def test_a_turn_the_locked_database_could_not_save_is_tried_again_not_given_up(
    db_path, tenant, short_busy_timeout
):
    event = InboundEvent(
        tenant.slug, "m1", SELLER, ChatKind.DIRECT, EventKind.TEXT, "/upload Honda Jazz 2017 179jt"
    )
    database = open_sqlite(db_path)  # one database object, as the program has
    persistence = PersistenceActor(lambda: database)
    async with running(persistence, "persistence", 1024) as writer:
        appended = await writer.ask(
            AppendInbox(tenant.id, "m1", str(SELLER), event.to_json()), timeout=5
        )
        reader = Reader(database)
        session = SessionActor((tenant.slug, str(SELLER)), runtime(tenant), writer, reader)
        locked = threading.Event()
        async with trio.open_nursery() as nursery:
            # the lock outlives the writer's busy timeout: the first commit fails
            nursery.start_soon(trio.to_thread.run_sync, hold_write_lock, db_path, 1.0, locked)
            await trio.to_thread.run_sync(locked.wait)
            async with running(session, "session") as ref:
                ref.tell(Incoming(appended.id, event))
        with database.connection_context():
            status = InboxEvent.get_by_id(appended.id).status
            replies = [m.text for m in OutboxMessage.select()]
    assert status == "done"  # not "dead": the storage failed, not the message
    assert len(replies) == 1 and "Sekarang kirim" in replies[0]


class CountingAdmin:
    """The admin service's side of a turn: counts what it was asked to carry out."""

    def __init__(self) -> None:
        self.carried_out: list[str] = []

    async def carry_out(self, tenant, admin, allowed, command, *, seller_only=False) -> str:
        self.carried_out.append(command.name)
        return "Belum ada calon pembeli."


class FirstCommitTimesOut:
    """The writer as a slow disk makes it: the turn's first commit gives no answer in time."""

    def __init__(self, writer) -> None:
        self.writer, self.timed_out = writer, False

    async def ask(self, message, *, timeout: float):
        if isinstance(message, CommitTurn) and not self.timed_out:
            self.timed_out = True
            raise TimeoutError("the writer did not answer in time")
        return await self.writer.ask(message, timeout=timeout)


async def test_a_turn_tried_again_does_not_carry_out_its_command_twice(db_path, tenant):
    event = InboundEvent(tenant.slug, "m1", SELLER, ChatKind.DIRECT, EventKind.TEXT, "/leads")
    database = open_sqlite(db_path)
    admin = CountingAdmin()
    async with running(PersistenceActor(lambda: database), "persistence", 1024) as writer:
        appended = await writer.ask(
            AppendInbox(tenant.id, "m1", str(SELLER), event.to_json()), timeout=5
        )
        slow = FirstCommitTimesOut(writer)
        tenant_runtime = dataclasses.replace(runtime(tenant), admin=admin)
        session = SessionActor((tenant.slug, str(SELLER)), tenant_runtime, slow, Reader(database))
        async with running(session, "session") as ref:
            ref.tell(Incoming(appended.id, event))
    with database.connection_context():
        status = InboxEvent.get_by_id(appended.id).status
        replies = [m.text for m in OutboxMessage.select()]
    assert slow.timed_out and status == "done"
    assert admin.carried_out == ["leads"]  # once, though the turn was tried twice
    assert replies == ["Belum ada calon pembeli."]
