"""The same models and migrations on PostgreSQL (a real server; skipped, with the reason, if
none can be had)."""

import datetime as dt

import peewee
import pytest

from domain.events import InboundEvent
from storage.catalog import Filters, listings_page
from storage.database import available_migrations, migrate, open_postgresql, schema_version
from storage.models import MODELS, InboxEvent, Listing, Tenant
from storage.queries import pending_replies, phone_for
from storage.writes import AppendInbox, CommitTurn, InboxAppended, TurnCommitted


@pytest.fixture
def pg(postgres_dsn):
    db = open_postgresql(postgres_dsn)
    with db.connection_context():
        db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield db
    db.close()


def test_migrations_apply_from_empty_and_again(pg):
    latest = len(available_migrations("postgresql"))
    assert migrate(pg) == latest
    assert migrate(pg) == latest
    assert schema_version(pg) == latest


def test_the_migrated_schema_is_exactly_the_models(pg):
    migrate(pg)
    with pg.connection_context():
        migrated = {m._meta.table_name: _shape(pg, m._meta.table_name) for m in MODELS}
        pg.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        pg.create_tables(MODELS)
        created = {m._meta.table_name: _shape(pg, m._meta.table_name) for m in MODELS}
    assert migrated == created


def _shape(db, table):
    columns = sorted((c.name, c.data_type, c.null) for c in db.get_columns(table))
    indexes = sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table))
    return columns, indexes


def test_writes_and_constraints_behave_as_on_sqlite(pg):
    migrate(pg)
    with pg.connection_context():
        tenant = Tenant.create(slug="jakarta-auto", name="Jakarta Auto")
        with pg.atomic():
            first = AppendInbox(tenant.id, "wamid.1", "62812", "{}").apply()
            again = AppendInbox(tenant.id, "wamid.1", "62812", "{}").apply()
        assert first == InboxAppended(first.id, False) and again == InboxAppended(first.id, True)
        with pg.atomic():  # a hidden id seen with its phone, then alone: taken as the phone
            AppendInbox(tenant.id, "m.1", "62812", "{}", ("lid:2035",)).apply()
            AppendInbox(tenant.id, "m.2", "62899", "{}", ("lid:2035",)).apply()
            alone = InboundEvent.from_json(
                '{"tenant":"t","dedupe_key":"m.3","sender":"lid:2035","chat_kind":"direct",'
                '"kind":"text","text":"halo"}'
            )
            resolved = AppendInbox(tenant.id, "m.3", "lid:2035", alone.to_json()).apply()
        assert resolved.resolved == "62899" and phone_for(tenant.id, "lid:2035") == "62899"
        turn = CommitTurn(tenant.id, "62812", first.id, 0, "collecting_photos", "{}", ("Halo",))
        with pg.atomic():
            assert turn.apply() == TurnCommitted(1, replayed=False)
        with pg.atomic():
            assert turn.apply() == TurnCommitted(1, replayed=True)
        assert InboxEvent.get_by_id(first.id).status == "done"
        [reply] = pending_replies(tenant.id, "62812")  # plain SQL: the turn's reply, as typed
        assert (reply.chat, reply.text, reply.attempts) == ("62812", "Halo", 0)
        assert isinstance(reply.next_attempt_at, dt.datetime)
        price = 9_007_199_254_740_993
        Listing.create(
            tenant=tenant,
            code="H01",
            slug="h",
            seller="62812",
            make="Honda",
            model="Freed",
            price_idr=price,
        )
        assert Listing.get(Listing.code == "H01").price_idr == price
        with pytest.raises(peewee.IntegrityError), pg.atomic():
            Listing.create(
                tenant=tenant,
                code="H02",
                slug="h2",
                seller="62812",
                make="Honda",
                model="Freed",
                price_idr=-1,
            )


def test_the_catalog_list_page_reads_the_same_as_on_sqlite(pg):
    # storage/catalog.py writes the list page's queries in plain SQL: they must read alike
    migrate(pg)
    with pg.connection_context():
        tenant = Tenant.create(slug="jakarta-auto", name="Jakarta Auto")
        for n, (make, model, status) in enumerate(
            [
                ("Honda", "Jazz", "available"),
                ("Toyota", "Avanza", "sold"),
                ("Honda", "Brio", "hidden"),
            ]
        ):
            Listing.create(
                tenant=tenant,
                code=f"H0{n}",
                slug=f"car-{n}",
                seller="62812",
                make=make,
                model=model,
                price_idr=100_000_000 * (n + 1),
                status=status,
                created_at=dt.datetime(2025, 1, 1 + n),
            )
        rows, total = listings_page(tenant.id, Filters())
        assert total == 2 and [row["slug"] for row in rows] == ["car-1", "car-0"]
        rows, total = listings_page(tenant.id, Filters(query="JAZZ", price_max=150_000_000))
        assert total == 1 and rows[0]["make"] == "Honda" and rows[0]["thumb"] is None
        assert listings_page(tenant.id, Filters(make="Honda", page=2)) == ([], 1)


def test_a_connection_the_server_cut_is_replaced_and_its_error_is_transient(postgres_url):
    from storage.faults import Fault, classify, is_transient

    db = open_postgresql(postgres_url)
    migrate(db)
    watcher = peewee.PostgresqlDatabase(postgres_url, autoconnect=True)
    try:
        (mine,) = db.execute_sql("SELECT pg_backend_pid()").fetchone()
        watcher.execute_sql("SELECT pg_terminate_backend(%s)", (mine,))
        with pytest.raises(peewee.PeeweeException) as cut, db.atomic():
            Tenant.create(slug="cut", name="Cut")
        assert classify(cut.value) is Fault.UNREACHABLE and is_transient(cut.value)
        with db.atomic():  # the next statement has a new connection: nothing lost twice
            Tenant.create(slug="after", name="After")
        assert [t.slug for t in Tenant.select()] == ["after"]
        (again,) = db.execute_sql("SELECT pg_backend_pid()").fetchone()
        assert again != mine
    finally:
        watcher.close()
        db.close()


def test_a_refused_login_and_a_missing_database_are_named_not_transient(postgres_server):
    from storage.database import prepare_postgresql
    from storage.errors import DatabaseUnusable

    with pytest.raises(DatabaseUnusable) as missing:
        prepare_postgresql(postgres_server.database_url("no_such_database"))
    assert "the database does not exist on the server" in str(missing.value)
    assert "\n" not in str(missing.value)
    stranger = postgres_server.dsn.replace("showroom@", "nobody:s3cret-pw@", 1)
    with pytest.raises(DatabaseUnusable) as refused:
        prepare_postgresql(stranger)
    assert "refused the login" in str(refused.value) and "s3cret-pw" not in str(refused.value)
