"""Every catalog query uses an index: at 50,000 cars over a hundred dealers a query that scans
the whole listing table would take a page from milliseconds to a second."""

import pytest

from storage import catalog
from storage.catalog import Filters
from storage.models import Listing, Tenant


def recorded_sql(db, monkeypatch, run) -> list[tuple[str, tuple]]:
    statements: list[tuple[str, tuple]] = []
    real = type(db).execute_sql

    def execute_sql(self, sql, params=None, *args, **kwargs):
        statements.append((sql, tuple(params or ())))
        return real(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(type(db), "execute_sql", execute_sql)
    run()
    monkeypatch.setattr(type(db), "execute_sql", real)
    return statements


FILTERS = [
    Filters(),
    Filters(query="jazz rs"),
    Filters(make="Honda", transmission="Matic"),
    Filters(price_min=100_000_000, price_max=200_000_000, year_min=2015, year_max=2020),
    Filters(page=40),
]


@pytest.mark.parametrize(
    "query",
    [
        *(lambda t, f=f: catalog.listings_page(t, f) for f in FILTERS),
        lambda t: catalog.makes_for_sale(t),
        lambda t: catalog.listing_by_slug(t, "honda-jazz-h01"),
        lambda t: catalog.public_count(t),
        lambda t: catalog.sitemap_entries(t, 2, 1000),
    ],
)
def test_every_catalog_query_uses_an_index(db, tenant, monkeypatch, query):
    with db.connection_context():
        other = Tenant.create(slug="other", name="Other")
        Listing.insert_many(
            [
                {
                    "tenant": tenant_id,
                    "code": f"H{n}",
                    "slug": f"honda-jazz-h{n}",
                    "seller": "62812",
                    "make": "Honda",
                    "model": "Jazz",
                    "price_idr": 150_000_000,
                    "original_text": "",
                    "description": "",
                    "status": "available",
                }
                for tenant_id in (tenant.id, other.id)
                for n in range(50)
            ]
        ).execute()
        db.execute_sql("ANALYZE")
        statements = recorded_sql(db, monkeypatch, lambda: query(tenant.id))
        assert statements
        for sql, params in statements:
            plan = [row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
            scans = [s for s in plan if s.startswith("SCAN") and ("listing" in s or "photo" in s)]
            assert not [s for s in scans if "INDEX" not in s], (sql, plan)
