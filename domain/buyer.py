"""The buyer conversation as a pure state machine: anyone who writes to the dealer's number and
is not a seller. No trio, no database.

A turn runs in three steps, so the rules stay pure and the stock is read through an index:

1. `read_question` (`domain.buyer_questions`) reads the message: intent, filters, code; and
   `in_context` (`domain.buyer_followups`) reads it against the conversation ("yg matic" after
   "ada avanza?", "kalo 250?", "matic kan?"). Both the plan and the turn read it so.
2. `plan(state, question, now, settings)` says what the answer needs from the stock (a
   `StockLookup`: a car by code, link or context, its photos, searches from the wanted car to
   nearer ones); the session actor runs it against the database (`storage.buyers`) and gets
   `StockFacts` back. None: nothing to look up (a greeting, a flood, a chat a person took over).
3. `step(state, event, context)` answers from those facts only, and returns the new
   `BuyerState` with the effects: texts (`Say`), photos (`ReplyImage`), alerts to the people
   who sell (`Alert`: a text to another chat, committed in the same transaction), and the lead's
   update (`LeadNote`: status, cars asked about, what was wanted, who was alerted).

What the buyer gets, in the tenant's language: a search of the stock (up to five available cars,
else the nearest ones, and the demand is recorded), one car's details with up to five photos
(by code, pasted link or the catalog's pre-filled message), more photos, a credit simulation
(`domain.financing`), the address, map and opening hours, greetings and thanks. Whatever needs
a person (negotiation, a viewing, a trade-in, what only a person can decide, or two messages in
a row the bot cannot answer) is handed over: the buyer is told a person will answer, and the
car's seller (else the tenant's sales number, else its admins) gets the buyer's number as a
wa.me link, the car and the buyer's words; at most one alert per buyer and car per hour.

Rules that hold in every answer: only facts from the stock (`StockFacts`) are shown, never an
invented car, price, code or photo; only available cars are offered (a sold or booked car is
said to be so, with available alternatives); a hidden or removed car is not shown; a hand-over
names the car being talked about and alerts its seller. A buyer who floods gets `BURST`
answers, then one every `REFILL_S` seconds (the limit lives in their own state: nobody else is
slowed); the last message held back is answered when the limit lifts (`AnswerLater`). When a
person answers from the dealer's own number, the bot is silent in that chat for
`human_pause_s`.

With a language model configured (the tenant's `copywriter`), a free-form question the rules do
not understand may be answered by the model, given only the facts of the cars in question (the
one being talked about, else the newest for sale) and the showroom's address and hours: the turn
asks for it (`AskModel`), the session runs the turn again with the answer, and the answer is used
only if `model_answer_acceptable` (no car, code, price or year that is not in those facts, no
link, no promise of photos); otherwise the rule-based answer stands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from domain.buyer_followups import in_context
from domain.buyer_questions import USUAL_MIN_DP_PCT, Filters, Intent, Question, read_question
from domain.buyer_state import BuyerState
from domain.car_bodies import body_of, models_for
from domain.car_families import nameplates, relatives
from domain.events import EventKind, InboundEvent
from domain.financing import simulate
from domain.formatting import car_name, kilometres, rupiah
from domain.identity import Identity
from domain.listing import parse_price
from domain.replies import ReplyImage
from domain.texts import has_text, text, value_name
from domain.vocabulary import find_car

BURST = 10  # messages answered in a row before the flood limit bites
REFILL_S = 6.0  # then one more answer every this many seconds (10 a minute)
ALERT_EVERY_S = 3600.0  # one alert per buyer and car per hour
HUMAN_PAUSE_S = 12 * 3600.0
MAX_CARS = 5  # cars in one answer
MAX_PHOTOS = 5  # photos in one answer
MAX_SIMILAR = 3  # alternatives to a car that is sold, or to a search that found nothing
WORDS_IN_ALERT = 300  # characters of the buyer's message quoted to the seller
PRICE_WINDOW_PCT = 25  # "the same price range": within this share of the asked price
AROUND_PCT = 10  # "budget 400an": up to this share above the amount (400-something)
GREETING_EVERY_S = 6 * 3600.0  # the full welcome at most this often; a short one between
PETROL = "Bensin"  # the fuel of a listing that names none (as most petrol cars' do)
HELD_MARGIN_S = 0.5  # a held message is answered this long after the limit lifts

# Intents that are about cars: the lead is warm.
_CAR_INTENTS = frozenset(
    {
        Intent.SEARCH,
        Intent.CAR_BY_CODE,
        Intent.PHOTOS,
        Intent.FINANCING,
        Intent.AVAILABILITY,
    }
)
# Intents whose answer is about one car (the one named, linked or being talked about).
_ONE_CAR = frozenset(
    {
        Intent.CAR_BY_CODE,
        Intent.PHOTOS,
        Intent.FINANCING,
        Intent.AVAILABILITY,
        Intent.PRICE_NEGO,
        Intent.VIEWING,
        Intent.TRADE_IN,
    }
)


# -- settings and facts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuyerSettings:
    """What the tenant configured for buyers (see showroom/config.py)."""

    language: str = "id"
    showroom: str = "Showroom"
    catalog_url: str = ""
    address: str = ""
    maps_url: str = ""
    opening_hours: str = ""
    credit_rate_pct: float = 6.0  # flat, per year
    sales_number: str = ""  # general hand-overs go here (else to the admins)
    human_pause_s: float = HUMAN_PAUSE_S
    model_answers: bool = False  # a language model may answer what the rules do not understand

    def link(self, slug: str) -> str:
        return f"{self.catalog_url.rstrip('/')}/cars/{slug}"


@dataclass(frozen=True, slots=True)
class CarFacts:
    """A car of the stock as a buyer may see it (public statuses only)."""

    code: str
    make: str
    model: str
    variant: str
    year: int | None
    price_idr: int
    mileage_km: int | None
    transmission: str
    fuel: str
    color: str
    status: str  # available, booking or sold
    slug: str
    seller: str  # the identity of who listed it
    seller_active: bool = False  # still a seller or admin of the tenant: alerts go to them
    photos: tuple[str, ...] = ()  # photo files to send, from `StockLookup.photos_from`
    photo_total: int = 0

    @property
    def name(self) -> str:
        return car_name({"make": self.make, "model": self.model, "variant": self.variant})

    @property
    def available(self) -> bool:
        return self.status == "available"


@dataclass(frozen=True, slots=True)
class Criteria:
    """One search of the stock (available cars only). `models`: any of these (make, model)
    pairs, for a body or seat-count search. `variant_of`: also the cars of model
    `variant_of[0]` whose variant starts with `variant_of[1]` (the Avanza Veloz of 2019 is
    listed as an Avanza)."""

    make: str | None = None
    model: str | None = None
    models: tuple[tuple[str, str], ...] = ()
    variant_of: tuple[str, str] | None = None
    year_min: int | None = None
    year_max: int | None = None
    price_min_idr: int | None = None
    price_max_idr: int | None = None
    transmission: str | None = None
    fuel: str | None = None
    exclude: tuple[str, ...] = ()  # codes left out (the car the alternatives are for)
    # `model` also matches these nameplates of its family (`Brio`: Brio Satya), and the
    # storage any model whose name starts with `model` and a space (domain.car_families)
    family: tuple[str, ...] = ()
    color: str | None = None  # the base colour (`Putih`), or a shade of it (`Putih Mutiara`)
    # newest (first uploaded last), cheapest, youngest (by year), under (the dearest first:
    # nearest under a ceiling), near (closest to `near_idr` first)
    order: str = "newest"
    near_idr: int | None = None


@dataclass(frozen=True, slots=True)
class StockLookup:
    """What an answer needs from the stock (the session runs it through `storage.buyers`)."""

    code: str | None = None  # a car by its code ...
    slug: str | None = None  # ... or by its catalog link
    photos_from: int = 0
    photos_max: int = MAX_PHOTOS
    similar: bool = False  # the car is sold or booked: find available alternatives
    searches: tuple[Criteria, ...] = ()  # tried in order; the first that finds cars answers
    limit: int = MAX_CARS
    context: tuple[str, ...] = ()  # codes of cars seen before ("yg putih tadi")
    people: bool = False  # the tenant's admins (for a general hand-over)
    first_photos: bool = False  # a one-car question naming a model: the first match's photos
    fallback_code: str | None = None  # `code` was read loosely (`H 03`): else this car
    alike: bool = False  # "yg mirip": alternatives even when the car is for sale


@dataclass(frozen=True, slots=True)
class StockFacts:
    """What the stock says, for one answer."""

    car: CarFacts | None = None  # by code or link; None: unknown, hidden or removed
    similar: tuple[CarFacts, ...] = ()  # available alternatives to `car`
    matches: tuple[CarFacts, ...] = ()
    matched_by: int = -1  # the search that found `matches` (0: the one wanted); -1: none
    total: int = 0  # cars the first search found in all (the wanted one)
    context: tuple[CarFacts, ...] = ()
    admins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuyerContext:
    """What a buyer turn needs besides the state: settings, the question read, the facts."""

    settings: BuyerSettings = field(default_factory=BuyerSettings)
    question: Question | None = None
    facts: StockFacts | None = None
    # The model's answers the session got for this turn's `AskModel`, by its key ("": none).
    written: Mapping[str, str] = field(default_factory=dict)
    held: bool = False  # the turn answers a message the flood limit held back


# -- effects ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    """A text to the buyer."""

    text: str


@dataclass(frozen=True, slots=True)
class Alert:
    """A text to someone who sells (the car's seller, the sales number, an admin), committed
    with the turn and sent by the outbox like any reply."""

    chat: str
    text: str


@dataclass(frozen=True, slots=True)
class LeadNote:
    """The lead's update, committed with the turn (storage.writes.RecordLead)."""

    name: str
    text: str
    intent: str
    status: str  # new, warm or hot: the least the lead is now (it never drops by itself)
    cars: tuple[str, ...] = ()  # codes of the cars asked about
    answered: bool = False  # answered without a person
    wanted: str = ""  # a search that found nothing: what was wanted
    found: int | None = None  # cars a search found
    alerted: tuple[str, ...] = ()  # who was alerted
    repeat: bool = False  # the answer to a message counted before (held by the flood limit)


@dataclass(frozen=True, slots=True)
class AskModel:
    """Ask the configured language model to answer `question` from these cars' facts only
    (the session runs the turn again with the answer in `BuyerContext.written[key]`)."""

    key: str
    question: str
    cars: tuple[CarFacts, ...]
    settings: BuyerSettings


@dataclass(frozen=True, slots=True)
class AnswerLater:
    """The flood limit held a message back: answer it after `delay_s` (the session sets a
    reminder; the answer comes only if it is still the last message held, `BuyerState.held`)."""

    delay_s: float
    key: str


@dataclass(frozen=True, slots=True)
class AnswerHeld:
    """The session's reminder to itself (from `AnswerLater`): answer the held message `key`."""

    key: str


BuyerEffect = Say | ReplyImage | Alert | LeadNote | AskModel | AnswerLater


# -- planning the lookup ------------------------------------------------------------------


def question_of(received: InboundEvent) -> Question | None:
    """The question in a buyer's message (a photo's caption counts); None for a photo without
    one, a voice note, a sticker."""
    if received.kind is EventKind.UNSUPPORTED or not received.text.strip():
        return None
    return read_question(received.text)


def paused(state: BuyerState, now: float) -> bool:
    return now < state.human_until


def throttled(state: BuyerState, now: float) -> bool:
    return _tokens(state, now) < 1.0


def held_answer_in(state: BuyerState, now: float) -> float | None:
    """Seconds until the message the flood limit held back is answered (None: none is held).
    Kept in the session's state, so a restart can set the reminder again."""
    if not state.held:
        return None
    return max((1.0 - _tokens(state, now)) * REFILL_S, 0.0) + HELD_MARGIN_S


def plan(
    state: BuyerState,
    question: Question | None,
    now: float,
    *,
    seller: bool = False,
    model: bool = False,
) -> StockLookup | None:
    """What the answer to `question` needs from the stock; None when it needs nothing.
    `model`: a language model may answer free-form questions (it gets the car being talked
    about, else the newest cars for sale)."""
    if not seller and (paused(state, now) or throttled(state, now)):
        return None
    if question is None or question.spam:
        return StockLookup(people=not seller)
    question = in_context(state, question, now)
    assert question is not None
    lookup = _plan(state, question, seller=seller, model=model)
    if question.loose_code and question.without_code is not None:
        # `H 03`: that car if it exists, else what the message asks without it
        without = in_context(state, question.without_code, now)
        assert without is not None
        other = _plan(state, without, seller=seller, model=model)
        lookup = replace(
            other,
            code=question.code,
            fallback_code=other.code,
            similar=True,
            people=lookup.people or other.people,
        )
    return lookup


def _plan(state: BuyerState, question: Question, *, seller: bool, model: bool) -> StockLookup:
    intent = question.intent
    code = question.code
    # the car being talked about: a one-car question's subject, and the car any hand-over or
    # unanswerable message is about ("bekas banjir ga?" after #T02)
    about_the_car = (
        intent in _ONE_CAR
        or question.needs_person
        or question.alike
        or intent is Intent.OTHER
        or state.unanswered > 0
    )
    if code is None and question.slug is None and about_the_car:
        code = state.car
    searches: tuple[Criteria, ...] = ()
    filters = question.filters
    if intent is Intent.SEARCH:
        searches = relaxations(filters, question.order)
    elif filters is not None and intent in _ONE_CAR:
        searches = (criteria_of(filters, question.order),)
    # photos of the car the buyer has some of already: the next ones, never the same again
    photos_from = state.photos_sent if intent is Intent.PHOTOS and code == state.car else 0
    # the admins are needed only where a general hand-over may come
    handover = (
        question.needs_person
        or question.more_photos
        or photos_from > 0  # there may be no more: a person is asked for them
        or state.unanswered > 0
        or question.fact in ("papers", "condition", "transmission", "fuel", "color", "year")
        or intent in (Intent.OTHER, Intent.LOCATION_HOURS)
    )
    if model and not seller and intent is Intent.OTHER and not question.needs_person:
        code, searches = code or state.car, searches or (Criteria(),)
    context: tuple[str, ...] = ()
    if len(question.codes) > 1:
        context = question.codes  # "H02 sama H03 bagusan mana?"
    elif intent is Intent.AVAILABILITY:
        context = state.shown
    return StockLookup(
        code=code,
        slug=question.slug,
        photos_from=photos_from,
        similar=intent in _ONE_CAR or question.alike,
        searches=searches,
        context=context,
        people=not seller and handover,
        first_photos=intent in _ONE_CAR and filters is not None,
        alike=question.alike and intent is Intent.SEARCH,
    )


def criteria_of(filters: Filters | None, order: str = "") -> Criteria:
    """The search for exactly what the buyer asked, listed as `order` says (see
    `Question.order`): a budget "N an" reaches a little above N, nearest to N first."""
    if filters is None:
        return Criteria(order=order if order in ("cheapest", "youngest") else "newest")
    models: tuple[tuple[str, str], ...] = ()
    if filters.model is None and (filters.body or filters.seats_min):
        models = models_for(filters.body, filters.seats_min) or (("", ""),)  # none: nothing
    variant_of = ("Avanza", "Veloz") if filters.model == "Veloz" else None
    family = nameplates(filters.make, filters.model)[1:] if filters.model else ()
    top = filters.price_max_idr
    sort, near = "newest", None
    if order in ("cheapest", "youngest"):
        sort = order
    elif order == "around" and top is not None:
        sort, near, top = "near", top, top + top * AROUND_PCT // 100
    elif order in ("under", "cheaper") and top is not None:
        sort = "under"
    return Criteria(
        make=filters.make,
        model=filters.model,
        models=models,
        variant_of=variant_of,
        year_min=filters.year_min,
        year_max=filters.year_max,
        price_min_idr=filters.price_min_idr,
        price_max_idr=top,
        transmission=filters.transmission,
        fuel=filters.fuel,
        family=family,
        color=filters.color,
        order=sort,
        near_idr=near,
    )


def relaxations(filters: Filters | None, order: str = "") -> tuple[Criteria, ...]:
    """The wanted search first, then nearer and nearer ones for when it finds nothing, keeping
    a stated transmission as long as it can: the same thing in any colour; the model's family
    (`Xpander Cross`: the Xpander) in the budget, then at any price; the same kind of car (the
    model's body, or the body or seats asked) in the budget; the same make in the budget; the
    budget alone (widened); the model's family, the kind, the make at any price; anything. In
    a budget the nearest price comes first."""
    exact = criteria_of(filters, order)
    if filters is None:
        return (exact,)
    window = _price_window(filters)
    if order == "cheaper" and filters.price_max_idr is not None:
        window = {"price_max_idr": filters.price_max_idr}  # cheaper means cheaper, nearest or not
    near = _near(filters)
    gear = {"transmission": filters.transmission} if filters.transmission else {}
    kind = exact.models
    if filters.model and filters.make:
        body = body_of(filters.make, filters.model)
        kind = models_for(body) if body else ()
    family = relatives(filters.make, filters.model) if filters.model else ()
    tries = [exact, replace(exact, color=None)]
    if family:
        as_family = Criteria(make=filters.make, model=family[0], family=family[1:])
        tries += [replace(as_family, **window, **gear, **near)]
        tries += [replace(as_family, **window, **near)]
        tries += [replace(as_family, **gear), as_family]
    if kind:
        tries += [Criteria(models=kind, **window, **gear, **near)]
        tries += [Criteria(models=kind, **window, **near)]
    if filters.make:
        tries += [Criteria(make=filters.make, **window, **gear, **near)]
        tries += [Criteria(make=filters.make, **window, **near)]
    if window:
        tries += [Criteria(**window, **gear, **near), Criteria(**window, **near)]
    if kind:
        tries += [Criteria(models=kind, **gear), Criteria(models=kind)]
    if filters.make:
        tries += [Criteria(make=filters.make, **gear), Criteria(make=filters.make)]
    if gear:
        tries += [Criteria(**gear)]
    tries.append(Criteria())
    if order == "cheaper":  # never a dearer car for "yg lebih murah"
        tries = [t for t in tries if t.price_max_idr is not None]
    return tuple(dict.fromkeys(tries))


def similar_to(car: CarFacts) -> tuple[Criteria, ...]:
    """Available alternatives to a car, the closest in price first: its family in its price
    range; the same kind of car (body) in its price range, with its transmission, then with
    any; the same make in its price range; its price range with its transmission, then any;
    its family, its kind, its make at any price; and last the newest cars for sale."""
    window = car.price_idr * PRICE_WINDOW_PCT // 100
    band = {"price_min_idr": car.price_idr - window, "price_max_idr": car.price_idr + window}
    near = {"order": "near", "near_idr": car.price_idr}
    gear = {"transmission": car.transmission} if car.transmission else {}
    leave_out = {"exclude": (car.code,)}
    family = relatives(car.make, car.model)
    as_family = Criteria(make=car.make, model=family[0], family=family[1:], **leave_out)
    body = body_of(car.make, car.model, car.variant)
    kind = models_for(body) if body else ()
    tries = [replace(as_family, **band, **near)]
    if kind:
        tries += [Criteria(models=kind, **band, **gear, **near, **leave_out)]
        tries += [Criteria(models=kind, **band, **near, **leave_out)]
    tries += [
        Criteria(make=car.make, **band, **near, **leave_out),
        Criteria(**band, **gear, **near, **leave_out),
        Criteria(**band, **near, **leave_out),
        replace(as_family, **near),
    ]
    if kind:
        tries.append(Criteria(models=kind, **near, **leave_out))
    tries += [Criteria(make=car.make, **near, **leave_out), Criteria(**leave_out)]
    return tuple(dict.fromkeys(tries))


def _price_window(filters: Filters) -> dict[str, int]:
    if filters.price_max_idr is None and filters.price_min_idr is None:
        return {}
    top = filters.price_max_idr or filters.price_min_idr or 0
    widened = {"price_max_idr": top + top * PRICE_WINDOW_PCT // 100}
    if filters.price_min_idr is not None:
        widened["price_min_idr"] = filters.price_min_idr * (100 - PRICE_WINDOW_PCT) // 100
    return widened


def _near(filters: Filters) -> dict[str, Any]:
    """Among the nearest cars of a budget, the closest in price first."""
    top = filters.price_max_idr or filters.price_min_idr
    return {"order": "near", "near_idr": top} if top else {}


def _tokens(state: BuyerState, now: float) -> float:
    if state.tokens < 0:
        return float(BURST)
    return min(float(BURST), state.tokens + max(0.0, now - state.tokens_at) / REFILL_S)


# -- the turn -----------------------------------------------------------------------------


def step(
    state: BuyerState, received: InboundEvent, context: BuyerContext, now: float
) -> tuple[BuyerState, list[BuyerEffect]]:
    """One buyer message (or the dealer's own message in the buyer's chat: `from_me`)."""
    turn = _Turn(state, received, context, now)
    turn.run()
    return turn.state, turn.effects


def seller_answer(received: InboundEvent, context: BuyerContext, now: float) -> list[BuyerEffect]:
    """A seller's question about the stock outside an upload (a code, a link, a search): the
    buyer's answer, without lead, alerts or hand-over. [] when it is no such question."""
    question = context.question or question_of(received)
    if question is None or not answers_seller(question):
        return []
    turn = _Turn(BuyerState(), received, replace(context, question=question), now, seller=True)
    turn.run()
    return [e for e in turn.effects if isinstance(e, Say | ReplyImage)]


def answers_seller(question: Question) -> bool:
    """The questions a seller or admin gets the buyer's answer to: a car by code or link, a
    search of the stock, and a credit simulation of a coded car ("kredit #T01"); everything
    else keeps the seller's help."""
    if question.intent is Intent.CAR_BY_CODE:
        return True
    if question.intent is Intent.FINANCING and (question.code or question.slug):
        return True
    return question.intent is Intent.SEARCH and question.filters is not None


class _Turn:
    def __init__(
        self,
        state: BuyerState,
        received: InboundEvent,
        context: BuyerContext,
        now: float,
        *,
        seller: bool = False,
    ) -> None:
        self.state = state
        self.received = received
        self.context = context
        self.settings = context.settings
        self.facts = context.facts or StockFacts()
        self.now = now
        self.seller = seller
        self.effects: list[BuyerEffect] = []
        # what the lead's update will say
        self.status = "new"
        self.cars: list[str] = []
        self.answered = False
        self.wanted = ""
        self.found: int | None = None
        self.alerted: tuple[str, ...] = ()
        self.intent = ""

    # -- helpers --------------------------------------------------------------------------

    def say(self, key: str, **values: Any) -> None:
        self.effects.append(Say(text(self.settings.language, key, **values)))

    def words(self, key: str, **values: Any) -> str:
        return text(self.settings.language, key, **values)

    def change(self, **values: Any) -> None:
        self.state = replace(self.state, **values)

    # -- dispatch -------------------------------------------------------------------------

    def run(self) -> None:
        received = self.received
        if received.from_me:
            # A person answered from the dealer's number: they have this chat now.
            self.change(human_until=self.now + self.settings.human_pause_s, unanswered=0)
            return
        question = self.context.question
        if question is None and received.kind is EventKind.TEXT:
            question = question_of(received)
        question = in_context(self.state, question, self.now)
        if question is not None and question.loose_code and not self.loose_code_found(question):
            question = in_context(self.state, question.without_code, self.now)
        self.intent = question.intent.value if question else "other"
        if not self.seller:
            self.lead_turn(question)
            self.note_lead()
        else:
            self.answer(question)
        if any(isinstance(e, Say | ReplyImage) for e in self.effects):
            self.change(answered_at=self.now)

    def loose_code_found(self, question: Question) -> bool:
        """`H 03` is a code when that car is in the catalog."""
        car = self.facts.car
        return car is not None and car.code == question.code

    def lead_turn(self, question: Question | None) -> None:
        if paused(self.state, self.now):
            return  # a person has this chat
        if self.context.held and self.state.held != self.received.dedupe_key:
            return  # a later message was held, or this one is answered already
        if not self.take_token():
            self.hold()
            return
        self.change(held="", held_text="")
        if self.received.kind is EventKind.TEXT and self.received.text.lstrip().startswith("/"):
            self.say("buyer_not_seller", showroom=self.settings.showroom, link=self.catalog())
            self.answered = True
            return
        if question is not None and question.spam:
            return  # a link and an offer: no question to answer
        self.answer(question)

    def take_token(self) -> bool:
        tokens = _tokens(self.state, self.now)
        if tokens < 1.0:
            return False
        calm = tokens >= BURST - 0.5  # the bucket filled up again: a new flood is told again
        self.change(
            tokens=tokens - 1.0,
            tokens_at=self.now,
            throttled_told=self.state.throttled_told and not calm,
        )
        return True

    def hold(self) -> None:
        """Too many messages: the last one is answered when the limit lifts (the buyer is told
        so once a flood), the ones before it are left."""
        if self.received.kind is EventKind.TEXT and self.received.text.strip():
            key = self.received.dedupe_key
            self.change(held=key, held_text=self.received.text)
            wait = held_answer_in(self.state, self.now)
            assert wait is not None
            self.effects.append(AnswerLater(wait, key))
        if not self.state.throttled_told:
            self.change(throttled_told=True)
            self.say("buyer_throttled")

    def answer(self, question: Question | None) -> None:
        photo = self.received.kind is EventKind.IMAGE and not self.seller
        if photo and (question is None or question.intent in (Intent.OTHER, Intent.GREETING)):
            # "ada yg kaya gini?" with a photo: only a person can look at it
            self.hand_over("buyer_photo", self.subject_in_context())
            return
        if question is None:  # a voice note, a sticker
            self.unanswerable("buyer_unsupported")
            return
        # a request waiting for its car, and the topic of the last answer, last one message
        self.change(pending="", topic="")
        question = self.with_down_payment_rule(question)
        if question.needs_person:
            if self.seller:
                return
            self.person(question)
            return
        match question.intent:
            case Intent.GREETING:
                self.greeting(question)
            case Intent.THANKS:
                self.closing(question)
            case Intent.SEARCH:
                self.search(question)
            case Intent.CAR_BY_CODE:
                self.car_by_code(question)
            case Intent.PHOTOS:
                self.photos(question)
            case Intent.FINANCING:
                self.financing(question)
            case Intent.AVAILABILITY:
                self.availability(question)
            case Intent.LOCATION_HOURS:
                self.location(question)
            case _ if question.trust:
                self.reassure()
            case _:
                if not self.model_answer(question):
                    self.unanswerable("buyer_unknown")
        if self.answered:
            self.change(unanswered=0)

    def greeting(self, question: Question) -> None:
        """The full welcome at most every few hours; a short one between (a buyer who writes
        "p", "p", "min" gets one welcome, not three)."""
        if question.trust:
            self.reassure()
            return
        if self.now - self.state.greeted_at < GREETING_EVERY_S:
            self.say("buyer_greeting_short")
        else:
            self.say("buyer_greeting", showroom=self.settings.showroom)
            self.change(greeted_at=self.now)
        self.answered = True

    def closing(self, question: Question) -> None:
        """ "Sama-sama" only to thanks: a closing ("nanti sy kabarin") is awaited, an
        acknowledgement ("ok", 👍) gets a word, "good morning" a greeting."""
        if question.closing == "greeting":
            self.greeting(question)
            return
        key = {"thanks": "buyer_thanks", "later": "buyer_closing_later"}.get(
            question.closing, "buyer_closing_ack"
        )
        self.say(key)
        self.answered = True

    def reassure(self) -> None:
        """ "Beneran showroom? bukan penipuan?": the address, the map, the hours and the
        catalog, and to see the car before paying anything."""
        self.say(
            "buyer_trust",
            showroom=self.settings.showroom,
            details=self.showroom_details() or self.catalog(),
            link=self.catalog(),
        )
        self.answered = True

    def model_answer(self, question: Question) -> bool:
        """A language model's answer to what the rules do not understand, when one is
        configured and its answer keeps to the facts; False: the rules answer."""
        if not self.settings.model_answers or self.seller or question.needs_person:
            return False
        key = model_key(question.text)
        cars = self.model_cars()
        if key not in self.context.written:
            self.effects.append(AskModel(key, question.text, cars, self.settings))
            return True  # the turn runs again with the answer
        answer = self.context.written[key].strip()
        if not answer or not model_answer_acceptable(answer, cars, self.settings):
            return False
        self.effects.append(Say(answer))
        self.answered = True
        return True

    def model_cars(self) -> tuple[CarFacts, ...]:
        car = self.subject_in_context()
        if car is not None:
            return (car,)
        return tuple(c for c in self.facts.matches if c.available)

    # -- what cannot be answered ----------------------------------------------------------

    def unanswerable(self, key: str, **values: Any) -> None:
        """One short pointer; the second message in a row the bot cannot answer goes to a
        person; after a hand-over of the last hour, that the team has it."""
        if self.seller:
            return
        if any(self.now - at < ALERT_EVERY_S for _, at in self.state.alerts):
            # a person was called into this chat within the hour: they will read this too
            self.say("buyer_handover_again")
            return
        count = self.state.unanswered + 1
        if count >= 2:
            self.change(unanswered=0)
            self.hand_over("unanswered", self.subject_in_context())
            return
        self.change(unanswered=count)
        self.say(key, **values)

    def subject_in_context(self) -> CarFacts | None:
        car = self.facts.car
        return car if car is not None and car.code == self.state.car else None

    # -- a person -------------------------------------------------------------------------

    def with_down_payment_rule(self, question: Question) -> Question:
        """A DP below the usual share of the car's price goes to a person; with the car known
        its price decides (Rp 25 jt is 24 % of a Rp 105 jt Ayla: usual), without a car the
        amount read (`buyer_questions.USUAL_MIN_DP_IDR`)."""
        if question.dp_low_words or (question.dp_idr is None and question.dp_pct is None):
            return question
        if question.intent is not Intent.FINANCING and question.reason != "low_dp":
            return question
        car = self.subject(question)
        if car is None or not car.price_idr:
            return question
        low = _dp_share(question, car) < USUAL_MIN_DP_PCT
        if low and not question.needs_person:
            return replace(question, needs_person=True, reason="low_dp")
        if not low and question.reason == "low_dp":
            return replace(question, needs_person=False, reason="")
        return question

    def person(self, question: Question) -> None:
        if question.reason == "dealer_buys":
            car = self.subject_in_context()  # the car they sell is theirs, not one of ours
        else:
            car = self.subject(question) or self.subject_in_context()
        if car is not None and car.status == "sold":
            self.not_available(car)
            car = None  # nothing to hand this car's seller: a general hand-over
        elif car is not None and question.asks_available and car.code != self.state.car:
            # "jazz merah masih ada? harga nett brp?": the car first, then the person
            self.say("buyer_still_there", card=self.card(car))
        values: dict[str, Any] = {}
        if question.reason == "low_dp" and car is not None:
            usual = car.price_idr * USUAL_MIN_DP_PCT // 100
            values = {
                "dp": rupiah(_dp_amount(question, car)),
                "share": _dp_share(question, car),
                "price": rupiah(car.price_idr),
                "usual": USUAL_MIN_DP_PCT,
                "usual_dp": rupiah(usual),
            }
        self.hand_over(question.reason or question.intent.value, car, **values)

    def hand_over(self, reason: str, car: CarFacts | None, **values: Any) -> None:
        """A person answers: the buyer is told so (about which car, and why when it helps),
        and the car's seller (else the sales number, else the admins) is alerted, at most once
        per buyer and car an hour."""
        self.status = "hot"
        if car is not None:
            self.remember_car(car)
        key = car.code if car is not None else ""
        recent = tuple((c, at) for c, at in self.state.alerts if self.now - at < ALERT_EVERY_S)
        if any(c == key for c, _ in recent):
            self.change(alerts=recent)
            self.say("buyer_handover_again")
            return
        recipients = self.recipients(car)
        words = self.received.text.strip()[:WORDS_IN_ALERT] or self.words("alert_no_words")
        alert = self.words(
            "alert",
            reason=self.words(f"reason_{reason}") if _has_reason(reason) else reason,
            car=self.words("alert_car", code=car.code, name=car.name, year=car.year or "",
                           price=rupiah(car.price_idr), link=self.settings.link(car.slug))
            if car is not None
            else self.words("alert_no_car"),
            buyer=self.buyer_contact(),
            words=words,
        )  # fmt: skip
        for chat in recipients:
            self.effects.append(Alert(chat, alert))
        self.alerted = recipients
        self.change(alerts=(*recent, (key, self.now)))
        if car is None:
            self.say("buyer_handover")
            return
        own = f"buyer_handover_{reason}"
        self.say(
            own if has_text(own) else "buyer_handover_car",
            code=car.code,
            name=car.name,
            year=car.year or "",
            **values,
        )

    def recipients(self, car: CarFacts | None) -> tuple[str, ...]:
        buyer = str(self.received.sender)
        if car is not None and car.seller_active and car.seller != buyer:
            return (car.seller,)
        if self.settings.sales_number and self.settings.sales_number != buyer:
            return (self.settings.sales_number,)
        return tuple(a for a in self.facts.admins if a != buyer)

    def buyer_contact(self) -> str:
        sender: Identity = self.received.sender
        name = self.received.sender_name.strip()
        if sender.is_phone:
            return self.words("alert_buyer", name=name, link=f"https://wa.me/{sender.value}")
        return self.words("alert_buyer_hidden", name=name)

    # -- the stock ------------------------------------------------------------------------

    def catalog(self) -> str:
        return self.settings.catalog_url.rstrip("/") or "-"

    def subject(self, question: Question) -> CarFacts | None:
        """The car a one-car question is about: the one named or linked, else the one being
        talked about if it fits what the message says, else the first car the search found."""
        car = self.facts.car
        named = question.code is not None or question.slug is not None
        if car is not None and (named or _fits(car, question.filters)):
            return car
        if named:
            return None
        if self.facts.matched_by == 0 and self.facts.matches:
            return self.facts.matches[0]
        return None

    def remember_car(self, car: CarFacts, photos_sent: int | None = None) -> None:
        if car.code not in self.cars:
            self.cars.append(car.code)
        if self.status != "hot":
            self.status = "warm"
        if photos_sent is not None:
            self.change(car=car.code, photos_sent=photos_sent, car_price=car.price_idr)
        elif self.state.car != car.code:
            self.change(car=car.code, photos_sent=0, car_price=car.price_idr)

    def line(self, car: CarFacts) -> str:
        details = [rupiah(car.price_idr)]
        if car.mileage_km:
            details.append(kilometres(car.mileage_km))
        if car.transmission:
            details.append(value_name(self.settings.language, car.transmission))
        return self.words(
            "buyer_car_line",
            code=car.code,
            name=car.name,
            year=car.year or "",
            details=" · ".join(details),
            link=self.settings.link(car.slug),
        )

    def lines(self, cars: tuple[CarFacts, ...]) -> str:
        return "\n\n".join(self.line(car) for car in cars)

    def search(self, question: Question) -> None:
        self.status = "warm"
        facts = self.facts
        before = self.state.filters
        # kept, so "yg matic", "kalo 200?", "yg paling murah" search it again
        self.change(filters=question.filters or Filters(), order=question.order)
        if question.alike and self.alike_answer(question):
            return
        self.found = facts.total if facts.matched_by == 0 else 0
        if facts.matched_by == 0 and facts.matches:
            if len(facts.matches) == 1 and question.asks_available:
                self.say("buyer_still_there", card=self.card(facts.matches[0]))
                self.show_list(facts.matches)
            else:
                more = facts.total - len(facts.matches)
                self.say(
                    "buyer_found",
                    count=facts.total,
                    lines=self.lines(facts.matches),
                    more=self.words("buyer_more", count=more, link=self.catalog())
                    if more > 0
                    else "",
                    code=facts.matches[0].code,
                )
                self.show_list(facts.matches)
            self.answered = True
            self.extras(question)
            return
        wanted = describe(question.filters, self.settings.language, question.order)
        self.wanted = wanted or self.words("buyer_anything")
        if facts.matches and before == question.filters:
            # the same unmet wish, listed another way ("yg paling murah"): no apology again,
            # and the demand is counted once
            nearest = facts.matches[:MAX_SIMILAR]
            self.say(
                "buyer_nearest_again",
                wanted=self.wanted,
                lines=self.lines(nearest),
                code=nearest[0].code,
            )
            self.show_list(nearest)
            self.wanted, self.found = "", None
            self.answered = True
            self.extras(question)
            return
        if facts.matches:
            self.say(
                "buyer_not_found_nearest",
                wanted=self.wanted,
                lines=self.lines(facts.matches[:MAX_SIMILAR]),
                code=facts.matches[0].code,
            )
            self.show_list(facts.matches[:MAX_SIMILAR])
        else:
            self.say("buyer_not_found", wanted=self.wanted, link=self.catalog())
        self.answered = True
        self.extras(question)

    def alike_answer(self, question: Question) -> bool:
        """ "yg mirip calya", "ada calya lain?" about the car being talked about: the cars like
        it (its family and kind in its price range first). False: not about that car."""
        car = self.facts.car
        filters = question.filters
        if car is None or car.code != self.state.car or not self.facts.similar:
            return False
        if filters is not None and filters.model is not None:
            if car.model not in relatives(filters.make, filters.model):
                return False
            if car.available and self.facts.matched_by == 0:
                others = [c for c in self.facts.matches if c.code != car.code]
                if others:  # "ada calya lain?" and another Calya is for sale
                    self.say("buyer_similar", lines=self.lines(tuple(others)), code=others[0].code)
                    self.show_list(tuple(others))
                    self.answered = True
                    return True
        similar = self.facts.similar
        self.say("buyer_alike", code=car.code, name=car.name, lines=self.lines(similar),
                 first=similar[0].code)  # fmt: skip
        self.show_list(similar)
        self.answered = True
        return True

    def extras(self, question: Question) -> None:
        """The further asks of the message, after its car question: the credit simulation of
        the one car in question (of several: how to ask for one), the location."""
        for extra in question.extra:
            if extra is Intent.FINANCING:
                car = self.facts.car if self.facts.car is not None else None
                one = self.state.car
                chosen = next((c for c in self.facts.matches if c.code == one), None) or (
                    car if car is not None and car.code == one else None
                )
                if chosen is None:
                    self.say("buyer_financing_which", rate=self.rate())
                else:
                    self.simulation(chosen, question)
            elif extra is Intent.LOCATION_HOURS:
                self.location(question)

    def show_list(self, cars: tuple[CarFacts, ...]) -> None:
        codes = tuple(car.code for car in cars)
        if len(cars) == 1:
            self.change(shown=codes, car=codes[0], photos_sent=0, car_price=cars[0].price_idr)
        else:
            self.change(shown=codes, car=None, photos_sent=0, car_price=0)

    def car_by_code(self, question: Question) -> None:
        if len(question.codes) > 1 and len(self.facts.context) > 1:
            self.compare(self.facts.context)
            return
        car = self.facts.car
        if car is None:
            self.missing(question)
            return
        self.show_car(car)
        if car.available and question.fact in ("papers", "condition"):
            self.hand_over(question.fact, car)
            return
        if car.available:
            self.extras(question)

    def compare(self, cars: tuple[CarFacts, ...]) -> None:
        """ "H02 sama H03 bagusan mana?": both cars, and a person for an opinion."""
        self.say("buyer_compare", lines=self.lines(cars))
        self.change(shown=tuple(c.code for c in cars), car=None, photos_sent=0, car_price=0)
        for car in cars:
            self.remember_car(car)
        self.change(car=None, car_price=0)
        self.answered = True

    def missing(self, question: Question) -> None:
        if question.code:
            self.say("buyer_code_unknown", code=question.code, link=self.catalog())
        elif question.slug:
            self.say("buyer_link_unknown", link=self.catalog())
        else:
            self.unanswerable("buyer_which_car")
            return
        self.answered = True

    def show_car(self, car: CarFacts, *, photos: bool = True) -> None:
        """A car's details and (unless sold) its photos; a sold car with alternatives."""
        if car.status == "sold":
            self.not_available(car)
            self.remember_car(car)
            self.answered = True
            return
        self.say("buyer_car", card=self.card(car))
        sent = 0
        if photos:
            sent = self.send_photos(car, 0)
            if not car.photo_total:
                self.say("buyer_no_photos", code=car.code)
        self.say("buyer_car_next")
        self.remember_car(car, photos_sent=sent)
        self.answered = True

    def card(self, car: CarFacts) -> str:
        language = self.settings.language
        lines = [f"*#{car.code} {car.name} {car.year or ''}*".replace(" *", "*")]
        lines.append(f"💰 {rupiah(car.price_idr)}")
        for key, value in (
            ("mileage", kilometres(car.mileage_km) if car.mileage_km else ""),
            ("transmission", car.transmission),
            ("fuel", car.fuel),
            ("color", car.color),
        ):
            if value:
                lines.append(f"{text(language, 'spec_' + key)}: {value_name(language, value)}")
        if car.status == "booking":
            lines.append(self.words("buyer_booked"))
        lines.append(self.settings.link(car.slug))
        return "\n".join(lines)

    def send_photos(self, car: CarFacts, start: int) -> int:
        """Send the photos the facts hold (from `start`); returns how many are sent in all."""
        for index, file in enumerate(car.photos, start=start + 1):
            caption = self.words(
                "buyer_photo_caption",
                code=car.code,
                name=car.name,
                year=car.year or "",
                index=index,
                total=car.photo_total,
            )
            self.effects.append(ReplyImage(file, caption))
        return start + len(car.photos)

    def not_available(self, car: CarFacts) -> None:
        if self.state.sold_told == car.code:
            # "yah udh laku ya": the alternatives were just given, not again word for word
            self.say("buyer_sold_again", code=car.code)
            return
        self.say(
            "buyer_sold",
            code=car.code,
            name=car.name,
            year=car.year or "",
        )
        self.change(sold_told=car.code)
        if self.facts.similar:
            similar = self.facts.similar
            self.say("buyer_similar", lines=self.lines(similar), code=similar[0].code)
            self.show_list(self.facts.similar)
        else:
            self.say("buyer_see_catalog", link=self.catalog())

    def photos(self, question: Question) -> None:
        car = self.subject(question)
        if car is None:
            if not (question.code or question.slug):
                self.change(pending="photos")  # sent once the buyer says which car
            self.missing(question)
            return
        if car.status == "sold":
            self.show_car(car, photos=False)
            return
        start = self.state.photos_sent if car.code == self.state.car else 0  # the next ones
        if not car.photos:
            self.remember_car(car)
            if start > 0 or question.more_photos:
                self.say("buyer_all_photos_sent", code=car.code)
                self.hand_over("more_photos", car)
            else:
                self.say("buyer_no_photos", code=car.code)
                self.answered = True
            return
        sent = self.send_photos(car, start)
        self.remember_car(car, photos_sent=sent)
        self.answered = True

    def financing(self, question: Question) -> None:
        car = self.subject(question)
        if car is None:
            if question.code or question.slug:
                self.missing(question)
                return
            self.say("buyer_financing_general", rate=self.rate())
            self.status = "warm"
            self.answered = True
            return
        if car.status == "sold":
            self.show_car(car, photos=False)
            return
        if question.asks_available and car.code != self.state.car:
            # "ayla 2021 msh ada kak? dp brp ya": the car first, then its simulation
            self.say("buyer_still_there", card=self.card(car))
        self.simulation(car, question)

    def simulation(self, car: CarFacts, question: Question) -> None:
        """The credit simulation; with the buyer's own DP, that row alone (short)."""
        simulation = simulate(
            car.price_idr,
            self.settings.credit_rate_pct,
            dp_idr=question.dp_idr,
            dp_pct=question.dp_pct,
            tenor_years=question.tenor_years,
        )
        first = simulation.rows[0]
        own = (question.dp_pct is not None and first.dp_pct == question.dp_pct) or (
            question.dp_pct is None and question.dp_idr is not None and first.dp_pct is None
        )
        shown = simulation.rows[:1] if own else simulation.rows
        rows = []
        for row in shown:
            pct = row.dp_pct if row.dp_pct is not None else row.dp_idr * 100 // car.price_idr
            share = f" ({pct}%)"
            tenors = " · ".join(
                self.words("buyer_tenor", years=years, monthly=rupiah(monthly))
                for years, monthly in row.monthly_by_years
            )
            rows.append(
                self.words("buyer_dp_row", dp=rupiah(row.dp_idr), share=share, tenors=tenors)
            )
        self.say(
            "buyer_financing",
            code=car.code,
            name=car.name,
            year=car.year or "",
            price=rupiah(car.price_idr),
            rate=self.rate(),
            rows="\n\n".join(rows),
            other=self.words("buyer_financing_other") if len(shown) < len(simulation.rows) else "",
        )
        self.remember_car(car)
        self.change(topic="financing")
        self.answered = True

    def rate(self) -> str:
        value = f"{self.settings.credit_rate_pct:g}"
        return value.replace(".", ",") if self.settings.language == "id" else value

    def availability(self, question: Question) -> None:
        candidates = self.facts.context
        chosen: CarFacts | None = None
        if question.color:
            coloured = [c for c in candidates if c.color == question.color]
            chosen = coloured[0] if len(coloured) == 1 else None
        if chosen is None and question.filters is not None:
            fitting = [c for c in candidates if _fits(c, question.filters)]
            chosen = fitting[0] if len(fitting) == 1 else None
        if chosen is None:
            chosen = self.subject(question)
        if chosen is None and question.filters is not None and self.facts.matched_by == 0:
            self.search(question)
            return
        if chosen is None:
            if len(candidates) > 1:
                self.say("buyer_which_of", lines=self.lines(candidates))
                self.answered = True
                return
            self.unanswerable("buyer_which_car")
            return
        if chosen.status == "sold":
            self.not_available(chosen)
            self.remember_car(chosen)
            self.answered = True
            return
        if question.fact:
            self.fact(chosen, question)
            return
        if chosen.code == self.state.car:
            # the car being talked about: its details were given, a line is enough
            self.say(
                "buyer_still_there_short",
                code=chosen.code,
                name=chosen.name,
                year=chosen.year or "",
                price=rupiah(chosen.price_idr),
            )
        else:
            key = "buyer_still_there" if chosen.available else "buyer_car"
            self.say(key, card=self.card(chosen))
        self.remember_car(chosen)
        self.answered = True
        self.extras(question)

    def fact(self, car: CarFacts, question: Question) -> None:
        """A detail of the car from its facts ("hrv nya warna apa": Putih); what only a
        person knows (papers, condition) or what the listing does not say goes to a person."""
        fact = question.fact
        if fact in ("papers", "condition"):
            self.hand_over(fact, car)
            return
        value = {
            "color": car.color,
            "mileage": kilometres(car.mileage_km) if car.mileage_km else "",
            "year": str(car.year or ""),
            "transmission": car.transmission,
            "fuel": car.fuel,
            "price": rupiah(car.price_idr),
        }[fact]
        confirmed = question.fact_value is not None and question.fact_value == value
        value = value_name(self.settings.language, value)
        label = self.words(f"fact_{fact}")
        if not value:
            self.hand_over("fact_missing", car, fact=label)
            return
        if fact == "price" and car.code != self.state.car:
            self.say("buyer_still_there", card=self.card(car))  # a car picked from a list
        elif question.fact_value is not None:
            key = "buyer_fact_yes" if confirmed else "buyer_fact_no"
            self.say(key, code=car.code, name=car.name, fact=label, value=value)
        else:
            self.say("buyer_fact", code=car.code, name=car.name, year=car.year or "",
                     fact=label, value=value)  # fmt: skip
        self.remember_car(car)
        self.answered = True

    def showroom_details(self) -> str:
        settings = self.settings
        parts = []
        if settings.address:
            parts.append(settings.address)
        if settings.maps_url:
            parts.append(self.words("buyer_maps", link=settings.maps_url))
        if settings.opening_hours:
            parts.append(self.words("buyer_hours", hours=settings.opening_hours))
        return "\n".join(parts)

    def location(self, question: Question) -> None:
        details = self.showroom_details()
        if not details:
            self.hand_over("location", None)
            return
        self.say("buyer_location", showroom=self.settings.showroom, details=details)
        self.answered = True

    # -- the lead -------------------------------------------------------------------------

    def note_lead(self) -> None:
        if self.received.from_me:
            return
        if self.context.held and not self.effects:
            return  # a held message answered already, or no longer the last: nothing new
        status = self.status
        if status == "new" and self.intent in {i.value for i in _CAR_INTENTS}:
            status = "warm"
        self.effects.append(
            LeadNote(
                name=self.received.sender_name,
                text=self.received.text,
                intent=self.intent,
                status=status,
                cars=tuple(self.cars),
                answered=self.answered and status != "hot",
                wanted=self.wanted,
                found=self.found,
                alerted=self.alerted,
                repeat=self.context.held,
            )
        )


_REASONS = frozenset(
    {
        "price_nego", "viewing", "trade_in", "video", "low_dp", "cash_instalments",
        "credit_record", "delivery", "flood_or_accident", "dealer_buys", "asks_person",
        "unanswered", "more_photos", "location", "papers", "condition", "fact_missing",
        "wants_to_buy", "buyer_photo",
    }
)  # fmt: skip


def _has_reason(reason: str) -> bool:
    return reason in _REASONS


def _dp_amount(question: Question, car: CarFacts) -> int:
    if question.dp_pct is not None:
        return car.price_idr * question.dp_pct // 100
    return question.dp_idr or 0


def _dp_share(question: Question, car: CarFacts) -> int:
    """The buyer's DP as a whole percentage of the car's price (rounded down)."""
    if question.dp_pct is not None:
        return question.dp_pct
    return (question.dp_idr or 0) * 100 // car.price_idr


def _fits(car: CarFacts, filters: Filters | None) -> bool:
    """Does the car being talked about fit what the message names? (No filters: it does.)"""
    if filters is None:
        return True
    checks = (
        (filters.make, car.make),
        (filters.model, car.model),
        (filters.transmission, car.transmission),
        (filters.fuel, car.fuel or PETROL),  # a listing that states no fuel runs on petrol
    )
    veloz = filters.model == "Veloz" and car.model == "Avanza" and "Veloz" in car.variant
    if any(wanted is not None and wanted != value for wanted, value in checks) and not veloz:
        return False
    if filters.body is not None and body_of(car.make, car.model, car.variant) != filters.body:
        return False
    year = car.year or 0
    if filters.year_min is not None and year < filters.year_min:
        return False
    if filters.year_max is not None and year > filters.year_max:
        return False
    if filters.price_max_idr is not None and car.price_idr > filters.price_max_idr:
        return False
    return filters.price_min_idr is None or car.price_idr >= filters.price_min_idr


def model_key(question: str) -> str:
    """Which question a model's answer belongs to."""
    return "buyer:" + " ".join(question.split())[:500]


_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_CODE_IN_TEXT = re.compile(r"#\s?([A-Za-z]\d{2,4})\b")
_YEAR_IN_TEXT = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])")
_MONEY_IN_TEXT = re.compile(
    r"(?i)(rp\.?\s*[\d.,]+(?:\s*(?:jt|juta|m|miliar|milyar))?|"
    r"\b[\d.,]+\s*(?:jt|juta|miliar|milyar)\b)"
)
# The model has no photos to give (the rules send them): an answer that speaks of photos or
# videos at all could promise one, and is not used.
_PHOTO_PROMISE = re.compile(r"(?i)\b(foto|photo|gambar|picture|pic|video|vidio)")
MAX_MODEL_ANSWER_CHARS = 700


def model_answer_acceptable(text: str, cars: tuple[CarFacts, ...], settings: BuyerSettings) -> bool:
    """Does a model's answer keep to the facts it was given? Not empty, not endless; no link
    but the cars' catalog pages; every code, price and year one of those cars'; no other car
    named; no promise of photos or videos."""
    if not 0 < len(text) <= MAX_MODEL_ANSWER_CHARS or _PHOTO_PROMISE.search(text):
        return False
    pages = {settings.link(car.slug) for car in cars}
    if any(link.rstrip(".,)") not in pages for link in _LINK.findall(text)):
        return False
    codes = {car.code.upper() for car in cars}
    if any(code.upper() not in codes for code in _CODE_IN_TEXT.findall(text)):
        return False
    years = {car.year for car in cars}
    if any(int(year) not in years for year in _YEAR_IN_TEXT.findall(_LINK.sub(" ", text))):
        return False
    prices = {car.price_idr for car in cars}
    for amount in _MONEY_IN_TEXT.findall(text):
        value = parse_price(amount)
        if value is not None and value not in prices:
            return False
    named = find_car(_LINK.sub(" ", text))
    return named is None or any(
        named.make == car.make and named.model in (None, car.model) for car in cars
    )


def describe(filters: Filters | None, language: str, order: str = "") -> str:
    """What a buyer wanted, in plain words: `mobil matic di bawah Rp 150 juta`, `Toyota
    Avanza 2019`, `SUV sekitar Rp 400 juta` (a budget "N an"). The same wish reads the same,
    so `/permintaan` can count it."""
    if filters is None:
        return ""
    values = [
        value_name(language, v).lower()
        for v in (filters.transmission, filters.fuel, filters.color)
        if v
    ]
    if filters.make or filters.model:
        thing = " ".join(w for w in (filters.make, filters.model) if w)
        if filters.body:
            values.append(filters.body)
    elif filters.body:
        thing = filters.body
    else:
        thing = text(language, "wanted_car")
    if filters.seats_min:
        values.append(text(language, "wanted_seats", seats=filters.seats_min))
    if language == "en" and not (filters.make or filters.model):
        words = [*values, thing]  # "automatic diesel SUV"
    else:
        words = [thing, *values]  # "mobil matic diesel", "Toyota Avanza matic"
    if filters.year_min and filters.year_min == filters.year_max:
        words.append(str(filters.year_min))
    elif filters.year_min and filters.year_max:
        words.append(f"{filters.year_min}-{filters.year_max}")
    elif filters.year_min:
        words.append(text(language, "wanted_year_min", year=filters.year_min))
    elif filters.year_max:
        words.append(text(language, "wanted_year_max", year=filters.year_max))
    low, high = filters.price_min_idr, filters.price_max_idr
    if low and high:
        words.append(text(language, "wanted_price_range", low=_money(low, language),
                          high=_money(high, language)))  # fmt: skip
    elif high:
        key = {"around": "wanted_price_around", "cheaper": "wanted_price_cheaper"}.get(
            order, "wanted_price_max"
        )
        words.append(text(language, key, price=_money(high, language)))
    elif low:
        words.append(text(language, "wanted_price_min", price=_money(low, language)))
    return " ".join(words)[:200]


def _money(value: int, language: str) -> str:
    """Rp 150 juta, Rp 1,2 miliar (Rp 150 million in English)."""
    millions = value / 1_000_000
    key, amount = (
        ("wanted_millions", millions) if millions < 1000 else ("wanted_billions", millions / 1000)
    )
    shown = f"{amount:g}"
    return text(language, key, amount=shown.replace(".", ",") if language == "id" else shown)
