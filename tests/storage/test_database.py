"""Opening, migrating and backing up the SQLite database (real files, real processes)."""

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import peewee
import pytest

from storage.database import (
    available_migrations,
    backup_sqlite,
    migrate,
    open_sqlite,
    schema_version,
)
from storage.errors import BackupFailed, SchemaTooNew
from storage.models import MODELS, InboxEvent, Listing, Tenant

ROOT = Path(__file__).resolve().parents[2]


def test_pragmas_are_set_on_every_connection(db):
    with db.connection_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_every_transaction_begins_immediate(db):
    statements = []
    with db.connection_context():
        db.connection().set_trace_callback(statements.append)
        with db.atomic():
            Tenant.create(slug="a", name="A")
    assert "BEGIN IMMEDIATE" in statements


def test_migrating_an_empty_database_then_again_is_safe(db_path):
    db = open_sqlite(db_path)
    assert migrate(db) == len(available_migrations("sqlite"))
    assert migrate(db) == schema_version(db)  # second start: nothing to do, no error
    rows = db.execute_sql("SELECT COUNT(*) FROM schema_version").fetchone()[0]
    assert rows == len(available_migrations("sqlite"))


def test_the_migrated_schema_is_exactly_the_models(db):
    """A model change without its migration (or the reverse) fails here."""
    fresh = peewee.SqliteDatabase(":memory:")
    with fresh.bind_ctx(MODELS):
        fresh.create_tables(MODELS)
        for model in MODELS:
            table = model._meta.table_name
            assert _columns(db, table) == _columns(fresh, table), table
            assert _indexes(db, table) == _indexes(fresh, table), table
    assert set(db.get_tables()) == {m._meta.table_name for m in MODELS} | {"schema_version"}


def _columns(database, table):
    return sorted(
        (c.name, c.data_type.upper(), c.null, c.primary_key) for c in database.get_columns(table)
    )


def _indexes(database, table):
    return sorted((i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table))


def test_a_database_newer_than_the_program_is_refused(db):
    db.execute_sql("INSERT INTO schema_version VALUES (999, 'from_the_future', 'x')")
    latest = len(available_migrations("sqlite"))
    with pytest.raises(SchemaTooNew, match=f"version 999.*knows versions up to {latest}"):
        migrate(db)


def test_two_processes_starting_at_once_on_one_file_both_succeed(db_path):
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from storage.database import migrate, open_sqlite
        print(migrate(open_sqlite({str(db_path)!r})))
    """)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert {out.strip() for out, _ in outputs} == {str(len(available_migrations("sqlite")))}


def test_unique_and_check_constraints_hold(db, tenant):
    with db.connection_context():
        InboxEvent.create(tenant=tenant, dedupe_key="k1", raw="{}", event="{}")
        with pytest.raises(peewee.IntegrityError):
            InboxEvent.create(tenant=tenant, dedupe_key="k1", raw="{}", event="{}")
        with pytest.raises(peewee.IntegrityError):  # money is never negative
            Listing.create(
                tenant=tenant,
                code="H01",
                slug="honda-freed-1",
                seller="62812",
                make="Honda",
                model="Freed",
                price_idr=-1,
            )
        with pytest.raises(peewee.IntegrityError):  # foreign keys are enforced
            InboxEvent.create(tenant=12345, dedupe_key="k2", raw="{}", event="{}")


def test_prices_are_exact_integers_beyond_float_precision(db, tenant):
    price = 9_007_199_254_740_993  # 2**53 + 1: a float would round it
    with db.connection_context():
        Listing.create(
            tenant=tenant,
            code="X01",
            slug="x",
            seller="62812",
            make="Rolls-Royce",
            model="Phantom",
            price_idr=price,
        )
        assert Listing.get(Listing.code == "X01").price_idr == price


WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from storage.database import open_sqlite
    from storage.models import InboxEvent, Tenant
    db = open_sqlite({path!r})
    tenant = Tenant.get(Tenant.slug == "surabaya-motor")
    print("ready", flush=True)
    n = 0
    while True:
        with db.atomic():
            for _ in range(20):
                n += 1
                InboxEvent.create(tenant=tenant, dedupe_key=f"w{{n}}", raw="{{}}", event="{{}}")
""")


def test_backup_while_another_process_writes_is_consistent(db, db_path, tenant, tmp_path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(db_path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        copies = [backup_sqlite(db_path, tmp_path / f"backup-{n}.db") for n in range(3)]
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for copy in copies:
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = connection.execute("SELECT COUNT(*) FROM inbox_event").fetchone()[0]
            assert count % 20 == 0  # whole transactions only
            counts.append(count)
    assert counts == sorted(counts) and counts[-1] > 0


def test_backup_refuses_to_overwrite(db, db_path, tmp_path):
    target = tmp_path / "backup.db"
    target.write_text("precious")
    with pytest.raises(BackupFailed, match="already exists"):
        backup_sqlite(db_path, target)
    assert target.read_text() == "precious"


def test_an_existing_version_1_database_is_upgraded_in_place(db_path):
    """An installation made by the first release gets the new table, and keeps its data."""
    import sqlite3 as plain

    from storage.database import available_migrations

    first = available_migrations("sqlite")[0][2]
    with plain.connect(db_path) as old:
        old.executescript(first)
        old.execute(
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, "
            "name VARCHAR(100) NOT NULL, applied_at VARCHAR(40) NOT NULL)"
        )
        old.execute("INSERT INTO schema_version VALUES (1, 'initial', 'x')")
        old.execute(
            "INSERT INTO tenant (slug, name, public_url, whatsapp_number, language, "
            "primary_color, accent_color, created_at) VALUES ('old', 'Old', '', '', "
            "'id', '#000000', '#ffffff', '2025-01-01')"
        )
    db = open_sqlite(db_path)
    assert migrate(db) == len(available_migrations("sqlite"))
    with db.connection_context():
        assert Tenant.get(Tenant.slug == "old").name == "Old"
        assert db.table_exists("lead")


def test_display_codes_are_per_make_letter_unique_and_go_beyond_99(db, tenant):
    from storage.writes import PublishListing

    draft = {"make": "Honda", "model": "Jazz", "year": 2015, "price_idr": 150_000_000}
    publish = PublishListing(draft, (), "Dijual Honda Jazz.", "/upload ...", "", "")
    with db.connection_context(), db.atomic():
        Listing.create(
            tenant=tenant,
            code="H99",
            slug="old",
            seller="62812",
            make="Honda",
            model="City",
            price_idr=1,
        )
        assert publish.create(tenant.id, "62812") == ("H100", "honda-jazz-2015-h100")
        assert publish.create(tenant.id, "62812")[0] == "H101"
        toyota = PublishListing({**draft, "make": "Toyota"}, (), "x", "", "", "")
        assert toyota.create(tenant.id, "62812")[0] == "T01"


def test_a_killed_backup_leaves_nothing_behind_after_the_next_one(db, db_path, tenant, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "backups"
    folder.mkdir()
    # a backup killed while writing: its process held the partial file and is gone
    script = (
        "import sys, time\n"
        "from storage import database\n"
        "database._plain_connection_real = database._plain_connection\n"
        "def stall(path):\n"
        "    print('writing', flush=True); time.sleep(60)\n"
        "database._plain_connection = stall\n"
        "database.backup_sqlite(sys.argv[1], sys.argv[2])\n"
    )
    killed = subprocess.Popen(
        [sys.executable, "-c", script, str(db_path), str(folder / "first.db")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert killed.stdout.readline().strip() == "writing"
    assert (folder / "first.db.partial").exists()
    killed.kill()
    killed.wait()
    (folder / "notes.partial").write_text("someone else's file")  # not a backup: kept
    second = backup_sqlite(db_path, folder / "second.db")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.partial", "second.db"]
    assert second.stat().st_size > 0


def test_a_backup_still_writing_keeps_its_partial_file(db, db_path, tmp_path):
    import fcntl
    import os

    from storage.database import remove_stale_partials

    busy = tmp_path / "busy.db.partial"
    descriptor = os.open(busy, os.O_CREAT | os.O_RDWR)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        assert remove_stale_partials(tmp_path) == []
        assert busy.exists()
    finally:
        os.close(descriptor)
    assert remove_stale_partials(tmp_path) == [busy]
