"""Sales texts: the templates and the checks a written text must pass."""

import pytest

from domain.copywriter import acceptable, describe

DRAFT = {
    "make": "Honda",
    "model": "Freed",
    "variant": "PSD",
    "year": 2012,
    "transmission": "Matic",
    "mileage_km": 145515,
    "price_idr": 145_000_000,
    "color": "Putih",
}
GOOD = (
    "Honda Freed PSD 2012 warna putih, transmisi matic, siap menemani keluarga Anda. "
    "Harga Rp 145.000.000, silakan chat untuk lihat unitnya."
)


def test_the_template_states_only_the_facts_and_varies_between_cars():
    text = describe(DRAFT, "id")
    assert "Honda Freed PSD" in text and "2012" in text and "145.515 km" in text
    assert acceptable(text, DRAFT)
    openings = {
        describe({**DRAFT, "variant": v}, "id").split(".")[0].split()[0]
        for v in ("E", "S", "V", "RS", "PSD", "SD", "G", "X")
    }
    assert len(openings) > 1
    assert (
        "For sale" in describe(DRAFT, "en")
        or "Available" in describe(DRAFT, "en")
        or "Looking" in describe(DRAFT, "en")
        or "A 2012" in describe(DRAFT, "en")
    )
    english = describe(DRAFT, "en")  # the parser's Indonesian values, in English
    assert "Automatic transmission." in english and "Colour: White." in english


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (GOOD, True),
        (GOOD.replace("2012", "2015"), False),  # an invented year
        (GOOD.replace("Rp 145.000.000", "Rp 139.000.000"), False),  # an invented price
        (GOOD.replace("Rp 145.000.000", "145 juta"), True),
        (GOOD + " Lihat https://example.com", False),
        ("Mobil bagus.", False),
        ("x" * 1300, False),
    ],
)
def test_a_written_text_is_checked_before_use(text, ok):
    assert acceptable(text, DRAFT) is ok
