"""What went wrong with the database or the disk, read from an error: for the operator (one
line at start, /health) and for the parts that must wait rather than crash.

SQLite says what happened in its error code (`sqlite_errorname` on Python's sqlite3 errors,
which peewee keeps as the context of its own); the message is the fallback. PostgreSQL's
driver (psycopg2) says it in the SQLSTATE (`pgcode`) when the server answered, and only in its
message when the connection itself failed (refused, broken by a restart, a wrong password).
"""

from __future__ import annotations

import enum
import errno
import re
import sqlite3

from runtime import descriptors
from runtime.errors import causes


class Fault(enum.Enum):
    FULL = "the disk is full"  # SQLITE_FULL (also the database's page limit), ENOSPC
    CORRUPT = "the database file is damaged or not a showroom database"
    READ_ONLY = "the database is read-only"
    CANNOT_OPEN = "the database file cannot be opened"
    BUSY = "the database is locked by another program"
    IO = "the disk failed to read or write"
    NO_DESCRIPTORS = "the process has run out of file descriptors"
    # PostgreSQL
    UNREACHABLE = (
        "the database server cannot be reached (down, restarting, or the connection broke)"
    )
    LOGIN_REFUSED = "the database server refused the login"
    NO_DATABASE = "the database does not exist on the server"
    CONFLICT = "the transaction collided with another (serialization failure or deadlock)"


# Faults that heal by themselves (space is freed, the lock is released, connections close, the
# database server comes back, the colliding transaction is over): wait and try again, never
# escalate. A refused login or a missing database waits for the operator: not transient.
TRANSIENT = frozenset(
    {Fault.FULL, Fault.BUSY, Fault.NO_DESCRIPTORS, Fault.UNREACHABLE, Fault.CONFLICT}
)

_BY_CODE = {
    "SQLITE_FULL": Fault.FULL,
    "SQLITE_CORRUPT": Fault.CORRUPT,
    "SQLITE_NOTADB": Fault.CORRUPT,
    "SQLITE_READONLY": Fault.READ_ONLY,
    "SQLITE_CANTOPEN": Fault.CANNOT_OPEN,
    "SQLITE_BUSY": Fault.BUSY,
    "SQLITE_LOCKED": Fault.BUSY,
    "SQLITE_IOERR": Fault.IO,
}
_BY_MESSAGE = (
    ("database or disk is full", Fault.FULL),
    ("disk image is malformed", Fault.CORRUPT),
    ("file is not a database", Fault.CORRUPT),
    ("readonly database", Fault.READ_ONLY),
    ("unable to open database file", Fault.CANNOT_OPEN),
    ("database is locked", Fault.BUSY),
    ("disk i/o error", Fault.IO),
)
# SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_BY_PGCODE = {
    "08": Fault.UNREACHABLE,  # connection exception
    "57P01": Fault.UNREACHABLE,  # admin_shutdown: the server is stopping or restarting
    "57P02": Fault.UNREACHABLE,  # crash_shutdown
    "57P03": Fault.UNREACHABLE,  # cannot_connect_now: still starting up
    "53100": Fault.FULL,  # disk_full
    "53300": Fault.BUSY,  # too_many_connections
    "40": Fault.CONFLICT,  # transaction rollback: serialization failure, deadlock
    "28": Fault.LOGIN_REFUSED,  # invalid authorization specification
    "3D000": Fault.NO_DATABASE,  # invalid_catalog_name
}
# psycopg2's OperationalError without a code: the connection failed before or while talking.
_PG_CONNECTION_MESSAGES = (
    (
        re.compile(r"password authentication failed|no password supplied|no pg_hba\.conf entry"),
        Fault.LOGIN_REFUSED,
    ),
    (re.compile(r'role ".*" does not exist'), Fault.LOGIN_REFUSED),
    (re.compile(r'database ".*" does not exist'), Fault.NO_DATABASE),
)
_BY_ERRNO = {
    errno.ENOSPC: Fault.FULL,
    errno.EDQUOT: Fault.FULL,
    errno.EROFS: Fault.READ_ONLY,
    errno.EMFILE: Fault.NO_DESCRIPTORS,
    errno.ENFILE: Fault.NO_DESCRIPTORS,
    errno.EIO: Fault.IO,
}


def classify(error: BaseException) -> Fault | None:
    """The fault behind `error` (looking through causes and groups), or None."""
    for each in causes(error):
        fault = _fault_of(each)
        if fault is Fault.CANNOT_OPEN and descriptors.near_limit():
            return Fault.NO_DESCRIPTORS  # SQLite does not say why; this is why
        if fault is not None:
            return fault
    return None


def is_transient(error: BaseException) -> bool:
    """Will trying again later work? (A full disk, a lock, a shortage of descriptors.)"""
    return classify(error) in TRANSIENT or descriptors.is_shortage(error)


def _fault_of(error: BaseException) -> Fault | None:
    if isinstance(error, OSError) and error.errno in _BY_ERRNO:
        return _BY_ERRNO[error.errno]
    if type(error).__module__.startswith("psycopg2"):
        return _postgresql_fault(error)
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(error, sqlite3.Error) and isinstance(name, str):
        for code, fault in _BY_CODE.items():
            if name == code or name.startswith(code + "_"):
                return fault
    text = str(error).lower()
    for fragment, fault in _BY_MESSAGE:
        if fragment in text:
            return fault
    return None


def _postgresql_fault(error: BaseException) -> Fault | None:
    """The fault behind one of psycopg2's errors (read without importing the driver, which
    is installed only for PostgreSQL)."""
    code = getattr(error, "pgcode", None)
    if isinstance(code, str):
        return _BY_PGCODE.get(code) or _BY_PGCODE.get(code[:2])
    if type(error).__name__ in ("OperationalError", "DatabaseError", "InterfaceError"):
        # No SQLSTATE: the client's own error about the connection (refused, closed under
        # it by a restart: "server closed the connection unexpectedly", which psycopg2
        # raises as a plain DatabaseError; "connection already closed")
        text = str(error)
        for pattern, fault in _PG_CONNECTION_MESSAGES:
            if pattern.search(text):
                return fault
        return Fault.UNREACHABLE
    return None
