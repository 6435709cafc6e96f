"""The listing parser on what Indonesian sellers really write."""

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.listing import parse_listing, parse_mileage, parse_price

FIXTURES = Path(__file__).parent / "fixtures" / "listings.jsonl"  # copy of the shared sample
CASES = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
CORE = ("make", "model", "year", "transmission", "mileage_km", "price_idr")


@pytest.mark.parametrize("case", CASES, ids=[c["text"][8:40] for c in CASES])
def test_the_shared_listings_core_fields(case):
    draft = parse_listing(case["text"]).to_dict()
    for key in CORE:
        assert draft[key] == case["expected"][key], key


@pytest.mark.parametrize("case", CASES, ids=[c["text"][8:40] for c in CASES])
def test_the_shared_listings_every_stated_field(case):
    draft = parse_listing(case["text"]).to_dict()
    assert {k: draft.get(k) for k in case["expected"]} == case["expected"]


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("145jt", 145_000_000),
        ("145 juta", 145_000_000),
        ("97,5jt", 97_500_000),
        ("1,2M", 1_200_000_000),
        ("1.195 M", 1_195_000_000),
        ("1,2 miliar", 1_200_000_000),
        ("1,2 milyar", 1_200_000_000),
        ("Rp 175.000.000", 175_000_000),
        ("Rp. 175.000.000,-", 175_000_000),
        ("harga 120", 120_000_000),
        ("HARGA 95JT", 95_000_000),
        ("hrg: 88,5 jt", 88_500_000),
        ("Rp175jt", 175_000_000),
        ("harga 125.000.000", 125_000_000),
    ],
)
def test_prices(text, price):
    assert parse_listing(f"/upload Honda Jazz 2015 {text}").price_idr == price
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
        ("km 70 rb", 70_000, False),
        ("KM: 120.000", 120_000, False),
        ("km 45k", 45_000, False),
    ],
)
def test_mileages(text, km, approx):
    draft = parse_listing(f"/upload Toyota Avanza 2018 {text} 150jt")
    assert draft.mileage_km == km
    assert draft.extras.get("mileage_approx", False) is approx
    assert draft.price_idr == 150_000_000
    assert parse_mileage(text) == km


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Yaris '14", 2014),
        ("Yaris thn 2016", 2016),
        ("Yaris tahun: 2011", 2011),
        ("Yaris 2019", 2019),
        ("Yaris th 2009", 2009),
        ("Kijang '98", 1998),
    ],
)
def test_years(text, year):
    assert parse_listing(f"/upload {text} 100jt").year == year


@pytest.mark.parametrize(
    ("word", "transmission"),
    [
        ("AT", "Matic"),
        ("MT", "Manual"),
        ("CVT", "Matic"),
        ("matic", "Matic"),
        ("otomatis", "Matic"),
        ("manual", "Manual"),
        ("A/T", "Matic"),
        ("M/T", "Manual"),
        ("automatic", "Matic"),
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
        ("hrv 1.5 e 2016", "Honda", "HR-V"),
        ("Fortuner VRZ 2017", "Toyota", "Fortuner"),
        ("daihatsu xenia 2014", "Daihatsu", "Xenia"),
        ("ertiga gx 2019", "Suzuki", "Ertiga"),
        ("mercy c200 2015", "Mercedes-Benz", "C-Class"),
        ("inova reborn 2017", "Toyota", "Kijang Innova"),
    ],
)
def test_makes_and_models(text, make, model):
    draft = parse_listing(f"/upload {text} 200jt")
    assert (draft.make, draft.model) == (make, model)


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


def test_nothing_is_invented():
    draft = parse_listing("/upload Honda Jazz 2015 150jt")
    assert (draft.transmission, draft.color, draft.fuel, draft.mileage_km, draft.variant) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert draft.extras == {}


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("/upload Honda Jazz 2015 150jt", []),
        ("/upload Honda Jazz 150jt", ["year"]),
        ("/upload Jazz 2015", ["price_idr"]),
        ("/upload mobil bagus murah", ["model", "year", "price_idr"]),
        ("/upload Toyota 2015 150jt", ["model"]),
    ],
)
def test_missing_required_fields_are_named(text, missing):
    assert parse_listing(text).missing == missing


def test_a_future_year_is_not_a_year():
    draft = parse_listing("/upload Brio 2031 120jt", today=dt.date(2026, 11, 29))
    assert draft.year is None


@given(st.text(max_size=200))
def test_any_text_gives_a_draft_and_never_a_crash(text):
    draft = parse_listing(text).to_dict()
    assert set(draft) >= {"make", "model", "year", "price_idr", "missing"}
    assert draft["price_idr"] is None or draft["price_idr"] >= 1_000_000
    assert draft["year"] is None or 1970 <= draft["year"] <= dt.date.today().year + 1
