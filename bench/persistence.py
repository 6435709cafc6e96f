"""Persistence benchmark: group commit against one commit per row.

1. Rows per second through the persistence actor with 100 concurrent askers, divided by rows per
   second when each of the same 100 tasks commits its own row through `trio.to_thread`
   (serialised by a limiter of one, the kindest case for per-row commits). Target: >= 5.
2. The group-commit rate with synchronous=FULL divided by the rate with synchronous=NORMAL.
   Target: >= 0.7 (durability costs little once commits are grouped).

All on the same SQLite file (emptied between runs), in this one run.

    python -m bench.persistence       # prints both, exits 1 when a target is missed
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import trio

from actors.persistence import PersistenceActor
from runtime.testing import actor_mailbox, run_alone
from storage.database import SYNCHRONOUS_FULL, SYNCHRONOUS_NORMAL, migrate, open_sqlite
from storage.models import InboxEvent, Tenant
from storage.writes import AppendInbox

ASKERS = 100
ROWS_PER_ASKER = 30
TARGET_GROUP_RATIO = 5.0
TARGET_FULL_RATIO = 0.7


def reset(path: Path, synchronous: int) -> int:
    db = open_sqlite(path, synchronous=synchronous)
    migrate(db)
    with db.atomic():
        InboxEvent.delete().execute()
        tenant = Tenant.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    db.close()
    return tenant.id


def payload(tenant_id: int, asker: int, n: int) -> AppendInbox:
    return AppendInbox(
        tenant_id, f"{asker}-{n}", "6281234567890", '{"kind": "text", "text": "halo"}'
    )


async def group_commit_rate(path: Path, synchronous: int) -> float:
    tenant_id = reset(path, synchronous)
    actor = PersistenceActor(lambda: open_sqlite(path, synchronous=synchronous))
    ref, mailbox = actor_mailbox("persistence", 1024)

    async def asker(number: int) -> None:
        for n in range(ROWS_PER_ASKER):
            await ref.ask(payload(tenant_id, number, n), timeout=60)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_alone, actor, mailbox)
        started = time.perf_counter()
        async with trio.open_nursery() as askers:
            for number in range(ASKERS):
                askers.start_soon(asker, number)
        elapsed = time.perf_counter() - started
        mailbox.close()
    return ASKERS * ROWS_PER_ASKER / elapsed


async def per_row_commit_rate(path: Path) -> float:
    tenant_id = reset(path, SYNCHRONOUS_FULL)
    db = open_sqlite(path)
    one_at_a_time = trio.CapacityLimiter(1)

    def commit_one(write: AppendInbox) -> None:
        with db.atomic():
            write.apply()

    async def asker(number: int) -> None:
        for n in range(ROWS_PER_ASKER):
            await trio.to_thread.run_sync(
                commit_one, payload(tenant_id, number, n), limiter=one_at_a_time
            )

    started = time.perf_counter()
    async with trio.open_nursery() as askers:
        for number in range(ASKERS):
            askers.start_soon(asker, number)
    return ASKERS * ROWS_PER_ASKER / (time.perf_counter() - started)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="showroom-bench-", dir=Path.cwd()) as folder:
        path = Path(folder) / "bench.db"
        per_row = trio.run(per_row_commit_rate, path)
        grouped_full = trio.run(group_commit_rate, path, SYNCHRONOUS_FULL)
        grouped_normal = trio.run(group_commit_rate, path, SYNCHRONOUS_NORMAL)
    group_ratio = grouped_full / per_row
    full_ratio = grouped_full / grouped_normal
    print(
        f"group commit, {ASKERS} askers: {grouped_full:,.0f} rows/s; one to_thread commit "
        f"per row: {per_row:,.0f} rows/s; ratio {group_ratio:.1f} "
        f"(target >= {TARGET_GROUP_RATIO:g})"
    )
    print(
        f"group commit synchronous=FULL: {grouped_full:,.0f} rows/s; NORMAL: "
        f"{grouped_normal:,.0f} rows/s; ratio {full_ratio:.2f} (target >= {TARGET_FULL_RATIO:g})"
    )
    missed = group_ratio < TARGET_GROUP_RATIO or full_ratio < TARGET_FULL_RATIO
    if missed:
        print("TARGET MISSED")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
