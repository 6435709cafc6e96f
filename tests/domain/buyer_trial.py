"""The trial's stock (the tester's fourteen cars) and a stock double that answers a
`StockLookup` from it in memory, by the same rules as `storage.buyers` (a storage test holds
the two to the same answers), so the buyer conversations run on the pure rules alone.

`UPLOADS` are the seller's messages that publish these cars (the system test sends them);
`STOCK` is what the catalog then holds, in upload order (the first is the oldest).
"""

from __future__ import annotations

from dataclasses import replace

from domain.buyer import (
    MAX_SIMILAR,
    PETROL,
    CarFacts,
    Criteria,
    StockFacts,
    StockLookup,
    similar_to,
)
from domain.car_bodies import body_of

SELLER = "6281234567890"
ADMIN = "6281311112222"
ADDRESS = "Jl. Contoh Raya No. 1, Jakarta Selatan"
MAPS = "https://maps.google.com/?q=-6.2615,106.8106"
HOURS = "Senin-Sabtu 08.00-17.00, Minggu 09.00-15.00"

# (upload text, photos, code, make, model, variant, year, price in millions, km, transmission,
#  fuel, colour)
_CARS = (
    ("Toyota Avanza 1.5 G AT tahun 2019 km 45rb harga 165jt putih", 2,
     "T01", "Toyota", "Avanza", "1.5 G", 2019, 165, 45_000, "Matic", "", "Putih"),
    ("Mitsubishi Xpander Ultimate AT tahun 2020 km 38rb harga 235jt hitam", 3,
     "M01", "Mitsubishi", "Xpander", "Ultimate", 2020, 235, 38_000, "Matic", "", "Hitam"),
    ("Honda Brio Satya E manual 2018 km 60rb harga 125jt merah", 1,
     "H01", "Honda", "Brio Satya", "E", 2018, 125, 60_000, "Manual", "", "Merah"),
    ("Honda Jazz RS CVT 2017 km 72rb harga 190jt merah", 2,
     "H02", "Honda", "Jazz", "RS", 2017, 190, 72_000, "Matic", "", "Merah"),
    ("Toyota Kijang Innova Reborn 2.4 V Diesel AT 2018 km 85rb harga 345jt hitam", 3,
     "T02", "Toyota", "Kijang Innova", "Reborn 2.4 V", 2018, 345, 85_000, "Matic", "Diesel",
     "Hitam"),
    ("Suzuki Ertiga GX MT 2019 km 50rb harga 160jt silver", 2,
     "S01", "Suzuki", "Ertiga", "GX", 2019, 160, 50_000, "Manual", "", "Silver"),
    ("Honda HR-V 1.5 E CVT 2019 km 40rb harga 275jt putih", 2,
     "H03", "Honda", "HR-V", "1.5 E", 2019, 275, 40_000, "Matic", "", "Putih"),
    ("Toyota Fortuner 2.4 VRZ Diesel AT 2020 km 55rb harga 485jt putih", 3,
     "T03", "Toyota", "Fortuner", "2.4 VRZ", 2020, 485, 55_000, "Matic", "Diesel", "Putih"),
    ("Daihatsu Ayla 1.0 X MT 2021 km 20rb harga 105jt merah", 1,
     "D01", "Daihatsu", "Ayla", "1.0 X", 2021, 105, 20_000, "Manual", "", "Merah"),
    ("Daihatsu Terios R AT 2019 km 48rb harga 190jt silver", 2,
     "D02", "Daihatsu", "Terios", "R", 2019, 190, 48_000, "Matic", "", "Silver"),
    ("Honda CR-V 1.5 Turbo Prestige 2018 km 65rb harga 380jt hitam", 2,
     "H04", "Honda", "CR-V", "1.5 Turbo Prestige", 2018, 380, 65_000, "", "", "Hitam"),
    ("Mitsubishi Pajero Sport Dakar 4x2 AT 2019 km 70rb harga 450jt putih", 3,
     "M02", "Mitsubishi", "Pajero Sport", "Dakar 4x2", 2019, 450, 70_000, "Matic", "", "Putih"),
    ("Toyota Avanza 1.3 E MT 2017 km 90rb harga 135jt hitam", 2,
     "T04", "Toyota", "Avanza", "1.3 E", 2017, 135, 90_000, "Manual", "", "Hitam"),
    ("Toyota Calya G MT 2020 km 30rb harga 120jt abu-abu", 1,
     "T05", "Toyota", "Calya", "G", 2020, 120, 30_000, "Manual", "", "Abu-abu"),
)  # fmt: skip
SOLD = ("T05",)


def _slug(make: str, model: str, variant: str, year: int, code: str) -> str:
    words = f"{make} {model} {variant} {year} {code}".lower()
    return "-".join("".join(c if c.isalnum() else " " for c in words).split())


UPLOADS: tuple[tuple[str, int], ...] = tuple((row[0], row[1]) for row in _CARS)
STOCK: tuple[CarFacts, ...] = tuple(
    CarFacts(
        code=code,
        make=make,
        model=model,
        variant=variant,
        year=year,
        price_idr=millions * 1_000_000,
        mileage_km=km,
        transmission=transmission,
        fuel=fuel,
        color=color,
        status="sold" if code in SOLD else "available",
        slug=_slug(make, model, variant, year, code),
        seller=SELLER,
        seller_active=True,
        photo_total=photos,
    )
    for (_, photos, code, make, model, variant, year, millions, km, transmission, fuel,
         color) in _CARS
)  # fmt: skip


# -- the stock double -------------------------------------------------------------------


def fits(car: CarFacts, criteria: Criteria) -> bool:
    """Does an available car meet one search (as `storage.buyers._where` reads it)?"""
    if car.status != "available" or car.code in criteria.exclude:
        return False
    if criteria.make and car.make != criteria.make:
        return False
    if criteria.model:
        names = {criteria.model, *getattr(criteria, "family", ())}
        prefix = car.model.startswith(criteria.model + " ")
        variant = criteria.variant_of is not None and (
            car.model == criteria.variant_of[0] and car.variant.startswith(criteria.variant_of[1])
        )
        if car.model not in names and not prefix and not variant:
            return False
    if criteria.models and (car.make, car.model) not in set(criteria.models):
        return False
    year = car.year
    if criteria.year_min is not None and (year is None or year < criteria.year_min):
        return False
    if criteria.year_max is not None and (year is None or year > criteria.year_max):
        return False
    if criteria.price_min_idr is not None and car.price_idr < criteria.price_min_idr:
        return False
    if criteria.price_max_idr is not None and car.price_idr > criteria.price_max_idr:
        return False
    if criteria.transmission and car.transmission != criteria.transmission:
        return False
    if criteria.fuel and (car.fuel or PETROL) != criteria.fuel:
        return False  # a listing that names no fuel runs on petrol
    color = getattr(criteria, "color", None)
    return not color or car.color == color or car.color.startswith(color + " ")


def search(criteria: Criteria, limit: int, stock: tuple[CarFacts, ...] = STOCK) -> list[CarFacts]:
    """The cars of one search in the order the storage gives them."""
    age = {car.code: index for index, car in enumerate(stock)}
    found = [car for car in stock if fits(car, criteria)]
    order = getattr(criteria, "order", "newest")
    near = getattr(criteria, "near_idr", None)

    def key(car: CarFacts) -> tuple[int, int]:
        newest = -age[car.code]
        if order == "cheapest":
            return car.price_idr, newest
        if order == "youngest":
            return -(car.year or 0), newest
        if order == "under":
            return -car.price_idr, newest
        if order == "near" and near is not None:
            return abs(car.price_idr - near), newest
        return 0, newest

    return sorted(found, key=key)[:limit]


def facts(lookup: StockLookup, stock: tuple[CarFacts, ...] = STOCK) -> StockFacts:
    """What `storage.buyers.stock_facts` answers for this lookup, from `stock`."""
    by_code = {car.code: car for car in stock}
    by_slug = {car.slug: car for car in stock}
    car = None
    if lookup.slug:
        car = by_slug.get(lookup.slug) or by_code.get(lookup.slug.rsplit("-", 1)[-1].upper())
    elif lookup.code:
        car = by_code.get(lookup.code)
    fallback = getattr(lookup, "fallback_code", None)
    if car is None and fallback:
        car = by_code.get(fallback)
    if car is not None:
        car = _with_photos(car, lookup.photos_from, lookup.photos_max)
    similar: list[CarFacts] = []
    alike = getattr(lookup, "alike", False)  # "yg mirip": alternatives to an available car too
    if car is not None and lookup.similar and (not car.available or alike):
        for criteria in similar_to(car):
            for found in search(criteria, MAX_SIMILAR, stock):
                if found.code not in {c.code for c in similar}:
                    similar.append(found)
            if len(similar) >= MAX_SIMILAR:
                break
    matches: tuple[CarFacts, ...] = ()
    matched_by, total = -1, 0
    for index, criteria in enumerate(lookup.searches):
        found = search(criteria, lookup.limit, stock)
        if index == 0:
            total = len(search(criteria, 10_000, stock))
        if found:
            matches, matched_by = tuple(found), index
            if lookup.first_photos:
                matches = (_with_photos(found[0], 0, lookup.photos_max), *found[1:])
            break
    context = tuple(by_code[c] for c in lookup.context if c in by_code)
    admins = (ADMIN,) if lookup.people else ()
    return StockFacts(car, tuple(similar[:MAX_SIMILAR]), matches, matched_by, total, context,
                      admins)  # fmt: skip


def _with_photos(car: CarFacts, start: int, most: int) -> CarFacts:
    names = tuple(f"{car.code.lower()}-{n}-large.jpg" for n in range(car.photo_total))
    return replace(car, photos=names[start : start + most])


def body(car: CarFacts) -> str | None:
    return body_of(car.make, car.model, car.variant)
