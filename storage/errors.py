"""Errors of the storage floor. Each says what happened and what the operator can do.

StorageError
├── SchemaTooNew      the database was written by a newer showroom
├── MigrationFailed   a migration could not be applied (the database is as it was)
├── UnsafePath        a name would leave the photo store
├── BackupFailed      the backup could not be written or is not intact
├── NotAPhoto         the bytes are not a photo we can use (the message is for the seller)
└── StaleSession      a session changed since it was read (another turn committed first)

`is_transient(error)` tells a failure of the storage itself (locked, full, I/O, out of file
descriptors: worth trying again later) from a failure of what was written.
"""

from __future__ import annotations

import errno

import peewee

# What SQLite (and PostgreSQL's driver) say when the storage, not the statement, failed.
_TRANSIENT_SIGNS = (
    "database is locked",
    "database is busy",
    "database table is locked",
    "disk is full",
    "disk i/o error",
    "unable to open database file",
    "out of memory",
    "could not connect",
    "server closed the connection",
    "connection already closed",
)
_TRANSIENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EIO,
    errno.EMFILE,
    errno.ENFILE,
    errno.ENOMEM,
}


class StorageError(Exception):
    """Base of the storage floor's errors."""


class SchemaTooNew(StorageError):
    """The database was written by a newer showroom than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database schema is version {found}, but this showroom knows versions up to "
            f"{known}: run the newer showroom again, or restore a backup made by this version"
        )
        self.found = found
        self.known = known


class MigrationFailed(StorageError):
    """A migration could not be applied; the database was left at the version before it."""


class UnsafePath(StorageError):
    """A path component would leave the photo store (or is not a valid name)."""


class BackupFailed(StorageError):
    """The backup could not be written or did not pass its integrity check."""


class NotAPhoto(StorageError):
    """The bytes are not a photo we can use; the message says why, for the seller's note."""


class StaleSession(StorageError):
    """The session changed since it was read (another turn committed first)."""


def is_transient(error: BaseException) -> bool:
    """Did the storage fail (locked by another process, disk full, an I/O error, no file
    descriptor left), rather than the write itself? Such a failure passes: try again later."""
    if isinstance(error, OSError) and error.errno in _TRANSIENT_ERRNOS:
        return True
    if isinstance(error, peewee.OperationalError | peewee.InterfaceError):
        message = str(error).lower()
        return any(sign in message for sign in _TRANSIENT_SIGNS)
    cause = error.__cause__ or error.__context__
    return cause is not None and cause is not error and is_transient(cause)
