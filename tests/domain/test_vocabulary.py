"""Car names and the words around them, as the buyer side and the parser read them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.vocabulary import (
    Car,
    find_body,
    find_car,
    find_color,
    find_fuel,
    find_transmission,
    trim_casing,
    words_of,
)


@pytest.mark.parametrize(
    ("text", "car"),
    [
        ("ada avanza matic dibawah 150jt?", Car("Toyota", "Avanza")),
        ("xpander 2020", Car("Mitsubishi", "Xpander")),
        ("innova reborn diesel ada?", Car("Toyota", "Kijang Innova")),
        ("pajero dakar ready gan?", Car("Mitsubishi", "Pajero Sport")),
        ("Ada HRV? yg tahun 2018 ke atas", Car("Honda", "HR-V")),
        ("wuling air ev bekas ada kak?", Car("Wuling", "Air ev")),
        ("do you have any honda crv 2017 automatic?", Car("Honda", "CR-V")),
        ("toyta inova", Car("Toyota", "Kijang Innova")),  # typos
        ("Toyota Alpard", Car("Toyota", "Alphard")),
        ("mitsubshi xpanderr", Car("Mitsubishi", "Xpander")),
        ("hyundai stargazzer", Car("Hyundai", "Stargazer")),
        ("XL 7 Beta", Car("Suzuki", "XL7")),  # spaces and hyphens do not matter
        ("cx5 GT", Car("Mazda", "CX-5")),
        ("grandlivina", Car("Nissan", "Grand Livina")),
        ("Mazda 3 hatchback", Car("Mazda", "Mazda3")),
        ("Mini Cooper S", Car("Mini", "Cooper")),
        ("Honda City E", Car("Honda", "City")),  # a generic name with its make
        ("avanza, siap antar city", Car("Toyota", "Avanza")),  # without: another model wins
        ("bmw 320i record BMW Astra", Car("BMW", "3 Series")),
        ("toyota apa aja kak", Car("Toyota", None)),
        ("ada suzuki vitara?", Car("Suzuki", "Vitara")),  # the old Vitara, no Grand Vitara
        ("vw kodok", Car("Volkswagen", "Beetle")),
        ("mercy tiger", Car("Mercedes-Benz", "Tiger")),
        ("ada harrier?", Car("Toyota", "Harrier")),
        ("cari city car matic", None),  # a body, not a Honda City
        ("halo kak", None),
        ("es teh manis", None),  # "es" alone is no Lexus ES
        ("p", None),
    ],
)
def test_find_car(text, car):
    assert find_car(text) == car


@pytest.mark.parametrize(
    ("text", "transmission", "fuel", "body", "color"),
    [
        ("ada avanza matic?", "Matic", None, None, None),
        ("SUV diesel", None, "Diesel", "SUV", None),
        ("mpv manual putih", "Manual", None, "MPV", "Putih"),
        ("sedan CVT hybrid", "Matic", "Hybrid", "sedan", None),
        ("pick up solar", None, "Diesel", "pickup", None),
        ("city car abu2", None, None, "hatchback", "Abu-abu"),
        ("wuling air ev", None, "Listrik", None, None),
        ("Pajero Black Edition hitam", None, None, None, "Hitam"),
        ("ATPM", None, None, None, None),  # not AT
    ],
)
def test_the_other_words(text, transmission, fuel, body, color):
    assert find_transmission(text) == transmission
    assert find_fuel(text) == fuel
    assert find_body(text) == body
    assert find_color(text) == color


@pytest.mark.parametrize(
    ("typed", "cased"),
    [
        ("gx", "GX"),
        ("exceed", "Exceed"),
        ("SPORTIVO", "Sportivo"),
        ("c200", "C200"),
        ("320i", "320i"),
        ("1.5T", "1.5T"),
        ("hd-x", "HD-X"),
        ("crdi", "CRDi"),
        ("lux", "Lux"),
        ("sDrive18i", "sDrive18i"),
    ],
)
def test_trims_are_written_in_their_makers_casing(typed, cased):
    assert trim_casing(typed) == cased


@given(st.text(max_size=200))
def test_the_lookups_never_raise(text):
    words_of(text)
    find_car(text)
    find_transmission(text)
    find_fuel(text)
    find_body(text)
    find_color(text)
