"""How numbers are shown to Indonesian readers: `Rp 145.000.000`, `145.515 km`."""

from __future__ import annotations


def thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def rupiah(value: int) -> str:
    return f"Rp {thousands(value)}"


def kilometres(value: int) -> str:
    return f"{thousands(value)} km"


def seconds(value: float | None, language: str) -> str:
    """`1,4 dtk` (Indonesian: a decimal comma) or `1.4 s`; `-` when there is nothing to show."""
    if value is None:
        return "-"
    if language == "en":
        return f"{value:.1f} s"
    return f"{value:.1f} dtk".replace(".", ",")


def car_name(draft: dict) -> str:
    """`Honda Freed PSD`: make, model and variant as stated."""
    return " ".join(str(draft[k]) for k in ("make", "model", "variant") if draft.get(k))
