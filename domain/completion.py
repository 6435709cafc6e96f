"""Completing a listing in the chat: what the draft still needs, and reading the answers.

A seller rarely types everything at once. What is missing or doubtful is asked for alone, one
field at a time, and the short answer fills it (`2019`, `tahun 2019`, `150jt`, `km 55rb`,
`matic`). A value that reads as a slip is questioned before it is accepted: out of bounds
(Rp 165 triliun) it never enters the draft; plausible but odd (1,2 juta km on a 2019 car) it is
kept and the seller is asked to confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.listing import (
    REQUIRED,
    Doubt,
    Draft,
    parse_listing,
    read_answer,
    read_model_answer,
)

# The fields the seller can be asked for alone (the required ones, and the mileage when it
# was stated but doubtful).
ASKABLE = ("model", "year", "price_idr", "mileage_km")
# The parser's fields a draft keeps (extras, such as the plate or a credit offer, come along).
FACTS = ("make", "model", "variant", "year", "transmission", "fuel", "color", "mileage_km")
_NUMBERS = ("year", "price_idr", "mileage_km")


@dataclass(frozen=True, slots=True)
class Question:
    """What to ask next: `kind` is "missing" (ask for it), "retype" (a value out of bounds
    was read: ask again) or "confirm" (a kept but odd value: ask for ya or the right one)."""

    field: str
    kind: str
    value: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message adds to a draft: the new draft, the fields it changed, and the
    doubts about what it stated."""

    draft: dict[str, Any]
    changed: tuple[str, ...]
    doubts: dict[str, Doubt]


def facts_of(parsed: Draft) -> dict[str, Any]:
    """The draft as the conversation keeps it: the stated fields and extras, without the
    parser's bookkeeping (what is missing or doubtful is asked, not stored)."""
    facts = parsed.to_dict()
    facts.pop("missing", None)
    facts.pop("doubtful", None)
    return facts


def next_question(draft: dict[str, Any], doubts: dict[str, Doubt]) -> Question | None:
    """The one thing to ask now, most important first: a value that cannot be right, then a
    missing required field, then an odd value to confirm. None: the draft is complete."""
    for name in ASKABLE:
        doubt = doubts.get(name)
        if doubt is not None and not doubt.kept and draft.get(name) is None:
            return Question(name, "retype", doubt.value, doubt.reason)
    for name in REQUIRED:
        if draft.get(name) is None:
            return Question(name, "missing")
    for name in ASKABLE:
        doubt = doubts.get(name)
        if doubt is not None and doubt.kept:
            return Question(name, "confirm", doubt.value, doubt.reason)
    return None


def read_into(
    draft: dict[str, Any], message: str, *, asking: str | None, override: bool
) -> Reading:
    """What `message` states, merged into `draft`. The field being asked is read as a short
    answer (`150` is Rp 150 jt when the price was asked); any other field the message states
    fills the draft too. `override`: a stated field replaces the draft's (a correction);
    otherwise only empty fields are filled (an answer does not undo what was said before)."""
    parsed = parse_listing(message)
    stated = facts_of(parsed)
    doubts = dict(parsed.doubtful)
    if asking == "model" and stated.get("model") is None:
        # "which car?" answered with a name the vocabulary does not know (`Cedric`)
        make, model = read_model_answer(message)
        if model is not None:
            stated.update(make=make or stated.get("make"), model=model)
    if asking in _NUMBERS:
        answer = read_answer(message, asking)
        if answer.value is not None:
            stated[asking] = answer.value
            doubts.pop(asking, None)
        elif answer.doubt is not None:
            doubts[asking] = answer.doubt
    new = dict(draft)
    changed = []
    naming = stated.get("model") is not None and (
        override or asking == "model" or draft.get("model") is None
    )
    for name, value in stated.items():
        if value is None or (name in ("make", "model", "variant") and not naming):
            continue
        replaces = name in ("make", "model", "variant", asking) or override or new.get(name) is None
        if replaces and new.get(name) != value:
            new[name] = value
            changed.append(name)
    if naming and stated.get("variant") is None and new.get("variant") is not None:
        new["variant"] = None  # a new model name: the old one's variant does not belong to it
        changed.append("variant")
    return Reading(new, tuple(changed), doubts)


def still_doubtful(draft: dict[str, Any], doubts: dict[str, Doubt]) -> dict[str, Doubt]:
    """The doubts that still stand: a kept doubt goes once the field holds another value, an
    out-of-bounds one once the field is filled."""
    standing = {}
    for name, doubt in doubts.items():
        if (doubt.kept and draft.get(name) == doubt.value) or (
            not doubt.kept and draft.get(name) is None
        ):
            standing[name] = doubt
    return standing
