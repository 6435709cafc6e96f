"""The buyer side's read queries (run them through storage.reader.Reader): the stock facts an
answer needs, whether a message in a buyer's chat was the bot's own, and the leads, demand and
numbers the people who sell ask for.

Every query on the stock goes through an index: a car by (tenant, code) or (tenant, slug), a
search by (tenant, status, make, model) or (tenant, status, price_idr) or at least
(tenant, status, created_at); `tests/storage/test_buyers.py` checks the plans. A model matches
its family (`Brio`: `Brio Satya`, and any model named `Brio ...`) under its make's index entry;
the colour and the order (newest, cheapest, dearest under a ceiling, nearest a price) are
applied to the rows the index finds.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from peewee import JOIN, fn

from domain.buyer import (
    MAX_SIMILAR,
    PETROL,
    CarFacts,
    Criteria,
    StockFacts,
    StockLookup,
    similar_to,
)
from storage.models import (
    PUBLIC_LISTING_STATUSES,
    BuyerQuestion,
    Lead,
    LeadCar,
    Listing,
    OutboxMessage,
    Person,
    Photo,
)
from storage.queries import rights

_CAR_COLUMNS = (
    Listing.id,
    Listing.code,
    Listing.make,
    Listing.model,
    Listing.variant,
    Listing.year,
    Listing.price_idr,
    Listing.mileage_km,
    Listing.transmission,
    Listing.fuel,
    Listing.color,
    Listing.status,
    Listing.slug,
    Listing.seller,
)
_SLUG_CODE = re.compile(r"-([a-z]\d{2,4})$")


def stock_facts(tenant_id: int, lookup: StockLookup) -> StockFacts:
    """What the stock says for one buyer answer (see domain.buyer.StockLookup)."""
    car_row = _car_row(tenant_id, lookup)
    car = None
    if car_row is not None:
        car = _with_photos(_facts(car_row), car_row["id"], lookup.photos_from, lookup.photos_max)
        car = _with_seller(tenant_id, car)
    similar: tuple[CarFacts, ...] = ()
    if car is not None and lookup.similar and (not car.available or lookup.alike):
        similar = _alternatives(tenant_id, car)
    matches: tuple[CarFacts, ...] = ()
    matched_by, total = -1, 0
    for index, criteria in enumerate(lookup.searches):
        rows = _search(tenant_id, criteria, lookup.limit)
        if index == 0:
            total = _count(tenant_id, criteria) if len(rows) >= lookup.limit else len(rows)
        if rows:
            matches = tuple(_facts(row) for row in rows)
            matched_by = index
            if lookup.first_photos:  # "fotonya xpander": the first match is the car asked
                first = _with_photos(matches[0], rows[0]["id"], 0, lookup.photos_max)
                matches = (_with_seller(tenant_id, first), *matches[1:])
            break
    context = _cars_by_code(tenant_id, lookup.context) if lookup.context else ()
    admins = _admins(tenant_id) if lookup.people else ()
    return StockFacts(car, similar, matches, matched_by, total, context, admins)


def rights_and_stock(
    tenant_id: int, identity: str, lookup: StockLookup | None
) -> tuple[bool, bool, StockFacts | None]:
    """(is an active admin, is an active seller or admin, the stock facts for `lookup` when the
    sender is neither): a buyer's message takes one read, not two."""
    is_admin, may_sell = rights(tenant_id, identity)
    if may_sell or lookup is None:
        return is_admin, may_sell, None
    return is_admin, may_sell, stock_facts(tenant_id, lookup)


def _alternatives(tenant_id: int, car: CarFacts) -> tuple[CarFacts, ...]:
    """Up to MAX_SIMILAR cars like `car`, from the closest kind of alternative on
    (`domain.buyer.similar_to`): each search adds the cars the ones before did not find."""
    found: dict[str, CarFacts] = {}
    for criteria in similar_to(car):
        for row in _search(tenant_id, criteria, MAX_SIMILAR):
            found.setdefault(row["code"], _facts(row))
        if len(found) >= MAX_SIMILAR:
            break
    return tuple(found.values())[:MAX_SIMILAR]


def _cars_by_code(tenant_id: int, codes: tuple[str, ...]) -> tuple[CarFacts, ...]:
    """The public cars of these codes, in the order given (a hidden or removed one is left out)."""
    rows = (
        Listing.select(*_CAR_COLUMNS)
        .where(
            (Listing.tenant == tenant_id)
            & Listing.code.in_(codes)
            & Listing.status.in_(PUBLIC_LISTING_STATUSES)
        )
        .dicts()
    )
    found = {row["code"]: _facts(row) for row in rows}
    return tuple(found[code] for code in codes if code in found)


def _car_row(tenant_id: int, lookup: StockLookup) -> dict[str, Any] | None:
    public = (Listing.tenant == tenant_id) & Listing.status.in_(PUBLIC_LISTING_STATUSES)
    if lookup.slug:
        row = Listing.select(*_CAR_COLUMNS).where(public & (Listing.slug == lookup.slug)).dicts()
        found = row.first()
        if found is not None:
            return found
        code = _SLUG_CODE.search(lookup.slug)  # a link of a car whose name was changed
        if code is None:
            return None
        return (
            Listing.select(*_CAR_COLUMNS)
            .where(public & (Listing.code == code.group(1).upper()))
            .dicts()
            .first()
        )
    for code in (lookup.code, lookup.fallback_code):  # `H 03` read loosely: else the other
        if code:
            found = (
                Listing.select(*_CAR_COLUMNS).where(public & (Listing.code == code)).dicts().first()
            )
            if found is not None:
                return found
    return None


def _facts(row: dict[str, Any]) -> CarFacts:
    return CarFacts(
        code=row["code"],
        make=row["make"],
        model=row["model"],
        variant=row["variant"],
        year=row["year"],
        price_idr=int(row["price_idr"]),
        mileage_km=row["mileage_km"],
        transmission=row["transmission"],
        fuel=row["fuel"],
        color=row["color"],
        status=row["status"],
        slug=row["slug"],
        seller=row["seller"],
    )


def _with_photos(car: CarFacts, listing_id: int, start: int, most: int) -> CarFacts:
    """The car with `most` of its photos from `start` (a car has ten at most: one query)."""
    names = [
        name
        for (name,) in Photo.select(Photo.file_large)
        .where(Photo.listing == listing_id)
        .order_by(Photo.position)
        .tuples()
    ]
    files = tuple(names[start : start + most])
    return CarFacts(**{**_as_dict(car), "photos": files, "photo_total": len(names)})


def _with_seller(tenant_id: int, car: CarFacts) -> CarFacts:
    active = (
        Person.select()
        .where((Person.tenant == tenant_id) & (Person.phone == car.seller) & Person.active)
        .exists()
    )
    return CarFacts(**{**_as_dict(car), "seller_active": active})


def _as_dict(car: CarFacts) -> dict[str, Any]:
    return {name: getattr(car, name) for name in CarFacts.__slots__}


def _where(tenant_id: int, criteria: Criteria) -> Any:
    condition = (Listing.tenant == tenant_id) & (Listing.status == "available")
    if criteria.make:
        condition &= Listing.make == criteria.make
    if criteria.model:
        # the model, its family's nameplates, and any model named "<model> ..." (Brio Satya)
        names = (criteria.model, *criteria.family)
        model = Listing.model.in_(names) if len(names) > 1 else Listing.model == criteria.model
        model |= Listing.model.startswith(criteria.model + " ")
        if criteria.variant_of:
            other, prefix = criteria.variant_of
            model |= (Listing.model == other) & Listing.variant.startswith(prefix)
        condition &= model
    if criteria.models:
        # makes IN and models IN go through the (tenant, status, make, model) index; the rows
        # are then held to the exact pairs (`_search`)
        condition &= Listing.make.in_(sorted({make for make, _ in criteria.models}))
        condition &= Listing.model.in_(sorted({model for _, model in criteria.models}))
    if criteria.year_min is not None:
        condition &= Listing.year >= criteria.year_min
    if criteria.year_max is not None:
        condition &= Listing.year <= criteria.year_max
    if criteria.price_min_idr is not None:
        condition &= Listing.price_idr >= criteria.price_min_idr
    if criteria.price_max_idr is not None:
        condition &= Listing.price_idr <= criteria.price_max_idr
    if criteria.transmission:
        condition &= Listing.transmission == criteria.transmission
    if criteria.fuel == PETROL:  # most petrol cars' listings name no fuel
        condition &= Listing.fuel.in_((PETROL, ""))
    elif criteria.fuel:
        condition &= Listing.fuel == criteria.fuel
    if criteria.color:
        condition &= (Listing.color == criteria.color) | Listing.color.startswith(
            criteria.color + " "
        )
    if criteria.exclude:
        condition &= Listing.code.not_in(criteria.exclude)
    return condition


def _order(criteria: Criteria) -> tuple[Any, ...]:
    newest = (Listing.created_at.desc(), Listing.id.desc())
    if criteria.order == "cheapest":
        return (Listing.price_idr.asc(), *newest)
    if criteria.order == "youngest":
        return (Listing.year.desc(nulls="LAST"), *newest)
    if criteria.order == "under":
        return (Listing.price_idr.desc(), *newest)
    if criteria.order == "near" and criteria.near_idr is not None:
        return (fn.ABS(Listing.price_idr - criteria.near_idr).asc(), *newest)
    return newest


def _search(tenant_id: int, criteria: Criteria, limit: int) -> list[dict[str, Any]]:
    """Available cars that match, in the criteria's order (the newest first by default)."""
    query = (
        Listing.select(*_CAR_COLUMNS).where(_where(tenant_id, criteria)).order_by(*_order(criteria))
    )
    if not criteria.models:
        return list(query.limit(limit).dicts())
    pairs = set(criteria.models)  # a model name two makes share ("Ranger") is held to its own
    found = []
    for row in query.dicts().iterator():
        if (row["make"], row["model"]) in pairs:
            found.append(row)
            if len(found) >= limit:
                break
    return found


def _count(tenant_id: int, criteria: Criteria) -> int:
    return Listing.select(fn.COUNT(Listing.id)).where(_where(tenant_id, criteria)).scalar() or 0


def _admins(tenant_id: int) -> tuple[str, ...]:
    rows = (
        Person.select(Person.phone)
        .where((Person.tenant == tenant_id) & (Person.role == "admin") & Person.active)
        .order_by(Person.phone)
        .tuples()
    )
    return tuple(phone for (phone,) in rows)


# -- the dealer's own messages ------------------------------------------------------------

ECHO_WINDOW = dt.timedelta(days=1)
ECHO_LOOKBACK = 100  # of the chat's latest replies


def sent_by_bot(tenant_id: int, chat: str, text: str, now: dt.datetime) -> bool:
    """Whether a message from the dealer's number into `chat` is one of the bot's own replies
    coming back (its text, or its photo's caption, equals a reply of the last day to that chat,
    sent or still queued): the reply's row is committed before it is sent, so its echo always
    finds it. Anything else was typed by a person."""
    wanted = _squeeze(text)
    rows = (
        OutboxMessage.select(OutboxMessage.text)
        .where(
            (OutboxMessage.tenant == tenant_id)
            & (OutboxMessage.chat == chat)
            & (OutboxMessage.created_at >= now - ECHO_WINDOW)
        )
        .order_by(OutboxMessage.id.desc())
        .limit(ECHO_LOOKBACK)
        .tuples()
    )
    return any(_squeeze(sent) == wanted for (sent,) in rows)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


# -- leads, demand and numbers for the people who sell -------------------------------------


def latest_leads(
    tenant_id: int, *, status: str | None = None, seller: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The latest leads (of one status), newest first; a seller's: those who asked about one
    of their cars."""
    query = Lead.select(
        Lead.identity, Lead.name, Lead.status, Lead.last_car, Lead.last_text, Lead.last_seen
    ).where(Lead.tenant == tenant_id)
    if status is not None:
        query = query.where(Lead.status == status)
    if seller is not None:
        query = query.where(Lead.identity.in_(_asked_about_cars_of(tenant_id, seller)))
    return list(query.order_by(Lead.last_seen.desc()).limit(limit).dicts())


def _asked_about_cars_of(tenant_id: int, seller: str) -> Any:
    return (
        LeadCar.select(LeadCar.identity)
        .join(
            Listing,
            JOIN.INNER,
            on=(Listing.tenant == LeadCar.tenant) & (Listing.code == LeadCar.code),
        )
        .where((LeadCar.tenant == tenant_id) & (Listing.seller == seller))
    )


def lead_of_seller(tenant_id: int, identity: str, seller: str) -> bool:
    """Whether this lead asked about one of the seller's cars (a seller may set its status)."""
    return _asked_about_cars_of(tenant_id, seller).where(LeadCar.identity == identity).exists()


def unmet_demand(tenant_id: int, since: dt.datetime, limit: int = 20) -> list[dict[str, Any]]:
    """What buyers searched for since `since` that the stock did not have, most asked first."""
    count = fn.COUNT(BuyerQuestion.id)
    query = (
        BuyerQuestion.select(
            BuyerQuestion.wanted,
            count.alias("count"),
            fn.COUNT(BuyerQuestion.identity.distinct()).alias("buyers"),
        )
        .where(
            (BuyerQuestion.tenant == tenant_id)
            & (BuyerQuestion.created_at >= since)
            & (BuyerQuestion.found == 0)
            & (BuyerQuestion.wanted != "")
        )
        .group_by(BuyerQuestion.wanted)
        .order_by(count.desc(), BuyerQuestion.wanted)
        .limit(limit)
    )
    return list(query.dicts())


def buyer_stats(tenant_id: int, now: dt.datetime) -> dict[str, int]:
    """Buyers today and this week, hot leads, and of the week: alerts sent and questions
    answered without a person."""
    day, week = now - dt.timedelta(days=1), now - dt.timedelta(days=7)

    def buyers_since(since: dt.datetime) -> int:
        return (
            BuyerQuestion.select(fn.COUNT(BuyerQuestion.identity.distinct()))
            .where((BuyerQuestion.tenant == tenant_id) & (BuyerQuestion.created_at >= since))
            .scalar()
            or 0
        )

    of_week = BuyerQuestion.select().where(
        (BuyerQuestion.tenant == tenant_id) & (BuyerQuestion.created_at >= week)
    )
    return {
        "buyers_today": buyers_since(day),
        "buyers_week": buyers_since(week),
        "hot_leads": Lead.select()
        .where((Lead.tenant == tenant_id) & (Lead.status == "hot"))
        .count(),
        "alerts_week": of_week.where(BuyerQuestion.alerted).count(),
        "answered_week": of_week.where(BuyerQuestion.answered).count(),
    }
