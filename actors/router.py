"""The router: moves committed inbox events to the users' session actors.

The webhook tells it about each event right after COMMIT. At start it replays every event a
crash left unprocessed, and every so often it looks again for events that are still new (a
session mailbox that was full, a session that crashed before committing).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from actors.session import Incoming, Resume
from domain.events import InboundEvent
from runtime import Actor, ActorStopped, KeyedRegistry, MailboxFull
from storage.models import utcnow
from storage.queries import (
    sessions_holding_a_message,
    sessions_waiting_on_photos,
    unprocessed_inbox,
)
from storage.reader import Reader

log = logging.getLogger("showroom.router")

RESCAN_INTERVAL_S = 30.0
RESCAN_AGE_S = 60.0  # only events this old: younger ones are probably on their way


@dataclass(frozen=True, slots=True)
class Deliver:
    inbox_id: int
    event: InboundEvent


@dataclass(frozen=True, slots=True)
class Rescan:
    pass


class RouterActor(Actor[Deliver | Rescan]):
    def __init__(
        self, sessions: KeyedRegistry, reader: Reader, tenant_ids: Mapping[str, int]
    ) -> None:
        self.sessions = sessions
        self.reader = reader
        self.tenant_ids = tenant_ids  # the configured dealers, by slug
        self.delivered = 0
        self.replayed = 0

    async def started(self) -> None:
        self.replayed += await self._replay(older_than=None)
        # Nothing else would wake these: the person waits for us. Activating the session
        # restarts its downloads, or sets the reminder for the message the flood limit held.
        waiting = await self.reader.run(sessions_waiting_on_photos)
        holding = await self.reader.run(sessions_holding_a_message)
        for key in dict.fromkeys([*waiting, *holding]):
            if key[0] not in self.tenant_ids:
                continue  # a dealer taken out of the configuration: its sessions rest
            try:
                self.sessions.tell(key, Resume())
            except (MailboxFull, ActorStopped) as exc:
                log.warning("could not resume the session of %s: %s", key[1], exc)

    async def handle(self, message: Deliver | Rescan) -> None:
        match message:
            case Deliver(inbox_id, event):
                self._deliver(inbox_id, event)
            case Rescan():
                cutoff = utcnow() - dt.timedelta(seconds=RESCAN_AGE_S)
                self.replayed += await self._replay(older_than=cutoff)

    async def _replay(self, older_than: dt.datetime | None) -> int:
        """Deliver the events still new in the inbox. A user whose session is active is left
        out: what is queued for them is on its way, in order (delivering it again would only
        queue a copy behind it); what is left over is delivered once the session rests."""
        rows = await self.reader.run(
            partial(unprocessed_inbox, older_than, tenant_ids=list(self.tenant_ids.values()))
        )
        replaying: set[tuple[str, str]] = set()  # users this replay is delivering to
        replayed = 0
        for inbox_id, event_json in rows:
            event = InboundEvent.from_json(event_json)
            key = (event.tenant, str(event.sender))
            if key in self.sessions and key not in replaying:
                continue
            replaying.add(key)
            self._deliver(inbox_id, event)
            replayed += 1
        if replayed:
            log.info("replayed %d unprocessed inbox event(s)", replayed)
        return replayed

    def _deliver(self, inbox_id: int, event: InboundEvent) -> None:
        try:
            key = (event.tenant, str(event.sender))
            self.sessions.tell(key, Incoming(inbox_id, event), ordered=True)
            self.delivered += 1
        except (MailboxFull, ActorStopped) as exc:
            # Stopping, or a flood beyond what may wait in memory: the row stays new in the
            # inbox, and the next rescan delivers it.
            log.warning("event %d for %s not delivered now: %s", inbox_id, event.sender, exc)
