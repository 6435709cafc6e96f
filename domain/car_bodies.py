"""Body types and seat counts of the models in the vocabulary, for buyers who ask for a kind of
car rather than a model: "SUV diesel", "city car matic", "mobil 7 seater".

The listings store make, model and variant; a car's body and seats come from its model
(`domain/vocabulary/car_bodies.json`), unless the variant names another body ("L300 Pick Up",
"Gran Max Blind Van", "Hilux Double Cabin"). A model the table does not know is never offered
for a body or seat search: better no answer than a wrong car.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from domain.vocabulary import BODY_WORDS, words_of

MakeModel = tuple[str, str]


@cache
def _table() -> dict[MakeModel, tuple[str, int]]:
    folder = resources.files("domain.vocabulary")
    data = json.loads(folder.joinpath("car_bodies.json").read_text(encoding="utf-8"))
    table: dict[MakeModel, tuple[str, int]] = {}
    for body, by_seats in data.items():
        if body.startswith("_"):
            continue
        for seats, names in by_seats.items():
            for name in names:
                make, model = name.split("|", 1)
                table[(make, model)] = (body, int(seats))
    return table


def body_of(make: str, model: str, variant: str = "") -> str | None:
    """`SUV`, `MPV`, `sedan`, `hatchback` or `pickup`; a body named in the variant first."""
    words = [w for w in words_of(variant) if w]
    for i, word in enumerate(words):
        pair = f"{word} {words[i + 1]}" if i + 1 < len(words) else ""
        if pair in BODY_WORDS:
            return BODY_WORDS[pair]
        if word in BODY_WORDS and word not in ("bak", "hatch"):
            return BODY_WORDS[word]
    known = _table().get((make, model))
    return known[0] if known else None


def seats_of(make: str, model: str) -> int | None:
    known = _table().get((make, model))
    return known[1] if known else None


def models_for(body: str | None = None, seats_min: int | None = None) -> tuple[MakeModel, ...]:
    """Every (make, model) of that body with at least that many seats, in a stable order."""
    return tuple(
        sorted(
            name
            for name, (kind, seats) in _table().items()
            if (body is None or kind == body) and (seats_min is None or seats >= seats_min)
        )
    )
