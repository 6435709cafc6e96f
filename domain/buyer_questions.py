"""A buyer's message read into what they ask: the intent, the car they want (filters), a car's
code or catalog link, and whether only a person can answer it. Pure logic, never raises.

The reading follows the rules of `tests/domain/fixtures/buyer_questions.jsonl`:

- **Intent**, in tiers. An ask that needs a person wins (negotiation, a viewing or test drive,
  a trade-in); else the car questions (photos and financing in the order they are written,
  then the coded car itself, a car already shown - "yg putih tadi", "masih ada?" - and last a
  search of the stock); else the showroom's location and hours; else thanks (closings count),
  greetings, and `other`. A code inside a photos, negotiation, financing, viewing or trade-in
  question keeps that intent; alone it asks for the car itself (`car_by_code`), as do the
  catalog's pre-filled "Chat via WhatsApp" text and a pasted catalog link.
- **Filters**: the ten attributes of the wanted car the message states (`Filters`), and its
  colour (an eleventh, which the shared fixture's shape leaves out), else None.
  Make and model come from the listing vocabulary (`domain.vocabulary.find_car`, typos
  included); a year alone is a year range of one; amounts without a unit are millions
  (`dibawah 150` is Rp 150 jt); a DP, an instalment, a mileage or a seat count is never a price;
  the buyer's own trade-in car never becomes a filter; a code or a link leaves them None.
- **Needs a person**: every negotiation, viewing and trade-in, and whatever only a person can
  decide: a video, a DP below the usual, paying cash in instalments, credit with a bad record,
  delivery to another city, a flood or accident history, the showroom buying the buyer's car,
  or asking for a person outright.

- **How the buyer goes on** (resolved against the conversation by `domain.buyer_followups`):
  the order asked (termurah, a budget "N an", a ceiling, lebih murah, paling baru), follow-up
  cues ("yg ...", "kalo ...", "... jg gpp", "tadi"), a transmission accepted ("manual gpp"), a
  detail of the car asked ("warna apa", "km nya", "matic kan?", "pajak"), further asks in the
  same message (kredit, lokasi), every code named, a code written loosely ("H 03", "h-2": kept
  with the reading without it, for when no such car exists), cars alike ("yg mirip", "lain"), a
  scam fear, the kind of closing (thanks, later, an acknowledgement, 🙏), an amount alone.

Words are matched on a normalised copy of the text: lower case, letters repeated for emphasis
cut to one (`halooo`), common chat spellings folded (`brp` -> `berapa`, `liat` -> `lihat`,
`gak` -> `tidak`, `td` -> `tadi`), and `-nya` split off (`fotonya` -> `foto nya`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from domain.vocabulary import (
    COLOR_WORDS,
    FUEL_WORDS,
    find_body,
    find_car,
    find_color,
    find_fuel,
    word_set,
    words_of,
)


class Intent(enum.StrEnum):
    GREETING = "greeting"
    SEARCH = "search"
    CAR_BY_CODE = "car_by_code"
    PHOTOS = "photos"
    PRICE_NEGO = "price_nego"
    FINANCING = "financing"
    LOCATION_HOURS = "location_hours"
    VIEWING = "viewing"
    TRADE_IN = "trade_in"
    AVAILABILITY = "availability"
    THANKS = "thanks"
    OTHER = "other"


# Intents that always go to a person.
PERSON_INTENTS = frozenset({Intent.PRICE_NEGO, Intent.VIEWING, Intent.TRADE_IN})
# Intents whose filters are kept (a location, greeting or thanks names no wanted car).
_FILTERED_INTENTS = frozenset(
    {
        Intent.SEARCH,
        Intent.PHOTOS,
        Intent.PRICE_NEGO,
        Intent.FINANCING,
        Intent.VIEWING,
        Intent.AVAILABILITY,
        Intent.TRADE_IN,  # only the car wanted in exchange (`_trade_in_filters`)
    }
)

JUTA = 1_000_000
MILIAR = 1_000_000_000
# A DP under this share of the car's price (or, with no car known, under this amount) is below
# what leasing companies usually take: a person decides.
USUAL_MIN_DP_PCT = 20
USUAL_MIN_DP_IDR = 30 * JUTA
MIN_CAR_PRICE_IDR = 5 * JUTA
MAX_CAR_PRICE_IDR = 50 * MILIAR


@dataclass(frozen=True, slots=True)
class Filters:
    """What the buyer wants of a car; None where the message says nothing."""

    make: str | None = None
    model: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    price_max_idr: int | None = None
    price_min_idr: int | None = None
    transmission: str | None = None
    fuel: str | None = None
    body: str | None = None
    seats_min: int | None = None
    # The colour is a filter too, but not one of the shared fixture's ten keys: `to_expected`
    # leaves it out, and `test_buyer_conversations` checks it.
    color: str | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filters:
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})

    def names_a_car(self) -> bool:
        """A make, model, body or seat count: what kind of car, not only its attributes."""
        return any(v is not None for v in (self.make, self.model, self.body, self.seats_min))

    def merged(self, newer: Filters) -> Filters:
        """These filters with what `newer` states put over them ("yg matic" after "ada
        avanza?"); a newer make, model, body or seat count replaces the whole kind of car."""
        data = self.to_json()
        if newer.names_a_car():
            data.update(make=None, model=None, body=None, seats_min=None)
        if newer.price_max_idr is not None or newer.price_min_idr is not None:
            data.update(price_max_idr=None, price_min_idr=None)
        if newer.year_min is not None or newer.year_max is not None:
            data.update(year_min=None, year_max=None)
        data.update({k: v for k, v in newer.to_json().items() if v is not None})
        return Filters.from_json(data)


TEN_KEYS = tuple(f.name for f in fields(Filters) if f.name != "color")


@dataclass(frozen=True, slots=True)
class Question:
    """What one buyer message asks."""

    text: str
    intent: Intent
    filters: Filters | None = None
    code: str | None = None  # a car's code as the catalog shows it, without '#': H07
    slug: str | None = None  # a pasted catalog link's car
    needs_person: bool = False
    reason: str = ""  # why a person is needed: nego, viewing, trade_in, video, low_dp, ...
    dp_idr: int | None = None  # a DP the buyer names as an amount
    dp_pct: int | None = None  # ... or as a share of the price
    tenor_years: int | None = None
    color: str | None = None  # "yg putih tadi": picks among the cars shown
    more_photos: bool = False  # "foto lain", "lagi": beyond those already sent
    spam: bool = False  # a link or an offer that is no question to the showroom
    # -- how buyers go on (read here, resolved against the conversation in buyer_followups)
    codes: tuple[str, ...] = ()  # every code named: "H02 sama H03 bagusan mana?"
    loose_code: bool = False  # `code` was written `H 03` or `h-2`: a code only if it exists
    without_code: Question | None = None  # the reading when that loose code is no car
    # cheapest, cheaper (than the car in question), youngest (by year), around (a budget
    # "N an"), under (a ceiling), "": the newest uploaded first
    order: str = ""
    followup: bool = False  # "yg ...", "kalo ...", "... jg gpp", "tadi": goes on from before
    also_ok: str | None = None  # a transmission the buyer accepts ("manual jg gpp")
    only: bool = False  # "aja", "saja": only that ("yg manual aja gpp")
    widens: bool = False  # "juga": that too ("2019 jg gpp")
    fact: str = ""  # a detail of the car asked: color, mileage, year, transmission, fuel,
    #                 price, papers (pajak, BPKB...), condition (banjir, mesin...)
    fact_value: str | None = None  # the value asked to confirm: "matic kan?" -> Matic
    extra: tuple[Intent, ...] = ()  # further asks answered after the first (kredit, lokasi)
    alike: bool = False  # "yg mirip", "calya lain": cars like the one in question
    trust: bool = False  # "beneran showroom? bukan penipuan?"
    closing: str = ""  # of thanks: thanks, later ("nanti sy kabarin"), ack ("ok", 👍), pray
    asks_available: bool = False  # "masih ada?", "ready?"
    budget_only_idr: int | None = None  # "kalo 250?": an amount alone, a budget or an offer
    dp_low_words: bool = False  # "dp 0", "tanpa dp": low whatever the price
    in_context: bool = False  # already read against the conversation (buyer_followups)

    def to_expected(self) -> dict[str, Any]:
        """The shape of the fixture's `expected` (intent, filters, code, needs_person): its
        ten filter keys (the colour is ours), null when none of them is stated."""
        filters = None
        if self.filters is not None:
            data = self.filters.to_json()
            filters = {key: data[key] for key in TEN_KEYS}
            if all(value is None for value in filters.values()):
                filters = None
        return {
            "intent": self.intent.value,
            "filters": filters,
            "code": self.code,
            "needs_person": self.needs_person,
        }


# -- normalising --------------------------------------------------------------------------

# Chat spellings folded into one word (matched on whole words of the lower-case text).
_SPELLINGS = {
    "liat": "lihat", "lht": "lihat", "ngeliat": "lihat", "ngelihat": "lihat", "melihat": "lihat",
    "brp": "berapa", "brapa": "berapa", "brpa": "berapa", "berapaan": "berapa", "brp an": "berapa",
    "dmn": "dimana", "dmna": "dimana", "dimn": "dimana", "mana": "mana",
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "engga": "tidak", "enggak": "tidak", "tdk": "tidak", "kagak": "tidak",
    "yg": "yang", "sy": "saya", "aku": "saya", "gw": "saya", "gue": "saya", "ane": "saya",
    "kalo": "kalau", "klo": "kalau", "kl": "kalau", "klw": "kalau", "td": "tadi",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "bs": "bisa",
    "bsa": "bisa", "bsia": "bisa", "donk": "dong", "dnk": "dong", "dg": "dengan",
    "dgn": "dengan", "sm": "sama", "ama": "sama", "utk": "untuk", "untk": "untuk",
    "kmrn": "kemarin", "kemaren": "kemarin", "kmren": "kemarin", "poto": "foto",
    "photo": "foto", "photos": "foto", "pic": "foto", "pict": "foto", "pics": "foto",
    "picture": "foto", "pictures": "foto", "gambar": "foto", "fotonya": "foto nya",
    "vidio": "video", "vid": "video", "tuker": "tukar", "tuka": "tukar", "minggu": "minggu",
    "jt": "juta", "jtan": "juta an", "jta": "juta", "ribu": "rb", "rebu": "rb",
    "makasi": "makasih", "mksh": "makasih", "mks": "makasih", "makasihh": "makasih",
    "thx": "makasih", "thanks": "makasih", "thank": "makasih", "tq": "makasih",
    "ty": "makasih", "trims": "makasih", "trimakasih": "makasih", "tks": "makasih",
    "terimakasih": "makasih", "terimakasi": "makasih", "trimakasi": "makasih",
    "maacih": "makasih", "tengkyu": "makasih",
    "nuwun": "makasih", "suwun": "makasih", "nuhun": "makasih",
    "sharelok": "sharelok", "shareloc": "sharelok", "sharelock": "sharelok",
    "sherlok": "sharelok", "sharloc": "sharelok", "krdit": "kredit", "kridit": "kredit",
    "credit": "kredit", "nyicil": "cicil", "cicilannya": "cicilan nya",
    "angsurannya": "angsuran nya", "dibawa": "dibawa", "bawah": "dibawah",
    "dbawah": "dibawah", "dbwh": "dibawah", "diatas": "diatas", "keatas": "keatas",
    "kebawah": "kebawah", "tp": "tapi", "tpi": "tapi", "jg": "juga", "lg": "lagi",
    "lgi": "lagi", "aja": "saja", "aj": "saja", "gan": "gan", "dp nya": "dp",
    "tlp": "telepon", "telp": "telepon", "telpon": "telepon", "tlpn": "telepon",
    "nelpon": "telepon", "ditelpon": "telepon", "ditelepon": "telepon",
    "nelepon": "telepon", "gpp": "tidak apa", "gapapa": "tidak apa",
    "gpapa": "tidak apa", "ngapa": "tidak apa", "mobilnya": "mobil nya",
    "unitnya": "unit nya", "cek": "cek", "check": "cek", "kemana": "ke mana",
    "tt": "tukartambah", "tukar tambah": "tukartambah", "trade in": "tukartambah",
    "tradein": "tukartambah", "trade-in": "tukartambah",
    "msh": "masih", "msih": "masih", "mash": "masih", "masi": "masih", "mashi": "masih",
    "msi": "masih", "rdy": "ready", "redy": "ready", "redi": "ready", "blm": "belum",
    "belom": "belum", "blom": "belum", "taun": "tahun", "thn": "tahun", "yaudah": "ya sudah",
    "yaudh": "ya sudah", "ywdh": "ya sudah", "yowes": "ya sudah", "gmn": "gimana",
    "gmna": "gimana", "gmana": "gimana", "bkn": "bukan", "trs": "terus", "trus": "terus",
    "skrg": "sekarang", "unitny": "unit nya",
}  # fmt: skip

_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*|\d+(?:[.,]\d+)*|[?%#/+<>]")


def _normalise(text: str) -> str:
    """The words of a text, lower case, folded, joined by single spaces, padded with a space
    on each side (so a phrase is matched as `' lihat unit '`)."""
    low = re.sub(r"([a-z])\1{2,}", r"\1", text.lower())
    low = re.sub(r"https?://\S+", " ", low)
    words: list[str] = []
    for raw in _WORD_RE.findall(low):
        word = raw
        if word.endswith("nya") and len(word) > 5 and word not in _SPELLINGS and word.isalpha():
            words.extend((_SPELLINGS.get(word[:-3], word[:-3]), "nya"))
            continue
        words.append(_SPELLINGS.get(word, word))
    joined = " ".join(words)
    for phrase, folded in (
        ("tukar tambah", "tukartambah"),
        ("trade in", "tukartambah"),
        ("di bawah", "dibawah"),
        ("di atas", "diatas"),
        ("ke atas", "keatas"),
        ("ke bawah", "kebawah"),
        ("di mana", "dimana"),
        ("share loc", "sharelok"),
        ("share lokasi", "sharelok"),
        ("share location", "sharelok"),
        ("terima kasih", "makasih"),
        ("thank you", "makasih"),
        ("matur makasih", "makasih"),
        ("hatur makasih", "makasih"),
        ("tes drive", "test drive"),
        ("testdrive", "test drive"),
    ):
        joined = f" {joined} ".replace(f" {phrase} ", f" {folded} ").strip()
    return f" {joined} "


def _has(norm: str, *phrases: str) -> bool:
    return any(f" {p} " in norm for p in phrases)


def _first_at(norm: str, *phrases: str) -> int | None:
    found = [norm.find(f" {p} ") for p in phrases]
    found = [i for i in found if i >= 0]
    return min(found) if found else None


def _re_at(norm: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(norm)
    return match.start() if match else None


# -- cue words and phrases, by intent -------------------------------------------------------

_GREETINGS = (
    "p", "ping", "halo", "hallo", "helo", "hello", "hai", "hi", "hey", "hy", "assalamualaikum",
    "asalamualaikum", "assalamualaikum wr wb", "assalamu alaikum", "assalamu'alaikum", "aslm",
    "salam", "permisi", "punten", "selamat pagi", "selamat siang", "selamat sore",
    "selamat malam", "pagi", "siang", "sore", "malam", "malem", "mau tanya", "tanya",
    "numpang tanya", "naros", "good morning", "good afternoon", "good evening", "misi",
    "om swastiastu", "shalom", "salam kenal",
)  # fmt: skip
# Words of address and filler: a message of these alone is a greeting ("min", "kak?").
_FILLERS = word_set(
    "min mimin admin kak ka kakak gan agan bos boss bro sis mas mbak mba pak bu bang om "
    "juragan dong nih sih deh wr wb tanya tanya2 2 mau"
)
_THANKS = (
    "makasih", "ok", "oke", "okay", "okey", "okeh", "oc", "siap", "sip", "sipp", "baik",
    "noted", "mantap", "mantab", "nanti saya kabari", "nanti saya kabarin", "kabarin",
    "kabari", "nanti dikabari", "pikir pikir dulu", "pikir2 dulu", "nanti dulu",
    "nanti saja", "see you", "cheers", "oh gitu", "oh begitu", "okelah", "good",
    "diskusi", "diskusikan", "dirundingkan", "dipikir", "pikir pikir", "nanti saya",
    "nanti kabari", "ditunggu",
)  # fmt: skip
_LOCATION = (
    "lokasi", "alamat", "alamat nya", "dimana", "daerah mana", "sebelah mana", "sharelok",
    "maps", "gmaps", "google maps", "map", "titik", "buka", "tutup", "jam operasional",
    "operasional", "libur", "tanggal merah", "jam kerja", "located", "location", "address",
    "where", "open", "opening hours", "hours", "alamat showroom", "posisi", "patokan",
)  # fmt: skip
_VIEWING = (
    "lihat unit", "lihat mobil", "lihat langsung", "lihat lihat", "lihat2", "lihat fisik",
    "cek unit", "cek mobil", "cek fisik", "cek langsung", "cek kondisi", "test drive",
    "coba mobil", "coba unit", "nyoba", "jajal", "mampir", "survei", "survey", "janjian",
    "janji temu", "bawa mekanik", "inspeksi", "dibawa ke rumah", "diantar ke rumah",
    "antar ke rumah", "bawa ke rumah", "datang ke showroom", "ke showroom", "main ke showroom",
    "ketemu", "see the car", "see it", "view the car", "visit", "come to", "test the car",
    "inspect", "appointment", "kesana", "ke sana", "datang", "kunjungi",
)  # fmt: skip
_NEGO = (
    "nego", "negosiasi", "negotiable", "nawar", "tawar", "ditawar", "harga pas", "nett",
    "net", "netto", "harga nett", "harga net", "last price", "best price", "harga terakhir",
    "harga final", "final price", "diskon", "discount", "potongan", "potong harga",
    "kurangin", "korting", "mentok", "harga bawah", "harga miring", "lepas", "turun",
    "bisa kurang", "kurang dikit", "kurang sedikit", "cash keras", "cuci gudang", "mahal",
    "kemahalan",
)  # fmt: skip
_TRADE_IN = (
    "tukartambah", "tukar", "mobil lama", "barter", "over kredit", "take over",
)  # fmt: skip
_PHOTOS = ("foto", "video", "rekaman", "vc", "video call")
_FINANCING = (
    "kredit", "dp", "tdp", "down payment", "uang muka", "cicilan", "cicil", "angsuran",
    "angsur", "leasing", "bunga", "tenor", "simulasi", "installment", "instalment",
    "finance", "financing", "loan", "pembiayaan", "bertahap", "cash tempo", "kpm",
    "installments", "instalments", "loans", "monthly payment", "monthly payments",
    "per month", "down-payment", "per bulan", "perbulan", "per bln", "perbln",
)  # fmt: skip
_AVAILABILITY_BACK = (
    "tadi", "kemarin", "yang ini", "yang itu", "ini masih", "itu masih", "masih ada",
    "masih ready", "masih tersedia", "sudah laku", "laku", "terjual", "sold", "di iklan",
    "di status", "di marketplace", "di fb", "di facebook", "di olx", "di ig", "di instagram",
    "di tiktok", "postingan", "still available", "is it available", "unit ini", "mobil ini",
)  # fmt: skip
# Questions about a car's own facts ("km nya brp?"): about the car in context.
_CAR_FACTS = (
    "harga nya", "harga", "km nya", "km", "kilometer", "tahun berapa", "pajak", "surat",
    "bpkb", "stnk", "kondisi", "warna", "mesin", "odometer", "tangan ke", "service record",
    "price", "mileage", "how much", "cash", "garansi",
)  # fmt: skip
_SEARCH_WORDS = (
    "cari", "nyari", "mencari", "ada", "ready", "stok", "stock", "tersedia", "punya",
    "do you have", "looking for", "any", "available", "apa saja", "apa aja", "list",
    "daftar", "katalog", "mobil apa", "unit apa", "rekomendasi", "butuh", "pengen",
    "pingin", "ingin", "want", "need",
)  # fmt: skip
_STOCK_WORDS = (
    "mobil apa", "unit apa", "stok", "stock", "apa saja", "apa aja", "daftar mobil",
    "list mobil", "katalog", "cari mobil", "nyari mobil", "ada mobil", "mobil bekas apa",
    "what cars", "which cars", "koleksi", "paling murah", "termurah", "paling baru",
    "cheapest", "beli mobil", "info mobil", "cari unit", "info unit", "unit murah",
    "mobil murah", "lebih murah", "terbaru",
)  # fmt: skip

# "masih ada?", "ready gan?", "unitnya ready kak?", "udh laku blm?": the whole message asks
# whether the car in question is still for sale (one of the core words, and nothing but these).
_AVAILABILITY_CORE = word_set("masih ready tersedia available still laku terjual sold")
_AVAILABILITY_ONLY = _AVAILABILITY_CORE | word_set(
    "ada stok stock unit nya mobil ini itu sudah belum kah apakah tidak bukan yang ya is it "
    "the car ? sih kan dong"
)
# "ada yg lebih murah?": cheaper than the car in question (else the cheapest first).
_CHEAPER = ("lebih murah", "lebih terjangkau", "yang murahan", "cheaper", "less expensive")
# The youngest first: "yg paling baru", "tahun paling muda".
_YOUNGEST = ("paling baru", "terbaru", "paling muda", "tahun muda", "newest", "latest")
# The cheapest first: "yg paling murah", "matic termurah".
_CHEAPEST = ("paling murah", "termurah", "yang murah", "mobil murah", "murah meriah", "unit murah",
             "cheapest", "harga terendah", "paling terjangkau", "yang paling murah")  # fmt: skip
# A message that goes on from the last one: it starts with these (after fillers and "oh",
# "ok", "ya sudah" ...), or refers back ("tadi"), or accepts another value ("jg gpp").
_FOLLOWUP_START = ("yang", "kalau", "gimana kalau", "bagaimana kalau", "terus", "lalu",
                   "how about", "what about", "kalau yang", "atau")  # fmt: skip
_FOLLOWUP_LEAD = word_set("oh ok oke okey okay ya iya sudah hmm wah yah nah terus lalu sama")
_TOO = ("juga tidak apa", "juga boleh", "juga bisa", "juga oke", "juga ok", "boleh juga",
        "juga gak apa", "juga")  # fmt: skip
# Cars like another: "yg mirip calya", "ada calya lain?".
_ALIKE = ("mirip", "kayak", "seperti", "sejenis", "serupa", "setara", "sekelas", "alternatif",
          "lain", "lainnya", "similar")  # fmt: skip
# "beneran showroom? bukan penipuan?": a buyer who fears a scam.
_TRUST = ("penipuan", "penipu", "tipu", "nipu", "scam", "beneran", "resmi", "terpercaya",
          "amanah", "legit", "fake", "hoax", "bodong", "showroom asli", "asli ?")  # fmt: skip
# Closings that are no thanks ("nanti sy kabarin", "pikir2 dulu").
_LATER = ("nanti", "kabari", "kabarin", "pikir", "dipikir", "diskusi", "diskusikan",
          "dirundingkan", "see you")  # fmt: skip
# A detail of the car in question, by the fact it asks for; the first written wins.
_FACT_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("color", ("warna apa", "warna nya", "warna ?", "what color", "what colour", "which color",
               "color ?", "colour ?")),
    ("mileage", ("km nya", "km berapa", "berapa km", "km ?", "kilometer", "odometer",
                 "odo nya", "odo berapa", "odo ?", "jarak tempuh", "mileage")),
    ("year", ("tahun berapa", "tahun nya", "tahun ?", "what year")),
    ("transmission", ("transmisi", "gearbox", "matic atau manual", "manual atau matic",
                      "matic apa manual", "manual apa matic")),
    ("fuel", ("bahan bakar", "bbm", "bensin atau diesel", "diesel atau bensin",
              "bensin atau solar", "solar atau bensin", "bensin apa diesel", "diesel apa bensin",
              "bensin apa solar", "solar apa bensin", "fuel")),
    ("price", ("harga nya", "harga berapa", "berapa harga", "berapa harga nya", "harga ?",
               "cash berapa", "how much", "price", "berapa ?", "berapa an", "harga cash")),
    ("papers", ("surat", "surat surat", "surat2", "pajak", "bpkb", "stnk", "faktur",
                "service record", "servis record", "record", "buku servis", "buku service",
                "riwayat servis", "tangan pertama", "tangan ke", "pemilik",
                "pemakai pertama", "nopol", "plat nomor", "papers", "no rangka", "nomor rangka",
                "no mesin", "nomor mesin")),
    ("condition", ("kondisi", "mulus", "minus nya", "ada minus", "minus", "kekurangan",
                   "turun mesin", "km asli", "odo asli", "rembes", "original", "orisinil",
                   "banjir", "tabrak", "tabrakan", "kecelakaan", "terendam", "accident",
                   "flood")),
)  # fmt: skip
# "matic kan?", "solar ya?", "is it automatic?": a value asked to be confirmed.
_CONFIRM_TAGS = ("kan", "ya ?", "bukan", "kah", "tidak ?", "bukan ?", "kan ?", "ya kan")

# What only a person can decide, by reason.
_PERSON_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("video", ("video", "video call", "vc", "suara mesin", "rekaman")),
    ("cash_instalments", ("bertahap", "cash tempo", "cash bertahap", "bayar bertahap")),
    (
        "credit_record",
        ("bi checking", "bi check", "slik", "kol 2", "kol 3", "kol 4", "kol 5", "kolektibilitas",
         "blacklist", "bi jelek", "riwayat kredit", "bermasalah", "bi nya jelek"),
    ),
    ("delivery", ("kirim ke", "dikirim ke", "ongkir", "ongkos kirim", "pengiriman", "delivery",
                  "antar ke", "diantar ke", "dianter ke",
                  "anter ke", "kirim mobil")),
    ("flood_or_accident", ("banjir", "bekas banjir", "tabrak", "tabrakan", "kecelakaan",
                           "terendam")),
    ("dealer_buys", ("jual mobil saya", "mau jual mobil", "showroom beli", "beli mobil saya",
                     "terima mobil", "mau jual unit", "jual unit saya", "sell my car")),
    ("wants_to_buy", ("booking", "mau booking", "bisa booking", "tanda jadi", "utj",
                      "saya ambil", "mau ambil yang ini", "ambil yang ini", "mau yang ini",
                      "jadi ambil", "fix ambil", "cara beli", "cara belinya", "cara pembelian",
                      "proses pembelian", "keep dulu", "tolong keep", "dikeep", "di keep",
                      "hold dulu", "mau beli yang ini", "i will take it",
                      "i'll take it", "book it")),
    ("asks_person", ("bicara dengan", "ngobrol dengan", "bicara sama", "ngobrol sama",
                     "hubungi saya", "telepon saya", "call me", "call saya", "minta nomor",
                     "nomor sales", "talk to", "manusia", "orang asli", "human", "real person",
                     "customer service", "mau ngobrol", "minta dihubungi", "hubungkan",
                     "nomor wa", "no wa", "kontak sales", "nomor marketing", "nomor hp",
                     "bisa telepon", "telepon", "contact person", "kontak")),
)  # fmt: skip
_PERSON_ALONE = frozenset({" sales ", " admin dong ", " cs ", " agent ", " operator "})
_DAY_WORDS = ("besok", "lusa", "hari ini", "nanti sore", "nanti malam", "sabtu", "minggu",
              "weekend", "tomorrow", "senin", "selasa", "rabu", "kamis", "jumat")  # fmt: skip
_ENGLISH = word_set("the is are you your a an i we do does can have located see where")

_SPAM = re.compile(
    r"(pinjaman|pinjol|cair|tanpa jaminan|slot|judi|gacor|bonus|investasi|klik|click|promo)"
)
_ANY_LINK = re.compile(r"(https?://|www\.|bit\.ly|s\.id/|\b[a-z0-9-]+\.(?:com|id|ly|me)/)")
_CATALOG_LINK = re.compile(r"https?://\S*?/cars/([a-z0-9][a-z0-9-]*)", re.IGNORECASE)
_CODE_HASH = re.compile(r"#\s?([a-z])\s?-?\s?(\d{1,4})(?![\d])", re.IGNORECASE)
_CODE_WORD = re.compile(r"\bkode\s*:?\s*#?\s?([a-z])\s?-?\s?(\d{1,4})(?![\d])", re.IGNORECASE)
_CODE_BARE = re.compile(r"(?<![\w#./-])([a-z])(\d{2,4})(?![\w])", re.IGNORECASE)
_CODE_LOOSE = re.compile(
    r"(?<![\w#./-])([a-z])(?:\s?-\s?|\s)(\d{1,3})(?![\d.,]|\w)|(?<![\w#./-])([a-z])(\d)(?!\w)",
    re.IGNORECASE,
)
_NOT_CODE_LETTERS = frozenset("ypx")
_QUANTITY_AFTER = re.compile(
    r"\s*(?:rb|ribu|k|jt|juta|km|%|x|th|thn|tahun|taun|bulan|bln|orang|seater|seat|kursi|"
    r"baris|pintu|an|cc|m|menit|jam|hari|unit|persen)\b",
    re.IGNORECASE,
)
_PLATE_AFTER = re.compile(r"\s+[A-Z]{1,3}\b")
_FUEL_ECONOMY = re.compile(r"\b(?:irit|hemat|boros|konsumsi)\s+(?:bensin|bbm|solar)\b")
_NOT_A_CAR_COLOUR = re.compile(
    r"\b(?:(?:plat|plate|nopol)\s+(?:nomor\s+)?\w+|(?:tanggal|tgl|hari)\s+merah)\b"
)
_BUDGET_ONLY = re.compile(
    r"^ (?:kalau |gimana kalau |bagaimana kalau |terus kalau |kalau yang |yang |budget |dana )*"
    r"(\d{2,4}(?:[.,]\d+)?) (?:juta |jt )?(?:an )?(?:\? |ada |saja |gimana |berapa |dong )*$"
)

_YEAR = r"(19[89]\d|20[0-4]\d)"
_YEAR_RANGE = re.compile(
    _YEAR + r"\s*(?:-|\u2013|/|s/?d|sd|sampai|hingga|to|ke)\s*" + _YEAR + r"(?!\d)"
)
_YEAR_UP = re.compile(_YEAR + r"\s*(?:an\s*)?(?:ke\s*atas|keatas|up|\+|atau lebih baru|or newer)")
_YEAR_DOWN = re.compile(_YEAR + r"\s*(?:an\s*)?(?:ke\s*bawah|kebawah)")
_YEAR_MIN_WORD = re.compile(
    r"(?:di\s*atas|diatas|minimal|min|mulai|paling tua|above|after|newer than|>=?)\s*"
    r"(?:tahun|thn|th)?\s*" + _YEAR
)
_YEAR_MAX_WORD = re.compile(
    r"(?:di\s*bawah|dibawah|maksimal|sebelum|before|<=?)\s*(?:tahun|thn|th)?\s*" + _YEAR
)
_YEAR_ANY = re.compile(r"(?<![\d.,])" + _YEAR + r"(?![\d.,]*\s*(?:jt|juta|m\b|rb|km|cc))")
_YEAR_SHORT = re.compile(r"\b(?:tahun|thn|th)\s*'?(\d{2})(?!\d)")

_AMOUNT = r"(\d+(?:[.,]\d+)*)\s*(juta an|jutaan|juta|jt|an|m|miliar|milyar|rb|k)?"
_PRICE_RANGE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:jt|juta)?\s*(?:-|\u2013|s/?d|sd|sampai|hingga|to|ke)\s*"
    r"(\d+(?:[.,]\d+)?)\s*(juta an|jutaan|juta|jt|an|m|miliar|milyar)?(?:\s*an\b)?"
)
_PRICE_MAX_CUE = re.compile(
    r"(?:dibawah|di bawah|bawah|under|below|maks|max|maksimal|maximal|budget|budjet|bujet|"
    r"dana|paling|sampai|kurang dari|tidak lebih dari|less than|up to|harga|kisaran|"
    r"sekitar|range|around|seharga|<)\s*(?:nya|di|rp\.?|idr|sekitar|kisaran|cuma|hanya|"
    r"paling|maksimal|max|ya|saya|cuman|an)?\s*(?:nya|di|rp\.?|idr)?\s*" + _AMOUNT
)
_PRICE_UNIT = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)*)\s*(juta an|jutaan|juta|jt|m|miliar|milyar)(?!\w)"
)
_PRICE_AN = re.compile(r"(?<![\d.,])(\d{2,4})\s*-?\s*an\b")
_NOT_PRICE_BEFORE = re.compile(
    r"(?:dp|tdp|uang muka|cicilan|cicil|angsuran|angsur|bunga|tenor|km|kilometer|odo|jam|"
    r"pukul|cc|x|kali|tahun|thn|th|nambah|tambah|nya dp|gaji|penghasilan)\s*(?:nya)?\s*"
    r"(?:rp\.?)?\s*$"
)
_SEATS = re.compile(
    r"(?:(\d{1,2})\s*-?\s*(?:seater|seat|seats|kursi|penumpang|baris)|muat\s*(\d{1,2})|"
    r"(\d{1,2})\s*orang|(tujuh|delapan|enam|lima)\s*(?:seater|penumpang|orang))"
)
_WORD_NUMBERS = {"lima": 5, "enam": 6, "tujuh": 7, "delapan": 8}
_DP = re.compile(
    r"\b(?:dp|tdp|uang muka|down payment)\s*(?:nya)?\s*(?:rp\.?)?\s*" + _AMOUNT + r"\s*(%|persen)?"
)
_DP_LOW_WORDS = ("dp 0", "tanpa dp", "dp murah", "dp kecil", "dp ringan", "dp minim",
                 "dp rendah", "no dp", "dp nol")  # fmt: skip
_TENOR = re.compile(r"(\d)\s*(?:tahun|taun|thn|th|years?|yr)\b")
_TENOR_MONTHS = re.compile(r"(\d{2})\s*(?:bulan|bln|x)\b")
_ANY_TRANSMISSION = {
    "matic": "Matic", "matik": "Matic", "automatic": "Matic", "otomatis": "Matic",
    "at": "Matic", "a/t": "Matic", "cvt": "Matic", "manual": "Manual", "mt": "Manual",
    "m/t": "Manual", "auto": "Matic",
}  # fmt: skip
_DONT_CARE = ("tidak apa", "juga boleh", "juga bisa", "boleh juga", "juga oke", "juga ok",
              "pun boleh", "juga gak apa", "bebas", "sama saja", "sama aja", "terserah",
              "no problem", "is fine", "is ok")  # fmt: skip
_TRADE_IN_WANTED = re.compile(
    r"\b(?:ke|jadi|dengan unit|buat|untuk|ganti ke|ganti|ambil|beli)\s+(.*)$"
)
# "seratus lima puluh juta": amounts written in words, read as digits before the prices
_DIGIT_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9,
}  # fmt: skip
_AMOUNT_WORDS = re.compile(
    r"\b((?:(?:se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)\s?ratus\s*)?"
    r"(?:(?:se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)\s?puluh\s*)?"
    r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)?)\s*(?=juta|jt\b)"
)


# -- reading ------------------------------------------------------------------------------


def read_question(text: str, *, today: dt.date | None = None) -> Question:
    """What a buyer's message asks (see the module's docstring for the rules)."""
    today = today or dt.date.today()
    raw = text.strip()
    codes = _strict_codes(raw)
    loose = None if codes or _CATALOG_LINK.search(raw) else _loose_code(raw)
    if loose is None:
        return _read(raw, today, codes)
    # `H 03 ready?`: a code if that car exists; the answer falls back on the reading without
    code, (start, end) = loose
    without = _read(f"{raw[:start]} {raw[end:]}", today, ())
    return replace(
        _read(raw, today, (code,)), loose_code=True, without_code=replace(without, text=raw)
    )


def _read(raw: str, today: dt.date, codes: tuple[str, ...]) -> Question:
    low = re.sub(r"([a-z])\1{2,}", r"\1", raw.lower())
    norm = _normalise(raw)
    slug_match = _CATALOG_LINK.search(raw)
    slug = slug_match.group(1).lower() if slug_match else None
    code = codes[0] if codes else None
    spam = bool(_ANY_LINK.search(low)) and not slug and bool(_SPAM.search(low))
    filters = _filters(raw, low, norm, today)
    person_reason = _person_reason(norm, low)
    intent = _intent(norm, low, raw, code, slug, filters, person_reason)
    if spam:
        intent, person_reason = Intent.OTHER, ""
    dp_idr, dp_pct = _dp(low)
    low_dp = _dp_is_low(norm, dp_idr, dp_pct)
    if intent is Intent.FINANCING and low_dp and not person_reason:
        person_reason = "low_dp"
    needs_person = intent in PERSON_INTENTS or bool(person_reason)
    if intent in PERSON_INTENTS and not person_reason:
        person_reason = intent.value
    order = _order(norm, low, filters)
    _, accepted = _transmission_reading(raw)
    fact, fact_value = _fact(norm)
    if intent is Intent.TRADE_IN:
        filters = _trade_in_filters(raw, today)
    elif intent is Intent.PRICE_NEGO and filters is not None:
        filters = _without_price(filters)  # "180 boleh?" is an offer, not a budget
    if code or slug or intent not in _FILTERED_INTENTS:
        filters = None
    if filters is not None and filters.empty:
        filters = None
    return Question(
        text=raw,
        intent=intent,
        filters=filters,
        code=code,
        slug=slug,
        needs_person=needs_person,
        reason=person_reason if needs_person else "",
        dp_idr=dp_idr,
        dp_pct=dp_pct,
        tenor_years=_tenor(low),
        color=find_color(raw),
        more_photos=_has(norm, "lain", "lainnya", "lagi", "more", "other", "tambahan", "detail",
                         "interior", "dashboard", "jok", "mesin", "belakang", "kolong", "bagasi"),
        spam=spam,
        codes=codes,
        order=order,
        followup=_is_followup(norm),
        also_ok=accepted,
        only=_has(norm, "saja", "only"),
        widens=_has(norm, *_TOO),
        fact=fact,
        fact_value=fact_value,
        extra=_extra(norm, low, intent, needs_person),
        alike=_has(norm, *_ALIKE),
        trust=_has(norm, *_TRUST),
        closing=_closing(norm, raw) if intent is Intent.THANKS else "",
        asks_available=_has(norm, *_AVAILABILITY_CORE),
        budget_only_idr=_budget_only(norm),
        dp_low_words=_has(norm, *_DP_LOW_WORDS),
    )  # fmt: skip


def _order(norm: str, low: str, filters: Filters | None) -> str:
    """How the cars found are best listed: the cheapest first when asked, the nearest to a
    budget "N an" first, the dearest under a ceiling first (nearest to what the buyer can
    spend); "" (the newest first) otherwise."""
    if _has(norm, *_CHEAPER):
        return "cheaper"
    if _has(norm, *_CHEAPEST):
        return "cheapest"
    if _has(norm, *_YOUNGEST):
        return "youngest"
    if filters is None or filters.price_max_idr is None or filters.price_min_idr is not None:
        return ""
    return "around" if _price_reading(low)[2] else "under"


def _is_followup(norm: str) -> bool:
    """Does the message go on from the last answer? "yg manual aja", "kalo 250?", "2019 jg
    gpp", "yg merah td"."""
    words = norm.split()
    while words and (words[0] in _FILLERS or words[0] in _FOLLOWUP_LEAD):
        words.pop(0)
    rest = f" {' '.join(words)} "
    if any(rest.startswith(f" {start} ") for start in _FOLLOWUP_START):
        return True
    return _has(norm, "tadi", "tidak apa", *_TOO)


def _fact(norm: str) -> tuple[str, str | None]:
    """(the detail of a car asked, the value asked to be confirmed): "hrv nya warna apa" ->
    color; "matic kan?" -> transmission, Matic; "pajak idup?" -> papers."""
    if [w for w in norm.split() if w not in _FILLERS and w != "?"] in (
        ["berapa"],
        ["berapa", "an"],
    ):
        return "price", None  # "brp?" alone: the price of the car in question
    found: list[tuple[int, str]] = []
    for fact, cues in _FACT_CUES:
        at = _first_at(norm, *cues)
        if fact == "year" and at is not None and re.search(r"\d $", norm[: at + 1]):
            at = None  # "cicilan 4 tahun brp": a tenor, not the car's year
        if at is not None:
            found.append((at, fact))
    confirmed = _confirmed_value(norm)
    if confirmed is not None:
        found.append((confirmed[0], confirmed[1]))
    if not found:
        return "", None
    fact = min(found)[1]
    return fact, confirmed[2] if confirmed is not None and confirmed[1] == fact else None


def _confirmed_value(norm: str) -> tuple[int, str, str] | None:
    """ "matic kan?", "solar ya?", "putih kan?", "is it automatic?": (where, which fact, the
    value) of a detail asked to be confirmed; not "ada yg matic ga?" (a search)."""
    if _has(norm, "ada", "yang", "cari", "any", "have"):
        return None
    words = norm.split()
    for i, word in enumerate(words):
        for fact, table in (
            ("transmission", _ANY_TRANSMISSION),
            ("fuel", FUEL_WORDS),
            ("color", COLOR_WORDS),
        ):
            value = table.get(word)
            if value is None:
                continue
            rest = f" {' '.join(words[i + 1 : i + 3])} "
            asked = any(rest.startswith(f" {tag} ") for tag in _CONFIRM_TAGS)
            if asked or words[max(0, i - 2) : i] == ["is", "it"]:
                return norm.find(f" {word} "), fact, value
    return None


def _extra(norm: str, low: str, intent: Intent, needs_person: bool) -> tuple[Intent, ...]:
    """Further asks of a message about a car, answered after it: "pajero msh ada? bs kredit?"
    gets the car and its credit simulation; "ada avanza? lokasi dmn?" the cars and the map."""
    if needs_person or intent not in (Intent.SEARCH, Intent.AVAILABILITY, Intent.CAR_BY_CODE):
        return ()
    extra = []
    if _financing_at(norm) is not None:
        extra.append(Intent.FINANCING)
    if _location_at(norm, low) is not None:
        extra.append(Intent.LOCATION_HOURS)
    return tuple(extra)


def _closing(norm: str, raw: str) -> str:
    """What kind of closing: thanks, later ("nanti sy kabarin"), pray (🙏 alone), greeting
    ("good morning"), or ack ("ok", "siap", 👍): only thanks gets "sama-sama"."""
    if _has(norm, "makasih"):
        return "thanks"
    if _has(norm, *_LATER):
        return "later"
    if "🙏" in raw and not re.search(r"[^\W\d_]", raw):
        return "pray"
    if _has(norm, *_GREETINGS):
        return "greeting"
    return "ack"


def _budget_only(norm: str) -> int | None:
    """ "kalo 250?", "kalau 130 ada?": an amount alone (a new budget after a search, an offer
    on the car being talked about: the conversation decides)."""
    found = _BUDGET_ONLY.match(norm)
    if found is None or re.fullmatch(r"(19|20)\d\d", found.group(1)):
        return None  # "yg 2019 brp?": a year
    return _amount(found.group(1), None)


def _only_availability(norm: str) -> bool:
    """ "msh ada?", "ready gan?", "unitnya ready kak?", "udh laku blm?": nothing but whether
    the car in question is still for sale."""
    words = [w for w in norm.split() if w not in _FILLERS]
    return (
        bool(words)
        and all(w in _AVAILABILITY_ONLY for w in words)
        and any(w in _AVAILABILITY_CORE for w in words)
    )


def _code(raw: str) -> str | None:
    """`#H01`, `#t112`, `kode h12`, `kode T 07`, or a bare `H15` that is no car's name."""
    codes = _strict_codes(raw)
    return codes[0] if codes else None


def _strict_codes(raw: str) -> tuple[str, ...]:
    """Every code written as codes are (`#H01`, `kode h12`, a bare `H15`), in order."""
    found: list[tuple[int, str]] = []
    for pattern in (_CODE_HASH, _CODE_WORD):
        found += [(m.start(), _as_code(m.group(1), m.group(2))) for m in pattern.finditer(raw)]
    for match in _CODE_BARE.finditer(raw):
        letter, digits = match.group(1), match.group(2)
        word = f"{letter}{digits}".lower()
        if _is_car_word(word) or _after_car_name(raw[: match.start()]):
            continue
        found.append((match.start(), _as_code(letter, digits)))
    return tuple(dict.fromkeys(code for _, code in sorted(found)))


def _loose_code(raw: str) -> tuple[str, tuple[int, int]] | None:
    """`H 03`, `h-2`, `t1`: maybe a code (the answer checks that it exists), with where it is
    written. Not a quantity (`km 55`, `x 2`), a plate (`B 123 XY`), nor a car's type (`x1`)."""
    for match in _CODE_LOOSE.finditer(raw):
        letter = match.group(1) or match.group(3)
        digits = match.group(2) or match.group(4)
        before, after = raw[: match.start()], raw[match.end() :]
        if letter.lower() in _NOT_CODE_LETTERS or re.search(r"\d\s*$", before):
            continue  # "y", "p": words; "2 x 2": arithmetic
        if _QUANTITY_AFTER.match(after) or _PLATE_AFTER.match(after):
            continue
        word = f"{letter}{digits}".lower()
        if _is_car_word(word) or _after_car_name(before):
            continue
        return _as_code(letter, digits), match.span()
    return None


def _as_code(letter: str, digits: str) -> str:
    number = int(digits)
    return f"{letter.upper()}{number:02d}" if len(digits) < 2 else f"{letter.upper()}{digits}"


def _is_car_word(word: str) -> bool:
    """`L300` is a Mitsubishi, not a code."""
    car = find_car(word)
    return car is not None and car.model is not None


def _after_car_name(before: str) -> bool:
    """`mercy c200`, `bmw x320`: letters and digits right after a make or model are a type."""
    words = [w for w in words_of(before) if w]
    return bool(words) and find_car(words[-1]) is not None


def _person_reason(norm: str, low: str) -> str:
    for reason, cues in _PERSON_CUES:
        if _has(norm, *cues):
            if reason == "delivery" and _has(norm, "kirim ke wa", "kirim ke sini", "kirim ke saya"):
                continue
            return reason
    if norm in _PERSON_ALONE or re.fullmatch(r"\s*(sales|cs|admin dong|operator)\s*", low):
        return "asks_person"
    return ""


def _intent(
    norm: str,
    low: str,
    raw: str,
    code: str | None,
    slug: str | None,
    filters: Filters | None,
    person_reason: str,
) -> Intent:
    # 1. an ask that needs a person, the first written
    person: list[tuple[int, Intent]] = []
    for intent, at in (
        (Intent.PRICE_NEGO, _nego_at(norm)),
        (Intent.VIEWING, _viewing_at(norm)),
        (Intent.TRADE_IN, _trade_in_at(norm)),
    ):
        if at is not None:
            person.append((at, intent))
    if person:
        return min(person)[1]
    # 2. the car questions: photos and financing as written, then the coded car, a car already
    # shown, a search
    # a colour alone names no car: "yang merah masih ada?" picks among the cars shown
    has_filters = filters is not None and any(getattr(filters, key) for key in TEN_KEYS)
    specific: list[tuple[int, Intent]] = []
    photos_at = _first_at(norm, *_PHOTOS)
    if photos_at is not None:
        specific.append((photos_at, Intent.PHOTOS))
    financing_at = _financing_at(norm)
    if financing_at is not None:
        specific.append((financing_at, Intent.FINANCING))
    if specific:
        first_at, first = min(specific)
        search_at = _first_at(norm, *_SEARCH_WORDS)
        if (
            has_filters
            and not code
            and search_at is not None
            and search_at < first_at
            and first is Intent.FINANCING
            and not _has(norm, *_AVAILABILITY_BACK)
        ):
            return Intent.SEARCH  # "ada avanza? bisa kredit?": the search was asked first
        return first
    if code or slug:
        return Intent.CAR_BY_CODE
    if not has_filters and _only_availability(norm):
        return Intent.AVAILABILITY
    if not has_filters and filters is not None and filters.color:
        # "ada yg warna putih?" searches by colour; "yg silver?", "yg merah td" pick a car shown
        fresh = _has(norm, *_SEARCH_WORDS) and not _has(norm, *_AVAILABILITY_BACK)
        return Intent.SEARCH if fresh else Intent.AVAILABILITY
    named_and_still = has_filters and _has(norm, "masih") and not _back(norm)
    if _has(norm, *_AVAILABILITY_BACK) and not _has(norm, *_STOCK_WORDS) and not named_and_still:
        return Intent.AVAILABILITY  # "masih ada?", "yg putih tadi": a car seen before
    if has_filters:
        return Intent.SEARCH
    if _has(norm, *_STOCK_WORDS) and not person_reason:
        return Intent.SEARCH
    location_at = _location_at(norm, low)
    if location_at is not None:
        return Intent.LOCATION_HOURS
    if _has(norm, *_CAR_FACTS) and _is_question(norm, raw) and not person_reason:
        return Intent.AVAILABILITY
    if person_reason:
        return Intent.OTHER
    if _weak_viewing(norm):
        return Intent.VIEWING
    if _is_thanks(norm, raw):
        return Intent.THANKS
    if _is_greeting(norm, raw):
        return Intent.GREETING
    return Intent.OTHER


def _back(norm: str) -> bool:
    """A reference to a car seen before: "yang tadi", "kemarin", "yang itu", "di iklan"."""
    return _has(
        norm, "tadi", "kemarin", "yang ini", "yang itu", "di iklan", "di status", "laku",
        "di marketplace", "postingan", "itu",
    )  # fmt: skip


def _nego_at(norm: str) -> int | None:
    at = _first_at(norm, *_NEGO)
    if at is not None:
        # "turun" needs a price around it, "lepas" an amount before it
        turun = _first_at(norm, "turun") == at and not _has(norm, "harga", "bisa turun", "segitu")
        lepas = _first_at(norm, "lepas") == at and not re.search(r"\d\s*(?:juta|an)?\s+lepas", norm)
        if turun or lepas:
            at = None
    if at is None:
        kurang = re.search(r" kurang (?!lebih|tahu|tau|paham|jelas|ngerti|dari|mengerti)", norm)
        if kurang and _has(norm, "bisa kurang", "kurang dikit", "kurang sedikit", "kurang ?",
                           "harga", "bisa", "boleh", "masih"):  # fmt: skip
            at = kurang.start()
    # "180 boleh?", "kalau 150 oke?": a price offered
    offer = re.search(
        r" (\d{2,4}(?:[.,]\d+)?) (?:juta |jt )?(?:boleh|bisa|deal|oke|ok|lepas|dapat|dapet)"
        r"(?: tidak| ?\?| saja| kah| cash)",
        norm + " ",
    )
    offer = (
        offer
        or re.search(
            r" (?:bisa|boleh|kalau|gimana kalau|gmn kalau) (\d{2,4}(?:[.,]\d+)?) (?:juta )?"
            r"(?:\?|cash|deal|tidak|ya|saja|nett|net)",
            norm + " ",
        )
        or re.search(r" (\d{2,4}(?:[.,]\d+)?) (?:juta )?deal ", norm)
    )
    if offer and not re.search(
        r"(?:tahun|dp|tdp|cicilan|angsuran|jam|tenor|bunga|km|muka) $", norm[: offer.start() + 1]
    ):
        at = offer.start() if at is None else min(at, offer.start())
    return at


def _viewing_at(norm: str) -> int | None:
    at = _first_at(norm, *_VIEWING)
    if at is None:
        return None
    # "datang", "ketemu", "kesana" alone say little: only with a visit's words around them
    weak = {"datang", "ketemu", "kesana", "ke sana", "ke showroom", "visit", "come to"}
    found = [p for p in _VIEWING if f" {p} " in norm]
    if (
        found
        and all(p in weak for p in found)
        and not _has(
            norm, "mau", "bisa", "boleh", "mampir", "lihat", "cek", "can i", "could i", "kapan"
        )
    ):
        return None
    return at


def _trade_in_at(norm: str) -> int | None:
    at = _first_at(norm, *_TRADE_IN)
    if (
        at is None
        and _has(norm, "bisa masuk", "dihargai", "ditukar")
        and _has(norm, "mobil saya", "mobil lama", "punya saya", "unit saya", "saya ada")
    ):
        at = _first_at(norm, "mobil saya", "mobil lama", "punya saya", "unit saya", "saya ada")
    return at


def _financing_at(norm: str) -> int | None:
    at = _first_at(norm, *_FINANCING)
    bayar = re.search(r" (?:bayar \d+ ?x|\d+ ?x bayar|\d+x) ", norm)
    if bayar:
        at = bayar.start() if at is None else min(at, bayar.start())
    return at


def _location_at(norm: str, low: str) -> int | None:
    at = _first_at(norm, *_LOCATION)
    if at is None:
        return None
    found = [p for p in _LOCATION if f" {p} " in norm]
    # English alone: "where is your showroom", "are you open"
    if found in (["open"], ["where"], ["hours"]) and not _has(
        norm, "showroom", "you", "your", "shop", "store", "dealer", "located"
    ):
        return None
    if found == ["buka"] and _has(norm, "buka kap", "buka bagasi", "buka pintu"):
        return None
    if found == ["titik"] and not _has(norm, "titik lokasi", "share titik", "kirim titik"):
        return None
    if found == ["map"]:
        return None
    return at


def _weak_viewing(norm: str) -> bool:
    """ "besok bisa?", "sabtu bisa kak?": a day and a yes-or-no, nothing else asked."""
    return _has(norm, *_DAY_WORDS) and _has(norm, "bisa", "boleh", "can i", "kesana", "ke sana")


def _is_question(norm: str, raw: str) -> bool:
    return "?" in raw or _has(norm, "berapa", "gimana", "bagaimana", "apa", "how", "what")


def _content_words(norm: str) -> list[str]:
    return [w for w in norm.split() if w not in _FILLERS]


_ACKNOWLEDGEMENTS = word_set("ya iya yes yup oh gitu begitu ooh oo y yoi")


def _is_thanks(norm: str, raw: str) -> bool:
    if _has(norm, *_THANKS):
        return True
    words = _content_words(norm)
    if words and all(w in _ACKNOWLEDGEMENTS for w in words):
        return True  # "iya kak", "oh gitu": a closing too
    letters = re.sub(r"[\W_]+", "", raw, flags=re.UNICODE)
    return not letters and any(ord(c) > 0x2000 for c in raw)  # an emoji alone: 👍 🙏


def _is_greeting(norm: str, raw: str) -> bool:
    if _has(norm, *_GREETINGS):
        return True
    return bool(norm.split()) and not _content_words(norm)


# -- filters ------------------------------------------------------------------------------


def _filters(raw: str, low: str, norm: str, today: dt.date) -> Filters:
    car = find_car(raw)
    year_min, year_max = _years(low, today)
    price_min, price_max = _prices(low, norm)
    return Filters(
        make=car.make if car else None,
        model=car.model if car else None,
        year_min=year_min,
        year_max=year_max,
        price_max_idr=price_max,
        price_min_idr=price_min,
        transmission=_transmission(raw, norm),
        fuel=_fuel(raw),
        body=find_body(raw),
        seats_min=_seats(low),
        color=_color(raw),
    )


def _fuel(raw: str) -> str | None:
    """The fuel wanted; "irit bensin" is about economy, not a petrol car."""
    return find_fuel(_FUEL_ECONOMY.sub(" ", raw.lower()))


def _color(raw: str) -> str | None:
    """The colour of the car wanted; not a plate's ("plat kuning" is a commercial car) nor a
    holiday's ("tanggal merah")."""
    return find_color(_NOT_A_CAR_COLOUR.sub(" ", raw.lower()))


def _without_price(filters: Filters) -> Filters:
    data = filters.to_json()
    data.update(price_max_idr=None, price_min_idr=None)
    return Filters.from_json(data)


def _trade_in_filters(raw: str, today: dt.date) -> Filters | None:
    """Only the car wanted in exchange ("tukar tambah xenia saya ke avanza 2019"): the buyer's
    own car is never what they look for."""
    low = raw.lower()
    wanted = _TRADE_IN_WANTED.search(low)
    if wanted is None:
        return None
    part = wanted.group(1)
    filters = _filters(part, part, _normalise(part), today)
    return None if filters.empty else filters


def _years(low: str, today: dt.date) -> tuple[int | None, int | None]:
    latest = today.year + 1
    ok = lambda y: 1980 <= y <= latest  # noqa: E731
    if found := _YEAR_RANGE.search(low):
        a, b = int(found.group(1)), int(found.group(2))
        if ok(a) and ok(b):
            return min(a, b), max(a, b)
    if (found := _YEAR_UP.search(low)) and ok(int(found.group(1))):
        return int(found.group(1)), None
    if (found := _YEAR_MIN_WORD.search(low)) and ok(int(found.group(1))):
        return int(found.group(1)), None
    if (found := _YEAR_DOWN.search(low)) and ok(int(found.group(1))):
        return None, int(found.group(1))
    if (found := _YEAR_MAX_WORD.search(low)) and ok(int(found.group(1))):
        return None, int(found.group(1))
    for found in _YEAR_ANY.finditer(low):
        year = int(found.group(1))
        before = low[: found.start()]
        if ok(year) and not re.search(r"(?:dp|cicilan|angsuran|km|rp\.?)\s*$", before):
            return year, year
    if found := _YEAR_SHORT.search(low):
        year = 2000 + int(found.group(1))
        if ok(year):
            return year, year
    return None, None


def _amount(number: str, unit: str | None) -> int | None:
    """Rupiah from a number and its unit; a number without unit is millions (`150`)."""
    unit = (unit or "").strip()
    text = number
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        value = float(re.sub(r"[.,]", "", text))  # 150.000.000
    else:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            return None
    if unit in ("m", "miliar", "milyar"):
        value *= MILIAR
    elif unit in ("rb", "k"):
        value *= 1000
    elif value < 10_000:  # juta, jt, an, or no unit: millions
        value *= JUTA
    rupiah = round(value)
    return rupiah if MIN_CAR_PRICE_IDR <= rupiah <= MAX_CAR_PRICE_IDR else None


def _words_to_digits(text: str) -> str:
    """`dibawah seratus lima puluh juta` -> `dibawah 150 juta`."""

    def value(match: re.Match[str]) -> str:
        words = match.group(1)
        if not words.strip():
            return match.group(0)
        total = 0
        for amount, unit in ((100, "ratus"), (10, "puluh")):
            found = re.search(r"(se|\w+)\s?" + unit, words)
            if found:
                total += amount * (
                    1 if found.group(1) == "se" else _DIGIT_WORDS.get(found.group(1), 0)
                )
                words = words.replace(found.group(0), " ")
        last = words.split()
        total += _DIGIT_WORDS.get(last[-1], 0) if last else 0
        return f"{total} " if total else match.group(0)

    return _AMOUNT_WORDS.sub(value, text)


def _prices(low: str, norm: str) -> tuple[int | None, int | None]:
    low_idr, high_idr, _ = _price_reading(low)
    return low_idr, high_idr


# "sekitar 150", "kisaran 200", "150an", "200 jutaan": a budget around an amount, not a ceiling
_AROUND_CUE = re.compile(r"\s*(?:sekitar|kisaran|range|around|seharga|kira kira|kira2)\b")
_AROUND_UNITS = ("an", "juta an", "jutaan")


def _price_reading(low: str) -> tuple[int | None, int | None, bool]:
    """(lowest, highest, around): the price the buyer states; `around` when the highest is
    an amount to come near ("budget 400an", "sekitar 150") rather than a ceiling."""
    text = _words_to_digits(re.sub(r"https?://\S+", " ", low))
    for found in _PRICE_RANGE.finditer(text):
        before = text[: found.start()]
        a, b = found.group(1), found.group(2)
        unit = found.group(3)
        if re.fullmatch(r"(19|20)\d\d", a) and re.fullmatch(r"(19|20)\d\d", b):
            continue  # a range of years
        cued = re.search(r"(?:harga|kisaran|range|budget|antara|sekitar|dana|rp\.?)\s*$", before)
        if not (cued or unit) or _NOT_PRICE_BEFORE.search(before):
            continue
        low_idr, high_idr = _amount(a, unit), _amount(b, unit)
        if low_idr and high_idr and low_idr <= high_idr:
            return low_idr, high_idr, False
    for found in _PRICE_MAX_CUE.finditer(text):
        number, unit = found.group(1), found.group(2)
        if re.fullmatch(r"(19|20)\d\d", number) and not unit:
            continue  # "dibawah 2015": a year
        value = _amount(number, unit)
        if value:
            around = bool(_AROUND_CUE.match(found.group(0))) or (unit or "") in _AROUND_UNITS
            around = around or text[found.end() :].lstrip().startswith("an")
            return None, value, around
    for pattern in (_PRICE_UNIT, _PRICE_AN):
        for found in pattern.finditer(text):
            if _NOT_PRICE_BEFORE.search(text[: found.start()]):
                continue
            number = found.group(1)
            unit = found.group(2) if pattern is _PRICE_UNIT else "an"
            if pattern is _PRICE_AN and re.fullmatch(r"(19|20)\d\d", number):
                continue  # "2018an": a year
            value = _amount(number, unit)
            if value:
                return None, value, unit in _AROUND_UNITS
    return None, None, False


def _transmission(raw: str, norm: str) -> str | None:
    return _transmission_reading(raw)[0]


def _transmission_reading(raw: str) -> tuple[str | None, str | None]:
    """(the transmission required, one the buyer accepts): "manual gpp" requires none and
    accepts Manual; "matic atau manual" neither."""
    words = [w for w in words_of(raw) if w]
    english = bool(_ENGLISH.intersection(words))
    found: list[tuple[int, str]] = []
    accepted: list[str] = []
    for i, word in enumerate(words):
        value = _ANY_TRANSMISSION.get(word)
        if value is None or (word == "at" and english) or (word == "auto" and not english):
            continue
        after = " ".join(words[i + 1 : i + 4])
        if any(f" {after} ".startswith(f" {p} ") for p in _DONT_CARE) or any(
            f" {p}" in f" {after}" for p in ("gpp", "gapapa", "ga papa", "gak papa", "boleh")
        ):
            accepted.append(value)  # "manual gpp": either will do
            continue
        found.append((i, value))
    values = {value for _, value in found}
    required = found[0][1] if len(values) == 1 else None  # none, or "matic atau manual"
    return required, accepted[0] if len(set(accepted)) == 1 and not found else None


def _seats(low: str) -> int | None:
    for found in _SEATS.finditer(low):
        number = next(g for g in found.groups() if g)
        seats = _WORD_NUMBERS.get(number) or int(number)
        if 2 <= seats <= 16:
            return seats
    return None


def _dp(low: str) -> tuple[int | None, int | None]:
    found = _DP.search(low)
    if found is None:
        return None, None
    number, unit, percent = found.group(1), found.group(2), found.group(3)
    if percent:
        try:
            share = round(float(number.replace(",", ".")))
        except ValueError:
            return None, None
        return (None, share) if 0 <= share <= 100 else (None, None)
    return _amount(number, unit), None


def _dp_is_low(norm: str, dp_idr: int | None, dp_pct: int | None) -> bool:
    if _has(norm, *_DP_LOW_WORDS):
        return True
    if dp_pct is not None:
        return dp_pct < USUAL_MIN_DP_PCT
    return dp_idr is not None and dp_idr < USUAL_MIN_DP_IDR


def _tenor(low: str) -> int | None:
    if found := _TENOR.search(low):
        years = int(found.group(1))
        return years if 1 <= years <= 7 else None
    if found := _TENOR_MONTHS.search(low):
        months = int(found.group(1))
        return months // 12 if months % 12 == 0 and 12 <= months <= 84 else None
    return None
