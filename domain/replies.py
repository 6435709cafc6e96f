"""Replies that carry a photo: an effect a conversation turn can ask for, next to `Reply`.

The buyer conversation shows a car with its photos: `ReplyImage(file, caption)` sends one of
the tenant's stored photos (its name in the photo store, as kept in a listing's photo rows,
e.g. `ab/abcdef...-large.jpg`) with a caption. The session commits it with the turn's other
replies, in the order the turn produced them, and the outbox sends it through the gateway
with the same pacing, order and retries as text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReplyImage:
    file: str  # a stored photo's name, relative to the tenant's folder in the photo store
    caption: str = ""
