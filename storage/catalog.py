"""Catalog read queries for the public website (run them through storage.reader.Reader)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import JOIN

from storage.models import PUBLIC_LISTING_STATUSES, Listing, Photo

PAGE_SIZE = 24


@dataclass(frozen=True, slots=True)
class Filters:
    query: str = ""
    make: str = ""
    transmission: str = ""
    price_min: int | None = None
    price_max: int | None = None
    year_min: int | None = None
    year_max: int | None = None
    page: int = 1


def listings_page(tenant_id: int, filters: Filters) -> tuple[list[dict[str, Any]], int]:
    """One page of the tenant's cars for sale (newest first) with their cover thumbnail, and
    how many cars match in all."""
    query = (
        Listing.select(Listing, Photo.file_thumb.alias("thumb"), Photo.file_medium.alias("cover"))
        .join(Photo, on=(Listing.cover_photo == Photo.id), join_type=JOIN.LEFT_OUTER)
        .where((Listing.tenant == tenant_id) & Listing.status.in_(PUBLIC_LISTING_STATUSES))
    )
    if filters.query:
        for word in filters.query.split()[:5]:
            like = f"%{word}%"
            query = query.where(
                Listing.make.ilike(like) | Listing.model.ilike(like) | Listing.variant.ilike(like)
            )
    if filters.make:
        query = query.where(Listing.make == filters.make)
    if filters.transmission:
        query = query.where(Listing.transmission == filters.transmission)
    if filters.price_min is not None:
        query = query.where(Listing.price_idr >= filters.price_min)
    if filters.price_max is not None:
        query = query.where(Listing.price_idr <= filters.price_max)
    if filters.year_min is not None:
        query = query.where(Listing.year >= filters.year_min)
    if filters.year_max is not None:
        query = query.where(Listing.year <= filters.year_max)
    total = query.count()
    rows = (
        query.order_by(Listing.created_at.desc(), Listing.id.desc())
        .paginate(max(filters.page, 1), PAGE_SIZE)
        .dicts()
    )
    return list(rows), total


def makes_for_sale(tenant_id: int) -> list[str]:
    query = (
        Listing.select(Listing.make)
        .distinct()
        .where((Listing.tenant == tenant_id) & Listing.status.in_(PUBLIC_LISTING_STATUSES))
        .order_by(Listing.make)
    )
    return [make for (make,) in query.tuples() if make]


def listing_by_slug(tenant_id: int, slug: str) -> dict[str, Any] | None:
    """A public car with its photos in order; None when unknown, hidden or deleted."""
    listing = (
        Listing.select()
        .where(
            (Listing.tenant == tenant_id)
            & (Listing.slug == slug)
            & Listing.status.in_(PUBLIC_LISTING_STATUSES)
        )
        .dicts()
        .first()
    )
    if listing is None:
        return None
    listing["photos"] = list(
        Photo.select(
            Photo.file_large, Photo.file_medium, Photo.file_thumb, Photo.width, Photo.height
        )
        .where(Photo.listing == listing["id"])
        .order_by(Photo.position)
        .dicts()
    )
    return listing


SITEMAP_URLS = 50_000  # the most one sitemap may hold (sitemaps.org)


def public_count(tenant_id: int) -> int:
    return (
        Listing.select()
        .where((Listing.tenant == tenant_id) & Listing.status.in_(PUBLIC_LISTING_STATUSES))
        .count()
    )


def sitemap_entries(tenant_id: int, part: int = 1, size: int = SITEMAP_URLS) -> list[tuple]:
    """(slug, updated) of the tenant's public cars, oldest first, `size` to a part (1, 2...)."""
    query = (
        Listing.select(Listing.slug, Listing.updated_at)
        .where((Listing.tenant == tenant_id) & Listing.status.in_(PUBLIC_LISTING_STATUSES))
        .order_by(Listing.id)
        .paginate(part, size)
    )
    return list(query.tuples())
