"""What each number of a listing may be, and the one reading of them all a careful reader takes.

Every number gets its possible readings from its shape and its neighbours: the label before it
(`harga`, `km`, `thn`, `DP`, `angsuran`, `x`, `nik`, `pajak`...), its unit (`jt`, `M`, `rb`,
`ribuan`), a `km` after it (unless a price label before it and a number after the `km` say the
`km` labels that next number: `harga 150 km 60rb`), and the phrase it sits in (a `garansi` or
`servis tiap` phrase, an address). Each reading has a score: how sure a reader is that the
number means that. Readings that are not a field of the car (a DP, an instalment, a warranty
limit, an engine size) keep the number out of the fields when they are as sure as the field
reading. After `km`, `jt` means a million km (`km 2jt`: a slip to question, never a price).

Then `assign` picks at most one number for each field (year, mileage, price) so that no number
is read twice and the sum of the scores is highest, with the constraints of a real car: a
year in 1970..next year, a mileage up to 1 500 000 km and plausible for the car's age, a price
between Rp 5 jt and Rp 50 M. A value outside its bounds is never a field; it is kept as a
doubt for the conversation to ask about.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from domain.numbers import JUTA, MONEY_UNITS, THOUSAND_UNITS, Figure, scaled
from domain.tokens import (
    BREAK,
    COLON,
    NUMBER,
    SEP,
    SHORT_YEAR,
    UNIT,
    WORD,
    Token,
)
from domain.vocabulary import word_set

YEAR, MILEAGE, PRICE = "year", "mileage_km", "price_idr"
FIELDS = (YEAR, MILEAGE, PRICE)
# Readings that are not a field of the car.
DP, INSTALLMENT, TENOR = "dp_idr", "installment_idr", "tenor_months"
CREDIT_PRICE = "credit_price_idr"
NIK_YEAR, REG_YEAR, TAX_YEAR, OTHER_YEAR = "nik_year", "reg_year", "tax_year", "other_year"
ENGINE, WARRANTY, SERVICE, ADDRESS = "engine", "warranty", "service", "address"
OTHER_MONEY = "money"

MIN_YEAR = 1970
MAX_MILEAGE_KM = 1_500_000
MIN_PRICE_IDR = 5 * JUTA
MAX_PRICE_IDR = 50_000 * JUTA
KM_PER_YEAR_PLAUSIBLE = 100_000  # a taxi's year; more than that per year of age is doubtful
CANDIDATES_PER_FIELD = 6

# How sure a reader is (a higher score wins; a field reading must beat the best other one).
SURE = 10.0  # labelled and shaped right: "harga 165jt", "km 67rb", "thn 2019"
LABELLED = 9.0
UNIT_KM = 8.0  # "40.000 km"
PRICE_UNIT = 7.0  # "165jt" without a label
PRICE_SHAPE = 6.0  # "165.000.000" without a label or unit; "1,2M"
YEAR_UNLABELLED = 6.0  # "2019"
BARE_ANSWER = 5.0  # a bare number answering a question: "150" for the price
UNLABELLED_THOUSANDS = 4.0  # "67rb" with no km label: most likely the mileage
YEAR_BEFORE_KM = 5.0  # "2015 km aman": the year, unless another year is stated
YEAR_AS_KM = 3.0
TINY_KM = 2.0  # "km 28": an address or a slip
ENGINE_SIZE = 6.0

LABELS = {
    "price": {"harga", "hrg", "hg", "hrga", "price", "harganya", "hargane", "dilepas", "lepas",
              "cash", "tunai", "kontan", "cas", "otr"},
    "credit": {"kredit", "credit", "kreditnya", "kridit"},
    "dp": {"dp", "tdp", "muka", "bayar", "dpnya", "booking"},
    "installment": {"angsuran", "angs", "ang", "cicilan", "cicil", "installment", "angsurannya",
                    "cicilannya", "angsur"},
    "tenor": {"x", "tenor", "kali"},
    "km": {"km", "kilometer", "kilometernya", "kmnya", "odo", "odometer", "mileage", "kilo",
           "jarak", "tempuh", "kms"},
    "year": {"th", "thn", "tahun", "tahunnya", "thun", "tahn", "year", "keluaran", "rakitan",
             "produksi", "thnya", "taun", "taon", "tahon"},
    "nik": {"nik"},
    "reg": {"reg", "registrasi", "regis"},
    "tax": {"pajak", "pjk", "stnk"},
    "until": {"garansi", "warranty", "bsi", "s/d", "sd", "sampai", "hingga", "until", "berlaku",
              "exp", "expired", "smp"},
    "money": {"bbn", "biaya", "admin", "diskon", "potongan", "cashback", "bonus", "fee",
              "asuransi", "tanda"},
}  # fmt: skip
LABEL_OF = {word: label for label, words in LABELS.items() for word in words}
# Words between a label and its number that do not break the link ("harga nett 175jt").
FILLERS = word_set(
    "nya cuma cm cuman hanya aja saja low baru masih sekitar kurang lebih kisaran nego mulai "
    "only just approx kira kira2 di asli total jadi fix pas sudah udah tinggal yg yang buka "
    "open an cuman around +- ± rp idr"
)
WARRANTY_WORDS = frozenset({"garansi", "warranty", "bsi", "jaminan"})
SERVICE_WORDS = frozenset({"servis", "service", "oli", "srv", "free", "gratis", "berkala"})
INTERVAL_WORDS = frozenset({"tiap", "setiap", "per", "interval", "s/d", "sd", "sampai", "hingga"})
ADDRESS_WORDS = frozenset({"jl", "jln", "jalan", "raya", "alamat", "lokasi", "tol", "toll"})


@dataclass(frozen=True, slots=True)
class Reading:
    role: str
    value: int | None  # None: a value stated but unreadable (6x.xxx, harga 4xx)
    score: float
    index: int  # the token read
    rough: bool = False  # "80 ribuan", "28.xxx"
    in_range: bool = True


@dataclass(frozen=True, slots=True)
class Label:
    word: str | None
    kind: str | None
    rupiah: bool  # "Rp" or "IDR" before the number


# A label may be a word away from its number for these ("harga murah 150jt"); the others
# label only the number right after them ("pajak 2,5jt", not "pajak hidup 105jt").
_LOOSE_LABELS = frozenset({"price", "km", "year"})


def label_before(tokens: Sequence[Token], i: int) -> Label:
    """The label a number belongs to: the nearest label word before it on its phrase, past
    colons, fillers and at most one other word (`Harga : Rp 148jt`, `km cuma 67rb`)."""
    rupiah, others = False, 0
    for j in range(i - 1, -1, -1):
        token = tokens[j]
        if token.kind in (COLON, UNIT):
            continue
        if token.kind != WORD:
            break
        word = token.low
        if word in ("rp", "idr"):
            rupiah = True
            continue
        if word in LABEL_OF:
            kind = LABEL_OF[word]
            if kind == "km" and tokens[i].unit in MONEY_UNITS and _after_a_number(tokens, j):
                break  # "145.515 km 150jt": that km ends the number before it
            if rupiah and kind in ("km", "year"):
                break  # "40.000 km Rp 108.000.000": the km belongs to the number before
            if others and kind not in _LOOSE_LABELS:
                break
            if word == "x" and (j == 0 or tokens[j - 1].kind != NUMBER):
                break  # "4,5jt x 47" is a tenor; "Sigra X 1.2" a trim
            return Label(word, kind, rupiah)
        if word in FILLERS:
            continue
        others += 1
        if others > 1:
            break
    return Label(None, None, rupiah)


def _after_a_number(tokens: Sequence[Token], j: int) -> bool:
    for token in reversed(tokens[:j]):
        if token.kind != UNIT:
            return token.kind == NUMBER
    return False


def phrase_before(tokens: Sequence[Token], i: int, limit: int = 10) -> set[str]:
    """The words of the phrase before a token (to the last line break, comma or bracket)."""
    words: set[str] = set()
    for j in range(i - 1, max(-1, i - 1 - limit), -1):
        if tokens[j].kind == BREAK:
            break
        words.add(tokens[j].low)
    return words


def word_after(tokens: Sequence[Token], i: int) -> str | None:
    for token in tokens[i + 1 : i + 3]:
        if token.kind == UNIT:
            continue
        return token.low if token.kind == WORD else None
    return None


def two_digit_year(value: int, latest: int) -> int:
    """'14 -> 2014, '98 -> 1998: the latest year that ends with these digits."""
    year = 2000 + value
    return year if year <= latest else year - 100


# -- the readings of one number ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    latest_year: int  # next year: a car may be sold as next year's model
    answer: bool = False  # a short answer to a question: a bare number is read too
    name_zone: frozenset[int] = frozenset()  # tokens right after the model (trims, engine)


def readings_of(tokens: Sequence[Token], i: int, context: Context) -> list[Reading]:
    token = tokens[i]
    if token.kind == SHORT_YEAR:
        year = two_digit_year(token.value, context.latest_year)
        return [_year(year, LABELLED, i, context)]
    figure = token.figure
    if token.kind != NUMBER or figure is None or figure.too_long:
        return []
    label = label_before(tokens, i)
    credit = _credit_reading(tokens, i, label)
    if credit is not None:
        return [credit]
    years = _year_readings(tokens, i, label, context)
    if years and years[0].role != YEAR:
        return years  # nik 2016, pajak s/d 2026: never the car's year
    return (
        years
        + _mileage_readings(tokens, i, label, context)
        + _price_readings(tokens, i, label, context)
        + _engine_readings(tokens, i, label, context)
    )


def money_value(token: Token, bare_multiplier: int = JUTA) -> int | None:
    """An amount: `145jt`, `1,2M`, `Rp 175.000.000`, `850rb`; a bare small number is in
    millions (`harga 175`), and `Rp.148.000.000jt` is already in rupiah."""
    figure = token.figure
    assert figure is not None
    if token.unit in MONEY_UNITS:
        multiplier = MONEY_UNITS[token.unit]
        if figure.grouped and (figure.whole or 0) >= 1_000_000:
            return figure.whole  # Rp.148.000.000jt: the unit repeats what the digits say
        return scaled(figure, multiplier)
    if token.unit in THOUSAND_UNITS:
        return scaled(figure, 1000)
    if figure.masked:
        return None
    whole = figure.whole
    if whole is not None and (figure.grouped or whole >= 10_000):
        return whole
    return scaled(figure, bare_multiplier)


def _credit_reading(tokens: Sequence[Token], i: int, label: Label) -> Reading | None:
    token = tokens[i]
    if label.kind == "tenor" or token.unit == "x":
        months = token.figure.whole if token.figure else None
        if months is not None and word_after(tokens, i) in ("thn", "tahun", "th"):
            months *= 12
        return Reading(TENOR, months, SURE, i)
    figure = token.figure
    readable = figure is not None and (figure.whole is not None or figure.decimal is not None)
    if token.unit not in MONEY_UNITS and not readable:
        return None
    if label.kind == "dp":
        return Reading(DP, money_value(token), SURE, i)
    if label.kind == "installment":
        return Reading(INSTALLMENT, money_value(token), SURE, i)
    if label.kind == "credit":
        return Reading(CREDIT_PRICE, money_value(token), SURE, i)
    if label.kind == "money" or (label.kind == "tax" and token.unit in MONEY_UNITS):
        return Reading(OTHER_MONEY, money_value(token), SURE, i)
    return None


def _year_readings(
    tokens: Sequence[Token], i: int, label: Label, context: Context
) -> list[Reading]:
    token, figure = tokens[i], tokens[i].figure
    assert figure is not None
    if not figure.plain or token.unit:
        return []
    value = figure.whole or 0
    if token.rough and not (figure.digits == 4 and 1900 <= value <= 2099):
        return []  # "2019an" is a year, said loosely; "80an" a decade
    if figure.digits == 4 and 1900 <= value <= 2099:
        elsewhere = {"nik": NIK_YEAR, "reg": REG_YEAR, "tax": TAX_YEAR, "until": OTHER_YEAR}
        if label.kind in elsewhere:
            return [Reading(elsewhere[label.kind], value, SURE, i)]
        if label.kind == "year":
            return [_year(value, SURE, i, context)]
        if label.kind is not None or label.rupiah:
            return []
        if _second_of_a_pair(tokens, i):
            return [Reading(OTHER_YEAR, value, LABELLED, i)]  # 2013/2014: the first is read
        score = YEAR_BEFORE_KM if token.km_after else YEAR_UNLABELLED
        return [_year(value, score - _later(i), i, context)]
    if figure.digits <= 2 and label.kind == "year":
        return [_year(two_digit_year(value, context.latest_year), LABELLED, i, context)]
    if figure.digits == 2 and context.answer and label.kind is None and not label.rupiah:
        # "19" to "tahun berapa?"; out of bounds ("55") it is too unsure to be questioned
        year = _year(two_digit_year(value, context.latest_year), BARE_ANSWER, i, context)
        return [year] if year.in_range else []
    return []


def _later(i: int) -> float:
    """A little less sure of a later number: of two unlabelled years, the first is the car's."""
    return min(i, 1000) * 0.0001


def _year(value: int, score: float, i: int, context: Context) -> Reading:
    return Reading(YEAR, value, score, i, in_range=MIN_YEAR <= value <= context.latest_year)


def _second_of_a_pair(tokens: Sequence[Token], i: int) -> bool:
    if i < 2 or tokens[i - 1].kind != SEP:
        return False
    before = tokens[i - 2]
    return (
        before.kind == NUMBER
        and before.figure is not None
        and before.figure.plain
        and 1900 <= (before.figure.whole or 0) <= 2099
    )


def _mileage_readings(
    tokens: Sequence[Token], i: int, label: Label, context: Context
) -> list[Reading]:
    token, figure = tokens[i], tokens[i].figure
    assert figure is not None
    if label.kind == "km" and MONEY_UNITS.get(token.unit) == JUTA:
        # "km 2jt": two million km, a slip to question, never a price
        value = scaled(figure, JUTA)
        in_range = value is None or value <= MAX_MILEAGE_KM
        return [Reading(MILEAGE, value, SURE, i, rough=token.rough, in_range=in_range)]
    if token.unit in MONEY_UNITS or label.kind not in (None, "km"):
        return []
    by_km = label.kind == "km" or token.km_after
    thousands = token.unit in THOUSAND_UNITS
    if not (by_km or thousands or (context.answer and label.kind is None)):
        return []
    phrase = phrase_before(tokens, i)
    if phrase & WARRANTY_WORDS:
        return [Reading(WARRANTY, None, SURE, i)]  # "garansi 1 thn / 10.000 km"
    if (phrase & INTERVAL_WORDS and phrase & SERVICE_WORDS) or {"tiap", "setiap"} & phrase:
        return [Reading(SERVICE, None, SURE, i)]  # "servis tiap 10rb km", "free servis s/d 50rb"
    value = scaled(figure, 1000 if thousands else 1)
    if not thousands and figure.decimals in (1, 2):
        value = None  # "km 67.5" without "rb" says nothing sure
    rough = token.rough or figure.masked
    if by_km and not thousands and not figure.masked and (figure.whole or 0) < 1000:
        if phrase & ADDRESS_WORDS:
            return [Reading(ADDRESS, None, SURE, i)]  # "Jl. Raya Bogor Km.28"
        score = TINY_KM
    elif label.kind == "km":
        score = SURE if token.km_after else LABELLED
    elif token.km_after:
        year_like = figure.plain and figure.digits == 4 and 1900 <= (figure.whole or 0) <= 2099
        score = YEAR_AS_KM if year_like and not thousands else UNIT_KM
    elif thousands:
        score = UNLABELLED_THOUSANDS
    else:  # a bare answer: "55000" to "km berapa?"
        if figure.whole is None or figure.whole < 1000 or figure.masked:
            return []
        score = BARE_ANSWER
    in_range = value is None or value <= MAX_MILEAGE_KM
    return [Reading(MILEAGE, value, score, i, rough=rough, in_range=in_range)]


def _price_readings(
    tokens: Sequence[Token], i: int, label: Label, context: Context
) -> list[Reading]:
    token, figure = tokens[i], tokens[i].figure
    assert figure is not None
    priced = label.kind == "price" or (label.kind is None and label.rupiah)
    km_after = token.km_after and not (priced and _km_labels_the_next_number(tokens, i))
    if (token.unit in THOUSAND_UNITS and label.kind != "price") or km_after:
        return []
    if priced:
        score = SURE if label.kind == "price" else LABELLED
        if figure.masked and figure.whole is None:
            return [Reading(PRICE, None, score, i)]  # "harga 4xx": stated, hidden
        return [_price(money_value(token), score, i)]
    if label.kind is not None:
        return []
    if token.unit in MONEY_UNITS:
        if i in context.name_zone and engine_like(figure) and len(token.unit) == 1:
            return []  # "Ayla 1.0 M MT": an engine size and a trim letter
        score = PRICE_UNIT if MONEY_UNITS[token.unit] == JUTA else PRICE_SHAPE
        return [_price(money_value(token), score, i)]
    whole = figure.whole
    if whole is None or figure.masked:
        return []
    if figure.grouped and whole >= MIN_PRICE_IDR:
        return [_price(whole, PRICE_SHAPE, i)]
    if figure.plain and whole >= MIN_PRICE_IDR and not token.text.startswith("0"):
        return [_price(whole, PRICE_SHAPE - 1, i)]
    if context.answer and i not in context.name_zone:
        return [_price(money_value(token), BARE_ANSWER, i)]
    return []


def _km_labels_the_next_number(tokens: Sequence[Token], i: int) -> bool:
    """`harga 150 km 60rb`: a "km" written between two numbers labels the one after it when
    the one before has a price label (otherwise, as in `145.515 km 150jt`, it ends the
    number before it)."""
    j = i + 1
    while j < len(tokens) and tokens[j].kind == UNIT:
        j += 1
    if j + 1 >= len(tokens) or tokens[j].kind != WORD or tokens[j].low not in ("km", "kms"):
        return False
    return tokens[j + 1].kind == NUMBER


def _price(value: int | None, score: float, i: int) -> Reading:
    in_range = value is None or MIN_PRICE_IDR <= value <= MAX_PRICE_IDR
    return Reading(PRICE, value, score, i, in_range=in_range)


def engine_like(figure: Figure) -> bool:
    """1.0, 1.5, 2.4: one decimal digit after a dot, under 10 (an engine in litres)."""
    return figure.decimals == 1 and "." in figure.text and (figure.decimal or 0) < 10


def _engine_readings(
    tokens: Sequence[Token], i: int, label: Label, context: Context
) -> list[Reading]:
    token, figure = tokens[i], tokens[i].figure
    assert figure is not None
    if label.kind is not None or token.km_after:
        return []
    engine_units = ("", "t", "l", "cc") if i not in context.name_zone else ("", "t", "l", "cc", "m")
    if token.unit in engine_units and engine_like(figure):
        return [Reading(ENGINE, None, ENGINE_SIZE, i)]
    return []


# -- the assignment ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    fields: dict[str, Reading]  # the field readings taken
    others: dict[int, Reading]  # the best other reading of every number not taken
    doubts: dict[str, Reading]  # for an empty field: its best reading out of bounds


def assign(readings: Sequence[Sequence[Reading]], today_year: int) -> Assignment:
    """The readings a careful reader takes: at most one number per field, no number twice,
    the best total score, a mileage plausible for the year."""
    options: dict[str, list[Reading]] = {field: [] for field in FIELDS}
    out_of_range: dict[str, list[Reading]] = {field: [] for field in FIELDS}
    others: dict[int, Reading] = {}
    for of_token in readings:
        other = max((r for r in of_token if r.role not in FIELDS), key=_by_score, default=None)
        if other is not None:
            others[other.index] = other
        for reading in of_token:
            if reading.role not in FIELDS or (other and reading.score <= other.score):
                continue
            (options if reading.in_range else out_of_range)[reading.role].append(reading)
    for field in FIELDS:
        options[field] = sorted(options[field], key=_by_score, reverse=True)
        options[field] = options[field][:CANDIDATES_PER_FIELD]
    best: tuple[float, tuple[Reading | None, ...]] = (0.0, (None, None, None))
    for combination in itertools.product(*([None, *options[f]] for f in FIELDS)):
        total = _total(combination, today_year)
        if total is not None and total > best[0]:
            best = (total, combination)
    fields = {f: r for f, r in zip(FIELDS, best[1], strict=True) if r is not None}
    used = {r.index for r in fields.values()}
    doubts = {}
    for field in FIELDS:
        if field in fields:
            continue
        left = [r for r in out_of_range[field] if r.index not in used]
        if left:
            doubts[field] = max(left, key=_by_score)
    for index in used:
        others.pop(index, None)
    return Assignment(fields, others, doubts)


def _by_score(reading: Reading) -> float:
    return reading.score


def _total(combination: tuple[Reading | None, ...], today_year: int) -> float | None:
    chosen = [r for r in combination if r is not None]
    if len({r.index for r in chosen}) != len(chosen):
        return None  # one number read twice
    total = sum(r.score for r in chosen)
    year, mileage, _ = combination
    if (
        year
        and mileage
        and year.value
        and mileage.value
        and mileage.value > plausible_km(year.value, today_year)
    ):
        total -= 3.0  # a mileage this car cannot have driven: another reading fits better
    return total


def plausible_km(year: int, today_year: int) -> int:
    """The most a car of this year plausibly has driven."""
    return (max(0, today_year - year) + 1) * KM_PER_YEAR_PLAUSIBLE
