"""Errors of the storage floor. Each says what happened and what the operator can do.

StorageError
├── DatabaseUnusable  the database file cannot be opened or used (damaged, a folder, read-only)
├── SchemaTooNew      the database was written by a newer showroom
├── MigrationFailed   a migration could not be applied (the database is as it was)
├── MediaUnusable     the photo folder (media.dir) is not a folder showroom may write
├── UnsafePath        a name would leave the photo store
├── BackupFailed      the backup could not be written or is not intact
├── NotAPhoto         the bytes are not a photo we can use (the message is for the seller)
│   └── PhotoTooLarge the picture would take more memory to decode than allowed
├── StaleSession      a session changed since it was read (another turn committed first)
├── StorageUnavailable  the database could not take a write now (locked, full, gone)
└── WriteRefused      the database refused what was written (a constraint): no use retrying

Which failures pass by themselves (a full disk, a lock) is read by `storage.faults`.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of the storage floor's errors."""


class DatabaseUnusable(StorageError):
    """The database file cannot be opened or used; the message is one line for the operator:
    the file, what is wrong and what to do."""


class MediaUnusable(StorageError):
    """The photo folder cannot be used; the message is one line for the operator."""


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


class PhotoTooLarge(NotAPhoto):
    """The picture is too large to decode within the memory budget (or the pixel cap)."""


class StaleSession(StorageError):
    """The session changed since it was read (another turn committed first)."""


class StorageUnavailable(StorageError):
    """The database could not take a write now (locked, full, closed, an I/O error); the
    database's own error is the cause."""


class WriteRefused(StorageError):
    """The database refused what was written (a constraint, a bad value): trying again will
    not help. The database's own error is the cause."""
