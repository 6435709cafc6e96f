"""The sales text of a listing, written from the stated facts only (never an invented one).

A template writer in Indonesian and English; several phrasings, picked by the listing itself,
so a showroom's cars do not all read the same.
"""

from __future__ import annotations

import hashlib
import re
from functools import partial

from domain.formatting import car_name, kilometres
from domain.texts import value_name

OPENINGS = {
    "id": [
        "Dijual {name} tahun {year}.",
        "{name} {year} siap pindah tangan.",
        "Tersedia {name} keluaran {year}.",
        "Cari {name}? Unit {year} ini layak dilihat.",
    ],
    "en": [
        "For sale: {name}, {year}.",
        "A {year} {name}, ready for a new owner.",
        "Available now: {year} {name}.",
        "Looking for a {name}? This {year} car is worth a look.",
    ],
}

FACTS = {
    "id": {
        "transmission": "Transmisi {transmission}.",
        "mileage": "Jarak tempuh {mileage}.",
        "color": "Warna {color}.",
        "fuel": "Bahan bakar {fuel}.",
        "tax": "Pajak sampai {tax}.",
        "ownership": "{ownership}.",
        "negotiable": "Harga masih bisa nego.",
        "trade_in": "Bisa tukar tambah.",
    },
    "en": {
        "transmission": "{transmission} transmission.",
        "mileage": "{mileage} on the clock.",
        "color": "Colour: {color}.",
        "fuel": "Fuel: {fuel}.",
        "tax": "Road tax paid until {tax}.",
        "ownership": "{ownership}.",
        "negotiable": "Price negotiable.",
        "trade_in": "Trade-in welcome.",
    },
}

CLOSINGS = {
    "id": [
        "Hubungi kami untuk lihat unit.",
        "Silakan chat untuk info dan jadwal lihat unit.",
        "Yuk, tanya-tanya dulu lewat chat.",
    ],
    "en": [
        "Contact us to see the car.",
        "Chat with us for details and a viewing.",
        "Send us a message to arrange a viewing.",
    ],
}


def describe(draft: dict, language: str = "id") -> str:
    language = language if language in OPENINGS else "id"
    # Picked by the car (not its price or mileage): a correction does not reword the text.
    car = f"{car_name(draft)} {draft.get('year', '')}"
    pick = int(hashlib.sha256(car.encode()).hexdigest(), 16)
    opening = OPENINGS[language][pick % len(OPENINGS[language])]
    sentences = [opening.format(name=car_name(draft), year=draft.get("year", ""))]
    facts = FACTS[language]
    named = partial(value_name, language)  # `Matic` is `Automatic` in English
    if draft.get("transmission"):
        sentences.append(facts["transmission"].format(transmission=named(draft["transmission"])))
    if draft.get("mileage_km"):
        sentences.append(facts["mileage"].format(mileage=kilometres(draft["mileage_km"])))
    if draft.get("color"):
        sentences.append(facts["color"].format(color=named(draft["color"])))
    if draft.get("fuel"):
        sentences.append(facts["fuel"].format(fuel=named(draft["fuel"])))
    if draft.get("tax_until"):
        sentences.append(facts["tax"].format(tax=draft["tax_until"]))
    if draft.get("ownership"):
        sentences.append(facts["ownership"].format(ownership=str(draft["ownership"]).capitalize()))
    if draft.get("negotiable") is True:
        sentences.append(facts["negotiable"])
    if draft.get("trade_in") is True:
        sentences.append(facts["trade_in"])
    closings = CLOSINGS[language]
    sentences.append(closings[(pick // 7) % len(closings)])
    return " ".join(sentences)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONEY = re.compile(
    r"(?i)(rp\.?\s*[\d.,]+(?:\s*(?:jt|juta|m|miliar|milyar))?|"
    r"\b[\d.,]+\s*(?:jt|juta|miliar|milyar)\b)"
)
MIN_COPY_CHARS = 60
MAX_COPY_CHARS = 1200


def acceptable(text: str, draft: dict) -> bool:
    """Is a written sales text safe to publish? Not empty, not endless, no link, and no year
    or price the seller did not state (a writer that invents facts is not used)."""
    if not MIN_COPY_CHARS <= len(text.strip()) <= MAX_COPY_CHARS:
        return False
    if re.search(r"https?://|www\.", text, re.IGNORECASE):
        return False
    if any(int(year) != draft.get("year") for year in _YEAR.findall(text)):
        return False
    from domain.listing import parse_price

    return all(
        parse_price(amount) in (None, draft.get("price_idr")) for amount in _MONEY.findall(text)
    )
