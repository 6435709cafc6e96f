"""Reading a number as Indonesian sellers write it. Pure functions, exact arithmetic.

`145`, `145515`, `145.515` and `145,515` (thousands), `570,000,000`, `165.000.000,-`,
`108.000.000,00` (cents), `88,5` and `97.5` (a decimal), `1.195` (thousands, or a decimal before
`M`), `28.xxx` (leading digits known), `6x.xxx` (a digit unknown). Values are `Fraction`s, never
floats: `"9" * 400` must not overflow, and `88,5 jt` must be exactly 88 500 000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

MAX_DIGITS = 15  # more digits than any amount or mileage: a digit run, not a number
JUTA = 1_000_000
MILIAR = 1_000_000_000

# Units as sellers write them, by what they multiply.
MONEY_UNITS = {
    "jt": JUTA, "juta": JUTA, "jtan": JUTA, "jutaan": JUTA, "jt-an": JUTA, "juta-an": JUTA,
    "jta": JUTA,
    "m": MILIAR, "miliar": MILIAR, "milyar": MILIAR, "milliar": MILIAR, "myr": MILIAR,
}  # fmt: skip
THOUSAND_UNITS = {
    "rb": 1000, "ribu": 1000, "rban": 1000, "ribuan": 1000, "rb-an": 1000, "ribu-an": 1000,
    "k": 1000, "rbu": 1000,
}  # fmt: skip
ROUGH_UNITS = frozenset(
    {"jtan", "jutaan", "jt-an", "juta-an", "rban", "ribuan", "rb-an", "ribu-an"}
)

_SHAPE = re.compile(r"[0-9][0-9x]*(?:[.,][0-9x]+)*")


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as written, with the readings its shape allows."""

    text: str
    whole: int | None  # the digits as one number, separators read as thousands (145.515)
    decimal: Fraction | None  # one separator read as a decimal point (88,5; 1.195)
    decimals: int  # digits after that separator (0 when there is none)
    grouped: bool  # thousands separators present (145.515, 570,000,000)
    masked: bool  # digits hidden with x (28.xxx, 6x.xxx, 4xx)
    too_long: bool  # a digit run longer than any amount

    @property
    def plain(self) -> bool:
        """Digits only: `2019`, `145515` (no separator, nothing hidden)."""
        return self.whole is not None and not self.grouped and self.decimals == 0

    @property
    def digits(self) -> int:
        return sum(c in "0123456789" for c in self.text)


def read_figure(text: str) -> Figure | None:
    """The readings of a written number, or None when the text is not one."""
    if not _SHAPE.fullmatch(text):
        return None
    if "x" in text:
        return _masked(text)
    if sum(c in "0123456789" for c in text) > MAX_DIGITS:
        return Figure(text, None, None, 0, False, False, True)
    groups = re.split(r"[.,]", text)
    separators = re.findall(r"[.,]", text)
    if not separators:
        return Figure(text, int(text), Fraction(int(text)), 0, False, False, False)
    # 108.000.000,00 and 1,250,000.50: cents after thousands groups
    if len(separators) > 1 and separators[-1] != separators[0] and len(groups[-1]) <= 2:
        whole = _thousands(groups[:-1], separators[:-1])
        if whole is not None:
            return Figure(text, whole, None, 0, True, False, False)
    whole = _thousands(groups, separators)
    decimal = None
    if len(separators) == 1:
        decimal = Fraction(int(groups[0] + groups[1]), 10 ** len(groups[1]))
    return Figure(
        text,
        whole,
        decimal,
        len(groups[1]) if len(separators) == 1 else 0,
        whole is not None,
        False,
        False,
    )


def _thousands(groups: list[str], separators: list[str]) -> int | None:
    """145.515 -> 145515; None unless every group after the first has three digits and one
    separator is used throughout (`1.2.3` or `1,250.000` are not thousands)."""
    if len(set(separators)) != 1 or not 1 <= len(groups[0]) <= 3:
        return None
    if any(len(g) != 3 for g in groups[1:]):
        return None
    return int("".join(groups))


def _masked(text: str) -> Figure:
    """28.xxx -> 28000 (the hidden digits are the low ones); 6x.xxx, 4xx -> no value."""
    known = re.fullmatch(r"([0-9]{1,3})[.,]xxx", text)
    whole = int(known.group(1)) * 1000 if known else None
    return Figure(text, whole, None, 0, bool(known), True, False)


def scaled(figure: Figure, multiplier: int) -> int | None:
    """The figure times a unit (`88,5` jt, `1.195` M, `67.5` rb, `28.xxx`), or None when the
    shape cannot carry that unit (a hidden digit, a digit run)."""
    if figure.too_long or (figure.masked and figure.whole is None):
        return None
    value: Fraction | int | None
    if figure.masked:
        value = figure.whole
    elif figure.decimal is not None and (
        figure.decimals in (1, 2) or (multiplier >= MILIAR and figure.decimals == 3)
    ):
        value = figure.decimal  # 88,5 jt; 1,25 M; 1.195 M (a thousands group would be absurd)
    else:
        value = figure.whole if figure.whole is not None else figure.decimal
    if value is None:
        return None
    return round(Fraction(value) * multiplier)
