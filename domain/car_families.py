"""Model families: the nameplates a buyer means by a model's name, and the close relatives
offered when the one asked for is not in stock.

Listings keep the model as the seller's nameplate ("Brio Satya", "Pajero Sport", "Kijang
Innova"), but buyers name the family: `ada brio?` wants the Brio Satya and the Brio RS (a Brio
with the RS variant), `pajero` the Pajero Sport, `innova` the Kijang Innova and the Innova
Zenix. So a model covers itself, every model of its make whose name starts with its name and a
space (the search also matches such names the vocabulary does not know, on the index), and the
few families of `vocabulary/car_families.json` whose names share no prefix.

The other direction is not the same wish: `brio satya` is not any Brio, and `xpander cross` is
not the plain Xpander. Those are relatives, offered first among the nearest cars when the
nameplate asked for is not in stock.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

MakeModel = tuple[str, str]


@cache
def _models_of_make() -> dict[str, tuple[str, ...]]:
    folder = resources.files("domain.vocabulary")
    catalog = json.loads(folder.joinpath("car_models.json").read_text(encoding="utf-8"))
    return {make: tuple(models) for make, models in catalog.items()}


@cache
def _listed_families() -> dict[MakeModel, tuple[str, ...]]:
    folder = resources.files("domain.vocabulary")
    data = json.loads(folder.joinpath("car_families.json").read_text(encoding="utf-8"))
    families: dict[MakeModel, tuple[str, ...]] = {}
    for name, others in data["families"].items():
        make, model = name.split("|", 1)
        families[(make, model)] = tuple(others)
    return families


@cache
def nameplates(make: str | None, model: str) -> tuple[str, ...]:
    """The models a buyer's `model` covers, itself first: `Brio` -> Brio, Brio Satya."""
    found = [model]
    if make is not None:
        found += [m for m in _models_of_make().get(make, ()) if m.startswith(model + " ")]
        found += _listed_families().get((make, model), ())
    return tuple(dict.fromkeys(found))


@cache
def relatives(make: str | None, model: str) -> tuple[str, ...]:
    """The family around a nameplate, both ways: `Xpander Cross` -> Xpander Cross, Xpander;
    `Innova Zenix` -> Innova Zenix, Kijang Innova. The nearest cars when it is not in stock."""
    found = list(nameplates(make, model))
    if make is not None:
        for other in _models_of_make().get(make, ()):
            if model.startswith(other + " ") or model in _listed_families().get((make, other), ()):
                found += nameplates(make, other)
    return tuple(dict.fromkeys(found))
