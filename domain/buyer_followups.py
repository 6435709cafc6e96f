"""A buyer's message read against the conversation so far: what "yg manual aja gpp", "kalo
250?", "matic kan?", "2019 jg gpp" or "yg xpander" mean depends on what came before. Pure.

`read_question` reads one message alone (the shared fixture's rules); `in_context` then turns
it into what it asks here, from the buyer's state (`BuyerState`: the last search, the cars just
shown, the car being talked about and its price, a request waiting for its car). The plan of
the stock lookup and the turn both read the message through it, so they agree.

The rules, first that applies:

1. **A request waiting for its car.** After "minta foto interior" was answered "which car?",
   a message that names a car ("yg xpander") asks for that car's photos.
2. **An amount alone** ("kalo 250?", "kalau 130 ada?") right after a credit simulation is
   another down payment; on the car being talked about and below its price, an offer (a person
   answers); otherwise a budget: the last search again with it. "Ada yg lebih murah?" asks for
   cars cheaper than the one being talked about.
3. **A refinement of the last search.** A message that goes on from before (`yg ...`,
   `kalo ...`, `... jg gpp`, `tadi`, or a few words of attributes only) after a search: its
   attributes are put over that search's ("yg matic" after "ada avanza?" is an automatic
   Avanza; "kalo hatchback?" after "ada sedan?" replaces the kind of car and keeps the rest).
   "manual aja gpp" requires the manual, "manual jg gpp" accepts either; "2019 jg gpp" after
   2021 widens the years to both. With no search before but a list shown, the attributes pick
   among the cars shown.
4. **A detail of the car in question** ("hrv nya warna apa", "km nya brp", "matic kan?",
   "pajak idup?") is about the car being talked about (or the one named among those shown), not a
   new search: a value asked to be confirmed ("matic kan?") is no filter.
5. **🙏 alone as the first message** (nothing answered for half a day) is a salam: a greeting.
"""

from __future__ import annotations

from dataclasses import replace

from domain.buyer_questions import Filters, Intent, Question
from domain.buyer_state import BuyerState

FRESH_AFTER_S = 12 * 3600.0  # nothing answered for this long: a new conversation
# Intents a refinement keeps (their subject is the first car of the refined search) ...
_KEEPS_INTENT = frozenset({Intent.FINANCING, Intent.PHOTOS})
# ... and those it turns into a search of the stock.
_BECOMES_SEARCH = frozenset({Intent.SEARCH, Intent.AVAILABILITY, Intent.OTHER})
# The details a car's own facts answer (papers and condition: a person does).
_FACTS_ABOUT_A_CAR = frozenset(
    {"color", "mileage", "year", "transmission", "fuel", "price", "papers", "condition"}
)
SHORT_WORDS = 3  # "matic?", "yg 2019?", "warna silver?": a few words go on from before
LIKELY_DP_PCT = 60  # after a simulation, an amount up to this share of the price is a DP


def in_context(state: BuyerState, question: Question | None, now: float) -> Question | None:
    """What `question` asks in this conversation (see the module's docstring)."""
    if question is None or question.in_context or question.spam:
        return question
    resolved = (
        _waiting_request(state, question)
        or _amount_alone(state, question)
        or _cheaper(state, question)
        or _refinement(state, question)
        or _detail_of_the_car(state, question)
        or _salam(state, question, now)
        or question
    )
    return replace(resolved, in_context=True)


def _waiting_request(state: BuyerState, question: Question) -> Question | None:
    if state.pending != "photos" or question.needs_person or question.code or question.slug:
        return None
    filters = question.filters
    if filters is None or not filters.names_a_car() or question.intent not in _BECOMES_SEARCH:
        return None
    return replace(question, intent=Intent.PHOTOS)


def _amount_alone(state: BuyerState, question: Question) -> Question | None:
    amount = question.budget_only_idr
    if amount is None or question.code:
        return None
    if question.intent not in (Intent.PRICE_NEGO, Intent.OTHER):
        return None
    if state.topic == "financing" and state.car and amount * 100 <= state.car_price * LIKELY_DP_PCT:
        # "kalo 50?" right after a credit simulation: another down payment
        return replace(question, intent=Intent.FINANCING, dp_idr=amount, needs_person=False,
                       reason="")  # fmt: skip
    if state.car and state.car_price and amount < state.car_price:
        # an offer on the car being talked about ("150?", "kalo 150?"): a person answers
        return replace(question, intent=Intent.PRICE_NEGO, needs_person=True, reason="price_nego")
    base = state.filters or Filters()
    return replace(
        question,
        intent=Intent.SEARCH,
        filters=base.merged(Filters(price_max_idr=amount)),
        needs_person=False,
        reason="",
        order="under",
    )


def _cheaper(state: BuyerState, question: Question) -> Question | None:
    """ "ada yg lebih murah?": cheaper than the car being talked about (the dearest of those
    first), of the kind searched before; with no car in question, the cheapest first."""
    if question.order != "cheaper" or question.code or question.slug or question.needs_person:
        return None
    base = (state.filters or Filters()).merged(question.filters or Filters())
    if state.car and state.car_price:
        # of the same kind of car, whatever its colour or year: the price is what matters
        kind = Filters(make=base.make, model=base.model, body=base.body, seats_min=base.seats_min)
        wanted = kind.merged(Filters(price_max_idr=state.car_price - 1))
        return replace(question, intent=Intent.SEARCH, filters=wanted, order="cheaper", fact="")
    return replace(question, intent=Intent.SEARCH, filters=base, order="cheapest", fact="")


def _refinement(state: BuyerState, question: Question) -> Question | None:
    if question.code or question.slug or question.needs_person:
        return None
    if question.intent not in _BECOMES_SEARCH | _KEEPS_INTENT:
        return None
    stated = _stated(question)
    if stated is None:
        return None
    if question.fact_value is not None and not stated.names_a_car():
        return None  # "matic kan?": a detail of the car to confirm, not a new wish
    words = len(question.text.split())
    goes_on = question.followup or (not stated.names_a_car() and words <= SHORT_WORDS)
    if not goes_on:
        return None
    previous = state.filters
    if previous is None:
        return _pick_among_shown(state, question, stated)
    if stated.names_a_car() and not question.followup:
        return None  # "ada fortuner?" after a search: a new one
    wanted = previous.merged(stated)
    if question.also_ok is not None and not question.only:
        wanted = replace(wanted, transmission=None)  # "manual jg gpp": either will do
    if question.widens and stated.year_min is not None:
        wanted = replace(wanted, **_wider_years(previous, stated))
    intent = question.intent if question.intent in _KEEPS_INTENT else Intent.SEARCH
    order = question.order or (state.order if stated.price_max_idr is None else "")
    return replace(question, intent=intent, filters=wanted, order=order, fact="")


def _stated(question: Question) -> Filters | None:
    """The attributes a follow-up states, with the transmission it accepts ("manual aja gpp"
    requires it); None when it states nothing to refine by."""
    filters = question.filters or Filters()
    if question.also_ok is not None and filters.transmission is None and question.only:
        filters = replace(filters, transmission=question.also_ok)
    if filters.empty and question.also_ok is None and not question.order:
        return None
    return filters


def _pick_among_shown(state: BuyerState, question: Question, stated: Filters) -> Question | None:
    """No search before: "yg 2019?" after a list of alternatives picks among the cars shown;
    "yg manual aja gpp" with nothing shown is a search for it."""
    if state.shown and not stated.names_a_car() and question.intent in _BECOMES_SEARCH:
        return replace(question, intent=Intent.AVAILABILITY, filters=stated)
    if not state.shown and question.intent is Intent.OTHER and not stated.empty:
        return replace(question, intent=Intent.SEARCH, filters=stated)
    return None


def _wider_years(previous: Filters, stated: Filters) -> dict[str, int | None]:
    years = [y for y in (previous.year_min, previous.year_max, stated.year_min, stated.year_max)]
    known = [y for y in years if y is not None]
    open_top = previous.year_max is None and previous.year_min is not None
    return {"year_min": min(known), "year_max": None if open_top else max(known)}


def _detail_of_the_car(state: BuyerState, question: Question) -> Question | None:
    if question.fact not in _FACTS_ABOUT_A_CAR or question.code or question.slug:
        return None
    if not (state.car or state.shown) or question.intent not in _BECOMES_SEARCH:
        return None
    filters = question.filters
    if filters is not None and question.fact in ("transmission", "fuel", "color"):
        # "matic kan?", "bensin apa diesel?": the value is the question, not a wish
        filters = replace(filters, **{question.fact: None})
        filters = None if filters.empty else filters
    if filters is not None and not filters.names_a_car():
        return None
    return replace(question, intent=Intent.AVAILABILITY, filters=filters)


def _salam(state: BuyerState, question: Question, now: float) -> Question | None:
    if question.intent is not Intent.THANKS or question.closing != "pray":
        return None
    if state.answered_at and now - state.answered_at < FRESH_AFTER_S:
        return None  # 🙏 after an answer is thanks
    return replace(question, intent=Intent.GREETING, closing="")
