"""The listing parser: a seller's free text -> a listing draft. Pure logic.

It reads what Indonesian sellers really write (`145jt`, `1,2M`, `Rp. 175.000.000,-`, `km 67rb`,
`28.xxx`, `'14`, `thn`, `AT/MT/CVT`, models without make, typos, fields in any order) and never
invents a value the text does not state. It works in passes over the text: each pass finds its
fields and blanks out what it used, so a later pass cannot read the same characters again (the
DP is not the price, `Km.6` in an address is not the mileage, `Nik 2016` is not the year). What
is left around the model name becomes the variant.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

REQUIRED = ("model", "year", "price_idr")
MIN_YEAR = 1970
JUTA = 1_000_000
MILIAR = 1_000_000_000

# A number as sellers type it: 145, 145.515, 97,5, 1.195, 175.000.000,-
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:,-)?|\d+(?:[.,]\d+)?"
_PRICE_UNIT = r"jt|juta|jtan|miliar|milyar|m"

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mar": 3,
    "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6,
    "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "agustus": 8, "aug": 8,
    "august": 8, "sep": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip

COLORS = {
    "hitam": "Hitam", "black": "Hitam", "putih": "Putih", "white": "Putih", "silver": "Silver",
    "abu abu": "Abu-abu", "abu-abu": "Abu-abu", "abu2": "Abu-abu", "grey": "Abu-abu",
    "gray": "Abu-abu", "merah": "Merah", "red": "Merah", "maroon": "Maroon", "biru": "Biru",
    "blue": "Biru", "hijau": "Hijau", "green": "Hijau", "kuning": "Kuning", "yellow": "Kuning",
    "coklat": "Coklat", "cokelat": "Coklat", "brown": "Coklat", "orange": "Oranye",
    "oranye": "Oranye", "ungu": "Ungu", "emas": "Emas", "gold": "Emas", "champagne": "Champagne",
    "bronze": "Bronze",
}  # fmt: skip

FUELS = {
    "bensin": "Bensin",
    "gasoline": "Bensin",
    "diesel": "Diesel",
    "solar": "Diesel",
    "hybrid": "Hybrid",
    "listrik": "Listrik",
    "electric": "Listrik",
    "ev": "Listrik",
}

# Words that end a variant (they start another field) without being a field themselves.
_VARIANT_STOPS = {
    "tahun", "thn", "th", "warna", "nego", "nett", "net", "bu", "harga", "hrg", "km",
    "kondisi", "mulus", "istimewa", "pajak", "plat", "atas", "tangan", "bisa", "siap",
    "full", "original", "ori", "bebas", "unit", "dp", "angsuran", "cicilan", "kredit", "cash",
}  # fmt: skip
_VARIANT_FILLER = {"tipe", "type", "varian", "variant"}
_MODEL_PREFIXES = {"all", "new", "grand", "the"}


@dataclass
class Draft:
    make: str | None = None
    model: str | None = None
    variant: str | None = None
    year: int | None = None
    transmission: str | None = None
    fuel: str | None = None
    color: str | None = None
    mileage_km: int | None = None
    price_idr: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED if getattr(self, name) is None]

    def to_dict(self) -> dict[str, Any]:
        data = {
            "make": self.make, "model": self.model, "variant": self.variant,
            "year": self.year, "transmission": self.transmission, "fuel": self.fuel,
            "color": self.color, "mileage_km": self.mileage_km, "price_idr": self.price_idr,
        }  # fmt: skip
        data.update(self.extras)
        data["missing"] = self.missing
        return data


def parse_listing(text: str, *, today: dt.date | None = None) -> Draft:
    """The draft a seller's text states (the `/upload` command word may be included)."""
    today = today or dt.date.today()
    work = _Text(_clean(text))
    draft = Draft()
    _plates(work, draft)
    _credit(work, draft)
    _tax(work, draft)
    _price(work, draft)
    _mileage(work, draft)
    _years(work, draft, today)
    _transmission(work, draft)
    _fuel(work, draft)
    _color(work, draft)
    _flags(work, draft)
    _make_model_variant(work, draft)
    return draft


def parse_price(text: str) -> int | None:
    """Just a price (`140jt`, `1,2M`, `Rp 175.000.000`, `harga 120`), for corrections."""
    draft = Draft()
    _price(_Text(_clean(text)), draft, bare_is_juta=True)
    return draft.price_idr


def parse_mileage(text: str) -> int | None:
    """Just a mileage (`km 120rb`, `145.515 km`), for corrections."""
    draft = Draft()
    _mileage(_Text(_clean(text)), draft)
    return draft.mileage_km


# -- the text being read ------------------------------------------------------------------


class _Text:
    """The text with the parts already used blanked out (same length, so positions hold)."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.lower = text.lower()
        self.stops: set[int] = set()  # where a field was found: variants end there

    def find(self, pattern: str) -> list[re.Match[str]]:
        return list(re.finditer(pattern, self.lower, re.IGNORECASE))

    def use(self, match: re.Match[str], group: int = 0) -> None:
        start, end = match.span(group)
        self.lower = self.lower[:start] + " " * (end - start) + self.lower[end:]
        self.stops.add(start)


def _clean(text: str) -> str:
    text = re.sub(r"^\s*/(upload|unggah)\b", "", text.strip(), flags=re.IGNORECASE)
    # emojis and other symbols become spaces; letters, digits and punctuation stay
    return "".join(c if c.isalnum() or c in " \n.,:;/'-+&()#" else " " for c in text)


def _number(text: str, unit: str = "") -> float:
    """`145.515` -> 145515, `97,5` -> 97.5, `1.195` with unit M -> 1.195, `175.000.000,-`."""
    text = text.removesuffix(",-")
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    parts = text.split(".")
    if (
        len(parts) > 1
        and unit not in ("m", "miliar", "milyar")
        and all(len(p) == 3 for p in parts[1:])
    ):
        return float("".join(parts))
    if len(parts) > 2:
        return float("".join(parts))
    return float(text)


def _amount(value: str, unit: str) -> int:
    number = _number(value, unit.lower())
    unit = unit.lower()
    if unit in ("m", "miliar", "milyar"):
        return round(number * MILIAR)
    if unit in ("jt", "juta", "jtan"):
        return round(number * JUTA) if number < 100_000 else round(number)
    return round(number)


# -- the passes ---------------------------------------------------------------------------


def _plates(work: _Text, draft: Draft) -> None:
    for match in re.finditer(r"\b([A-Z]{1,2}) ?(\d{1,4}) ?([A-Z]{1,3})\b", work.original):
        if match.group(1) in ("AT", "MT", "RS", "KM", "CVT"):
            continue
        draft.extras["plate_number"] = " ".join(match.groups())
        draft.extras["plate_area"] = match.group(1)
        work.use(match)
        break
    for match in work.find(r"\bplat(?:e)?\s+(ganjil|genap|[a-z]{1,2})\b"):
        value = match.group(1).lower()
        if value in ("ganjil", "genap"):
            draft.extras["plate_parity"] = value
        else:
            draft.extras["plate_area"] = value.upper()
        work.use(match)


def _credit(work: _Text, draft: Draft) -> None:
    """DP and installments: amounts that must never be taken for the price."""
    for match in work.find(
        rf"\b(?:dp|uang muka)\s*:?\s*(?:rp\.?\s*)?({_NUM})\s*({_PRICE_UNIT})?\b"
    ):
        draft.extras["dp_idr"] = _amount(match.group(1), match.group(2) or "jt")
        work.use(match)
    pattern = (
        rf"\b(?:angsuran|cicilan|angs|cicil)\s*:?\s*(?:rp\.?\s*)?({_NUM})\s*"
        rf"({_PRICE_UNIT})?(?:\s*(?:x|kali)\s*(\d{{1,3}}))?"
    )
    for match in work.find(pattern):
        draft.extras["installment_idr"] = _amount(match.group(1), match.group(2) or "jt")
        if match.group(3):
            draft.extras["tenor_months"] = int(match.group(3))
        work.use(match)


def _tax(work: _Text, draft: Draft) -> None:
    for match in work.find(r"\bpajak\s*:?\s*(\d{1,2})\s*[-/.]\s*(20\d\d)\b"):
        draft.extras["tax_until"] = f"{match.group(2)}-{int(match.group(1)):02d}"
        work.use(match)
    for match in work.find(r"\bpajak\s*:?\s*([a-z]+)\s+(20\d\d)\b"):
        month = MONTHS.get(match.group(1).lower())
        if month:
            draft.extras["tax_until"] = f"{match.group(2)}-{month:02d}"
            work.use(match)
    for match in work.find(r"\bpajak\s+(hidup|mati|on|off|panjang|baru)\b"):
        draft.extras["tax_status"] = match.group(1).lower()
        work.use(match)


def _price(work: _Text, draft: Draft, *, bare_is_juta: bool = False) -> None:
    labelled = (
        rf"\b(?:harga|hrg|price|hg)\b\s*:?\s*(?:rp\.?\s*)?({_NUM})\s*"
        rf"({_PRICE_UNIT})?\b"
    )
    rupiah = rf"\brp\.?\s*({_NUM})\s*({_PRICE_UNIT})?\b"
    with_unit = rf"(?<![\w.,])({_NUM})\s*({_PRICE_UNIT})\b"
    for pattern in (labelled, rupiah, with_unit):
        matches = work.find(pattern)
        if pattern is with_unit:
            # "1.0 M" is as often a trim ("Ayla 1.0 M MT") as a price: a lone "m" counts only
            # when no other amount in the text has a unit.
            matches.sort(key=lambda m: (m.group(2) or "").lower() == "m")
        for match in matches:
            value, unit = match.group(1), match.group(2) or ""
            number = _number(value, unit.lower())
            if not unit and number < 10_000:
                unit = "jt"  # "harga 120" means 120 juta
            price = _amount(value, unit)
            if price < 1_000_000:
                continue
            draft.price_idr = price
            work.use(match)
            _negotiable(work, draft)
            return
    if bare_is_juta:
        for match in work.find(rf"(?<![\w.,])({_NUM})(?![\w.,])"):
            number = _number(match.group(1))
            price = round(number * JUTA) if number < 10_000 else round(number)
            if price >= 1_000_000:
                draft.price_idr = price
                work.use(match)
                return


def _negotiable(work: _Text, draft: Draft) -> None:
    for match in work.find(r"\b(nego|negotiable|bisa nego|nett|net|pas|fix)\b"):
        draft.extras["negotiable"] = match.group(1).lower() in ("nego", "negotiable", "bisa nego")
        work.use(match)
        return


def _mileage(work: _Text, draft: Draft) -> None:
    value = r"(\d{1,3}(?:[.,]\d{3})+|\d{1,3}[.,]x{3}|\d+)"
    unit = r"(rban|ribuan|rb|ribu|k)?"
    patterns = (
        rf"\b(?:km|kilometer|odometer|odo)\b\s*[:.]?\s*{value}\s*{unit}(?![\w])",
        rf"(?<![\w.,]){value}\s*{unit}\s*km\b",
    )
    for pattern in patterns:
        for match in work.find(pattern):
            number, suffix = match.group(1).lower(), (match.group(2) or "").lower()
            approx = "x" in number or suffix in ("rban", "ribuan")
            number = re.sub(r"[.,]x{3}$", "000", number)
            km = round(_number(number) * (1000 if suffix else 1))
            if not suffix and km < 100:
                continue  # "Km.6" in an address, not a mileage
            draft.mileage_km = km
            if approx:
                draft.extras["mileage_approx"] = True
            work.use(match)
            return


def _years(work: _Text, draft: Draft, today: dt.date) -> None:
    latest = today.year + 1
    for match in work.find(r"\bnik\s*:?\s*((?:19|20)\d\d)\b"):
        draft.extras["nik_year"] = int(match.group(1))
        work.use(match)
    candidates = [
        (r"\b(?:tahun|thn|th|tahun)\s*[:.]?\s*((?:19|20)\d\d)\b", 1, 0),
        (r"(?<!\d[.,])(?<!\w)((?:19|20)\d\d)(?!\w|[.,]\d)", 1, 0),
        (r"(?<![\w])'(\d\d)\b", 1, 2000),
    ]
    for pattern, group, base in candidates:
        for match in work.find(pattern):
            year = int(match.group(group)) + base
            if base and year > latest:
                year -= 100
            if MIN_YEAR <= year <= latest:
                draft.year = year
                work.use(match)
                return


def _transmission(work: _Text, draft: Draft) -> None:
    words = {
        "matic": "Matic",
        "automatic": "Matic",
        "otomatis": "Matic",
        "at": "Matic",
        "a/t": "Matic",
        "cvt": "Matic",
        "triptonic": "Matic",
        "tiptronic": "Matic",
        "manual": "Manual",
        "mt": "Manual",
        "m/t": "Manual",
    }
    for match in work.find(
        r"(?<![\w/])(matic|automatic|otomatis|a/t|at|cvt|triptonic|"
        r"tiptronic|manual|m/t|mt)(?![\w/])"
    ):
        draft.transmission = words[match.group(1).lower()]
        work.use(match)
        return


def _fuel(work: _Text, draft: Draft) -> None:
    for match in work.find(r"\b(" + "|".join(FUELS) + r")\b"):
        draft.fuel = FUELS[match.group(1).lower()]
        work.use(match)
        return


def _color(work: _Text, draft: Draft) -> None:
    names = sorted(COLORS, key=len, reverse=True)
    pattern = (
        r"(?<![\w-])(?:warna\s*:?\s*)?(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"
    )
    for match in work.find(pattern):
        draft.color = COLORS[match.group(1).lower()]
        work.use(match)
        return


def _flags(work: _Text, draft: Draft) -> None:
    facts = (
        (r"\b(?:bisa\s+)?tukar\s+tambah\b|\btt\b", "trade_in", True),
        (r"\btangan\s+(pertama|kedua|1|2)\b", "ownership", None),
        (r"\batas\s+nama\s*:?\s*(perorangan|pribadi|perusahaan|pt)\b", "owner_type", None),
        (r"\ba/n\s*:?\s*(perorangan|pribadi|perusahaan|pt)\b", "owner_type", None),
        (r"\b(bu|butuh uang)\b", "urgent_sale", True),
    )
    for pattern, key, value in facts:
        for match in work.find(pattern):
            if value is not None:
                draft.extras[key] = value
            else:
                found = match.group(1).lower()
                if key == "ownership":
                    found = {"1": "pertama", "2": "kedua"}.get(found, found)
                    found = f"tangan {found}"
                draft.extras[key] = found
            work.use(match)
            break
    if "negotiable" not in draft.extras:
        _negotiable(work, draft)


# -- make, model and variant --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    makes: dict[str, str]  # spelling -> make
    models: dict[str, tuple[str, str]]  # spelling -> (make, model)
    generic: frozenset[str]


@cache
def _vocabulary() -> _Vocabulary:
    folder = resources.files("domain.vocabulary")
    catalog = json.loads(folder.joinpath("car_models.json").read_text(encoding="utf-8"))
    aliases = json.loads(folder.joinpath("car_model_aliases.json").read_text(encoding="utf-8"))
    models: dict[str, tuple[str, str]] = {}
    for make, names in catalog.items():
        for name in names:
            models.setdefault(name.lower(), (make, name))
            models.setdefault(name.lower().replace("-", ""), (make, name))
    for spelling, (make, name) in aliases["model_aliases"].items():
        models[spelling] = (make, name)
    makes = {spelling: make for spelling, make in aliases["make_aliases"].items()}
    makes.update({make.lower(): make for make in catalog})
    generic = frozenset(name.lower() for name in aliases["generic_model_names"])
    return _Vocabulary(makes, models, generic)


_TOKEN = re.compile(r"[\w][\w.\-/]*")


def _make_model_variant(work: _Text, draft: Draft) -> None:
    vocabulary = _vocabulary()
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(work.lower)]
    words = [t[2].lower().strip(".-/") for t in tokens]
    make_at = _find_make(words, vocabulary)
    model = _find_model(words, vocabulary, make_present=make_at is not None)
    if make_at is not None:
        draft.make = vocabulary.makes[" ".join(words[make_at[0] : make_at[1]])]
    if model is None:
        return
    start, end, (make, name) = model
    if draft.make is None or draft.make != make:
        draft.make = make
    draft.model = name
    extra = [tokens[i] for i in range(start, end) if not _names_model(words[i], name)]
    variant = extra + _variant_tail(work, tokens, words, end)
    if variant:
        draft.variant = " ".join(_variant_case(work.original[a:b]) for a, b, _ in variant)


def _names_model(word: str, model: str) -> bool:
    """Is this word (as typed) part of the model's name? `crv` of CR-V, `inova` of Innova."""
    compact = word.replace("-", "")
    if compact and compact in model.lower().replace("-", "").replace(" ", ""):
        return True
    parts = re.split(r"[\s-]+", model.lower())
    return bool(difflib.get_close_matches(word, parts, n=1, cutoff=0.8))


def _find_make(words: list[str], vocabulary: _Vocabulary) -> tuple[int, int] | None:
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            if " ".join(words[i : i + size]) in vocabulary.makes:
                return i, i + size
    return None


def _find_model(
    words: list[str], vocabulary: _Vocabulary, *, make_present: bool
) -> tuple[int, int, tuple[str, str]] | None:
    generic_fallback = None
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            spelling = " ".join(words[i : i + size])
            found = vocabulary.models.get(spelling) or vocabulary.models.get(
                spelling.replace("-", "")
            )
            if found is None and size > 1 and all(w.isalpha() for w in words[i : i + size]):
                close = difflib.get_close_matches(spelling, vocabulary.models, n=1, cutoff=0.88)
                found = vocabulary.models[close[0]] if close else None
            if found is None:
                continue
            if spelling in vocabulary.generic and not make_present:
                generic_fallback = generic_fallback or (i, i + size, found)
                continue
            return i, i + size, found
    for i, word in enumerate(words):  # typos of one-word models: "xpnder", "inova"
        if len(word) >= 5 and word.isalpha() and word not in vocabulary.makes:
            close = difflib.get_close_matches(word, vocabulary.models, n=1, cutoff=0.85)
            if close and close[0] not in vocabulary.generic:
                return i, i + 1, vocabulary.models[close[0]]
    return generic_fallback


def _variant_tail(
    work: _Text, tokens: list[tuple[int, int, str]], words: list[str], after: int
) -> list[tuple[int, int, str]]:
    tail = []
    previous_end = tokens[after - 1][1] if after else 0
    for (start, end, text), word in zip(tokens[after:], words[after:], strict=True):
        between = work.original[previous_end:start]
        if any(stop in range(previous_end, start) for stop in work.stops) or re.search(
            r"[,;\n(]", between
        ):
            break
        if word in _VARIANT_STOPS:
            break
        if word not in _VARIANT_FILLER:
            tail.append((start, end, text))
        previous_end = end
        if len(tail) >= 5:
            break
    return tail


def _variant_case(token: str) -> str:
    if token.islower() and token.isalpha():
        return token.upper() if len(token) <= 2 else token.capitalize()
    return token
