"""Database and disk faults are recognised from real SQLite errors, through peewee's wrapping
and trio's exception groups."""

import errno
import sqlite3

import peewee
import pytest

from storage.faults import Fault, classify, is_transient


def sqlite_error(action) -> BaseException:
    try:
        action()
    except (sqlite3.Error, peewee.DatabaseError) as exc:
        return exc
    raise AssertionError("no error")


def test_a_full_database_is_full(tmp_path):
    db = sqlite3.connect(tmp_path / "full.db")
    db.execute("CREATE TABLE t (x TEXT)")
    db.execute("PRAGMA max_page_count = 3")  # the page limit gives SQLITE_FULL, as a full disk

    def fill():
        for _ in range(100):
            db.execute("INSERT INTO t VALUES (?)", ("x" * 2000,))

    error = sqlite_error(fill)
    assert classify(error) is Fault.FULL and is_transient(error)


def test_through_peewee_and_an_exception_group(tmp_path):
    path = tmp_path / "garbage.db"
    path.write_bytes(b"not a database at all" * 200)
    db = peewee.SqliteDatabase(str(path))
    error = sqlite_error(lambda: db.execute_sql("SELECT * FROM sqlite_master"))
    assert isinstance(error, peewee.DatabaseError)
    assert classify(ExceptionGroup("nursery", [error])) is Fault.CORRUPT
    assert not is_transient(error)


def test_read_only_and_cannot_open(tmp_path):
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert classify(sqlite_error(lambda: read_only.execute("INSERT INTO t VALUES (1)"))) is (
        Fault.READ_ONLY
    )
    (tmp_path / "folder.db").mkdir()
    folder = sqlite_error(lambda: sqlite3.connect(tmp_path / "folder.db").execute("SELECT 1"))
    assert classify(folder) is Fault.CANNOT_OPEN and not is_transient(folder)


@pytest.mark.parametrize(
    ("number", "fault"),
    [
        (errno.ENOSPC, Fault.FULL),
        (errno.EMFILE, Fault.NO_DESCRIPTORS),
        (errno.EROFS, Fault.READ_ONLY),
    ],
)
def test_os_errors(number, fault):
    error = OSError(number, "x")
    assert classify(error) is fault
    assert is_transient(error) == (fault in (Fault.FULL, Fault.NO_DESCRIPTORS))


def test_an_unrelated_error_is_no_fault():
    assert classify(ValueError("bad value")) is None and not is_transient(KeyError("k"))
