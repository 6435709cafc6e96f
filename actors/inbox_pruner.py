"""Prunes processed inbox events once they are older than `inbox.keep_processed_days`.

An event is the dedupe record of its message too: a gateway that delivers the same message
again within that time finds it and nothing happens twice. After that it is only weight
(a busy dealer's inbox grows by thousands of rows a day). Events not yet processed are never
pruned. The deletes go through the persistence actor in small batches, with a pause between
them, so the write lock is never held long; a batch that fails (a full disk) waits for the
next round. The photos that came inline with pruned events become orphans, and the media
sweep removes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import trio

from runtime import ActorRef
from storage.models import utcnow
from storage.writes import PruneInbox

log = logging.getLogger("showroom.storage")

PRUNE_INTERVAL_S = 3600.0
FIRST_PRUNE_AFTER_S = 60.0  # not in the way of a start
BATCH = 500
PAUSE_BETWEEN_BATCHES_S = 0.05
WRITE_TIMEOUT_S = 30.0


async def prune_inbox_forever(
    persistence: ActorRef[Any], keep_days: float, interval_s: float = PRUNE_INTERVAL_S
) -> None:
    await trio.sleep(FIRST_PRUNE_AFTER_S)
    while True:
        await prune_inbox_once(persistence, keep_days)
        await trio.sleep(interval_s)


async def prune_inbox_once(
    persistence: ActorRef[Any], keep_days: float, *, batch: int = BATCH
) -> int:
    """Delete the processed events older than `keep_days`, a batch at a time; how many."""
    before = utcnow() - dt.timedelta(days=keep_days)
    pruned = 0
    while True:
        try:
            deleted = await persistence.ask(PruneInbox(before, batch), timeout=WRITE_TIMEOUT_S)
        except Exception as exc:  # a full disk, a busy writer: the next round
            log.warning("inbox pruning stopped for now: %s", exc)
            break
        pruned += deleted
        if deleted < batch:
            break
        await trio.sleep(PAUSE_BETWEEN_BATCHES_S)  # let the other writes in
    if pruned:
        log.info("pruned %d processed inbox event(s) older than %g days", pruned, keep_days)
    return pruned
