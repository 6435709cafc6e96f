"""The listing parser on what Indonesian sellers really write."""

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.listing import (
    Answer,
    Doubt,
    looks_like_listing,
    parse_listing,
    parse_mileage,
    parse_price,
    parse_year,
    read_answer,
    read_model_answer,
)

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = ("listings.jsonl", "listings_more.jsonl", "listings_own.jsonl")
CORE = ("make", "model", "year", "transmission", "mileage_km", "price_idr")
TARGET_CORE = 0.98
TARGET_FULLY_RIGHT = 0.90
TODAY = dt.date(2026, 12, 1)  # the fixtures were written then: "2027" is next year's model


def rows(name: str) -> list[dict]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [row for row in map(json.loads, filter(str.strip, lines)) if "_rules" not in row]


SHARED = rows("listings.jsonl")


@pytest.mark.parametrize("case", SHARED, ids=[c["text"][8:40] for c in SHARED])
def test_the_shared_listings_core_fields(case):
    draft = parse_listing(case["text"], today=TODAY).to_dict()
    for key in CORE:
        assert draft[key] == case["expected"][key], key


def score(cases: list[dict]) -> tuple[int, int, int, list[str]]:
    """(core fields right, fully right rows, crashes, what is wrong)"""
    core_right = fully_right = crashes = 0
    wrong: list[str] = []
    for case in cases:
        try:
            draft = parse_listing(case["text"], today=TODAY).to_dict()
        except Exception as error:  # counted, never hidden
            crashes += 1
            wrong.append(f"CRASH {error!r}: {case['text']!r}")
            continue
        expected = case["expected"]
        core_right += sum(draft.get(key) == expected.get(key) for key in CORE)
        differences = {k: (draft.get(k), v) for k, v in expected.items() if draft.get(k) != v}
        if differences:
            wrong.append(f"{case['text']!r}: {differences}")
        else:
            fully_right += 1
    return core_right, fully_right, crashes, wrong


def test_the_fixtures_are_read_within_the_targets():
    total_core = total_rows = total_right = total_crashes = 0
    report, wrong_rows = [], []
    for name in FIXTURE_FILES:
        cases = rows(name)
        core_right, fully_right, crashes, wrong = score(cases)
        report.append(
            f"{name}: core fields {core_right / (len(cases) * len(CORE)):.1%}, fully right "
            f"{fully_right / len(cases):.1%} ({fully_right}/{len(cases)}), crashes {crashes}"
        )
        total_core += core_right
        total_rows += len(cases)
        total_right += fully_right
        total_crashes += crashes
        wrong_rows += wrong
    core, full = total_core / (total_rows * len(CORE)), total_right / total_rows
    report.append(f"overall: core fields {core:.1%}, fully right {full:.1%}, {total_rows} rows")
    print("\n" + "\n".join(report + wrong_rows))
    assert total_crashes == 0, wrong_rows
    assert core >= TARGET_CORE and full >= TARGET_FULLY_RIGHT, "\n".join(report + wrong_rows)
    assert len(rows("listings_own.jsonl")) >= 120


# -- the bugs measured on the old parser, one row each ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # thousands with commas crashed (ValueError)
            "/upload Toyota Alphard 2.5 X AT 2018 hitam\nodometer: 59,702\nharga Rp 570,000,000 "
            "(nett)",
            {"year": 2018, "mileage_km": 59_702, "price_idr": 570_000_000, "variant": "2.5 X"},
        ),
        ("/upload Honda Jazz RS 2015 DP 30,000,000", {"price_idr": None, "dp_idr": 30_000_000}),
        ("/upload Toyota Avanza 2015 km 1,200,000 150jt", {"mileage_km": 1_200_000}),
        ("harga " + "9" * 400, {"price_idr": None}),  # OverflowError
        # a trim letter before the year was read as a plate, and the year was lost
        (
            "/upload Toyota Avanza G 2019 AT km 67rb harga 165jt",
            {"variant": "G", "year": 2019, "transmission": "Matic", "mileage_km": 67_000},
        ),
        ("/upload Vios G 2014 AT 110jt", {"model": "Vios", "variant": "G", "year": 2014}),
        ("/upload HRV E 2016 AT 210jt", {"model": "HR-V", "variant": "E", "year": 2016}),
        ("/upload Sienta V 2017 CVT 178jt", {"model": "Sienta", "variant": "V", "year": 2017}),
        (
            "/upload Mercedes C200 AMG Line 2017 435jt",
            {"make": "Mercedes-Benz", "model": "C-Class", "variant": "C200 AMG Line"},
        ),
        ("/upload Wuling Air ev 2022 170jt", {"model": "Air ev", "fuel": "Listrik"}),
        # the year was taken as the mileage
        ("/upload Avanza 2016 KM 67,000 128jt", {"year": 2016, "mileage_km": 67_000}),
        ("/upload Avanza 2016 km cuma 67rb 128jt", {"year": 2016, "mileage_km": 67_000}),
        ("/upload Avanza 2016 km 6x.xxx 128jt", {"year": 2016, "mileage_km": None}),
        ("/upload Avanza 2016 km 67.5rb 128jt", {"year": 2016, "mileage_km": 67_500}),
        ("/upload Xenia R 2015 km aman 105jt", {"year": 2015, "mileage_km": None}),
        ("/upload Freed 2013 odometer: 145,515 148jt", {"mileage_km": 145_515}),  # was 146
        (  # was Rp 165.000.000.000.000.000 ("M" of the next line)
            "/upload Avanza 2015 Harga 165.000.000\nM/T",
            {"price_idr": 165_000_000, "transmission": "Manual"},
        ),
        (  # the trim was read as Rp 1 miliar
            "/upload Ayla 1.0 M MT 2017 km 60rb 85.000.000",
            {"price_idr": 85_000_000, "variant": "1.0 M"},
        ),
        # values were invented
        ("/upload Sigra R MT 118jt, pajak s/d 2026", {"year": None, "tax_until": "2026"}),
        ("/upload Agya G MT 88jt. WA 0812-2017-3344", {"year": None}),
        (
            "/upload Rush S AT 2018 185jt, garansi mesin 1 thn / 10.000 km",
            {"mileage_km": None, "year": 2018},
        ),
        ("/upload Innova 2015 190jt, ganti oli tiap 5000 km", {"mileage_km": None}),
        ("/upload Xpander GLS MT 2019 TDP 25jt", {"price_idr": None, "dp_idr": 25_000_000}),
        ("/upload Ertiga GL MT 2018 Cukup bayar 30jt", {"price_idr": None}),
        (
            "/upload Fortuner VRZ 2018 Kredit 175jt / Cash 165jt",
            {"price_idr": 165_000_000, "credit_price_idr": 175_000_000},
        ),
    ],
)
def test_the_bugs_of_the_old_parser(text, expected):
    draft = parse_listing(text, today=TODAY).to_dict()
    assert {key: draft.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "price", "km"),
    [
        # a bare number right after a price label is the price even when "km" follows it:
        # that km labels the number after it
        ("Avanza G 2019 MT harga 150 km 60rb", 150_000_000, 60_000),
        ("thn 2015 Xenia R 1.3 MT hrg 105 km 95rb", 105_000_000, 95_000),
        ("Brio E 2018 harganya 125 km 55rb", 125_000_000, 55_000),
        ("Brio E 2018 price 125 km 55.000", 125_000_000, 55_000),
        ("Brio E 2018 Rp 125 km 55rb", 125_000_000, 55_000),
        ("Brio E 2018 harga 125 km 55rb nego", 125_000_000, 55_000),
        # the km still belongs to the number before it when no number follows, or no label
        ("Avanza 2018 145.515 km 150jt", 150_000_000, 145_515),
        ("Avanza 2018 harga 150jt 60.000 km", 150_000_000, 60_000),
    ],
)
def test_a_bare_price_before_km(text, price, km):
    draft = parse_listing(text, today=TODAY)
    assert (draft.price_idr, draft.mileage_km) == (price, km)


@pytest.mark.parametrize(
    ("text", "price"),
    [
        # a bare two- or three-digit number closing a listing that states no other price is
        # the price in millions, when the car's age makes it plausible
        ("Honda jazz gk5 2017 rs cvt pjk mati 2025 nego halus 190", 190_000_000),
        ("Xenia X MT 2012 silver km 140rb nett 95", 95_000_000),
        ("Avanza G AT 2016 hitam km 90rb, pas 135 aja", 135_000_000),
        ("Grand Livina SV AT 2014 km 110rb bu 95 nego", 95_000_000),
        ("ertiga 2016 manual 125", 125_000_000),
        ("Brio RS 2019 AT putih 165", 165_000_000),
        ("Xpander 2020 ultimate 250 nego, hub 0812-3456-7890", 250_000_000),
        ("Toyota Kijang Super 1995 MT nego 35", 35_000_000),
        # no price: another number's place, an implausible size, no year, or a price stated
        ("Pajero Sport Dakar 2018 putih km 80rb, velg ring 18", None),
        ("Avanza G AT 2019 putih nego 15", None),  # Rp 15 jt for a car of seven years
        ("Avanza G AT 2025 putih 60", None),
        ("Avanza G AT putih km 60rb 150", None),  # no year to judge by
        ("Avanza G AT 2019 165, km 60rb", None),  # not the end of the listing
        ("Avanza G 2019 DP 30jt angsuran 3,5jt 47", None),  # a credit offer, no price
        ("Avanza G 2019 AT harga 4xx nego 165", None),  # the price is stated, hidden
        ("Land Cruiser 200 VX-R 2010", None),  # part of the name
        ("Innova 2015 garansi mesin 12", None),
        ("Avanza 2019 AT 1500", None),
        ("cari honda jazz 2017 max 200", None),  # a buyer's budget
    ],
)
def test_a_bare_price_at_the_end(text, price):
    assert parse_listing(text, today=TODAY).price_idr == price


def test_a_price_and_a_mileage_corrected_in_one_line():
    assert parse_price("harga 135 km 45rb") == 135_000_000
    assert parse_mileage("harga 135 km 45rb") == 45_000
    draft = parse_listing("harga 135 km 45rb", today=TODAY)
    assert (draft.price_idr, draft.mileage_km) == (135_000_000, 45_000)


@pytest.mark.parametrize(
    ("text", "year", "km"),
    [
        # a warranty phrase first ends at its full stop, "thn." and "km." included: the car's
        # year and mileage after it are no part of the warranty
        ("Garansi mesin 1 thn. Avanza G 1.3 AT 2017 km 85rb harga 140jt", 2017, 85_000),
        ("garansi mesin 1 th. Avanza G 1.3 AT 2017 km 85rb harga 140jt", 2017, 85_000),
        (
            "Servis record sampai 100rb km, garansi mesin 1 thn. Avanza G AT 2017 km 85rb 140jt",
            2017,
            85_000,
        ),
        ("Garansi mesin 6 bln / 10.000 km. Sigra R MT 2019 km 50rb harga 115jt", 2019, 50_000),
        ("Avanza G AT 2017 km 85rb harga 140jt. Garansi mesin 1 thn.", 2017, 85_000),
        # an abbreviation before its number still labels it
        ("Avanza G AT th. 2017 km. 85rb harga 140jt", 2017, 85_000),
        ("Avanza G AT 2017 140jt, garansi 1 thn. 10rb km", 2017, None),
    ],
)
def test_a_warranty_phrase_first(text, year, km):
    draft = parse_listing(text, today=TODAY)
    assert (draft.year, draft.mileage_km) == (year, km)


def test_a_correction_with_commas_does_not_crash():
    assert parse_price("160,000,000") == 160_000_000
    assert parse_price("#T03 160,000,000") == 160_000_000  # /harga #T03 160,000,000


# -- numbers as sellers write them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("145jt", 145_000_000),
        ("145 juta", 145_000_000),
        ("97,5jt", 97_500_000),
        ("97.5jt", 97_500_000),
        ("1,2M", 1_200_000_000),
        ("1.195 M", 1_195_000_000),
        ("1,2 miliar", 1_200_000_000),
        ("1,2 milyar", 1_200_000_000),
        ("Rp 175.000.000", 175_000_000),
        ("Rp. 175.000.000,-", 175_000_000),
        ("Rp 175,000,000", 175_000_000),
        ("Rp 175.000.000,00", 175_000_000),
        ("Rp 175 000 000", 175_000_000),
        ("harga 120", 120_000_000),
        ("HARGA 95JT", 95_000_000),
        ("hrg: 88,5 jt", 88_500_000),
        ("Rp175jt", 175_000_000),
        ("harga 125.000.000", 125_000_000),
        ("harganya 145 aja", 145_000_000),
        ("IDR 525,000,000", 525_000_000),
        ("harga 1.150.000.000", 1_150_000_000),
    ],
)
def test_prices(text, price):
    assert parse_listing(f"/upload Honda Jazz 2015 {text}", today=TODAY).price_idr == price
    assert parse_price(text) == price


@pytest.mark.parametrize(
    ("text", "km", "approx"),
    [
        ("km 67rb", 67_000, False),
        ("145 ribu km", 145_000, False),
        ("KM 145515", 145_515, False),
        ("145.515 km", 145_515, False),
        ("odometer 28.xxx", 28_000, True),
        ("km 76rban", 76_000, True),
        ("km 20rb an", 20_000, True),
        ("kilometer 80 ribuan", 80_000, True),
        ("km 70 rb", 70_000, False),
        ("KM: 120.000", 120_000, False),
        ("km 45k", 45_000, False),
        ("67,000km", 67_000, False),
        ("odo 45ribu", 45_000, False),
    ],
)
def test_mileages(text, km, approx):
    draft = parse_listing(f"/upload Toyota Avanza 2018 {text} 150jt", today=TODAY)
    assert draft.mileage_km == km
    assert draft.extras.get("mileage_approx", False) is approx
    assert draft.price_idr == 150_000_000
    assert parse_mileage(text) == km


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Yaris '14", 2014),
        ("Yaris \u201914", 2014),
        ("Yaris \u201814", 2014),
        ("Yaris `14", 2014),
        ("Yaris \u00b414", 2014),
        ("Yaris thn 2016", 2016),
        ("Yaris tahun: 2011", 2011),
        ("Yaris 2019", 2019),
        ("Yaris th 2009", 2009),
        ("Yaris thn 09", 2009),
        ("Kijang '98", 1998),
        ("Rush 2013/2014", 2013),
        ("Alphard 2010 build up, reg 2011", 2010),
        ("Fortuner 2017 (Nik 2016)", 2017),
        ("Xpander 2019an", 2019),
        ("Yaris taun 2015", 2015),
    ],
)
def test_years(text, year):
    assert parse_listing(f"/upload {text} 100jt", today=TODAY).year == year


@pytest.mark.parametrize(
    ("word", "transmission"),
    [
        ("AT", "Matic"),
        ("MT", "Manual"),
        ("CVT", "Matic"),
        ("e-CVT", "Matic"),
        ("IVT", "Matic"),
        ("DCT", "Matic"),
        ("AGS", "Matic"),
        ("matic", "Matic"),
        ("otomatis", "Matic"),
        ("manual", "Manual"),
        ("A/T", "Matic"),
        ("M/T", "Manual"),
        ("automatic", "Matic"),
        ("ATPM", None),
    ],
)
def test_transmissions(word, transmission):
    assert parse_listing(f"/upload Brio {word} 2018 120jt").transmission == transmission


@pytest.mark.parametrize(
    ("text", "make", "model"),
    [
        ("freed 2012", "Honda", "Freed"),
        ("toyta avanza 2015", "Toyota", "Avanza"),
        ("XPANDER ULTIMATE 2019", "Mitsubishi", "Xpander"),
        ("xpanderr exceed 2019", "Mitsubishi", "Xpander"),
        ("hrv 1.5 e 2016", "Honda", "HR-V"),
        ("Fortuner VRZ 2017", "Toyota", "Fortuner"),
        ("daihatsu xenia 2014", "Daihatsu", "Xenia"),
        ("ertiga gx 2019", "Suzuki", "Ertiga"),
        ("mercy c200 2015", "Mercedes-Benz", "C-Class"),
        ("inova reborn 2017", "Toyota", "Kijang Innova"),
        ("toyota alpard 2016", "Toyota", "Alphard"),
        ("grandlivina 2012", "Nissan", "Grand Livina"),
        ("Mini Cooper S 2016", "Mini", "Cooper"),
        ("Mazda 3 2019", "Mazda", "Mazda3"),
        ("pajero dakar 2018", "Mitsubishi", "Pajero Sport"),
        ("Veloz 2019", "Toyota", "Avanza"),  # the Veloz trim of the Avanza until 2021
        ("Veloz 2022", "Toyota", "Veloz"),
    ],
)
def test_makes_and_models(text, make, model):
    draft = parse_listing(f"/upload {text} 200jt", today=TODAY)
    assert (draft.make, draft.model) == (make, model)


@pytest.mark.parametrize(
    ("text", "make", "model", "variant"),
    [
        # nameplates of the used-car market the vocabulary lacked
        ("Toyota Harrier 2.0 Premium 2015 AT", "Toyota", "Harrier", "2.0 Premium"),
        ("Toyota Crown Royal Saloon 3.0 2006", "Toyota", "Crown", "Royal Saloon 3.0"),
        ("Toyota Corona Absolute 1997", "Toyota", "Corona", "Absolute"),
        ("Mitsubishi Galant V6 1998", "Mitsubishi", "Galant", "V6"),
        ("Nissan Terrano Kingroad 2003", "Nissan", "Terrano", "Kingroad"),
        ("Hyundai Accent GLS 2003", "Hyundai", "Accent", "GLS"),  # GLS: a trim, not the Mercedes
        ("Mercedes Tiger 1983", "Mercedes-Benz", "Tiger", None),  # the W123
        ("Mercy W124 1992", "Mercedes-Benz", "Boxer", "W124"),
        ("VW Combi 1978", "Volkswagen", "Combi", None),
        ("VW Kombi 1978", "Volkswagen", "Combi", None),
        ("VW Beetle 1972", "Volkswagen", "Beetle", None),
        ("VW Kodok 1972", "Volkswagen", "Beetle", None),  # a nickname is no variant
        ("Toyota Hardtop FJ40 1979", "Toyota", "Land Cruiser", "Hardtop FJ40"),
        ("Toyota Kijang Super 1.5 1994", "Toyota", "Kijang", "Super 1.5"),
        ("Kijang Grand Extra 1996", "Toyota", "Kijang", "Grand Extra"),
        ("Toyota Corolla DX 1984", "Toyota", "Corolla", "DX"),
        # the old Suzuki Vitara (Sidekick) is its own nameplate, not the Grand Vitara
        ("Suzuki Vitara 1995", "Suzuki", "Vitara", None),
        ("Suzuki Sidekick 1995", "Suzuki", "Vitara", None),
        ("Suzuki Grand Vitara 2.4 2011", "Suzuki", "Grand Vitara", "2.4"),
    ],
)
def test_old_nameplates_and_nicknames(text, make, model, variant):
    draft = parse_listing(f"{text} 90jt", today=TODAY)
    assert (draft.make, draft.model, draft.variant) == (make, model, variant)


@pytest.mark.parametrize(
    ("text", "model", "variant"),
    [
        # a nameplate the vocabulary does not know, after a known make, is the model
        ("Nissan Cedric V6 3.0 AT 1996", "Cedric", "V6 3.0"),
        ("Honda Prelude 2.0 MT 1990", "Prelude", "2.0"),
        ("HONDA PRELUDE 2.0 MT 1990", "Prelude", "2.0"),
        ("toyota celica gt four 1994", "Celica", "GT Four"),  # not a typo of Mitsubishi Delica
        ("Hyundai Excel GLS 1995", "Excel", "GLS"),  # GLS: a trim here, not the Mercedes
        ("Toyota New Celica 1995", "Celica", None),
        ("Mazda mr2 1992", "MR2", None),
        ("Daihatsu Hijet 1.0 pick up 1990", "Hijet", "1.0 Pick Up"),
        ("Nissan Cedric Brougham 1990", "Cedric Brougham", None),  # typed as one name
        ("nissan cedric brougham 1990", "Cedric", "Brougham"),
        ("Toyota Celica Premium 1994", "Celica", "Premium"),  # a trim is no part of the name
        # no model where no name is written
        ("Toyota 2015", None, None),
        ("jual toyota bekas 2015", None, None),
        ("Toyota matic 2015", None, None),
        ("Toyota putih 2015", None, None),
        ("Honda tahun 2015", None, None),
        ("Honda harga 150jt 2015", None, None),
        ("Suzuki mulus 2015", None, None),
        ("mobil mini 2015", None, None),  # "mini" is no Mini here
        ("Toyota Astra 2015", None, None),  # the dealer, not an Opel Astra
        ("Toyota Astra Avanza 2015", "Avanza", None),
    ],
)
def test_a_model_the_vocabulary_does_not_know_follows_its_make(text, model, variant):
    draft = parse_listing(f"{text} 90jt", today=TODAY)
    assert (draft.model, draft.variant) == (model, variant)


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("Nissan Cedric 1996", "Cedric"),
        ("Nissan Cedric harga 40jt", "Cedric"),
        ("Nissan Cedric", None),  # offers no car: no year, no price
        ("Toyota sekarang mahal ya", None),
        ("Honda gimana kak", None),
    ],
)
def test_an_unknown_model_only_in_a_text_offering_a_car(text, model):
    assert parse_listing(text, today=TODAY).model == model


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Harrier", ("Toyota", "Harrier")),
        ("inova", ("Toyota", "Kijang Innova")),
        ("Toyota", ("Toyota", None)),
        ("toyota crown", ("Toyota", "Crown")),
        ("Cedric", (None, "Cedric")),
        ("Nissan cedric", ("Nissan", "Cedric")),
        ("Nissan Cedric kak", ("Nissan", "Cedric")),
        ("itu Honda Prelude", ("Honda", "Prelude")),
        ("Crown Majesta", ("Toyota", "Crown")),
        ("Nissan Cedric Brougham", ("Nissan", "Cedric Brougham")),
        ("mazda familia 1.6", ("Mazda", None)),  # a model of letters and digits only
        ("Peugeot 405", ("Peugeot", "405")),
        ("Toyota 2015", ("Toyota", None)),
        ("gimana", (None, None)),
        ("kak", (None, None)),
        ("yang merah", (None, None)),
        ("150", (None, None)),
        ("mobil apa?", (None, None)),
        ("ok", (None, None)),
        ("tidak tahu", (None, None)),
        ("sudah", (None, None)),
        ("harga 150jt", (None, None)),
        ("", (None, None)),
    ],
)
def test_read_model_answer(text, answer):
    assert read_model_answer(text) == answer


def test_caps_emojis_line_breaks_and_any_order():
    draft = parse_listing("/upload 🔥🔥 HARGA 210JT 🔥\nkm 40rb\nTHN 2019\nTOYOTA RUSH S AT 🚗")
    assert (draft.make, draft.model, draft.year, draft.transmission) == (
        "Toyota",
        "Rush",
        2019,
        "Matic",
    )
    assert (draft.mileage_km, draft.price_idr) == (40_000, 210_000_000)


def test_not_fooled_by_credit_amounts_addresses_plates_or_a_second_year():
    text = (
        "/upload Terios R AT 2019 Nik 2016 DP 25jt angsuran 4,5jt x 47 plat B ATPM\n"
        "A/n perorangan, lokasi Jl. Raya Km.6 Surabaya\nharga 195jt"
    )
    draft = parse_listing(text)
    assert draft.year == 2019 and draft.extras["nik_year"] == 2016
    assert draft.price_idr == 195_000_000
    assert draft.extras["dp_idr"] == 25_000_000
    assert (draft.extras["installment_idr"], draft.extras["tenor_months"]) == (4_500_000, 47)
    assert draft.mileage_km is None  # "Km.6" is an address
    assert draft.extras["plate_area"] == "B" and draft.extras["owner_type"] == "perorangan"
    assert draft.transmission == "Matic"


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("Fortuner 2017 345jt\nNopol B 1234 XYZ", "B 1234 XYZ"),
        ("Jazz 2014 plat AB 1234 CD (Jogja) 150jt", "AB 1234 CD"),
        ("Xenia 2017 plat AD 2015 KL 125jt", "AD 2015 KL"),
        ("Mobilio 2017 B1234KZT 155jt", "B 1234 KZT"),
    ],
)
def test_plates_are_never_a_year_or_a_price(text, plate):
    draft = parse_listing(f"/upload {text}", today=TODAY)
    assert draft.extras["plate_number"] == plate
    assert draft.year is not None and draft.year != 2015 and draft.price_idr is not None


def test_a_plate_with_year_like_digits_leaves_the_year_empty():
    draft = parse_listing("/upload Ayla X MT 95jt nopol B 2019 TKK", today=TODAY)
    assert draft.year is None and draft.extras["plate_number"] == "B 2019 TKK"


@pytest.mark.parametrize(
    ("text", "extras"),
    [
        ("harga 150jt nego tipis", {"negotiable": True}),
        ("harga 150jt no nego", {"negotiable": False}),
        ("harga pas 150jt", {"negotiable": False}),
        ("150jt nett", {"negotiable": False}),
        ("150jt, BU", {"urgent_sale": True}),
        ("150jt, butuh uang", {"urgent_sale": True}),
        ("150jt bisa tukar tambah", {"trade_in": True}),
        ("150jt TT welcome", {"trade_in": True}),
        ("150jt tangan pertama", {"ownership": "tangan pertama"}),
        ("150jt first hand", {"ownership": "tangan pertama"}),
        ("150jt a/n pribadi", {"owner_type": "pribadi"}),
        ("150jt plat B genap", {"plate_area": "B", "plate_parity": "genap"}),
        ("150jt pajak 09/25", {"tax_until": "2025-09"}),
        ("150jt Pajak : Hidup (10/2026)", {"tax_status": "hidup", "tax_until": "2026-10"}),
        ("150jt pajak Mei 2026", {"tax_until": "2026-05"}),
        ("150jt DP 30jt angsuran 4,5jt x 47", {"dp_idr": 30 * 10**6, "tenor_months": 47}),
        (
            "150jt angsuran 5,5jt/bln tenor 4 thn",
            {"installment_idr": 5_500_000, "tenor_months": 48},
        ),
        ("km 20rb an 150jt", {"mileage_approx": True}),
    ],
)
def test_extras(text, extras):
    draft = parse_listing(f"/upload Toyota Avanza G 2019 AT {text}", today=TODAY)
    assert {key: draft.extras.get(key) for key in extras} == extras
    assert draft.price_idr == 150_000_000


@pytest.mark.parametrize(
    ("text", "variant", "former_use"),
    [
        # a former taxi, rental or official car: not a trim, and said as an extra
        ("Vios limo 2015 ex taksi km 300rb", "Limo", "taksi"),
        ("Vios G ex taksi 2014 km 350rb", "G", "taksi"),
        ("Toyota Limo 1.5 MT 2016 putih eks taxi", "1.5", "taksi"),
        ("Avanza E MT 2017 hitam bekas rental", "E", "rental"),
        ("Innova G 2.0 MT ex dinas 2014", "G 2.0", "dinas"),
        ("Xenia R ex kantor 2016", "R", "kantor"),
        ("Avanza G ex grab 2019", "G", "taksi online"),
        ("Honda Civic EX 2001 AT", "EX", None),  # a trim
        ("Mobilio E 2016 ex pemakaian pribadi", "E", "pribadi"),
        ("Brio Satya E bekas pakai 2016", "E", None),
    ],
)
def test_a_former_use_is_no_trim(text, variant, former_use):
    draft = parse_listing(f"{text} 90jt", today=TODAY)
    assert (draft.variant, draft.extras.get("former_use")) == (variant, former_use)


def test_nothing_is_invented():
    draft = parse_listing("/upload Honda Jazz 2015 150jt")
    assert (draft.transmission, draft.color, draft.fuel, draft.mileage_km, draft.variant) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert draft.extras == {} and draft.doubtful == {}


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("/upload Honda Jazz 2015 150jt", []),
        ("/upload Honda Jazz 150jt", ["year"]),
        ("/upload Jazz 2015", ["price_idr"]),
        ("/upload mobil bagus murah", ["model", "year", "price_idr"]),
        ("/upload Toyota 2015 150jt", ["model"]),
        ("/upload Avanza 2015 harga PM", ["price_idr"]),
        ("/upload Avanza 2015 harga 4xx nego", ["price_idr"]),
    ],
)
def test_missing_required_fields_are_named(text, missing):
    assert parse_listing(text).missing == missing


# -- doubts ---------------------------------------------------------------------------------


def test_a_future_year_is_not_a_year_but_a_doubt():
    draft = parse_listing("/upload Brio 2031 120jt", today=dt.date(2026, 11, 29))
    assert draft.year is None and draft.missing == ["year"]
    assert draft.doubtful["year"] == Doubt(2031, "year_in_future", kept=False)


def test_next_years_model_is_kept_and_flagged():
    draft = parse_listing("/upload Brio 2027 220jt", today=dt.date(2026, 11, 29))
    assert draft.year == 2027 and draft.doubtful["year"].kept


@pytest.mark.parametrize(
    ("text", "field", "doubt"),
    [
        ("2019 harga 165000000jt", "price_idr", Doubt(165 * 10**12, "price_too_high", False)),
        ("2019 harga 1,2jt", "price_idr", Doubt(1_200_000, "price_too_low", False)),
        ("2019 150jt km 1,200,000", "mileage_km", Doubt(1_200_000, "mileage_over_a_million", True)),
        ("2019 150jt km 2.000.000", "mileage_km", Doubt(2_000_000, "mileage_too_high", False)),
        ("2019 150jt km 900rb", "mileage_km", Doubt(900_000, "mileage_high_for_age", True)),
        ("2019 150jt km 500", "mileage_km", Doubt(500, "mileage_low_for_age", True)),
        ("thn 1965 150jt", "year", Doubt(1965, "year_too_old", False)),
        ("thn 2030 150jt", "year", Doubt(2030, "year_in_future", False)),
        ("2019 harga 1,5", "price_idr", Doubt(1_500_000, "price_too_low", False)),
        ("2019 AT km 2jt 150jt", "mileage_km", Doubt(2_000_000, "mileage_too_high", False)),
        ("2010 AT km 1,2jt 90jt", "mileage_km", Doubt(1_200_000, "mileage_over_a_million", True)),
    ],
)
def test_absurd_values_are_reported_as_doubtful(text, field, doubt):
    draft = parse_listing(f"/upload Toyota Avanza {text}", today=TODAY)
    assert draft.doubtful[field] == doubt
    assert getattr(draft, field) == (doubt.value if doubt.kept else None)
    assert draft.to_dict()["doubtful"][field]["reason"] == doubt.reason


# -- short answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2019", 2019),
        ("tahun 2019", 2019),
        ("thn 19", 2019),
        ("'19", 2019),
        ("th. 2016", 2016),
        ("th.2019", 2019),
        ("thn '19", 2019),
        ("taun 19", 2019),
        ("tahun 19", 2019),
        ("2019an", 2019),
        ("2019 kak", 2019),
        # a bare two-digit number answers "tahun berapa?" (the year is what was asked)
        ("19", 2019),
        ("98", 1998),
        ("27", 2027),  # next year's model
        ("55", None),  # 1955 or 2055: no car's year, and too unsure to question
        ("150", None),
        ("2031", None),
        ("halo", None),
        ("km 55rb", None),
    ],
)
def test_parse_year(text, year):
    assert parse_year(text, today=TODAY) == year


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("150jt", 150_000_000),
        ("150", 150_000_000),
        ("Rp 150.000.000", 150_000_000),
        ("1,2M", 1_200_000_000),
        ("harga 140jt km 50rb", 140_000_000),
        ("DP 30jt", None),
        ("km 55rb", None),
        ("mahal", None),
        ("150000jt", None),
    ],
)
def test_parse_price(text, price):
    assert parse_price(text) == price


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("km 55rb", 55_000),
        ("kmnya 55rb", 55_000),
        ("55 ribu", 55_000),
        ("55rb", 55_000),
        ("55000", 55_000),
        ("55.000 km", 55_000),
        ("55", None),  # 55 km or 55 thousand: asked again, not guessed
        ("6x.xxx", None),
        ("150jt", None),
    ],
)
def test_parse_mileage(text, km):
    assert parse_mileage(text) == km


def test_an_answer_out_of_bounds_carries_its_doubt():
    answer = read_answer("harga 165000jt", "price_idr")
    assert answer.value is None and answer.doubt == Doubt(165_000_000_000, "price_too_high", False)
    assert read_answer("km 2jt", "mileage_km") == Answer(
        None, Doubt(2_000_000, "mileage_too_high", False)
    )
    assert read_answer("thn 2030", "year", today=TODAY) == Answer(
        None, Doubt(2030, "year_in_future", False)
    )
    assert read_answer("harga 1,5", "price_idr") == Answer(
        None, Doubt(1_500_000, "price_too_low", False)
    )


@pytest.mark.parametrize(("text", "price"), [("19", 19_000_000), ("15", 15_000_000)])
def test_a_bare_two_digit_price_answer_stays_a_price(text, price):
    assert read_answer(text, "price_idr", today=TODAY).value == price


# -- does it read as a listing? -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jual avanza 2019 matic 165jt",
        "jual brio 2018 matic 120jt",
        "Xpander Exceed AT 2019 km 50rb 205jt. Minat? hub 0812-3456-7890",
        "Toyota Fortuner VRZ 2017 hitam\nkm 98rb\nharga 345jt",
        "brio 2018 matic 120jt",
    ],
)
def test_listings_look_like_listings(text):
    assert looks_like_listing(text)


def test_every_fixture_listing_with_a_year_or_price_looks_like_one():
    cases = [case for name in FIXTURE_FILES for case in rows(name)]
    stated = [
        c
        for c in cases
        if c["expected"]["model"] and (c["expected"]["year"] or c["expected"]["price_idr"])
    ]
    assert [c["text"] for c in stated if not looks_like_listing(c["text"])] == []


@pytest.mark.parametrize(
    "text",
    [
        "halo",
        "p",
        "min",
        "mau jual mobil",
        "ada avanza matic?",
        "ada avanza matic dibawah 150?",
        "xpander 2020 ready?",
        "innova reborn diesel ada? max 300jt",
        "cari city car matic budget 100jt",
        "simulasi kredit fortuner th 2018 dong dp 100jt",
        "ok makasih kak",
        "assalamualaikum kak, xpander 2019 masih ada? bisa nego ga?",
        "kak ada brio rs matic tahun 2019 keatas?",
    ],
)
def test_chat_and_buyer_questions_do_not(text):
    assert not looks_like_listing(text)


# -- never a crash, never an invented value --------------------------------------------------

FRAGMENTS = [
    "harga", "hrg", "km", "odo", "thn", "tahun", "th", "DP", "TDP", "angsuran", "x", "cash",
    "kredit", "Rp", "Rp.", "jt", "juta", "rb", "ribu", "k", "M", "miliar", "'", "\u2019", "`",
    "/", "-", ",", ".", ":", "\n", " ", "(", ")", "%", "+62", "B", "AB", "XYZ", "s/d", "pajak",
    "garansi", "tiap", "Jl.", "Avanza", "G", "AT", "MT", "M/T", "xxx", "6x", "🔥", "\ud800",
    "\U0001F697", "2019", "1,2", "1.195", "165.000.000", "570,000,000", "9" * 40, "0812",
]  # fmt: skip
listing_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.integers(0, 10**12).map(str)), max_size=40
).map(" ".join)
any_text = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=100),
    st.text("0123456789.,xX' -/", max_size=200),
    listing_like,
)


def in_bounds(draft: dict) -> bool:
    latest = dt.date.today().year + 1
    return (
        (draft["year"] is None or 1970 <= draft["year"] <= latest)
        and (draft["price_idr"] is None or 5_000_000 <= draft["price_idr"] <= 50_000_000_000)
        and (draft["mileage_km"] is None or 0 <= draft["mileage_km"] <= 1_500_000)
    )


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_any_text_gives_a_draft_within_bounds_and_never_a_crash(text):
    draft = parse_listing(text).to_dict()
    json.dumps(draft)
    assert set(draft) >= {"make", "model", "year", "price_idr", "missing"}
    assert in_bounds(draft)
    assert parse_price(text) is None or 5_000_000 <= parse_price(text) <= 50_000_000_000
    assert parse_mileage(text) is None or 0 <= parse_mileage(text) <= 1_500_000
    assert parse_year(text) is None or 1970 <= parse_year(text) <= dt.date.today().year + 1
    looks_like_listing(text)
    if not any(c in "0123456789" for c in text):
        assert (draft["year"], draft["price_idr"], draft["mileage_km"]) == (None, None, None)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_characters="0123456789"), max_size=300))
def test_a_text_without_digits_states_no_year_price_or_mileage(text):
    draft = parse_listing(text)
    assert (draft.year, draft.price_idr, draft.mileage_km) == (None, None, None)
    assert parse_price(text) is None and parse_mileage(text) is None and parse_year(text) is None
