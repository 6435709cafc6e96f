"""Car names and the words around them: makes, models, trims, transmission, fuel, colour, body.

Pure lookups over the shipped vocabulary (`car_models.json`, `car_model_aliases.json`,
`trims.json`), shared by the listing parser and the buyer side ("ada avanza matic?",
"xpander 2020", "SUV diesel"). Everything here works on lower-case words; `words_of(text)` splits a
text the same way for callers that only have a string.

Typos are read through a deletion index (every spelling with one letter left out), so a word one
edit away from a name (`toyta`, `inova`, `alpard`, `xpanderr`) is found with a handful of dict
look-ups instead of comparing it with the whole vocabulary.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list (long word lists read better as text)."""
    return frozenset(text.split())


TRANSMISSION_WORDS = {
    "at": "Matic", "a/t": "Matic", "matic": "Matic", "matik": "Matic", "automatic": "Matic",
    "otomatis": "Matic", "otomatic": "Matic", "automatik": "Matic", "cvt": "Matic",
    "e-cvt": "Matic", "ecvt": "Matic", "ivt": "Matic", "dct": "Matic", "ags": "Matic",
    "tiptronic": "Matic", "triptonic": "Matic", "steptronic": "Matic", "dsg": "Matic",
    "mt": "Manual", "m/t": "Manual", "manual": "Manual", "manuel": "Manual",
}  # fmt: skip

FUEL_WORDS = {
    "bensin": "Bensin", "gasoline": "Bensin", "petrol": "Bensin", "diesel": "Diesel",
    "solar": "Diesel", "hybrid": "Hybrid", "hev": "Hybrid", "hibrid": "Hybrid",
    "listrik": "Listrik", "electric": "Listrik", "ev": "Listrik", "bev": "Listrik",
}  # fmt: skip

# Base colours, as the catalog shows them; shades and English names fold into them.
COLOR_WORDS = {
    "putih": "Putih", "white": "Putih", "hitam": "Hitam", "black": "Hitam", "silver": "Silver",
    "perak": "Silver", "abu": "Abu-abu", "abu-abu": "Abu-abu", "abu2": "Abu-abu", "grey": "Abu-abu",
    "gray": "Abu-abu", "merah": "Merah", "red": "Merah", "maroon": "Merah", "biru": "Biru",
    "blue": "Biru", "navy": "Biru", "kuning": "Kuning", "yellow": "Kuning", "oranye": "Oranye",
    "orange": "Oranye", "orens": "Oranye", "hijau": "Hijau", "green": "Hijau", "coklat": "Coklat",
    "cokelat": "Coklat", "brown": "Coklat", "bronze": "Coklat", "ungu": "Ungu", "purple": "Ungu",
    "emas": "Emas", "gold": "Emas", "champagne": "Champagne", "beige": "Beige",
}  # fmt: skip
# "Black Edition", "Black Top": a colour word that names a trim states no colour.
COLOR_IN_TRIM_NEXT = {"edition", "top", "series", "pearl"}

BODY_WORDS = {
    "suv": "SUV", "mpv": "MPV", "sedan": "sedan", "hatchback": "hatchback", "hatch": "hatchback",
    "pickup": "pickup", "pick-up": "pickup", "city car": "hatchback", "pick up": "pickup",
    "minibus": "MPV", "crossover": "SUV", "double cabin": "pickup", "bak": "pickup",
}  # fmt: skip

MAX_TYPO_LENGTH = 24  # longer than any name: a word this long is no misspelt name

# Generation prefixes: not a model, not a variant ("All New Jazz", "Grand New Xenia").
GENERATION_WORDS = frozenset({"new", "all", "grand", "the", "facelift", "fl"})

# Words sellers use all the time, some one typo away from a car name (lancar: Lancer, makan:
# Macan, front: Fronx, center: Canter, halal: Haval): never read as a misspelt name, nor as the
# name of a model the vocabulary does not know.
COMMON_WORDS = word_set(
    "harga warna putih hitam merah mulus pajak tahun mesin kondisi siap pakai lokasi bekas "
    "tangan pertama kedua kredit cicilan angsuran dijual mobil istimewa original record servis "
    "service garansi bebas banjir tabrak surat lengkap kunci serep cepat butuh murah terawat "
    "interior velg tebal halus dingin sehat kering keluarga usaha hubungi alamat jalan ready "
    "stock matic manual bensin diesel solar hybrid listrik prestige exceed ultimate sport premium "
    "luxury limited deluxe custom turbo elite touring double cabin range black edition metalik "
    "mutiara silver abu-abu orange hijau kuning coklat nego tipis nett promo akhir bisa tukar "
    "tambah cash tunai perorangan pribadi perusahaan personal plate plat genap ganjil panjang "
    "hidup sampai bulan minggu kilometer odometer sunroof airbag kamera audio racing putaran "
    "keatas dibawah budget kisaran sekitar lebih kurang masih ada yang untuk dengan tanpa "
    "sudah belum jarang langka bagus sekali banget mantap sport cross hatchback sedan pickup "
    "center jakarta bandung surabaya bekasi bogor depok tangerang semarang medan malang jogja "
    "solo serpong tangsel lancar makan front tiger cherry halal ratio civil wagon raise rangka"
)


class Car(NamedTuple):
    """What a text names: a make, and a model when one is named (`model` may be None)."""

    make: str
    model: str | None


@dataclass(frozen=True, slots=True)
class Mention:
    """A car name found in a list of words: the words from `start` to `end` (exclusive)."""

    make: str
    model: str | None  # None for a make
    start: int
    end: int
    exact: bool  # False when read through a typo
    generic: bool  # an ordinary word or a very short token: only trusted with its make


@dataclass(frozen=True, slots=True)
class _Name:
    make: str
    model: str | None
    generic: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    names: dict[str, _Name]  # compact spelling -> make or model
    deletions: dict[str, frozenset[str]]  # spelling with one letter left out -> spellings
    trims: dict[str, str]  # lower-case trim (one or two words) -> maker's casing
    trims_after_year: frozenset[str]
    longest_name: int  # words in the longest spelling


def compact(text: str) -> str:
    """A spelling without case, spaces or punctuation: `HR-V`, `hr v` and `hrv` are one."""
    return "".join(c for c in text.lower() if c.isalnum())


@cache
def vocabulary() -> Vocabulary:
    folder = resources.files("domain.vocabulary")
    catalog = json.loads(folder.joinpath("car_models.json").read_text(encoding="utf-8"))
    aliases = json.loads(folder.joinpath("car_model_aliases.json").read_text(encoding="utf-8"))
    trim_data = json.loads(folder.joinpath("trims.json").read_text(encoding="utf-8"))
    generic = {compact(name) for name in aliases["generic_model_names"]}
    # a number (Peugeot 2008, Toyota 86) or two letters (MG ZS, BMW X1) is a name only with
    # its make: alone it is a year, a code, a word
    generic |= {
        compact(name)
        for models in catalog.values()
        for name in models
        if compact(name).isdigit() or len(compact(name)) <= 2
    }
    names: dict[str, _Name] = {}
    longest = 1
    for make, models in catalog.items():
        for model in models:
            key = compact(model)
            names.setdefault(key, _Name(make, model, key in generic))
            longest = max(longest, len(model.split()))
    for spelling, (make, model) in aliases["model_aliases"].items():
        key = compact(spelling)
        names[key] = _Name(make, model, key in generic)  # an alias decides over the catalog
        longest = max(longest, len(spelling.split()))
    for spelling, make in aliases["make_aliases"].items():
        names.setdefault(compact(spelling), _Name(make, None, False))
    for make in catalog:
        names.setdefault(compact(make), _Name(make, None, False))
    deletions: dict[str, set[str]] = {}
    for key, name in names.items():
        if len(key) >= 5 and key.isalpha() and not name.generic:
            for variant in _one_letter_less(key):
                deletions.setdefault(variant, set()).add(key)
    trims = {t.lower(): t for t in trim_data["trims"]}
    casing_only = {t.lower() for t in trim_data["casing_only"]}
    after_year = frozenset(t for t in trims if t not in casing_only and len(t) > 1)
    return Vocabulary(
        names,
        {k: frozenset(v) for k, v in deletions.items()},
        trims,
        after_year,
        longest,
    )


def _one_letter_less(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours (Damerau)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _typo_of(spelling: str, vocab: Vocabulary) -> str | None:
    """The one name this spelling is a typo of, or None (unknown, or several are as close)."""
    if not 5 <= len(spelling) <= MAX_TYPO_LENGTH or not spelling.isalpha():
        return None
    if spelling in COMMON_WORDS:
        return None
    found = set(vocab.deletions.get(spelling, ()))
    for variant in _one_letter_less(spelling):
        found |= vocab.deletions.get(variant, set())
        if variant in vocab.names and len(variant) >= 5 and not vocab.names[variant].generic:
            found.add(variant)
    found = {key for key in found if _one_edit_apart(spelling, key)}
    targets = {(vocab.names[key].make, vocab.names[key].model) for key in found}
    if len(targets) != 1:
        return None
    return min(found)


# -- finding names in words -----------------------------------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w+]|[-:'](?=\w))*|\n|[.,;!?()/]")


def words_of(text: str) -> list[str | None]:
    """Lower-case words of a text; None where punctuation or a line break separates them."""
    words: list[str | None] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        words.append(None if word in "\n.,;!?()/" else word)
    return words


def mentions(words: Sequence[str | None]) -> list[Mention]:
    """Every make and model named in the words, longest spelling first where they overlap."""
    vocab = vocabulary()
    found: list[Mention] = []
    used: set[int] = set()
    # models first: "mini cooper" is the make Mini and the model Cooper, "mazda 3" a model
    for models, size in itertools.product((True, False), range(min(vocab.longest_name, 4), 0, -1)):
        for start in range(len(words) - size + 1):
            span = words[start : start + size]
            if any(w is None for w in span) or used.intersection(range(start, start + size)):
                continue
            key = compact("".join(span))  # type: ignore[arg-type]
            name, exact = vocab.names.get(key), True
            if name is None and _may_be_a_typo(span, vocab):
                typo = _typo_of(key, vocab)
                name, exact = (vocab.names[typo], False) if typo else (None, True)
            if name is None or (name.model is not None) != models:
                continue
            if name.generic and _part_of_a_body_word(words, start, size):
                continue  # "city car" is a body, not a Honda City
            found.append(Mention(name.make, name.model, start, start + size, exact, name.generic))
            used.update(range(start, start + size))
    return sorted(found, key=lambda m: m.start)


def _part_of_a_body_word(words: Sequence[str | None], start: int, size: int) -> bool:
    end = start + size
    after = f"{words[end - 1]} {words[end]}" if end < len(words) else ""
    before = f"{words[start - 1]} {words[start]}" if start else ""
    return after in BODY_WORDS or before in BODY_WORDS


def _may_be_a_typo(span: Sequence[str | None], vocab: Vocabulary) -> bool:
    """Words that may be a misspelt name: letters only, not a trim word alone (`Extra` is not
    `Exora`), and no short word in a longer spelling (`avanza g` is Avanza and its trim, not
    a typo of Avanza; `pajeri sport` is one of Pajero Sport)."""
    if len(span) == 1:
        return span[0] is not None and span[0].isalpha() and span[0] not in vocab.trims
    return all(w is not None and w.isalpha() and len(w) >= 3 for w in span)


def choose_car(found: Sequence[Mention]) -> tuple[Mention | None, Mention | None]:
    """(the make mention, the model mention) a reader takes from these mentions.

    A generic model name (`city`, `rush`, `march`, `es`) counts only with its make stated, or
    when no other model is named; a name read through a typo counts after an exact one.
    """
    makes = [m for m in found if m.model is None]
    stated = {m.make for m in makes}
    models = [m for m in found if m.model is not None]

    def rank(m: Mention) -> tuple[int, int]:
        if m.make in stated and m.exact:
            tier = 4
        elif not m.generic and m.exact:
            tier = 3
        elif not m.generic or m.make in stated:
            tier = 2
        elif m.end - m.start > 1 or (len(m.model or "") >= 4 and (m.model or "").isalpha()):
            tier = 1  # a generic word alone: only when nothing else is named
        else:
            tier = 0  # `es`, `v`, `86` alone are not a car
        return tier, -m.start

    model = max(models, key=rank, default=None)
    if model is not None and rank(model)[0] == 0:
        model = None
    make = next((m for m in makes if model is None or m.make == model.make), None)
    if make is None and makes and model is None:
        make = makes[0]
    return make, model


def find_car(text: str) -> Car | None:
    """The make and model a free text names (`"ada avanza matic dibawah 150jt?"` ->
    `Car("Toyota", "Avanza")`; `"toyota apa aja"` -> `Car("Toyota", None)`), or None."""
    make, model = choose_car(mentions(words_of(text)))
    if model is not None:
        return Car(model.make, model.model)
    if make is not None:
        return Car(make.make, None)
    return None


def names_model(word: str, model: str) -> bool:
    """Is this word (as typed) part of the model's name? `crv` of CR-V, `inova` of Innova;
    also a nickname that alone names it (`kodok` is the VW Beetle), but not a trim that is
    also an alias (`reborn` is read as the Innova, and stays its variant)."""
    key, name = compact(word), compact(model)
    if key and key in name:
        return True
    vocab = vocabulary()
    alias = vocab.names.get(key)
    if alias is not None and alias.model == model and key.isalpha() and key not in vocab.trims:
        return True
    parts = [compact(p) for p in re.split(r"[\s-]+", model) if p]
    return len(key) >= 4 and any(_one_edit_apart(key, part) for part in parts)


# -- the other words ------------------------------------------------------------------------


def _first(words: Sequence[str | None], table: dict[str, str]) -> str | None:
    for word in words:
        if word is not None and word in table:
            return table[word]
    return None


def find_transmission(text: str) -> str | None:
    """`Matic` or `Manual` from the first transmission word (`AT`, `CVT`, `matic`, `MT`...)."""
    return _first(words_of(text), TRANSMISSION_WORDS)


def find_fuel(text: str) -> str | None:
    """`Bensin`, `Diesel`, `Hybrid` or `Listrik` from a fuel word (`solar`, `HEV`, `ev`...)."""
    return _first(words_of(text), FUEL_WORDS)


def find_color(text: str) -> str | None:
    """The base colour of the first colour word (`putih mutiara` -> `Putih`)."""
    words = words_of(text)
    for i, word in enumerate(words):
        if word is None:
            continue
        after = words[i + 1] if i + 1 < len(words) else None
        if word in COLOR_WORDS and after not in COLOR_IN_TRIM_NEXT:
            return COLOR_WORDS[word]
    return None


def find_body(text: str) -> str | None:
    """`SUV`, `MPV`, `sedan`, `hatchback` (also `city car`) or `pickup` when a body is named."""
    words = words_of(text)
    for i, word in enumerate(words):
        if word is None:
            continue
        pair = f"{word} {words[i + 1]}" if i + 1 < len(words) and words[i + 1] else ""
        if pair in BODY_WORDS:
            return BODY_WORDS[pair]
        if word in BODY_WORDS and word != "bak":
            return BODY_WORDS[word]
    return None


def trim_casing(word: str) -> str:
    """A variant word in its maker's casing: from the trim list, else as the seller typed it
    when mixed case, else short codes upper case (`gx` -> `GX`) and words capitalised."""
    known = vocabulary().trims.get(word.lower())
    if known:
        return known
    if "-" in word and not word.islower() and not word.isupper():
        return word
    if "-" in word:
        return "-".join(trim_casing(part) for part in word.split("-") if part)
    if any(c.isdigit() for c in word):
        # c200 -> C200, ge8 -> GE8; but 320i, 200t, 1.5T stay as typed
        if word[0].isalpha() and word.islower():
            return word.upper()
        return word
    if not word.islower() and not word.isupper():
        return word
    if len(word) <= 3:
        return word.upper()
    return word.capitalize()


def is_trim_after_year(word: str) -> bool:
    """A trim word that may follow the year (`xpander 2020 ultimate`); short codes may not."""
    return word.lower() in vocabulary().trims_after_year
