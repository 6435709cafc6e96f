"""The listing parser: a seller's free text -> a listing draft. Pure logic, never raises.

It reads what Indonesian sellers really type on WhatsApp (`145jt`, `1,2M`, `Rp 570,000,000`,
`165.000.000,-`, `km 67rb`, `odo 45ribu`, `28.xxx`, `'14`, `AT/MT/CVT`, trims before years, typos,
emojis, several lines, any order) in four steps:

1. tokens (`domain.tokens`): words, numbers with their units, and the shapes that are never a
   car's number (phone numbers, plates, dates);
2. the car's name from the vocabulary (`domain.vocabulary`), typos included; after a known
   make, a name the vocabulary does not know is the model as typed (`Nissan Cedric V6`);
3. every number's possible readings and the one consistent assignment of year, mileage and
   price (`domain.readings`): a DP, an instalment, a credit price, a warranty limit, a service
   interval, a tax year, an address `Km.28` or a plate is never a field of the car; a bare
   number closing a listing that states no other price is its price in millions
   (`nego halus 190`) when the car's age makes that plausible;
4. the words (transmission, fuel, colour), the variant (what follows the model name), the
   extras (plate, tax, credit offer, ownership, a former use such as `ex taksi`) and the
   doubts.

A field the text does not state stays None: nothing is guessed.

`read_answer` reads a short answer to one question (`19` for the year, `150` for the price),
`read_model_answer` a bare name answering "mobil apa?".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from domain.numbers import JUTA
from domain.readings import (
    BARE_ANSWER,
    CREDIT_PRICE,
    DP,
    ENGINE,
    FIELDS,
    INSTALLMENT,
    LABEL_OF,
    MAX_MILEAGE_KM,
    MILEAGE,
    MIN_PRICE_IDR,
    MIN_YEAR,
    NIK_YEAR,
    OTHER_YEAR,
    PRICE,
    REG_YEAR,
    TAX_YEAR,
    TENOR,
    YEAR,
    Assignment,
    Context,
    Reading,
    assign,
    engine_like,
    plausible_km,
    readings_of,
)
from domain.tokens import (
    AREA_CODES,
    BREAK,
    COLON,
    DATE,
    MONTHS,
    NUMBER,
    PLATE,
    PLATE_WORDS,
    SEP,
    SHORT_YEAR,
    TAX_WORDS,
    UNIT,
    WORD,
    Token,
    tokenise,
)
from domain.vocabulary import (
    BODY_WORDS,
    COLOR_IN_TRIM_NEXT,
    COLOR_WORDS,
    COMMON_WORDS,
    FUEL_WORDS,
    GENERATION_WORDS,
    TRANSMISSION_WORDS,
    Mention,
    choose_car,
    compact,
    is_trim_after_year,
    mentions,
    names_model,
    trim_casing,
    vocabulary,
    word_set,
)
from domain.words import CANCEL, DONE, HELP, NO, SKIP, YES, is_question

REQUIRED = ("model", "year", "price_idr")
MILLION_KM = 1_000_000
LOW_KM = 1000  # under this, a car of three years or more has most likely lost its "rb"
MAX_VARIANT_WORDS = 6

# Why a value is doubtful (Draft.doubtful[field].reason).
DOUBT_REASONS = {
    "price_too_low": "a price under Rp 5 jt",
    "price_too_high": "a price over Rp 50 M",
    "mileage_too_high": "a mileage over 1 500 000 km",
    "mileage_over_a_million": "a mileage over 1 000 000 km",
    "mileage_high_for_age": "more kilometres than a car of this age plausibly drives",
    "mileage_low_for_age": "under 1 000 km on a car of three years or more",
    "year_in_future": "a year after this one",
    "year_too_old": "a year before 1970",
}

# Words that end a variant: they start another field or are plain talk.
_VARIANT_STOPS = word_set(
    "tahun thn th warna nego nett net bu harga hrg km kondisi mulus istimewa pajak plat nopol "
    "atas tangan bisa siap full original ori bebas unit dp tdp angsuran cicilan kredit cash "
    "masih low murah metalik ready stock lokasi hub wa call hp yang yg dan untuk buat cocok "
    "jarang service servis record garansi asli kilometer odo odometer jual dijual a/n nik reg "
    "surat lengkap interior mesin body ban velg kaki for sale price first hand "
    "mileage di ke dari dengan with only promo cepat butuh kunci no tipis sehat bagus terawat "
    "rawatan pemakaian pemakai pribadi perorangan sunroof tt tukar bekas eks"
)
_VARIANT_SKIPS = frozenset({"tipe", "type", "varian", "variant", "atpm", "cbu", "ckd", "build"})
_NEGATIONS = frozenset({"no", "tanpa", "tdk", "tidak", "ga", "gak", "nggak", "ngga", "bukan"})
_NOT_NEGOTIABLE = frozenset({"nett", "net", "netto"})
# `ex taksi`, `eks taxi`, `bekas rental`: what the car was used for before (extras
# "former_use"), never a trim ("EX" alone is Honda's).
_FORMER = frozenset({"ex", "eks", "bekas"})
_FORMER_USES = {
    "taksi": "taksi", "taxi": "taksi", "rental": "rental", "rent": "rental", "dinas": "dinas",
    "kantor": "kantor", "perusahaan": "kantor", "travel": "travel", "grab": "taksi online",
    "gocar": "taksi online", "online": "taksi online", "uber": "taksi online",
    "pribadi": "pribadi", "perorangan": "pribadi",
}  # fmt: skip
# Said around a price and adding nothing to it: `nego halus 190`, `nett 95`, `135 aja`.
_PRICE_FILLERS = word_set(
    "nego negotiable nett net netto pas aja saja halus tipis bu cuma cm cuman only murah fix"
)
_CLOSING_WORDS = _PRICE_FILLERS | word_set("ya gan bos kak om min bisa tt dong deh ok oke")
_USE_WORDS = frozenset({"pemakaian", "pemakai", "pakai", "pakaian"})  # "ex pemakaian pribadi"


@dataclass(frozen=True, slots=True)
class Doubt:
    """A value that reads as a slip. `kept`: it is in its field (flagged only); otherwise it
    stayed out of the field, which is then empty (and missing when required)."""

    value: int | None
    reason: str  # a key of DOUBT_REASONS
    kept: bool


@dataclass
class Draft:
    """What a seller's text states. `doubtful` names the fields whose value reads as a slip:

    - a value outside its bounds never becomes the field: a price under Rp 5 jt or over
      Rp 50 M, a mileage over 1 500 000 km, a year before 1970 or after next year. The field
      stays empty and `doubtful[field]` holds the value read (`kept=False`), so the
      conversation can ask "Harga Rp 165 triliun? Sepertinya salah ketik".
    - a value within bounds but unlikely is kept and flagged (`kept=True`): a mileage over
      1 000 000 km, more than 100 000 km per year of age, under 1 000 km on a car of three
      years or more, a year after this one (next year's model).
    """

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
    doubtful: dict[str, Doubt] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED if getattr(self, name) is None]

    def to_dict(self) -> dict[str, Any]:
        """The fields, the extras flattened in, "missing", and "doubtful" when there is any."""
        data = {
            "make": self.make, "model": self.model, "variant": self.variant,
            "year": self.year, "transmission": self.transmission, "fuel": self.fuel,
            "color": self.color, "mileage_km": self.mileage_km, "price_idr": self.price_idr,
        }  # fmt: skip
        data.update(self.extras)
        data["missing"] = self.missing
        if self.doubtful:
            data["doubtful"] = {
                name: {"value": d.value, "reason": d.reason, "kept": d.kept}
                for name, d in self.doubtful.items()
            }
        return data


def parse_listing(text: str, *, today: dt.date | None = None) -> Draft:
    """The draft a seller's text states (the `/upload` command word may be included)."""
    return _Reader(text, today or dt.date.today()).read()


@dataclass(frozen=True, slots=True)
class Answer:
    """A short answer read for one field: the value, or None (with the doubt when a value
    was read but is out of bounds: "150000jt" for a price)."""

    value: int | None
    doubt: Doubt | None = None


def read_answer(text: str, field_name: str, *, today: dt.date | None = None) -> Answer:
    """A short answer to a question about one field: `year` ("2019", "tahun 2019", "thn 19",
    "taun 19", "th.2019", "'19", "2019an", "19"), `price_idr` ("150jt", "150",
    "Rp 150.000.000", "1,2M") or `mileage_km` ("km 55rb", "kmnya 55rb", "55 ribu", "55000").
    A bare number is read as the field asked ("150" is Rp 150 jt for a price, "19" is 2019 and
    "98" 1998 for a year; a bare number under 1000 is no mileage, a bare two-digit number out
    of the years a car can have is nothing). Never raises."""
    today = today or dt.date.today()
    tokens = tokenise(text)
    context = Context(today.year + 1, answer=True)
    best: Reading | None = None
    for i in range(len(tokens)):
        readings = readings_of(tokens, i, context)
        other = max((r.score for r in readings if r.role not in FIELDS), default=0.0)
        for reading in readings:
            if reading.role != field_name or reading.score <= other:
                continue
            if best is None or reading.score > best.score:
                best = reading
    if best is None:
        return Answer(None)
    if not best.in_range:
        return Answer(None, Doubt(best.value, _out_of_bounds(field_name, best), kept=False))
    return Answer(best.value)


def parse_price(text: str) -> int | None:
    """Just a price (`140jt`, `1,2M`, `Rp 175.000.000`, `160,000,000`, `harga 120`, `120`),
    for corrections and `/harga`; None when there is none or it is out of bounds."""
    return read_answer(text, PRICE).value


def parse_mileage(text: str) -> int | None:
    """Just a mileage (`km 120rb`, `kmnya 55rb`, `145.515 km`, `55 ribu`), for corrections."""
    return read_answer(text, MILEAGE).value


def parse_year(text: str, *, today: dt.date | None = None) -> int | None:
    """Just a year (`2019`, `tahun 2019`, `thn 19`, `'19`, `2019an`, `19`), for corrections
    and answers."""
    return read_answer(text, YEAR, today=today).value


MAX_MODEL_WORDS = 3
# Said around a name in an answer (`Harrier kak`, `itu Toyota Crown`): not part of it.
_AROUND_A_NAME = word_set("kak gan bos om min mas mba pak bu ya sis itu mobil mobilnya nya")
_CHAT = YES | NO | DONE | SKIP | CANCEL | HELP


def read_model_answer(text: str) -> tuple[str | None, str | None]:
    """The answer to "mobil apa?" read as (make, model). A name the vocabulary knows is
    read as such (`inova` -> ("Toyota", "Kijang Innova")); otherwise a known make is taken
    and the rest, one to three words of letters and digits, is the model as the seller typed
    it, title-cased (`Toyota harrier` -> ("Toyota", "Harrier"), `Cedric` -> (None, "Cedric")).
    (None, None) when the text is clearly no car's name: a question, a number, chatter
    (`gimana`, `kak`, `yang merah`, `ok`). Never raises."""
    if is_question(text):
        return None, None
    tokens = [t for t in tokenise(text) if not (t.kind == BREAK and t.low in ".!")]
    while tokens and tokens[-1].low in _AROUND_A_NAME:
        tokens.pop()
    while tokens and tokens[0].low in _AROUND_A_NAME:
        tokens.pop(0)
    if not tokens or any(t.kind != WORD and t.kind != NUMBER for t in tokens):
        return None, None
    names = [_name_word(t) for t in tokens]
    make, model = choose_car(_credible(mentions(names), names))
    if model is not None:
        return model.make, model.model
    rest = tokens
    if make is not None:
        if make.start != 0:
            return None, None  # "yang Toyota": talk about a car, not its name
        rest = tokens[make.end :]
    if not rest:
        return (make.make if make else None), None
    if len(rest) > MAX_MODEL_WORDS or not _answer_names_a_model(rest, after_make=bool(make)):
        return (make.make if make else None), None
    name = " ".join(_model_casing(t.text) for t in rest)
    return (make.make if make else None), name


def _answer_names_a_model(words: list[Token], *, after_make: bool) -> bool:
    """`Harrier`, `Crown Royal Saloon`, `Galant V6`: the first word shaped like a model's
    name, the others letters and digits (a trim may follow), none of them talk or a field.
    After a make the first may be a number (`Peugeot 405`, `Mercedes 300`), never a year."""
    first = words[0]
    named = _may_name_a_model(first) and first.low not in _CHAT
    if not named and not (after_make and _model_number(first)):
        return False
    for token in words[1:]:
        word = token.low
        if not word.isalnum() or word in _CHAT or word in _NOT_A_MODEL:
            return False
        if word in LABEL_OF or word in _VARIANT_STOPS or word in COLOR_WORDS:
            return False
        if word in TRANSMISSION_WORDS or word in FUEL_WORDS or word in _NEGATIONS:
            return False
    return True


# What a buyer's question has and a seller's post has not, and the other way round.
_BUYER_CUES = word_set(
    "cari nyari mencari budget dibawah bawah under max maks maksimal kisaran keatas brp berapa "
    "simulasi punya looking any minta dong tolong mohon apakah"
)
_SELLER_CUES = word_set(
    "jual dijual djual wts sale harga hrg nego bu mulus istimewa pajak odo odometer km "
    "kilometer nett hub"
)


def listing_score(text: str, *, today: dt.date | None = None) -> int:
    """How much a text reads as a car for sale: 0 when it names no model with a year or a
    price; else 1 + seller cues (`jual`, `harga`, `nego`, an amount, a mileage, a credit
    offer) - buyer cues (`?`, `ada ...`, `cari`, `budget`, `dibawah`), at least 0."""
    reader = _Reader(text, today or dt.date.today())
    draft = reader.read()
    if draft.model is None or (draft.year is None and draft.price_idr is None):
        return 0
    words = [t.low for t in reader.tokens if t.kind == WORD]
    questions = min(text.count("?"), 2)
    buyer = len(_BUYER_CUES.intersection(words)) + questions + ("ada" in words[:3])
    seller = len(_SELLER_CUES.intersection(words))
    seller += (draft.price_idr is not None) + (draft.mileage_km is not None)
    seller += any(key in draft.extras for key in ("dp_idr", "installment_idr"))
    return max(0, 1 + seller - buyer)


def looks_like_listing(text: str, *, today: dt.date | None = None) -> bool:
    """Does this text (a photo caption, `jual avanza 2019 matic 165jt`) offer a car? It must
    name a model and a year or a price, and not read more like a buyer's question than a
    seller's post: "halo", "mau jual mobil", "ada avanza matic?", "xpander 2020 ready?" do not."""
    return listing_score(text, today=today) > 0


# -- the reader -------------------------------------------------------------------------------


class _Reader:
    def __init__(self, text: str, today: dt.date) -> None:
        self.today = today
        self.tokens = tokenise(text)
        self.draft = Draft()
        self.name_tokens: set[int] = set()
        self.model_span: tuple[int, int] | None = None
        self.head: list[int] = []  # words inside the model's spelling that are variant
        self.model_unknown = False  # the model is a word after the make, not the vocabulary's
        self.assignment = Assignment({}, {}, {})

    def read(self) -> Draft:
        self.car_name()
        self.numbers()
        self.drop_a_guessed_model()
        self.words()
        self.variant()
        self.model_by_year()
        self.extras()
        self.doubts()
        return self.draft

    # -- make and model --------------------------------------------------------------------

    def car_name(self) -> None:
        names = [_name_word(t) for t in self.tokens]
        found = _credible(mentions(names), names)
        make, model = choose_car(found)
        if model is not None:
            model = _merge_neighbours(model, found)
            self.draft.make, self.draft.model = model.make, model.model
            self.model_span = (model.start, model.end)
            self.name_tokens.update(range(model.start, model.end))
            makes = {m.make for m in found if m.model is None}
            self.head = [
                i
                for i in range(model.start, model.end)
                if not names_model(self.tokens[i].low, model.model or "")
                and (self.tokens[i].low not in GENERATION_WORDS or self.trim_pair_starts(i))
                and not _is_make_word(self.tokens[i].low, makes)
            ]
        if make is not None:
            self.draft.make = self.draft.make or make.make
            self.name_tokens.update(range(make.start, make.end))
            if model is None:
                self.unknown_model(make)

    def unknown_model(self, make: Mention) -> None:
        """`Toyota Harrier 2.0 Premium`: after a known make, a word the vocabulary does not
        know but shaped like a name (letters, or letters and digits) is the model, so that a
        nameplate missing from the vocabulary still makes a complete listing. A second word
        joins it only when typed as a name too (`Crown Majesta`) and it is no trim."""
        if not _may_start_a_model(self.tokens[make.start : make.end]):
            return
        start = make.end
        while start < len(self.tokens) and self.tokens[start].low in GENERATION_WORDS:
            start += 1  # "Toyota New Harrier"
        if start >= len(self.tokens) or not _may_name_a_model(self.tokens[start]):
            return
        end = start + 1
        if end < len(self.tokens) and _second_name_word(self.tokens[start], self.tokens[end]):
            end += 1
        self.draft.model = " ".join(_model_casing(t.text) for t in self.tokens[start:end])
        self.model_span = (start, end)
        self.name_tokens.update(range(start, end))
        self.model_unknown = True

    def drop_a_guessed_model(self) -> None:
        """An unknown word after a make is a model only in a text offering a car, with a year
        or a price (`Toyota sekarang mahal` names no model)."""
        span = self.model_span
        if self.model_unknown and span and self.draft.year is None and self.draft.price_idr is None:
            self.name_tokens.difference_update(range(*span))
            self.draft.model, self.model_span = None, None

    # -- numbers ---------------------------------------------------------------------------

    def numbers(self) -> None:
        context = Context(self.today.year + 1, name_zone=frozenset(self.name_zone()))
        per_token = [
            [] if i in self.name_tokens else readings_of(self.tokens, i, context)
            for i in range(len(self.tokens))
        ]
        self.assignment = assign(per_token, self.today.year)
        closing = self.closing_price(per_token)
        if closing is not None:
            fields = {**self.assignment.fields, PRICE: closing}
            self.assignment = Assignment(fields, self.assignment.others, self.assignment.doubts)
        for name, reading in self.assignment.fields.items():
            setattr(self.draft, name, reading.value)
        mileage = self.assignment.fields.get(MILEAGE)
        if mileage is not None and mileage.value is not None and mileage.rough:
            self.draft.extras["mileage_approx"] = True

    def closing_price(self, per_token: list[list[Reading]]) -> Reading | None:
        """`jazz 2017 rs cvt nego halus 190`, `ertiga 2016 manual 125`: a dealer who ends a
        listing with a bare number of two or three digits, and states no other price, means
        that many millions. Only when nothing else can be meant: the number is the listing's
        last, reads as nothing else, closes its phrase (fillers such as `nego`, `nett`, `aja`
        aside), follows a field or a break (not `velg ring 18`, `garansi mesin 12`), no credit
        offer is made, and the amount is plausible for the car's age."""
        found = self.assignment
        year = found.fields.get(YEAR)
        if PRICE in found.fields or PRICE in found.doubts or year is None or not year.value:
            return None
        if any(r.role in (DP, INSTALLMENT, TENOR, CREDIT_PRICE) for r in found.others.values()):
            return None
        numbers = [i for i, t in enumerate(self.tokens) if t.kind in (NUMBER, SHORT_YEAR)]
        i = numbers[-1] if numbers else -1
        if i < 0 or per_token[i] or i in self.name_tokens or i < year.index:
            return None
        token, figure = self.tokens[i], self.tokens[i].figure
        if (
            figure is None
            or not figure.plain
            or not 2 <= figure.digits <= 3
            or token.unit
            or token.rough
            or token.km_after
            or token.text.startswith("0")
        ):
            return None
        if not self.closes_its_phrase(i) or not self.follows_a_field(i):
            return None
        millions = figure.whole or 0
        if not _plausible_millions(millions, self.today.year - year.value):
            return None
        return Reading(PRICE, millions * JUTA, BARE_ANSWER, i)

    def closes_its_phrase(self, i: int) -> bool:
        for token in self.tokens[i + 1 :]:
            if token.kind in (BREAK, COLON, SEP):
                return True
            if token.kind != WORD or token.low not in _CLOSING_WORDS:
                return False
        return True

    def follows_a_field(self, i: int) -> bool:
        for j in range(i - 1, -1, -1):
            token = self.tokens[j]
            if token.kind == WORD and token.low in _PRICE_FILLERS:
                continue
            if token.kind != WORD:
                return True  # a break, another number (the year, the mileage), a date
            word = token.low
            return (
                j in self.name_tokens
                or word in TRANSMISSION_WORDS
                or word in FUEL_WORDS
                or word in COLOR_WORDS
                or is_trim_after_year(word)  # not `max`, `up`, `one`: ordinary words too
                or _trim_letter(token)
            )
        return True

    def name_zone(self) -> list[int]:
        """The tokens right after the model name, where trims and engine sizes are written
        (`Ayla 1.0 M MT`): a number there is read as a price only when labelled."""
        if self.model_span is None:
            return []
        zone = []
        for i in range(self.model_span[1], min(len(self.tokens), self.model_span[1] + 5)):
            token = self.tokens[i]
            if token.kind in (BREAK, COLON) or token.low in LABEL_OF:
                break
            zone.append(i)
        return zone

    # -- words -----------------------------------------------------------------------------

    def words(self) -> None:
        for i, token in enumerate(self.tokens):
            if token.kind != WORD:
                continue
            before = self.tokens[i - 1].low if i else ""
            after = self.tokens[i + 1].low if i + 1 < len(self.tokens) else ""
            if (
                self.draft.transmission is None
                and token.low in TRANSMISSION_WORDS
                and before != "buku"  # "buku manual": the owner's manual
            ):
                self.draft.transmission = TRANSMISSION_WORDS[token.low]
            if self.draft.fuel is None and token.low in FUEL_WORDS:
                self.draft.fuel = FUEL_WORDS[token.low]
            if (
                self.draft.color is None
                and token.low in COLOR_WORDS
                and i not in self.name_tokens
                and after not in COLOR_IN_TRIM_NEXT
                and before not in PLATE_WORDS  # "plat kuning" is a commercial plate
            ):
                self.draft.color = COLOR_WORDS[token.low]

    # -- variant ---------------------------------------------------------------------------

    def variant(self) -> None:
        if self.model_span is None:
            return
        chosen = self.head + self.variant_tail(self.model_span[1])
        words: list[str] = []
        for i in chosen:
            token = self.tokens[i]
            words.append(token.text)
            if token.unit_text:
                words.append(token.unit_text)  # "1.0 M": the trim letter after an engine size
        self.draft.variant = _cased(words) or None

    def variant_tail(self, start: int) -> list[int]:
        """The words after the model that name its type: trims, engine size, drive, body;
        past transmission and fuel words, up to the next field. After the year only known
        trim words follow (`xpander 2020 ultimate`)."""
        taken: list[int] = []
        fields = {r.index: name for name, r in self.assignment.fields.items()}
        after_year = False
        for i in range(start, len(self.tokens)):
            token = self.tokens[i]
            if len(taken) >= MAX_VARIANT_WORDS or token.kind in (BREAK, COLON, SEP):
                break
            if token.kind == UNIT:
                continue
            if fields.get(i) == YEAR or token.kind == SHORT_YEAR:
                after_year = True
                continue
            if i in fields or token.kind not in (WORD, NUMBER):
                break
            word = token.low
            if word in TRANSMISSION_WORDS or word in FUEL_WORDS or word in _VARIANT_SKIPS:
                continue
            if word == "up" and self.tokens[i - 1].low == "build":
                continue
            if word in GENERATION_WORDS and not self.trim_pair_starts(i):
                continue  # "All New": not a trim; "Grand Touring" is one
            if self.ends_variant(i):
                break
            if after_year and not self.trim_after_year(i) and not _trim_letter(token):
                break
            taken.append(i)
        return taken

    def ends_variant(self, i: int) -> bool:
        token = self.tokens[i]
        if token.kind == NUMBER:
            # an engine size, a code (Land Cruiser 200, LX 570): not a year or an amount
            other = self.assignment.others.get(i)
            if other is not None:
                return other.role != ENGINE
            figure = token.figure
            small = figure is not None and figure.plain and (figure.whole or 0) < 1000
            engine = figure is not None and engine_like(figure)
            return token.km_after or token.unit not in ("", "t", "l", "cc") or not (small or engine)
        word = token.low
        after = self.tokens[i + 1].low if i + 1 < len(self.tokens) else ""
        if word in COLOR_WORDS and after not in COLOR_IN_TRIM_NEXT:
            return True
        if self.former_use(i) is not None:
            return True  # "ex taksi"
        if word in vocabulary().trims or self.trim_pair_starts(i):
            return False  # "EXP" is a Kia trim before it is "expired"
        is_label = word in LABEL_OF and word != "x"  # "x" is a tenor only before a number
        return word in _VARIANT_STOPS or is_label or i in self.name_tokens

    def trim_pair_starts(self, i: int) -> bool:
        if i + 1 >= len(self.tokens):
            return False
        return f"{self.tokens[i].low} {self.tokens[i + 1].low}" in vocabulary().trims

    def trim_after_year(self, i: int) -> bool:
        token = self.tokens[i]
        if token.kind == NUMBER:
            other = self.assignment.others.get(i)
            return other is not None and other.role == ENGINE
        pair = f"{token.low} {self.tokens[i + 1].low}" if i + 1 < len(self.tokens) else ""
        return (
            is_trim_after_year(token.low)
            or is_trim_after_year(pair)
            or (i > 0 and is_trim_after_year(f"{self.tokens[i - 1].low} {token.low}"))
        )

    def model_by_year(self) -> None:
        """'Avanza Veloz' until 2021 is an Avanza with the Veloz trim; from 2022 the Veloz is
        its own model. A 'Veloz' of 2021 or before is read as the Avanza it was."""
        year = self.draft.year
        if self.draft.model == "Veloz" and year is not None and year <= 2021:
            self.draft.model = "Avanza"
            self.draft.variant = " ".join(filter(None, ["Veloz", self.draft.variant]))

    # -- extras ----------------------------------------------------------------------------

    def extras(self) -> None:
        extras = self.draft.extras
        for reading in self.assignment.others.values():
            if reading.value is None:
                continue
            if reading.role in (DP, INSTALLMENT, TENOR, CREDIT_PRICE, NIK_YEAR, REG_YEAR):
                extras.setdefault(reading.role, reading.value)
            elif reading.role in (TAX_YEAR, OTHER_YEAR) and self.near_tax(reading.index):
                extras.setdefault("tax_until", str(reading.value))
        for i, token in enumerate(self.tokens):
            if token.kind == PLATE and "plate_number" not in extras:
                extras["plate_number"] = token.value
                extras.setdefault("plate_area", token.value.split()[0])
            elif token.kind == DATE and self.near_tax(i):
                year, month = token.value
                extras["tax_until"] = f"{year}-{month:02d}"
            elif token.kind == WORD:
                self.word_extras(i)
        self.negotiable()

    def near_tax(self, i: int) -> bool:
        """A tax word before this token on its line: `Pajak : Hidup (10/2025)`."""
        for token in reversed(self.tokens[max(0, i - 6) : i]):
            if token.low == "\n":
                return False
            if token.low in TAX_WORDS:
                return True
        return False

    def word_extras(self, i: int) -> None:
        extras, word = self.draft.extras, self.tokens[i].low
        following = [t.low for t in self.tokens[i + 1 : i + 4] if t.kind in (WORD, NUMBER)]
        nxt = following[0] if following else ""
        if word in PLATE_WORDS:  # "plat B genap", "plat ganjil", "Plat : D (Bandung)"
            parity = next((w for w in following[:2] if w in ("ganjil", "genap")), None)
            if parity:
                extras.setdefault("plate_parity", parity)
            if nxt in AREA_CODES:
                extras.setdefault("plate_area", nxt.upper())
        elif word in TAX_WORDS and nxt in ("hidup", "mati", "panjang", "on", "off", "aktif"):
            extras.setdefault("tax_status", nxt)
        elif word == "tangan" and nxt in ("pertama", "kedua", "1", "2", "ke-1", "ke-2"):
            order = "pertama" if nxt in ("pertama", "1", "ke-1") else "kedua"
            extras.setdefault("ownership", f"tangan {order}")
        elif word in ("first", "1st") and nxt == "hand":
            extras.setdefault("ownership", "tangan pertama")
        elif word in ("a/n", "nama") and nxt in ("perorangan", "pribadi", "perusahaan", "pt"):
            extras.setdefault("owner_type", nxt)
        elif (
            (word == "tukar" and nxt == "tambah")
            or word == "tt"
            or (word == "trade" and nxt == "in")
        ):
            extras["trade_in"] = True
        elif word == "bu" or (word == "butuh" and nxt in ("uang", "dana", "duit")):
            extras["urgent_sale"] = True
        elif self.former_use(i) is not None:
            extras.setdefault("former_use", self.former_use(i))

    def former_use(self, i: int) -> str | None:
        """What `ex taksi`, `eks taxi`, `bekas rental`, `ex pemakaian pribadi` starting at
        token i says the car was used for, or None."""
        if self.tokens[i].low not in _FORMER:
            return None
        words = [t.low for t in self.tokens[i + 1 : i + 3] if t.kind == WORD]
        if words and words[0] in _USE_WORDS:
            words = words[1:]
        return _FORMER_USES.get(words[0]) if words else None

    def negotiable(self) -> None:
        """`nego`, `bisa nego`, `nego tipis` -> True; `nett`, `no nego`, `harga pas` -> False."""
        for i, token in enumerate(self.tokens):
            before = self.tokens[i - 1] if i else None
            if token.low in ("nego", "negotiable", "negoable"):
                negated = before is not None and before.low in _NEGATIONS
                self.draft.extras["negotiable"] = not negated
                return
            after_price = before is not None and (
                before.low in ("harga", "hrg") or self.is_price_token(i - 1)
            )
            if token.low in _NOT_NEGOTIABLE or (
                after_price and token.low in ("pas", "fix", "mati")
            ):
                self.draft.extras["negotiable"] = False
                return

    def is_price_token(self, i: int) -> bool:
        price = self.assignment.fields.get(PRICE)
        return price is not None and i in (price.index, price.index + 1)

    # -- doubts ----------------------------------------------------------------------------

    def doubts(self) -> None:
        draft, doubtful = self.draft, self.draft.doubtful
        for name, reading in self.assignment.doubts.items():
            doubtful[name] = Doubt(reading.value, _out_of_bounds(name, reading), kept=False)
        year, mileage = draft.year, draft.mileage_km
        if year is not None and year > self.today.year:
            doubtful["year"] = Doubt(year, "year_in_future", kept=True)
        if mileage is None:
            return
        rough = bool(draft.extras.get("mileage_approx"))
        if mileage > MILLION_KM:
            doubtful["mileage_km"] = Doubt(mileage, "mileage_over_a_million", kept=True)
        elif year is not None and mileage > plausible_km(year, self.today.year):
            doubtful["mileage_km"] = Doubt(mileage, "mileage_high_for_age", kept=True)
        elif year is not None and self.today.year - year >= 3 and mileage < LOW_KM and not rough:
            doubtful["mileage_km"] = Doubt(mileage, "mileage_low_for_age", kept=True)


def _plausible_millions(millions: int, age: int) -> bool:
    """Could a used car of this age sell for this many millions? The cheapest new cars cost
    some Rp 130 jt: at three years old hardly any sells under Rp 70 jt, at ten under Rp 35 jt,
    at twenty under Rp 15 jt; older cars go for Rp 10 jt and more."""
    if age <= 3:
        floor = 70
    elif age <= 10:
        floor = 35
    elif age <= 20:
        floor = 15
    else:
        floor = 10
    return floor <= millions <= 999


def _out_of_bounds(name: str, reading: Reading) -> str:
    value = reading.value or 0
    if name == PRICE:
        return "price_too_low" if value < MIN_PRICE_IDR else "price_too_high"
    if name == MILEAGE:
        return "mileage_too_high" if value > MAX_MILEAGE_KM else "mileage_low_for_age"
    return "year_too_old" if value < MIN_YEAR else "year_in_future"


def _trim_letter(token: Token) -> bool:
    """`Brio 2016 S MT`: one capital letter after the year is a trim too."""
    return token.kind == WORD and len(token.text) == 1 and token.text.isupper()


def _name_word(token: Token) -> str | None:
    """The token as a word of a car's name: words, and plain numbers (`Tiggo 8`, `Mazda 3`)."""
    if token.kind == WORD:
        return token.low
    figure = token.figure
    if (
        token.kind == NUMBER
        and figure is not None
        and figure.plain
        and not token.unit
        and not token.km_after
        and (figure.whole or 0) < 10_000
    ):
        return token.low  # Tiggo 8, Mazda 3, Peugeot 2008 (a generic name: only with its make)
    return None


def _merge_neighbours(model: Mention, found: list[Mention]) -> Mention:
    """`inova venturer`: two spellings of one model side by side are one name."""
    start, end = model.start, model.end
    for other in sorted(found, key=lambda m: m.start):
        if (other.make, other.model) != (model.make, model.model):
            continue
        if other.end == start:
            start = other.start
        elif other.start == end:
            end = other.end
    return Mention(model.make, model.model, start, end, model.exact, model.generic)


def _is_make_word(word: str, makes: set[str]) -> bool:
    name = vocabulary().names.get("".join(c for c in word if c.isalnum()))
    return name is not None and name.model is None and name.make in makes


def _credible(found: list[Mention], words: list[str | None]) -> list[Mention]:
    """With a make stated, a model of another make is no name when it was read through a
    typo (`Toyota Celica` is no Mitsubishi Delica), is also an ordinary word (`Toyota Astra`,
    the dealer, is no Opel Astra) or is also a trim (`Hyundai Accent GLS`: the trim, not the
    Mercedes-Benz GLS)."""
    stated = {m.make for m in found if m.model is None}
    if not stated:
        return found
    trims = vocabulary().trims
    return [
        m
        for m in found
        if m.model is None
        or m.make in stated
        or (
            m.exact
            and not m.generic
            and " ".join(w or "" for w in words[m.start : m.end]) not in trims
        )
    ]


# Words that never name a model, whatever make they follow: talk, the post's own words, sizes.
_NOT_A_MODEL = word_set(
    "jual dijual djual wts mobil mobilnya bekas second seken ready unit kak gan bos om min mas "
    "mba pak ya iya ok oke apa aja saja ada gimana bagaimana mana yang ini itu punya saya sy "
    "aku gw kami mau dong deh sih nih tuh sama juga udah sudah belum ex eks tipe type seri "
    "series model merk merek brand bus truk truck kecil besar lama tua antik klasik classic "
    "restorasi modif halo hai makasih terima kasih thanks sip mantap tau tahu ngerti lupa "
    "astra auto2000 dealer resmi sekarang skrg lagi lg banget bgt mahal tapi tp karena krn "
    "kalau kalo klo atau atas buat untuk utk dengan dgn pada juga jg semua satu dua tiga "
    "doang loh lho kok yah bro sis boss juragan agan sob kakak bapak ibu mbak stok inden "
    "harus bener benar cukup lumayan paling lebih sangat"
)
# Makes that are also ordinary words (`mini bus`, `smart key`, `Timor Leste`): followed by an
# unknown word they start a model only when typed as a name.
_MAKES_THAT_ARE_WORDS = frozenset({"mini", "smart", "jeep", "timor", "proton", "jaguar"})
_MODEL_SHAPE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _model_number(token: Token) -> bool:
    """`405` of a Peugeot 405: a plain number of two to four digits that is no year."""
    figure = token.figure
    if token.kind != NUMBER or figure is None or not figure.plain or token.unit:
        return False
    return 2 <= figure.digits <= 4 and not MIN_YEAR <= (figure.whole or 0) <= 2099


def _may_start_a_model(make: list[Token]) -> bool:
    word = make[0] if len(make) == 1 else None
    return word is None or word.low not in _MAKES_THAT_ARE_WORDS or word.text[:1].isupper()


def _may_name_a_model(token: Token) -> bool:
    """Could this word be a model's name the vocabulary does not know (`Harrier`, `CX3`)?
    Not a number, a unit, a transmission, fuel or colour word, a trim, a label or a word of
    the post (`tahun`, `harga`, `km`, `jual`, `mulus`)."""
    word = token.low
    if token.kind != WORD or len(word) < 3 or not _MODEL_SHAPE.fullmatch(word):
        return False
    if sum(c.isalpha() for c in word) < 2:
        return False
    return not (
        word in _NOT_A_MODEL
        or word in _VARIANT_STOPS
        or word in _NEGATIONS
        or word in LABEL_OF
        or word in TRANSMISSION_WORDS
        or word in FUEL_WORDS
        or word in COLOR_WORDS
        or word in GENERATION_WORDS
        or word in BODY_WORDS
        or word in COMMON_WORDS
        or word in MONTHS
        or word in vocabulary().trims
        or compact(word) in vocabulary().names  # a make: "Mercedes Benz"
    )


def _second_name_word(first: Token, second: Token) -> bool:
    """`Crown Majesta`: a second word is part of the name only when both are typed as names
    (capitalised, not in a text all in one case) and the second is no trim or field word."""
    return (
        second.low.isalpha()
        and _typed_as_a_name(first.text)
        and _typed_as_a_name(second.text)
        and _may_name_a_model(second)
    )


def _typed_as_a_name(text: str) -> bool:
    return text[:1].isupper() and any(c.islower() for c in text[1:])


def _model_casing(text: str) -> str:
    """A model's name as the seller typed it, title-cased: `harrier`, `HARRIER` -> `Harrier`,
    codes upper case (`cx3` -> `CX3`, `se` -> `SE`), `McLaren` stays."""
    if not text.islower() and not text.isupper():
        return text
    if any(c.isdigit() for c in text) or len(text) <= 3:
        return text.upper()
    return "-".join(part.capitalize() for part in text.split("-"))


def _cased(words: list[str]) -> str:
    """The variant words in their maker's casing, two-word trims first (`pick up` -> `Pick
    Up`, `gr sport` -> `GR Sport`)."""
    trims = vocabulary().trims
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = f"{words[i]} {words[i + 1]}".lower() if i + 1 < len(words) else ""
        if pair in trims:
            out.append(trims[pair])
            i += 2
            continue
        out.append(trim_casing(words[i]))
        i += 1
    return " ".join(out)
