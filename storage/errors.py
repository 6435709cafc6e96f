"""Errors of the storage floor. Each says what happened and what the operator can do."""


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
