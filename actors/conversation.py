"""The seller conversation as a pure state machine: (state, event) -> (new state, effects).

No trio and no database here: the session actor runs `step` for each event and commits the new
state together with the effects' replies in one transaction.

This is the idle part of the conversation (help, and the answers to what cannot be handled
yet); the upload flow (`/upload`, photos, `selesai`, preview, `ya`) builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actors.events import EventKind, InboundEvent
from actors.texts import text


@dataclass(frozen=True, slots=True)
class SessionState:
    state: str = "idle"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str


Effect = Reply


@dataclass(frozen=True, slots=True)
class Context:
    """What a turn needs to know about the tenant."""

    language: str = "id"
    showroom: str = "Showroom"


def step(
    state: SessionState, event: InboundEvent, context: Context
) -> tuple[SessionState, list[Effect]]:
    say = lambda key, **values: Reply(text(context.language, key, **values))  # noqa: E731
    match event.kind:
        case EventKind.IMAGE:
            return state, [say("photos_need_upload")]
        case EventKind.UNSUPPORTED:
            return state, [say("unsupported")]
        case _:
            return state, [say("help", showroom=context.showroom)]
