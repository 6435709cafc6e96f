"""The persistence actor: group commit, per-write failures, durability, draining on stop."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import trio

from actors.persistence import PersistenceActor
from runtime import Supervisor
from runtime.testing import actor_mailbox, run_alone
from storage.database import open_sqlite
from storage.errors import StaleSession, StorageError
from storage.models import InboxEvent, Listing, OutboxMessage
from storage.reader import Reader
from storage.writes import (
    AppendInbox,
    CommitTurn,
    EnqueueReply,
    InboxAppended,
    TurnCommitted,
    Write,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class NegativePrice(Write):
    tenant_id: int

    def apply(self) -> int:
        return Listing.create(
            tenant=self.tenant_id,
            code="BAD",
            slug="bad",
            seller="62812",
            make="Honda",
            model="Jazz",
            price_idr=-5,
        ).id


def count(db_path, table: str) -> int:
    with sqlite3.connect(db_path) as connection:  # another connection: sees only what committed
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def committed(db_path, dedupe_key: str) -> bool:
    with sqlite3.connect(db_path) as connection:
        query = "SELECT 1 FROM inbox_event WHERE dedupe_key = ?"
        return connection.execute(query, (dedupe_key,)).fetchone() is not None


def append(tenant, key: str) -> AppendInbox:
    return AppendInbox(tenant.id, key, "6281234567890", '{"kind": "text"}')


async def start(nursery, db_path):
    actor = PersistenceActor(lambda: open_sqlite(db_path))
    ref, mailbox = actor_mailbox("persistence", 1024)
    nursery.start_soon(run_alone, actor, mailbox)
    return actor, ref, mailbox


async def test_a_hundred_concurrent_askers_are_committed_in_few_batches(db, db_path, tenant):
    results = {}
    async with trio.open_nursery() as nursery:
        actor, ref, mailbox = await start(nursery, db_path)

        async def asker(n):
            results[n] = await ref.ask(append(tenant, f"evt-{n}"), timeout=30)
            assert committed(db_path, f"evt-{n}")  # answered only after COMMIT

        async with trio.open_nursery() as askers:
            for n in range(100):
                askers.start_soon(asker, n)
        mailbox.close()
    assert len({r.id for r in results.values()}) == 100
    assert not any(r.duplicate for r in results.values())
    assert count(db_path, "inbox_event") == 100
    assert actor.stats.writes == 100 and actor.stats.batches < 10


async def test_a_duplicate_event_is_stored_once_and_reported(db, db_path, tenant):
    async with trio.open_nursery() as nursery:
        _, ref, mailbox = await start(nursery, db_path)
        first = await ref.ask(append(tenant, "wamid.1"), timeout=30)
        again = await ref.ask(append(tenant, "wamid.1"), timeout=30)
        mailbox.close()
    assert first == InboxAppended(first.id, duplicate=False)
    assert again == InboxAppended(first.id, duplicate=True)
    assert count(db_path, "inbox_event") == 1


@pytest.mark.parametrize("bad", [{7}, {0}, {19}, {3, 4, 15}])
async def test_a_bad_write_fails_only_its_own_asker(db, db_path, tenant, bad):
    outcomes = {}
    async with trio.open_nursery() as nursery:
        _, ref, mailbox = await start(nursery, db_path)

        async def asker(n, write):
            try:
                outcomes[n] = await ref.ask(write, timeout=30)
            except Exception as exc:
                outcomes[n] = exc

        async with trio.open_nursery() as askers:
            for n in range(20):
                write = NegativePrice(tenant.id) if n in bad else append(tenant, f"e{n}")
                askers.start_soon(asker, n, write)
        mailbox.close()
    for n in bad:  # the database's error, as the storage floor's (the web need not know peewee)
        error = outcomes.pop(n)
        assert isinstance(error, StorageError) and "CHECK constraint failed" in str(error)
    assert all(isinstance(o, InboxAppended) for o in outcomes.values())
    assert count(db_path, "inbox_event") == 20 - len(bad) and count(db_path, "listing") == 0


async def test_a_turn_commits_state_replies_and_done_mark_together_and_only_once(
    db, db_path, tenant
):
    async with trio.open_nursery() as nursery:
        _, ref, mailbox = await start(nursery, db_path)
        event = await ref.ask(append(tenant, "wamid.turn"), timeout=30)
        turn = CommitTurn(
            tenant.id,
            "6281234567890",
            event.id,
            expected_version=0,
            state="collecting_photos",
            data='{"photos": 0}',
            replies=("Silakan kirim foto", "Foto 1 diterima"),
        )
        assert await ref.ask(turn, timeout=30) == TurnCommitted(1, replayed=False)
        # the same inbox event replayed after a crash: nothing happens twice
        assert await ref.ask(turn, timeout=30) == TurnCommitted(1, replayed=True)
        with pytest.raises(StaleSession):  # a turn computed from an old version is refused
            await ref.ask(CommitTurn(tenant.id, "6281234567890", None, 0, "idle", "{}"), timeout=30)
        mailbox.close()
    with db.connection_context():
        assert InboxEvent.get_by_id(event.id).status == "done"
        assert [m.text for m in OutboxMessage.select().order_by(OutboxMessage.id)] == [
            "Silakan kirim foto",
            "Foto 1 diterima",
        ]


async def test_an_enqueued_reply_with_a_dedupe_key_is_stored_once(db, db_path, tenant):
    async with trio.open_nursery() as nursery:
        _, ref, mailbox = await start(nursery, db_path)
        reply = EnqueueReply(tenant.id, "6281234567890", "Halo", dedupe_key="inbox:1:0")
        first = await ref.ask(reply, timeout=30)
        assert await ref.ask(reply, timeout=30) == first
        mailbox.close()
    assert count(db_path, "outbox_message") == 1


async def test_shutdown_drains_the_queue_even_when_the_scope_is_cancelled(db, db_path, tenant):
    async with trio.open_nursery() as nursery:
        actor, ref, _ = await start(nursery, db_path)
        await trio.testing.wait_all_tasks_blocked()
        for n in range(50):
            ref.tell(append(tenant, f"late-{n}"))
        nursery.cancel_scope.cancel()  # torn down with 50 writes still queued
    assert count(db_path, "inbox_event") == 50
    assert actor._db.is_closed()


async def test_under_a_supervisor_a_graceful_stop_commits_everything_queued(db, db_path, tenant):
    tree = Supervisor("root")
    ref = tree.add_actor(
        "persistence", lambda: PersistenceActor(lambda: open_sqlite(db_path)), mailbox_size=1024
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(tree.run)
        for n in range(30):
            ref.tell(append(tenant, f"q-{n}"))
        tree.shutdown()
    assert count(db_path, "inbox_event") == 30


async def test_reads_do_not_wait_for_a_write_in_progress(db, db_path, tenant):
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # a writer holds the write lock, uncommitted
    blocker.execute(
        "INSERT INTO inbox_event (tenant_id, dedupe_key, sender, event, status, "
        "attempts, received_at) VALUES (?, 'uncommitted', '', '', 'new', 0, '')",
        (tenant.id,),
    )
    try:
        reader = Reader(db)
        with trio.fail_after(5):
            seen = await reader.run(lambda: InboxEvent.select().count())
        assert seen == 0  # the last committed state, at once
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import trio
    from actors.persistence import PersistenceActor
    from runtime.testing import actor_mailbox, run_alone
    from storage.database import open_sqlite
    from storage.writes import AppendInbox

    async def main():
        ref, mailbox = actor_mailbox("persistence", 1024)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(run_alone, PersistenceActor(lambda: open_sqlite({path!r})), mailbox)

            async def writer(lane):
                n = 0
                while True:
                    n += 1
                    key = f"{{lane}}-{{n}}"
                    await ref.ask(AppendInbox({tenant}, key, "", "{{}}"), timeout=30)
                    print(key, flush=True)  # acknowledged: must survive anything now

            for lane in range(8):
                nursery.start_soon(writer, lane)

    trio.run(main)
""")


def test_an_acknowledged_write_survives_a_kill(db, db_path, tenant):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(db_path), tenant=tenant.id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = []
    try:
        for line in child.stdout:
            acknowledged.append(line.strip())
            if len(acknowledged) == 300:
                child.send_signal(signal.SIGKILL)
                break
        acknowledged += [line.strip() for line in child.stdout]  # whatever was already printed
    finally:
        child.kill()
        child.wait()
    assert len(acknowledged) >= 300
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in connection.execute("SELECT dedupe_key FROM inbox_event")}
    assert set(acknowledged) <= stored


def test_a_failed_commit_is_answered_with_its_own_error_not_the_rollbacks():
    """When a COMMIT meets a full disk, SQLite rolls back by itself, and peewee's ROLLBACK
    then fails with "cannot rollback - no transaction is active" (wrapped twice, as here):
    the askers must hear "database or disk is full", a fault the program waits out."""
    import peewee

    from actors.persistence import _underlying
    from storage.faults import Fault, classify

    full = sqlite3.OperationalError("database or disk is full")
    rollback = sqlite3.OperationalError("cannot rollback - no transaction is active")
    rollback.__context__ = full  # raised while the COMMIT's error was being handled
    failure = peewee.OperationalError("cannot rollback - no transaction is active")
    failure.__context__ = rollback  # peewee's wrapper around the driver's error
    error = _underlying(failure)
    assert str(error) == "database or disk is full" and classify(error) is Fault.FULL
