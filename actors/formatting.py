"""How numbers are shown to Indonesian readers: `Rp 145.000.000`, `145.515 km`."""

from __future__ import annotations


def thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def rupiah(value: int) -> str:
    return f"Rp {thousands(value)}"


def kilometres(value: int) -> str:
    return f"{thousands(value)} km"


def car_name(draft: dict) -> str:
    """`Honda Freed PSD`: make, model and variant as stated."""
    return " ".join(str(draft[k]) for k in ("make", "model", "variant") if draft.get(k))
