"""The buyer conversation, pure: the plan of a lookup, and the answers from given facts."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.buyer import (
    ALERT_EVERY_S,
    BURST,
    REFILL_S,
    Alert,
    AnswerLater,
    BuyerContext,
    BuyerSettings,
    CarFacts,
    LeadNote,
    Say,
    StockFacts,
    describe,
    held_answer_in,
    plan,
    relaxations,
    seller_answer,
    step,
)
from domain.buyer_questions import Filters, Intent, read_question
from domain.buyer_state import BuyerState
from domain.events import EventKind, InboundEvent
from domain.financing import monthly_instalment, simulate
from domain.identity import ChatKind, Identity, IdentityKind
from domain.replies import ReplyImage

BUYER = Identity(IdentityKind.PHONE, "6289911112222")
SELLER = "6281234567890"
NOW = 1_800_000_000.0
SETTINGS = BuyerSettings(
    language="id",
    showroom="Mobil Jaya",
    catalog_url="https://katalog.example",
    address="Jl. Raya Bogor Km 28, Jakarta Timur",
    maps_url="https://maps.app.goo.gl/abc",
    opening_hours="Senin-Sabtu 08.00-17.00",
    credit_rate_pct=6.0,
)


def car(code="T01", **values) -> CarFacts:
    facts = {
        "code": code,
        "make": "Toyota",
        "model": "Avanza",
        "variant": "G",
        "year": 2019,
        "price_idr": 150_000_000,
        "mileage_km": 45_000,
        "transmission": "Matic",
        "fuel": "Bensin",
        "color": "Putih",
        "status": "available",
        "slug": f"toyota-avanza-g-2019-{code.lower()}",
        "seller": SELLER,
        "seller_active": True,
        "photos": ("a-large.jpg", "b-large.jpg"),
        "photo_total": 2,
    }
    facts.update(values)
    return CarFacts(**facts)


def message(words: str, *, kind=EventKind.TEXT, from_me=False, sender=BUYER) -> InboundEvent:
    return InboundEvent("demo", f"k:{words}", sender, ChatKind.DIRECT, kind, words, from_me=from_me)


def turn(words, facts=None, state=None, now=NOW, settings=SETTINGS, **event):
    state = state or BuyerState()
    received = message(words, **event)
    question = read_question(words) if received.kind is EventKind.TEXT and words else None
    context = BuyerContext(settings, question, facts)
    return step(state, received, context, now)


def says(effects) -> list[str]:
    return [e.text for e in effects if isinstance(e, Say)]


def lead(effects) -> LeadNote:
    [note] = [e for e in effects if isinstance(e, LeadNote)]
    return note


def test_a_search_lists_the_matching_cars_with_code_price_mileage_and_link():
    found = StockFacts(matches=(car("T01"), car("T02", year=2020)), matched_by=0, total=2)
    state, effects = turn("ada avanza matic dibawah 150jt?", found)
    [answer] = says(effects)
    assert "Ada 2 mobil" in answer and "*#T01* Toyota Avanza G 2019" in answer
    assert "Rp 150.000.000 · 45.000 km · Matic" in answer
    assert "https://katalog.example/cars/toyota-avanza-g-2019-t01" in answer
    assert state.shown == ("T01", "T02") and state.car is None
    assert lead(effects).status == "warm" and lead(effects).found == 2


def test_a_search_that_finds_nothing_offers_the_nearest_cars_and_records_the_demand():
    nearest = StockFacts(matches=(car("T05", model="Rush"),), matched_by=3, total=0)
    _, effects = turn("ada innova diesel dibawah 200jt?", nearest)
    [answer] = says(effects)
    assert "belum ada di stok" in answer and "*#T05*" in answer
    note = lead(effects)
    assert note.found == 0 and note.wanted == "Toyota Kijang Innova diesel di bawah Rp 200 juta"
    _, effects = turn("ada innova diesel dibawah 200jt?", StockFacts())
    assert "Lihat semua stok kami: https://katalog.example" in says(effects)[0]


def test_a_code_gets_the_cars_details_and_its_photos_as_images():
    state, effects = turn("#T01 masih ada?", StockFacts(car=car()))
    card = says(effects)[0]
    assert card.startswith("*#T01 Toyota Avanza G 2019*")
    assert "Rp 150.000.000" in card and "45.000 km" in card and "Matic" in card
    images = [e for e in effects if isinstance(e, ReplyImage)]
    assert [i.file for i in images] == ["a-large.jpg", "b-large.jpg"]
    assert images[0].caption == "#T01 Toyota Avanza G 2019 (1/2)"
    assert state.car == "T01" and state.photos_sent == 2
    assert lead(effects).cars == ("T01",)


def test_a_sold_car_is_said_to_be_sold_with_available_alternatives():
    facts = StockFacts(car=car(status="sold"), similar=(car("T09", year=2020),))
    _, effects = turn("#T01", facts)
    texts = says(effects)
    assert "sudah *terjual*" in texts[0] and "*#T09*" in texts[1]
    assert not [e for e in effects if isinstance(e, ReplyImage)]


def test_an_unknown_hidden_or_removed_code_shows_no_car():
    _, effects = turn("#T77 ready?", StockFacts(car=None))
    assert says(effects) == [
        "Kode *#T77* tidak ada di katalog kami. Lihat mobil yang tersedia: https://katalog.example"
    ]


def test_photos_on_request_for_the_car_being_talked_about_are_sent_not_promised():
    state = BuyerState(car="T01")
    many = car(photos=("1.jpg", "2.jpg", "3.jpg", "4.jpg", "5.jpg"), photo_total=7)
    state, effects = turn("fotonya dong", StockFacts(car=many), state)
    assert len([e for e in effects if isinstance(e, ReplyImage)]) == 5
    assert state.photos_sent == 5
    lookup = plan(state, read_question("ada foto lain?"), NOW)
    assert lookup.code == "T01" and lookup.photos_from == 5
    rest = car(photos=("6.jpg", "7.jpg"), photo_total=7)
    state, effects = turn("ada foto lain?", StockFacts(car=rest), state)
    captions = [e.caption for e in effects if isinstance(e, ReplyImage)]
    assert captions == ["#T01 Toyota Avanza G 2019 (6/7)", "#T01 Toyota Avanza G 2019 (7/7)"]
    state, effects = turn("ada foto lain?", StockFacts(car=car(photos=(), photo_total=7)), state)
    assert "Itu semua foto" in says(effects)[0]
    assert [e.chat for e in effects if isinstance(e, Alert)] == [SELLER]  # a person takes more


def test_asking_for_the_photos_of_a_car_already_shown_sends_the_next_not_the_same_again():
    state, _ = turn("#T01 masih ada?", StockFacts(car=car()))  # its 2 photos came with it
    lookup = plan(state, read_question("minta fotonya"), NOW)
    assert lookup.code == "T01" and lookup.photos_from == 2
    state, effects = turn("minta fotonya", StockFacts(car=car(photos=(), photo_total=2)), state)
    assert not [e for e in effects if isinstance(e, ReplyImage)]
    assert "Itu semua foto" in says(effects)[0]
    assert [e.chat for e in effects if isinstance(e, Alert)] == [SELLER]  # a person takes more


def test_photos_without_a_car_in_context_ask_which_car():
    _, effects = turn("minta foto", StockFacts())
    assert "Mobil yang mana" in says(effects)[0]


def test_financing_follows_the_flat_rate_formula():
    state = BuyerState(car="T01")
    _, effects = turn("bisa kredit? cicilan brp", StockFacts(car=car()), state)
    [answer] = says(effects)
    assert "bunga flat 6% per tahun" in answer and "Perkiraan saja" in answer
    # DP 20 %: Rp 30 jt; financed Rp 120 jt; 3 years: 120 jt x (1 + 0.06 x 3) / 36
    expected = -(-(120_000_000 * 118 // 100) // 36)
    expected = -(-expected // 1000) * 1000
    assert expected == monthly_instalment(150_000_000, 30_000_000, 3, 600)
    assert f"3 th Rp {expected:,}".replace(",", ".") in answer
    assert "DP Rp 30.000.000 (20%)" in answer and "DP Rp 60.000.000 (40%)" in answer


def test_a_dp_below_the_usual_gets_the_simulation_and_a_person():
    state = BuyerState(car="T01")
    _, effects = turn("dp 10jt bisa ga?", StockFacts(car=car()), state)
    assert any(isinstance(e, Alert) for e in effects)
    assert lead(effects).status == "hot"


def test_location_and_hours_come_from_the_settings():
    _, effects = turn("lokasi dimana kak? buka jam brp", StockFacts())
    [answer] = says(effects)
    assert "Jl. Raya Bogor Km 28" in answer and "https://maps.app.goo.gl/abc" in answer
    assert "Senin-Sabtu 08.00-17.00" in answer


def test_negotiation_alerts_the_cars_seller_with_the_buyers_number_once_an_hour():
    state = BuyerState(car="T01")
    state, effects = turn("bisa nego kak?", StockFacts(car=car()), state)
    [alert] = [e for e in effects if isinstance(e, Alert)]
    assert alert.chat == SELLER
    assert "https://wa.me/6289911112222" in alert.text and "#T01" in alert.text
    assert "bisa nego kak?" in alert.text
    assert "segera membalas" in says(effects)[0]
    assert lead(effects).status == "hot" and lead(effects).alerted == (SELLER,)
    state, effects = turn("harga pas brp?", StockFacts(car=car()), state, now=NOW + 60)
    assert not any(isinstance(e, Alert) for e in effects)  # one alert per buyer and car an hour
    assert "Sudah saya teruskan" in says(effects)[0]
    _, effects = turn("nego ya", StockFacts(car=car()), state, now=NOW + ALERT_EVERY_S + 1)
    assert any(isinstance(e, Alert) for e in effects)


def test_a_general_question_for_a_person_goes_to_the_sales_number_else_the_admins():
    with_sales = replace(SETTINGS, sales_number="6281200009999")
    admins = StockFacts(admins=("6281311112222",))
    _, effects = turn("bisa tukar tambah?", admins, settings=with_sales)
    assert [e.chat for e in effects if isinstance(e, Alert)] == ["6281200009999"]
    _, effects = turn("bisa tukar tambah?", StockFacts(admins=("6281311112222",)))
    assert [e.chat for e in effects if isinstance(e, Alert)] == ["6281311112222"]


def test_two_messages_in_a_row_the_bot_cannot_answer_go_to_a_person():
    state, effects = turn("bisa bantu urus balik nama?", StockFacts(admins=("62813",)))
    assert "belum paham" in says(effects)[0] and state.unanswered == 1
    state, effects = turn("ini nomor siapa?", StockFacts(admins=("62813",)), state)
    assert [e.chat for e in effects if isinstance(e, Alert)] == ["62813"]
    assert state.unanswered == 0


def test_after_a_person_answers_from_the_dealers_number_the_bot_is_silent_for_the_pause():
    state, effects = turn("halo kak, saya sales-nya", StockFacts(), from_me=True)
    assert effects == [] and state.human_until == NOW + SETTINGS.human_pause_s
    state, effects = turn("#T01 masih ada?", StockFacts(car=car()), state, now=NOW + 3600)
    assert says(effects) == [] and lead(effects).text == "#T01 masih ada?"
    assert plan(state, read_question("#T01"), NOW + 3600) is None  # nothing to look up
    _, effects = turn("#T01", StockFacts(car=car()), state, now=NOW + 13 * 3600)
    assert says(effects)


def test_a_flooding_buyer_is_answered_a_burst_then_slowly_and_told_once():
    state, answered, told, welcomed, held = BuyerState(), 0, 0, 0, []
    for i in range(30):
        state, effects = turn(f"halo {i}", StockFacts(), state, now=NOW + i * 0.5)
        texts = says(effects)
        answered += any("selamat datang" in t or "Ada yang bisa" in t for t in texts)
        welcomed += any("selamat datang" in t for t in texts)
        told += any("banyak sekali" in t for t in texts)
        held += [e for e in effects if isinstance(e, AnswerLater)]
    # the burst, then one answer per REFILL_S over the 15 s the flood lasts
    assert BURST < answered <= BURST + 1 + 15 / REFILL_S
    assert told == 1 and welcomed == 1  # the full welcome once, then short
    # the last message held back is answered when the limit lifts (the session's reminder)
    assert state.held == held[-1].key == "k:halo 29" and state.held_text == "halo 29"
    later = NOW + 14.5 + held[-1].delay_s
    received = message("halo 29")
    context = BuyerContext(SETTINGS, read_question("halo 29"), StockFacts(), held=True)
    after, effects = step(state, received, context, later)
    assert says(effects) and after.held == "" and lead(effects).repeat
    # an earlier reminder, for a message no longer the last held, answers nothing
    stale = step(state, message("halo 20"), context, later)[1]
    assert stale == []


def test_thanks_and_greetings_are_short():
    _, effects = turn("makasih kak", StockFacts())
    assert says(effects) == ["Sama-sama, kak! 🙏 Kabari saja kalau ada yang ingin ditanyakan."]
    _, effects = turn("halo", StockFacts())
    assert len(says(effects)) == 1 and "#KODE" in says(effects)[0]


def test_a_voice_note_or_sticker_gets_a_pointer():
    _, effects = turn("", StockFacts(), kind=EventKind.UNSUPPORTED)
    assert "hanya bisa membaca pesan teks" in says(effects)[0]


def test_availability_picks_the_car_by_colour_among_those_shown():
    shown = (car("T01", color="Putih"), car("T02", color="Hitam"))
    state = BuyerState(shown=("T01", "T02"))
    state, effects = turn("yg hitam td masih ada?", StockFacts(context=shown), state)
    assert "Masih tersedia" in says(effects)[0] and "#T02" in says(effects)[0]
    assert state.car == "T02"


def test_a_seller_gets_the_buyer_answer_for_a_code_without_lead_or_alert():
    received = message("#T01", sender=Identity(IdentityKind.PHONE, SELLER))
    effects = seller_answer(received, BuyerContext(SETTINGS, None, StockFacts(car=car())), NOW)
    assert effects and not [e for e in effects if isinstance(e, LeadNote | Alert)]
    assert seller_answer(message("bisa nego?"), BuyerContext(SETTINGS), NOW) == []


def test_the_search_plan_tries_the_wanted_car_first_then_nearer_ones():
    filters = read_question("ada avanza matic dibawah 150jt?").filters
    tries = relaxations(filters)
    assert tries[0].model == "Avanza" and tries[0].transmission == "Matic"
    assert tries[0].price_max_idr == 150_000_000
    assert tries[-1].model is None and tries[-1].price_max_idr is None
    body = plan(BuyerState(), read_question("ada SUV diesel?"), NOW).searches[0]
    assert ("Toyota", "Fortuner") in body.models and ("Toyota", "Avanza") not in body.models


def test_describe_reads_the_same_wish_the_same_way():
    assert describe(Filters(make="Toyota", model="Avanza", price_max_idr=150_000_000), "id") == (
        "Toyota Avanza di bawah Rp 150 juta"
    )
    assert describe(Filters(transmission="Matic", price_max_idr=150_000_000), "id") == (
        "mobil matic di bawah Rp 150 juta"
    )
    assert describe(Filters(body="SUV", fuel="Diesel"), "en") == "diesel SUV"
    assert describe(Filters(year_min=2019, price_max_idr=1_200_000_000), "id") == (
        "mobil tahun 2019 ke atas di bawah Rp 1,2 miliar"
    )
    assert describe(Filters(body="SUV", price_max_idr=400_000_000), "id", "around") == (
        "SUV sekitar Rp 400 juta"
    )


def test_simulation_rows_put_the_buyers_own_down_payment_first():
    simulation = simulate(200_000_000, 5.5, dp_idr=100_000_000, tenor_years=3)
    assert [row.dp_idr for row in simulation.rows] == [
        100_000_000,
        40_000_000,
        60_000_000,
        80_000_000,
    ]
    assert simulation.rows[0].monthly_by_years == (
        (3, monthly_instalment(200_000_000, 100_000_000, 3, 550)),
    )
    assert Intent.FINANCING.value == "financing"


def test_a_model_may_answer_what_the_rules_do_not_understand_if_it_keeps_to_the_facts():
    from domain.buyer import AskModel, model_answer_acceptable

    settings = replace(SETTINGS, model_answers=True)
    state = BuyerState(car="T01")
    facts = StockFacts(car=car())
    lookup = plan(state, read_question("cocok buat mudik ga kak?"), NOW, model=True)
    assert lookup.code == "T01" and lookup.searches  # the car in question, else the newest
    _, effects = turn("cocok buat mudik ga kak?", facts, state, settings=settings)
    [ask] = [e for e in effects if isinstance(e, AskModel)]
    assert ask.cars == (car(),)
    good = "Avanza #T01 tahun 2019 ini Rp 150.000.000, mesinnya terawat; tim kami bisa bantu."
    received = message("cocok buat mudik ga kak?")
    context = BuyerContext(settings, read_question(received.text), facts, {ask.key: good})
    _, effects = step(state, received, context, NOW)
    assert says(effects) == [good] and lead(effects).answered
    for invented in (
        "Ada juga #T09 yang lebih murah.",  # a code not in the facts
        "Harganya Rp 140.000.000 saja.",  # a price not in the facts
        "Yang 2021 juga ada.",  # a year not in the facts
        "Fotonya saya kirim sebentar lagi ya.",  # a promise of photos
        "Lihat di https://example.com/mobil",  # a link
        "Ada juga Honda Jazz.",  # another car
    ):
        assert not model_answer_acceptable(invented, (car(),), settings), invented
        context = BuyerContext(settings, read_question(received.text), facts, {ask.key: invented})
        _, effects = step(state, received, context, NOW)
        assert "belum paham" in says(effects)[0]  # the rules' answer stands


@settings(max_examples=150, deadline=None)
@given(words=st.text(max_size=300), unanswered=st.integers(0, 3), human=st.booleans())
def test_any_message_gets_a_turn_without_error(words, unanswered, human):
    state = BuyerState(car="T01", unanswered=unanswered, human_until=NOW + 1 if human else 0)
    question = read_question(words)
    lookup = plan(state, question, NOW)
    facts = StockFacts(car=car(), matches=(car("T02"),), matched_by=0, total=1)
    received = message(words)
    state, effects = step(state, received, BuyerContext(SETTINGS, question, facts), NOW)
    assert lookup is None or lookup.limit == 5
    assert len([e for e in effects if isinstance(e, LeadNote)]) == 1


def test_a_buyers_photo_goes_to_a_person_about_the_car_in_question():
    state = BuyerState(car="T01")
    received = message("ada yg kaya gini gan?", kind=EventKind.IMAGE)
    context = BuyerContext(SETTINGS, read_question(received.text), StockFacts(car=car()))
    _, effects = step(state, received, context, NOW)
    [alert] = [e for e in effects if isinstance(e, Alert)]
    assert alert.chat == SELLER and "mengirim foto" in alert.text and "#T01" in alert.text


def test_the_buyer_state_keeps_the_conversation_across_turns():
    state = BuyerState(
        car="T01",
        car_price=165_000_000,
        filters=Filters(make="Toyota", model="Avanza", color="Putih"),
        order="cheapest",
        greeted_at=NOW,
        answered_at=NOW,
        sold_told="T05",
        pending="photos",
        held="k:halo",
        held_text="halo",
        topic="financing",
    )
    assert BuyerState.from_json(state.to_json()) == state
    assert BuyerState.from_json({}) == BuyerState()  # an old session loads with the defaults


def test_a_seller_gets_the_credit_simulation_of_a_coded_car():
    received = message("kredit #T01", sender=Identity(IdentityKind.PHONE, SELLER))
    facts = StockFacts(car=car())
    effects = seller_answer(received, BuyerContext(SETTINGS, None, facts), NOW)
    assert "Simulasi kredit #T01" in effects[0].text


def test_the_english_answers_use_the_same_rules():
    english = replace(SETTINGS, language="en")
    _, effects = turn("ada mobil matic dibawah 150jt?", StockFacts(), settings=english)
    assert "automatic car under Rp 150 million" in says(effects)[0]
    state = BuyerState(car="T01", car_price=150_000_000)
    _, effects = turn("warnanya apa?", StockFacts(car=car()), state, settings=english)
    assert says(effects) == ["*#T01 Toyota Avanza G 2019*: colour White."]


def test_a_held_message_is_due_when_the_flood_limit_lifts_and_not_before():
    assert held_answer_in(BuyerState(), NOW) is None  # nothing held
    emptied = BuyerState(held="m12", held_text="ada jazz?", tokens=0.0, tokens_at=NOW)
    assert held_answer_in(emptied, NOW) == pytest.approx(REFILL_S + 0.5)
    assert held_answer_in(emptied, NOW + REFILL_S / 2) == pytest.approx(REFILL_S / 2 + 0.5)
    assert held_answer_in(emptied, NOW + 3600) == pytest.approx(0.5)  # long lifted: at once
