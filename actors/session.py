"""The session actor: one per chatting user, a thin shell around the conversation state machine.

Activated by the user's first message (it loads the conversation from the database),
passivated when idle. Each turn runs `conversation.step` and commits the new state, the replies
and the "inbox event done" mark in ONE transaction, so a replayed event changes nothing twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actors.conversation import Context, Reply, SessionState, step
from actors.events import InboundEvent
from runtime import Actor, ActorRef
from storage.queries import load_session
from storage.reader import Reader
from storage.writes import CommitTurn, StaleSession

log = logging.getLogger("showroom.session")

COMMIT_TIMEOUT_S = 30.0
IDLE_PASSIVATE_S = 600.0
MAILBOX_SIZE = 64


@dataclass(frozen=True, slots=True)
class Incoming:
    """A committed inbox event for this user."""

    inbox_id: int
    event: InboundEvent


@dataclass(frozen=True, slots=True)
class TenantRuntime:
    """What the session actors of one tenant need."""

    slug: str
    id: int
    context: Context
    wake_outbox: Callable[[], None]


SessionKey = tuple[str, str]  # (tenant slug, user identity)


class SessionActor(Actor[Incoming]):
    def __init__(
        self, key: SessionKey, tenant: TenantRuntime, persistence: ActorRef[Any], reader: Reader
    ) -> None:
        self.user = key[1]
        self.tenant = tenant
        self.persistence = persistence
        self.reader = reader
        self.state = SessionState()
        self.version = 0

    async def started(self) -> None:
        await self._load()

    async def _load(self) -> None:
        row = await self.reader.run(load_session, self.tenant.id, self.user)
        if row is None:
            self.state, self.version = SessionState(), 0
        else:
            state, data, self.version = row
            try:
                self.state = SessionState(state, json.loads(data))
            except ValueError:  # unreadable: the user starts over rather than being stuck
                log.error("session of %s has unreadable data; starting it afresh", self.user)
                self.state = SessionState()

    async def handle(self, message: Incoming) -> None:
        for attempt in (1, 2):
            new_state, effects = step(self.state, message.event, self.tenant.context)
            replies = tuple(e.text for e in effects if isinstance(e, Reply))
            turn = CommitTurn(
                self.tenant.id,
                self.user,
                message.inbox_id,
                self.version,
                new_state.state,
                json.dumps(new_state.data, ensure_ascii=False),
                replies,
            )
            try:
                result = await self.persistence.ask(turn, timeout=COMMIT_TIMEOUT_S)
            except StaleSession:
                if attempt == 2:
                    raise
                await self._load()  # another activation committed first: start from its state
                continue
            if result.replayed:
                await self._load()  # this event was handled before (a replay): nothing to do
            else:
                self.state, self.version = new_state, result.version
            break
        self.tenant.wake_outbox()
