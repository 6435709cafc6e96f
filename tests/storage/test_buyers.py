"""The buyer side's queries and writes on a real SQLite file: the stock facts an answer gets,
that every stock query uses an index, the echo check, leads and demand; and a property over
random stock and random buyer messages: every code, price, year and photo in a reply is the
stock's."""

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.buyer import (
    Alert,
    BuyerContext,
    BuyerSettings,
    Criteria,
    Say,
    StockLookup,
    plan,
    relaxations,
    similar_to,
    step,
)
from domain.buyer_questions import Filters, read_question
from domain.buyer_state import BuyerState
from domain.events import EventKind, InboundEvent
from domain.financing import simulate
from domain.identity import ChatKind, Identity, IdentityKind
from domain.replies import ReplyImage
from storage import buyers
from storage.buyers import (
    buyer_stats,
    latest_leads,
    sent_by_bot,
    stock_facts,
    unmet_demand,
)
from storage.models import Lead, Listing, OutboxMessage, Person, Photo, utcnow
from storage.writes import EnqueueReply, RecordLead, SetLeadStatus

SELLER = "6281234567890"
BUYER = Identity(IdentityKind.PHONE, "6289911112222")
NOW = 1_800_000_000.0
SETTINGS = BuyerSettings(
    catalog_url="https://katalog.example",
    address="Jl. Raya 1",
    opening_hours="08.00-17.00",
    credit_rate_pct=5.5,
)


def listing(tenant, code, **values):
    row = {
        "tenant": tenant,
        "code": code,
        "slug": f"car-{code.lower()}",
        "seller": SELLER,
        "make": "Toyota",
        "model": "Avanza",
        "variant": "G",
        "year": 2019,
        "transmission": "Matic",
        "fuel": "Bensin",
        "color": "Putih",
        "mileage_km": 45_000,
        "price_idr": 150_000_000,
    }
    row.update(values)
    return Listing.create(**row)


def photos(car, count):
    for position in range(count):
        name = f"{car.code.lower()}-{position}"
        Photo.create(
            tenant=car.tenant,
            listing=car,
            position=position,
            content_hash=name,
            file_large=f"{name}-large.jpg",
            file_medium=f"{name}-medium.jpg",
            file_thumb=f"{name}-thumb.jpg",
            width=1600,
            height=1200,
            bytes=1000,
        )


def test_a_car_by_code_or_link_comes_with_its_photos_and_a_hidden_one_never(db, tenant):
    with db.connection_context():
        avanza = listing(tenant, "T01")
        photos(avanza, 7)
        listing(tenant, "T02", status="hidden")
        listing(tenant, "T03", status="deleted")
        Person.create(tenant=tenant, phone=SELLER, role="seller")
        facts = stock_facts(tenant.id, StockLookup(code="T01", photos_from=5))
        assert facts.car.photos == ("t01-5-large.jpg", "t01-6-large.jpg")
        assert facts.car.photo_total == 7 and facts.car.seller_active
        assert stock_facts(tenant.id, StockLookup(code="T02")).car is None
        assert stock_facts(tenant.id, StockLookup(code="T03")).car is None
        by_link = stock_facts(tenant.id, StockLookup(slug="car-t01"))
        assert by_link.car.code == "T01"
        renamed = stock_facts(tenant.id, StockLookup(slug="toyota-avanza-2019-t01"))
        assert renamed.car.code == "T01"  # the code at the end of an older link


def test_a_search_finds_available_cars_only_and_counts_them(db, tenant):
    with db.connection_context():
        for number in range(1, 8):
            listing(tenant, f"T{number:02d}", price_idr=100_000_000 + number * 10_000_000)
        listing(tenant, "T20", status="sold")
        listing(tenant, "T21", status="booking")
        listing(tenant, "M01", make="Mitsubishi", model="Xpander", price_idr=250_000_000)
        filters = read_question("ada avanza matic dibawah 160jt?").filters
        facts = stock_facts(tenant.id, StockLookup(searches=relaxations(filters)))
        assert facts.matched_by == 0 and facts.total == 6 and len(facts.matches) == 5
        assert {car.status for car in facts.matches} == {"available"}
        suv = read_question("ada xpander dibawah 100jt?").filters
        nearer = stock_facts(tenant.id, StockLookup(searches=relaxations(suv)))
        assert nearer.matched_by > 0 and nearer.matches[0].code == "M01"
        mpv = stock_facts(tenant.id, plan(BuyerState(), read_question("cari mpv"), NOW))
        assert mpv.total == 8  # Avanzas and the Xpander are MPVs


def test_every_query_of_the_stock_uses_an_index(db, tenant):
    statements = []
    with db.connection_context():
        listing(tenant, "T01")
        db.connection().set_trace_callback(statements.append)
        for criteria in (
            Criteria(make="Toyota", model="Avanza", transmission="Matic"),
            Criteria(price_max_idr=150_000_000),
            Criteria(models=(("Toyota", "Fortuner"), ("Mitsubishi", "Pajero Sport"))),
            Criteria(),
            # a family, a colour, and every order
            Criteria(make="Honda", model="Brio", family=("Brio Satya",), order="cheapest"),
            Criteria(make="Toyota", model="Kijang Innova", family=("Innova Zenix",)),
            Criteria(color="Putih", order="under", price_max_idr=300_000_000),
            Criteria(price_max_idr=440_000_000, order="near", near_idr=400_000_000),
            Criteria(transmission="Matic", order="cheapest"),
        ):
            stock_facts(tenant.id, StockLookup(searches=(criteria,), people=True))
        stock_facts(tenant.id, StockLookup(code="T01", context=("T01", "T02")))
        stock_facts(
            tenant.id, StockLookup(code="H03", fallback_code="T01", similar=True, alike=True)
        )
        stock_facts(tenant.id, StockLookup(slug="car-t01"))
        db.connection().set_trace_callback(None)
        for sql in {s for s in statements if "listing" in s.lower() and "SELECT" in s}:
            plan_rows = db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall()
            details = " ".join(str(row[-1]) for row in plan_rows)
            assert "SCAN listing" not in details or "USING" in details, (sql, details)


def test_a_model_finds_its_family_and_a_loose_code_falls_back(db, tenant):
    with db.connection_context():
        listing(tenant, "H01", make="Honda", model="Brio Satya", variant="E", color="Merah")
        listing(tenant, "H02", make="Honda", model="Brio", variant="RS", color="Putih Mutiara")
        listing(tenant, "H03", make="Honda", model="Brio Sport Custom", color="Merah")
        listing(tenant, "T02", model="Kijang Innova", variant="Reborn")
        listing(tenant, "T03", model="Innova Zenix", variant="Q Hybrid")
        listing(tenant, "T04", model="Kijang", variant="Super", year=1995)
        brio = plan(BuyerState(), read_question("ada brio?"), NOW)
        assert {c.code for c in stock_facts(tenant.id, brio).matches} == {"H01", "H02", "H03"}
        satya = plan(BuyerState(), read_question("ada brio satya?"), NOW)
        assert [c.code for c in stock_facts(tenant.id, satya).matches] == ["H01"]
        innova = plan(BuyerState(), read_question("innova ada?"), NOW)
        assert {c.code for c in stock_facts(tenant.id, innova).matches} == {"T02", "T03"}
        white = plan(BuyerState(), read_question("ada brio warna putih?"), NOW)
        assert [c.code for c in stock_facts(tenant.id, white).matches] == ["H02"]  # a shade
        # `H 03` is the car when it exists, else the one being talked about
        state = BuyerState(car="T02")
        loose = plan(state, read_question("H 03 ready?"), NOW)
        assert stock_facts(tenant.id, loose).car.code == "H03"
        missing = plan(state, read_question("Z 9 ready?"), NOW)
        assert stock_facts(tenant.id, missing).car.code == "T02"


def test_the_bots_own_reply_is_told_from_a_person_by_the_outbox(db, tenant):
    with db.connection_context():
        EnqueueReply(tenant.id, str(BUYER), "Ada 2 mobil yang cocok:\n\n*#T01*").apply()
        now = utcnow()
        assert sent_by_bot(tenant.id, str(BUYER), "Ada 2 mobil yang cocok: *#T01*", now)
        assert not sent_by_bot(tenant.id, str(BUYER), "Halo kak, saya Budi", now)
        assert not sent_by_bot(tenant.id, "6280000", "Ada 2 mobil yang cocok:\n\n*#T01*", now)
        later = now + dt.timedelta(days=2)
        assert not sent_by_bot(tenant.id, str(BUYER), "Ada 2 mobil yang cocok: *#T01*", later)
        assert OutboxMessage.select().count() == 1


def test_leads_rise_never_fall_by_themselves_and_sellers_see_those_on_their_cars(db, tenant):
    with db.connection_context():
        listing(tenant, "T01")
        listing(tenant, "H01", seller="6281200000000", make="Honda", model="Jazz")
        buyer = str(BUYER)
        RecordLead("Andi", "#T01", intent="car_by_code", status="warm", cars=("T01",)).record(
            tenant.id, buyer
        )
        RecordLead("Andi", "nego", intent="price_nego", status="hot", alerted=(SELLER,)).record(
            tenant.id, buyer
        )
        RecordLead("Andi", "makasih", intent="thanks", status="new").record(tenant.id, buyer)
        lead = Lead.get()
        assert (lead.status, lead.alerts, lead.last_car, lead.messages) == ("hot", 1, "T01", 3)
        assert [r["identity"] for r in latest_leads(tenant.id, seller=SELLER)] == [buyer]
        assert latest_leads(tenant.id, seller="6281200000000") == []
        assert SetLeadStatus(tenant.id, buyer, "closed", seller="6281200000000").apply() is None
        assert SetLeadStatus(tenant.id, buyer, "closed", seller=SELLER).apply() == "closed"
        RecordLead("Andi", "halo", intent="greeting", status="warm").record(tenant.id, buyer)
        assert Lead.get().status == "closed"  # a closed lead stays closed ...
        RecordLead("Andi", "nego", intent="price_nego", status="hot").record(tenant.id, buyer)
        assert Lead.get().status == "hot"  # ... until they want a person again


def test_demand_and_numbers_of_the_week(db, tenant):
    with db.connection_context():
        for number, who in enumerate(("628111", "628222", "628111")):
            RecordLead(
                "", "xpander?", intent="search", status="warm", wanted="Mitsubishi Xpander", found=0
            ).record(tenant.id, who)
            if number == 0:
                RecordLead(
                    "", "ada", intent="search", status="warm", wanted="", found=3, answered=True
                ).record(tenant.id, who)
        rows = unmet_demand(tenant.id, utcnow() - dt.timedelta(days=7))
        assert rows == [{"wanted": "Mitsubishi Xpander", "count": 3, "buyers": 2}]
        numbers = buyer_stats(tenant.id, utcnow())
        assert numbers["buyers_today"] == 2 and numbers["answered_week"] == 1


# -- the property ---------------------------------------------------------------------------

CODE = re.compile(r"#([A-Z]\d{2,4})")
PRICE = re.compile(r"Rp (\d{1,3}(?:\.\d{3})+)")
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])")
MAKES_MODELS = [
    ("Toyota", "Avanza"),
    ("Toyota", "Fortuner"),
    ("Honda", "Jazz"),
    ("Honda", "HR-V"),
    ("Mitsubishi", "Xpander"),
    ("Suzuki", "Ertiga"),
]
STATUSES = ["available", "available", "available", "booking", "sold", "hidden", "deleted"]
PHRASES = [
    "ada {model} matic?", "{model} {year} ready?", "dibawah {price}jt ada apa", "#{code}",
    "kode {code} brp", "fotonya dong", "ada foto lain?", "kredit dp 30% berapa",
    "simulasi kredit {model} dp {price}jt", "bisa nego?", "lokasi dimana", "yg putih td?",
    "masih ada?", "makasih", "halo", "cari suv diesel", "budget {price}an", "#{code} masih ada?",
    "Halo, saya tertarik dengan {model} {year} (kode #{code}): https://x.id/cars/a-{code}",
    "cicilan 4 tahun berapa", "{model} yg {year} keatas", "harga pas?", "?", "#Z999",
]  # fmt: skip

stock_cars = st.lists(
    st.tuples(
        st.sampled_from(MAKES_MODELS),
        st.integers(2005, 2025),
        st.integers(40, 900),  # millions
        st.sampled_from(STATUSES),
        st.integers(0, 7),  # photos
    ),
    min_size=0,
    max_size=12,
)
messages = st.lists(
    st.tuples(
        st.sampled_from(PHRASES),
        st.sampled_from([m for _, m in MAKES_MODELS]),
        st.integers(2000, 2026),
        st.integers(30, 1000),
        st.integers(1, 15),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stock=stock_cars, conversation=messages)
def test_every_code_price_year_and_photo_in_a_reply_is_the_stocks(db, tenant, stock, conversation):
    with db.connection_context(), db.atomic() as transaction:
        public: dict[str, Listing] = {}
        for number, ((make, model), year, millions, status, count) in enumerate(stock, 1):
            car = listing(
                tenant, f"{make[0]}{number:02d}", make=make, model=model, year=year,
                price_idr=millions * 1_000_000, status=status, slug=f"car-{number}",
            )  # fmt: skip
            photos(car, count)
            if status in ("available", "booking", "sold"):
                public[car.code] = car
        files = {p.file_large for p in Photo.select() if p.listing.code in public}
        state, now, written = BuyerState(), NOW, ""
        for phrase, model, year, price, number in conversation:
            code = f"{(stock[(number - 1) % len(stock)][0][0][0]) if stock else 'T'}{number:02d}"
            words = phrase.format(model=model, year=year, price=price, code=code)
            written += f" {words}"
            question = read_question(words)
            lookup = plan(state, question, now)
            facts = stock_facts(tenant.id, lookup) if lookup else None
            received = InboundEvent("d", words, BUYER, ChatKind.DIRECT, EventKind.TEXT, words)
            state, effects = step(state, received, BuyerContext(SETTINGS, question, facts), now)
            now += 30
            allowed = _amounts(public, question)
            for effect in effects:
                if isinstance(effect, ReplyImage):
                    assert effect.file in files
                    said = effect.caption
                elif isinstance(effect, Say):
                    said = effect.text
                elif isinstance(effect, Alert):
                    said = effect.text.split("\n")[:2]  # the car; the buyer's words are theirs
                    said = "\n".join(said)
                else:
                    continue
                for found in CODE.findall(said):
                    assert found in public or found in words.upper(), (words, said)
                for found in PRICE.findall(said):
                    assert int(found.replace(".", "")) in allowed, (words, said)
                # the stock's years, and those the buyer wrote (a follow-up repeats the wish)
                years = {c.year for c in public.values()} | {int(y) for y in YEAR.findall(written)}
                for found in YEAR.findall(said):
                    assert int(found) in years, (words, said)
                if "Ada " in said and "mobil yang cocok" in said:  # a list offers cars for sale
                    for found in CODE.findall(said):
                        assert public[found].status == "available", said
        transaction.rollback()


def _amounts(public: dict, question) -> set[int]:
    """Every rupiah amount an answer may show: the prices of the stock, and the credit
    simulation's figures for each of them."""
    allowed = set()
    for car in public.values():
        allowed.add(car.price_idr)
        simulation = simulate(
            car.price_idr,
            SETTINGS.credit_rate_pct,
            dp_idr=question.dp_idr,
            dp_pct=question.dp_pct,
            tenor_years=question.tenor_years,
        )
        for row in simulation.rows:
            allowed.add(row.dp_idr)
            allowed.update(monthly for _, monthly in row.monthly_by_years)
    return allowed


_CRITERIA_MODELS = [("Toyota", "Avanza"), ("Honda", "Brio"), ("Toyota", "Kijang Innova"),
                    ("Mitsubishi", "Xpander"), ("Honda", "Jazz")]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stock=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    ("Toyota", "Avanza"),
                    ("Toyota", "Veloz"),
                    ("Honda", "Brio"),
                    ("Honda", "Brio Satya"),
                    ("Toyota", "Kijang Innova"),
                    ("Toyota", "Innova Zenix"),
                    ("Mitsubishi", "Xpander"),
                    ("Mitsubishi", "Xpander Cross"),
                    ("Honda", "Jazz"),
                    ("Daihatsu", "Ayla"),
                    ("Toyota", "Fortuner"),
                ]
            ),
            st.integers(2012, 2024),
            st.integers(80, 500),
            st.sampled_from(["Matic", "Manual", ""]),
            st.sampled_from(["Putih", "Hitam", "Putih Mutiara", "Merah", ""]),
            st.sampled_from(["available", "available", "sold", "hidden"]),
        ),
        max_size=14,
    ),
    wish=st.tuples(
        st.sampled_from([None, *_CRITERIA_MODELS]),
        st.sampled_from([None, 150, 250, 400]),
        st.sampled_from([None, "Matic", "Manual"]),
        st.sampled_from([None, "Putih", "Hitam"]),
        st.sampled_from(["", "cheapest", "around", "under"]),
    ),
)
def test_the_stock_double_of_the_domain_tests_answers_as_the_storage(db, tenant, stock, wish):
    """`tests/domain/buyer_trial.facts` answers a lookup from memory by the storage's rules:
    for random stock and random wishes (their searches, nearer ones and alternatives), both
    give the same cars in the same order."""
    from tests.domain import buyer_trial

    with db.connection_context(), db.atomic() as transaction:
        cars = []
        for number, ((make, model), year, millions, gear, color, status) in enumerate(stock, 1):
            car = listing(
                tenant, f"{make[0]}{number:02d}", make=make, model=model, year=year,
                price_idr=millions * 1_000_000, transmission=gear, color=color, status=status,
                slug=f"car-{number}",
            )  # fmt: skip
            row = Listing.select(*buyers._CAR_COLUMNS).where(Listing.id == car.id).dicts().get()
            cars.append(buyers._facts(row))
        public = tuple(c for c in cars if c.status != "hidden")
        (make_model, budget, gear, color, order) = wish
        filters = Filters(
            make=make_model[0] if make_model else None,
            model=make_model[1] if make_model else None,
            price_max_idr=budget * 1_000_000 if budget else None,
            transmission=gear,
            color=color,
        )
        tries = list(relaxations(filters, order))
        for car in public:
            tries += similar_to(car)
        for criteria in tries:
            stored = [row["code"] for row in buyers._search(tenant.id, criteria, 5)]
            double = [c.code for c in buyer_trial.search(criteria, 5, public)]
            assert stored == double, criteria
        transaction.rollback()


def test_the_module_documents_its_index_promise():
    assert "index" in (buyers.__doc__ or "")
