"""What went wrong with the database or the disk, read from an error: for the operator (one
line at start, /health) and for the parts that must wait rather than crash.

SQLite says what happened in its error code (`sqlite_errorname` on Python's sqlite3 errors,
which peewee keeps as the context of its own); the message is the fallback.
"""

from __future__ import annotations

import enum
import errno
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


# Faults that heal by themselves (space is freed, the lock is released, connections close):
# wait and try again, never escalate.
TRANSIENT = frozenset({Fault.FULL, Fault.BUSY, Fault.NO_DESCRIPTORS})

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
