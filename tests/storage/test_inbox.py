"""The slim inbox: migration 4 drops the raw body and the inline photos of processed events,
and processed events are pruned by age in small batches (those not processed, never)."""

import datetime as dt
import json
import sqlite3

import pytest

from storage.database import _statements, available_migrations, migrate, open_sqlite
from storage.models import utcnow
from storage.writes import PruneInbox

INLINE = "A" * 100_000  # a photo of 75 KB, base64


def event(key: str, *, inline: bool) -> str:
    media = {"locator": "inline" if inline else "/images/x.jpg", "inline_b64": None}
    if inline:
        media["inline_b64"] = INLINE
    return json.dumps(
        {"tenant": "demo", "dedupe_key": key, "kind": "image", "media": media},
        separators=(",", ":"),
    )


def test_migration_6_keeps_the_events_and_drops_what_is_not_needed(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    for _, _, sql in available_migrations("sqlite")[:3]:  # a database of version 3
        for statement in _statements(sql):
            connection.execute(statement)
    connection.execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, "
        "name VARCHAR(100) NOT NULL, applied_at VARCHAR(40) NOT NULL)"
    )
    connection.executemany("INSERT INTO schema_version VALUES (?, 'x', 'x')", [(1,), (2,), (3,)])
    connection.execute(
        "INSERT INTO tenant VALUES (1, 'demo', 'Demo', '', '', 'id', '#000000', '#000000', 'x')"
    )
    for key, status in (("done-1", "done"), ("new-1", "new"), ("dead-1", "dead")):
        connection.execute(
            "INSERT INTO inbox_event (tenant_id, dedupe_key, sender, raw, event, status, "
            "attempts, received_at) VALUES (1, ?, '62812', ?, ?, ?, 0, 'x')",
            (key, "{" + INLINE + "}", event(key, inline=True), status),
        )
    connection.commit()
    connection.close()
    db = open_sqlite(path)
    assert migrate(db) == len(available_migrations("sqlite"))
    db.close()
    with sqlite3.connect(path) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(inbox_event)")}
        rows = dict(connection.execute("SELECT dedupe_key, event FROM inbox_event"))
    assert "raw" not in columns and "media_file" in columns
    assert json.loads(rows["new-1"])["media"]["inline_b64"] == INLINE  # still to be processed
    for processed in ("done-1", "dead-1"):
        media = json.loads(rows[processed])["media"]
        assert "inline_b64" not in media and media["locator"] == "inline"
        assert len(rows[processed]) < 200


def insert(db_path, key: str, status: str, processed_days_ago: float | None) -> None:
    processed = (
        None if processed_days_ago is None else utcnow() - dt.timedelta(days=processed_days_ago)
    )
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO inbox_event (tenant_id, dedupe_key, sender, event, status, attempts, "
            "received_at, processed_at) VALUES (1, ?, '', '{}', ?, 1, ?, ?)",
            (key, status, utcnow(), processed),
        )


@pytest.mark.usefixtures("tenant")
def test_processed_events_are_pruned_by_age_in_batches(db, db_path):
    for n in range(7):
        insert(db_path, f"old-{n}", "done", 8)
    insert(db_path, "old-dead", "dead", 30)
    insert(db_path, "recent", "done", 6)
    insert(db_path, "waiting", "new", None)
    before = utcnow() - dt.timedelta(days=7)
    with db.connection_context():
        batches = []
        while True:
            with db.atomic():
                batches.append(PruneInbox(before, limit=3).apply())
            if batches[-1] < 3:
                break
    assert batches == [3, 3, 2]
    with sqlite3.connect(db_path) as connection:
        left = {key for (key,) in connection.execute("SELECT dedupe_key FROM inbox_event")}
    assert left == {"recent", "waiting"}  # dedupe holds for what is younger than the cut
