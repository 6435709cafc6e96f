"""A seller's text as tokens: words, numbers with their unit, and the shapes that are never a
car's number (phone numbers, plates, dates). Pure logic.

The tokens keep the seller's casing (`text`) next to a lower-case form (`low`), so the variant can
be written as typed. A number knows its unit whether it was glued (`145jt`, `67rb`, `1,2M`) or a
separate word on the same line (`145 jt`, `1.195 M`, `80 ribuan`); a unit on the next line is
not its unit (`Harga 165.000.000` then `M/T`). A full stop ends a phrase, after an abbreviation
only when it was a unit (`garansi 1 thn. Avanza 2017`), not a label (`th. 2016`, `Rp. 150jt`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.numbers import MONEY_UNITS, ROUGH_UNITS, THOUSAND_UNITS, Figure, read_figure
from domain.vocabulary import compact, vocabulary, word_set

WORD = "word"
NUMBER = "number"
UNIT = "unit"  # a unit word that belongs to the number before it
BREAK = "break"  # a line break or punctuation that ends a phrase
COLON = "colon"
SEP = "sep"  # "/" or "-" between two things ("cash 165 / kredit 175")
PHONE = "phone"
PLATE = "plate"
DATE = "date"  # month and year: pajak 08/2025
SHORT_YEAR = "short_year"  # '14

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mar": 3,
    "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6,
    "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "agustus": 8, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "nop": 11, "nopember": 11, "des": 12,
    "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip

# Indonesian plate area codes (the letters before the number).
AREA_CODES = word_set(
    "a b d e f g h k l m n p r s t w z aa ab ad ae ag ba bb bd be bg bh bk bl bm bn bp da db "
    "dc dd de dg dh dk dl dm dn dr ds dt ea eb ed kb kh kt ku pa pb"
)
PLATE_WORDS = frozenset({"plat", "plate", "nopol", "nomor", "polisi", "nomer", "no.pol", "pol"})
TAX_WORDS = frozenset({"pajak", "pjk", "stnk", "tax", "exp", "berlaku"})

_SLASH_WORDS = {"a/t": "a/t", "m/t": "m/t", "s/d": "s/d", "s.d": "s/d", "sd.": "s/d",
                "a/n": "a/n", "a.n": "a/n", "an.": "a/n"}  # fmt: skip
_ABBREVIATIONS = word_set(
    "rp jl jln no km th thn hp tlp telp pt cv dll dr sd bpk ibu gg kel kec kab ds kp "
    "rt rw blok idr ket"
)
_UNIT_WORDS = {**MONEY_UNITS, **THOUSAND_UNITS}
_NUMBER_SUFFIXES = frozenset({*_UNIT_WORDS, "km", "kms", "cc", "t", "l", "x", "an"})
_NOT_PLATE_END = word_set(
    "at mt cvt ivt dct ags km rb jt th thn an ya yg dan di ke ok gan bos kak min om bu tt dp wa "
    "hp no rp cc x k m nego net pas abs ac ps pu std trd gr"
)

_MAYBE_AN_END = "maybe an end"  # the value of a full stop after an abbreviation

_COMMAND = re.compile(r"^\s*/(?:upload|unggah)\b", re.IGNORECASE)
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018`\u00b4\u02bc\u2032", "'"))
_KEPT = frozenset(" .,:;/'-+()!?#%&\n")
_PHONE = re.compile(
    r"(?<![0-9])(?:\+?62[ .-]?|0)8[0-9]{1,3}(?:[ .-]?[0-9]{2,5}){1,4}(?![0-9])"
    r"|(?<![0-9])\(?0[1-79][0-9]{1,2}\)?[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,5}(?![0-9])"
)
_SPACED_NUMBER = re.compile(
    r"(?<![0-9.,])[0-9]{1,3}(?: [0-9]{3}){2,}(?![0-9.,])|(?<=rp )[0-9]{1,3}(?: [0-9]{3})+(?![0-9])"
)
_CHUNK = re.compile(r"\n|[,;()!?:]|(?:[^\s,;()!?:]|(?<=[0-9]),(?=[0-9]))+")
_PREFIXED = re.compile(r"(rp|idr|km|odo|thn|th|dp|tdp)\.?(?=[0-9])")
_DATE = re.compile(r"(0?[1-9]|1[0-2])(?:/([0-9]{2}|[0-9]{4})|-([0-9]{4}))")
_YEAR_PAIR = re.compile(r"((?:19|20)[0-9]{2})[/-]((?:19|20)?[0-9]{2})")
_NUMBER_WITH_SUFFIX = re.compile(r"([0-9][0-9x]*(?:[.,][0-9x]+)*)([a-z][a-z+\-]*)?")
_GLUED_PLATE = re.compile(r"([a-z]{1,2})([0-9]{1,4})([a-z]{1,3})")


@dataclass(slots=True)
class Token:
    kind: str
    text: str  # as typed
    low: str
    figure: Figure | None = None
    unit: str = ""  # lower case: "jt", "m", "rb", "t", "x"...
    unit_text: str = ""  # the unit as typed when it was a separate word ("M" of "1.0 M")
    km_after: bool = False  # "40.000 km", "145 ribu km", "67,000km"
    rough: bool = False  # "20rb an", "80 ribuan", "4jtan"
    value: Any = None  # PLATE: "B 1234 XYZ"; DATE: (year, month); SHORT_YEAR: 14


def clean(text: str) -> str:
    """The text without the command word, with one kind of apostrophe, and with emojis and
    other symbols as spaces (letters, digits and the punctuation sellers use stay)."""
    text = _COMMAND.sub("", text).translate(_APOSTROPHES)
    return "".join(
        c if c.isalnum() or c in _KEPT else ("\n" if c in "\r\u2028\u2029" else " ") for c in text
    )


def tokenise(text: str) -> list[Token]:
    """The tokens of a seller's text (already cleaned or not)."""
    text = clean(text)
    low = text.lower()
    if len(low) != len(text):  # "İ" lowers to two characters: keep positions aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found: list[tuple[int, list[Token]]] = []
    blank = list(low)
    for pattern, make in ((_PHONE, _phone), (_SPACED_NUMBER, _spaced_number)):
        for match in pattern.finditer("".join(blank)):
            token = make(text[match.start() : match.end()])
            if token is None:
                continue
            found.append((match.start(), [token]))
            blank[match.start() : match.end()] = " " * (match.end() - match.start())
    rest = "".join(blank)
    for match in _CHUNK.finditer(rest):
        found.append((match.start(), _chunk(text[match.start() : match.end()])))
    tokens = [token for _, group in sorted(found, key=lambda f: f[0]) for token in group]
    tokens = _abbreviation_stops(tokens)
    _plates(tokens)
    _units(tokens)
    _month_dates(tokens)
    return tokens


def _phone(text: str) -> Token | None:
    digits = sum(c in "0123456789" for c in text)
    if not 9 <= digits <= 15:
        return None
    return Token(PHONE, text, text.lower())


def _spaced_number(text: str) -> Token | None:
    grouped = text.replace(" ", ".")
    return Token(NUMBER, text, text, figure=read_figure(grouped))


def _chunk(text: str) -> list[Token]:
    """One whitespace-free piece of text as tokens (`Rp175jt` is two, `2013/2014` three)."""
    low = text.lower()
    if low == "\n" or low in ",;()!?":
        return [Token(BREAK, text, low)]
    if low == ":":
        return [Token(COLON, text, low)]
    if low.startswith("#"):
        return []  # a hashtag or a car code (#H01) is no part of a listing
    if low.endswith("%"):
        return [Token(WORD, text, low)]  # "DP 20%": a share, no amount
    stripped = text.lstrip("-+*'\"&%.").rstrip("-*'\"&%.")  # keep the + of "Lux+"
    if low in _SLASH_WORDS:
        return [Token(WORD, text, _SLASH_WORDS[low])]
    if re.fullmatch(r"'[0-9]{2}", text):
        return [Token(SHORT_YEAR, text, low, value=int(text[1:]))]
    if not stripped:
        return [Token(SEP, text, low)] if low in ("-", "/") else []
    tokens = _piece(stripped)
    if text.endswith(".") and tokens:
        # the end of a sentence; after an abbreviation (`thn.`, `km.`, `Rp.`) only maybe
        abbreviation = tokens[-1].low in _ABBREVIATIONS
        tokens.append(Token(BREAK, ".", ".", value=_MAYBE_AN_END if abbreviation else None))
    return tokens


def _piece(text: str) -> list[Token]:
    low = text.lower()
    if low in _SLASH_WORDS:
        return [Token(WORD, text, _SLASH_WORDS[low])]
    prefixed = _PREFIXED.match(low)
    if prefixed:
        cut = prefixed.end()
        return [Token(WORD, text[: prefixed.end(1)], prefixed.group(1)), *_piece(text[cut:])]
    date = _DATE.fullmatch(low)
    if date:
        year = date.group(2) or date.group(3)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return [Token(DATE, text, low, value=(full_year, int(date.group(1))))]
    pair = _YEAR_PAIR.fullmatch(low)
    if pair:
        cut = pair.end(1)
        return [*_piece(text[:cut]), Token(SEP, text[cut], text[cut]), *_piece(text[cut + 1 :])]
    number = _NUMBER_WITH_SUFFIX.fullmatch(low)
    if number and not re.fullmatch(r"[1-9]x[1-9]", low):  # 4x2 is a drive, not a number
        token = _number(text, number.group(1), number.group(2) or "")
        if token is not None:
            return [token]
    if "/" in low:
        parts: list[Token] = []
        for i, part in enumerate(text.split("/")):
            if i:
                parts.append(Token(SEP, "/", "/"))
            if part.strip("-+.'"):
                parts.extend(_piece(part.strip("-+.'")))
        return parts
    return [Token(WORD, text, low)]


def _number(text: str, body: str, suffix: str) -> Token | None:
    if re.fullmatch(r"[0-9]{1,2}x", body) and not suffix:
        return Token(NUMBER, text, text.lower(), figure=read_figure(body[:-1]), unit="x")
    if suffix and suffix not in _NUMBER_SUFFIXES:
        return None  # 320i, 300h, 2.0i-L: a code, read as a word
    figure = read_figure(body)
    if figure is None:
        return None
    token = Token(NUMBER, text, text.lower(), figure=figure)
    if suffix in ("km", "kms"):
        token.km_after = True
    elif suffix == "an":
        token.rough = True
    elif suffix:
        token.unit = suffix
        token.rough = suffix in ROUGH_UNITS
    return token


# -- shapes made of several tokens ------------------------------------------------------------


def _abbreviation_stops(tokens: list[Token]) -> list[Token]:
    """The full stop after an abbreviation ends a sentence only when the abbreviation was a
    unit after its number and no number follows (`garansi 1 thn. Avanza 2017`, `10.000 km.
    Sigra`); before its number it is a label's dot (`th. 2016`, `Rp. 150jt`, `km. 85rb`)."""
    kept: list[Token] = []
    for i, token in enumerate(tokens):
        if token.kind == BREAK and token.value == _MAYBE_AN_END:
            after_a_number = i >= 2 and tokens[i - 2].kind == NUMBER
            before_a_number = i + 1 < len(tokens) and tokens[i + 1].kind == NUMBER
            if not after_a_number or before_a_number:
                continue
            token.value = None
        kept.append(token)
    return kept


def _plates(tokens: list[Token]) -> None:
    """`B 1234 XYZ`, `AB 1234 CD`, `D1749AGZ` become one PLATE token. An area code, a number
    and letters are a plate when labelled (`plat`, `nopol`), or when the number is no year
    and the letters no word; `Avanza G 2019 AT` is a trim, a year and a transmission."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        glued = _GLUED_PLATE.fullmatch(token.low) if token.kind == WORD else None
        if glued and glued.group(1) in AREA_CODES and _not_a_name(token.low):
            token.kind, token.value = PLATE, " ".join(glued.groups()).upper()
        elif i + 2 < len(tokens) and _spaced_plate(tokens, i):
            parts = tokens[i : i + 3]
            plate = " ".join(p.low for p in parts).upper()
            tokens[i : i + 3] = [Token(PLATE, " ".join(p.text for p in parts), plate.lower())]
            tokens[i].value = plate
        i += 1


def _spaced_plate(tokens: list[Token], i: int) -> bool:
    area, number, letters = tokens[i : i + 3]
    if not (
        area.kind == WORD
        and area.low in AREA_CODES
        and number.kind == NUMBER
        and number.figure is not None
        and number.figure.plain
        and not number.unit
        and number.figure.digits <= 4
        and letters.kind == WORD
        and letters.low.isalpha()
        and len(letters.low) <= 3
        and letters.low not in _NOT_PLATE_END
    ):
        return False
    before = {t.low for t in tokens[max(0, i - 3) : i]}
    if before & PLATE_WORDS:
        return True
    year_like = 1970 <= (number.figure.whole or 0) <= 2099
    typed_upper = area.text.isupper() and letters.text.isupper()
    return not year_like or (typed_upper and len(letters.low) >= 2)


def _not_a_name(word: str) -> bool:
    return compact(word) not in vocabulary().names


def _units(tokens: list[Token]) -> None:
    """A unit written as its own word belongs to the number before it: `145 jt`, `1.195 M`,
    `80 ribuan`, `20rb an`; `km` after a number says the number is a distance."""
    for i, token in enumerate(tokens):
        if token.kind != NUMBER:
            continue
        j = i + 1
        if j < len(tokens) and not token.unit and tokens[j].kind == WORD:
            word = tokens[j]
            if word.low in _UNIT_WORDS and (word.low != "m" or word.text in ("M", "m")):
                token.unit, token.unit_text = word.low, word.text
                token.rough = token.rough or word.low in ROUGH_UNITS
                word.kind = UNIT
                j += 1
        if j < len(tokens) and tokens[j].kind == WORD and tokens[j].low in ("an", "-an"):
            token.rough = True
            tokens[j].kind = UNIT
            j += 1
        after = tokens[j] if j < len(tokens) else None
        if after and after.kind == WORD and after.low in ("km", "kms") and not _money(token):
            token.km_after = True


def _money(token: Token) -> bool:
    return token.unit in MONEY_UNITS


def _month_dates(tokens: list[Token]) -> None:
    """`Pajak : Mei 2026` -> a DATE; a month name with a year elsewhere is left alone (a
    listing may say when the car was bought)."""
    for i in range(len(tokens) - 1):
        month, year = tokens[i], tokens[i + 1]
        if month.kind != WORD or month.low not in MONTHS or year.kind != NUMBER:
            continue
        if year.figure is None or not year.figure.plain or year.unit:
            continue
        value = year.figure.whole or 0
        if value < 100:
            value += 2000
        if not 1990 <= value <= 2099:
            continue
        before = {t.low for t in tokens[max(0, i - 4) : i]}
        if before & TAX_WORDS:
            month.kind, month.value = DATE, (value, MONTHS[month.low])
            month.text = f"{month.text} {year.text}"
            year.kind = UNIT  # spent on the date
