"""Reading buyers' messages: a table test over the shared sample (buyer_questions.jsonl, its
first line the reading rules) and our own messages, plus the rules one by one."""

import datetime as dt
import json
from pathlib import Path

import pytest

from domain.buyer_questions import Intent, read_question

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2025, 11, 1)
TARGET = 0.9  # intent and needs_person, each


def rows(name: str) -> list[dict]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and "_rules" not in line[:12]]


def accuracy(name: str) -> dict[str, float]:
    table = rows(name)
    right = dict.fromkeys(("intent", "filters", "code", "needs_person", "all"), 0)
    misses = []
    for row in table:
        got = read_question(row["text"], today=TODAY).to_expected()
        keys = ("intent", "filters", "code", "needs_person")
        wrong = [key for key in keys if got[key] != row["expected"][key]]
        for key in keys:
            right[key] += key not in wrong
        right["all"] += not wrong
        if wrong:
            misses.append(f"{row['text']!r}: " + ", ".join(f"{k} {got[k]!r}" for k in wrong))
    shares = {key: count / len(table) for key, count in right.items()}
    summary = ", ".join(f"{k} {v:.1%}" for k, v in shares.items())
    print(f"\n{name}: {len(table)} messages; {summary}")
    for miss in misses:
        print("  miss:", miss)
    return shares


@pytest.mark.parametrize("name", ["buyer_questions.jsonl", "buyer_questions_own.jsonl"])
def test_the_reading_of_buyer_messages_meets_the_target(name):
    shares = accuracy(name)
    assert shares["intent"] >= TARGET and shares["needs_person"] >= TARGET
    assert shares["filters"] >= TARGET and shares["code"] >= TARGET
    if name == "buyer_questions_own.jsonl":  # our own set is a regression test: all of it
        assert shares["all"] == 1.0


def test_the_shared_rules_line_is_kept_with_the_fixture():
    first = (FIXTURES / "buyer_questions.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert "_rules" in json.loads(first)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("#H01 masih ada?", "H01"),
        ("H01", "H01"),
        ("kode h12 brp", "H12"),
        ("yg kode T 07 itu", "T07"),
        ("#t112 ready?", "T112"),
        ("#h7", "H07"),
        ("mitsubishi l300 pickup ada?", None),  # a model, not a code
        ("mercy c200 ada?", None),  # a type after a make
        ("plat B 1234 XYZ", None),
    ],
)
def test_codes(text, code):
    assert read_question(text, today=TODAY).code == code


def test_the_catalogs_prefilled_message_and_a_pasted_link_ask_for_that_car():
    prefilled = read_question(
        "Halo, saya tertarik dengan Toyota Avanza G 2019 (kode #T02): "
        "https://dealer.example/cars/toyota-avanza-g-2019-t02"
    )
    assert (prefilled.intent, prefilled.code) == (Intent.CAR_BY_CODE, "T02")
    assert prefilled.filters is None
    pasted = read_question("https://dealer.example/cars/toyota-avanza-g-2019-t02 masih ada?")
    assert (pasted.intent, pasted.slug, pasted.code) == (
        Intent.CAR_BY_CODE,
        "toyota-avanza-g-2019-t02",
        None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dibawah 150", (None, 150_000_000)),
        ("budget 200an", (None, 200_000_000)),
        ("max 1,2M", (None, 1_200_000_000)),
        ("kisaran 400-450", (400_000_000, 450_000_000)),
        ("harga 80-100jt an", (80_000_000, 100_000_000)),
        ("under 400 juta", (None, 400_000_000)),
        ("budgetnya paling 180 lah", (None, 180_000_000)),
        ("dp 100jt cicilan 5 jt", (None, None)),  # a DP and an instalment are no budget
        ("dibawah seratus lima puluh juta", (None, 150_000_000)),  # amounts in words
        ("fortuner 2017-2019", (None, None)),  # years
    ],
)
def test_prices(text, expected):
    filters = read_question("cari mobil " + text, today=TODAY).filters
    got = (filters.price_min_idr, filters.price_max_idr) if filters else (None, None)
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xpander 2020", (2020, 2020)),
        ("brio 2019 keatas", (2019, None)),
        ("hrv tahun 2018 ke atas", (2018, None)),
        ("fortuner 2017-2019", (2017, 2019)),
        ("avanza th 2012 s/d 2015", (2012, 2015)),
        ("jazz 2015 kebawah", (None, 2015)),
    ],
)
def test_years(text, expected):
    filters = read_question("ada " + text + "?", today=TODAY).filters
    assert (filters.year_min, filters.year_max) == expected


def test_the_buyers_own_trade_in_car_is_never_what_they_look_for():
    own = read_question("bisa tukar tambah sama brio sy?", today=TODAY)
    assert own.intent is Intent.TRADE_IN and own.needs_person and own.filters is None
    wanted = read_question("tukar tambah xenia saya ke innova 2019", today=TODAY)
    assert wanted.filters is not None and wanted.filters.model == "Kijang Innova"
    assert wanted.filters.year_min == 2019


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("bisa minta video unitnya?", "video"),
        ("dp 10jt bisa?", "low_dp"),
        ("kredit dp 10% bisa?", "low_dp"),
        ("bisa cash bertahap?", "cash_instalments"),
        ("kredit tanpa bi checking bisa?", "credit_record"),
        ("bisa kirim ke makassar?", "delivery"),
        ("pernah banjir?", "flood_or_accident"),
        ("mau jual mobil saya, showroom beli?", "dealer_buys"),
        ("bisa nego?", "price_nego"),
        ("besok bisa lihat unit?", "viewing"),
        ("terima TT?", "trade_in"),
    ],
)
def test_what_only_a_person_can_decide(text, reason):
    question = read_question(text, today=TODAY)
    assert question.needs_person and question.reason == reason


def test_what_the_bot_answers_itself_needs_no_person():
    for text in ("dp 30% cicilan brp", "simulasi kredit dp 100jt", "lokasi dimana", "makasih"):
        assert not read_question(text, today=TODAY).needs_person, text


def test_a_spam_link_is_no_question():
    question = read_question("Pinjaman cepat cair, klik bit.ly/abc", today=TODAY)
    assert question.spam and question.intent is Intent.OTHER and not question.needs_person


def test_transmission_that_does_not_matter_is_no_filter():
    assert read_question("cari mobil 100jt, manual gpp", today=TODAY).filters.transmission is None
    assert read_question("ertiga yg manual aja", today=TODAY).filters.transmission == "Manual"
    english = read_question("where is your showroom located at?", today=TODAY)
    assert english.intent is Intent.LOCATION_HOURS and english.filters is None


@pytest.mark.parametrize(
    "text",
    ["", " ", "🙂", "?" * 500, "a" * 100_000, "#", "kode", "dp", "1" * 60, "2019-2020-2021"],
)
def test_odd_messages_are_read_without_error(text):
    read_question(text, today=TODAY)
