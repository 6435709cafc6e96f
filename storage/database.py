"""Opening the database, applying migrations, and backups.

SQLite is opened in WAL mode with synchronous=FULL (every COMMIT is durable; group commit in the
persistence actor keeps that cheap), a busy timeout, and foreign keys on; every transaction
starts with BEGIN IMMEDIATE so a writer takes the write lock up front instead of failing later
on upgrade. Each thread gets its own connection (peewee's thread-local state): the persistence
actor's dedicated thread is the one writer, readers run on other threads and, thanks to WAL,
never wait for it.

PostgreSQL (`[database] url`) runs the same models and migrations. Its connections are to a
server that can restart under us: a connection found broken is replaced before the next
statement (see ReconnectingPostgresqlDatabase), and the error of the statement that found it
is transient (storage.faults), so that turn is tried again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import peewee

from storage.errors import BackupFailed, DatabaseUnusable, MigrationFailed, SchemaTooNew
from storage.faults import Fault, classify
from storage.models import database as database_proxy

log = logging.getLogger("showroom.storage")

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS_FULL = 2
SYNCHRONOUS_NORMAL = 1

_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sqlite|postgresql)\.sql$")


def open_sqlite(path: Path | str, *, synchronous: int = SYNCHRONOUS_FULL) -> peewee.SqliteDatabase:
    """A SQLite database bound to the models (not yet connected: each thread connects itself)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = peewee.SqliteDatabase(
        str(path),
        pragmas={
            "journal_mode": "wal",
            "synchronous": synchronous,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "foreign_keys": 1,
        },
        lock_type="IMMEDIATE",
        thread_safe=True,
        autoconnect=True,
    )
    database_proxy.initialize(db)
    return db


def prepare_sqlite(path: Path | str) -> peewee.SqliteDatabase:
    """Open and migrate (blocking: call it from a worker thread). The connection this thread
    used is closed again: each thread that works with the database opens its own.
    Raises DatabaseUnusable (one line: what is wrong with the file and what to do)."""
    with unusable_as_one_line(path):
        db = open_sqlite(path)
        try:
            migrate(db)
        finally:
            db.close()
    return db


def prepare_postgresql(url: str) -> peewee.PostgresqlDatabase:
    """Connect, migrate and disconnect (blocking: call it from a worker thread).
    Raises DatabaseUnusable: one line naming the server (never the password), what is wrong
    and what to do."""
    with unusable_as_one_line(safe_url(url)):
        db = open_postgresql(url)
        try:
            migrate(db)
        finally:
            db.close()
    return db


def safe_url(url: str) -> str:
    """A database URL fit for a log line, an error or a pg_dump command: the password left
    out, whether before the host or as `?password=` (pg_dump then finds it in ~/.pgpass or
    $PGPASSWORD)."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}@{host}")
    options = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "password" for key, _ in options):
        kept = [(key, value) for key, value in options if key != "password"]
        parts = parts._replace(query=urlencode(kept, safe="/"))
    return urlunsplit(parts)


_ADVICE = {
    Fault.CORRUPT: "restore a backup (README: Operations, Restore), or point [database] path "
    "at a new file",
    Fault.CANNOT_OPEN: "check [database] path: it must be a file (or not exist yet) in a folder "
    "showroom may write",
    Fault.READ_ONLY: "showroom must be able to write the file and its folder (for the -wal and "
    "-shm files next to it)",
    Fault.FULL: "free some space on that disk",
    Fault.BUSY: "another program holds it locked; stop it",
    Fault.IO: "check the disk (dmesg)",
    Fault.NO_DESCRIPTORS: "raise the open files limit (LimitNOFILE)",
    Fault.UNREACHABLE: "check [database] url (host and port) and that the PostgreSQL server "
    "is running and accepts connections from here",
    Fault.LOGIN_REFUSED: "check the user and password in [database] url, and the server's "
    "pg_hba.conf",
    Fault.NO_DATABASE: "create it (README: Operations, PostgreSQL) or fix the name in "
    "[database] url",
    Fault.CONFLICT: "start again",
}


@contextlib.contextmanager
def unusable_as_one_line(path: Path | str) -> Iterator[None]:
    """Errors of opening or migrating the database, as DatabaseUnusable with one line that
    names the file, the fault and what to do (instead of a driver's traceback)."""
    server = str(path).startswith("postgresql://")
    fallback = "check [database] url" if server else "check the file"
    try:
        yield
    except peewee.ImproperlyConfigured as exc:  # PostgreSQL's driver is not installed
        raise DatabaseUnusable(
            f"{path}: {exc}: install it (pip install 'showroom[postgres]', or psycopg2-binary)"
        ) from exc
    except (peewee.DatabaseError, peewee.InterfaceError, sqlite3.Error, OSError) as exc:
        fault = classify(exc)
        # the driver's own words, on one line (psycopg2's span several)
        words = " ".join(str(exc).split())
        what = fault.value if fault is not None else f"it cannot be used ({words})"
        advice = _ADVICE.get(fault, fallback) if fault is not None else fallback
        raise DatabaseUnusable(f"{path}: {what}: {advice}") from exc


class ReconnectingPostgresqlDatabase(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database, but a connection the server broke (a restart, a
    terminated backend, a network cut) is replaced before the next statement.

    peewee keeps one connection per thread and trusts it until it is closed by hand: after a
    server restart every statement on it would fail for the life of the thread. libpq does not
    know the connection is gone until a statement fails ("server closed the connection
    unexpectedly"), and even then psycopg2 may still call it open. So the statement that
    finds it out marks it lost (a transient fault: the writer and the readers run it once more
    at once), and the next statement gets a new connection. Never inside a transaction: its
    work died with the old connection, and it must fail as a whole."""

    def cursor(self, named_cursor: object = None) -> object:
        if self._connection_lost() and not self.in_transaction():
            log.warning("the connection to PostgreSQL was lost; connecting again")
            connection, self._state.conn = self._state.conn, None
            self._state.reset()
            self._state.lost = False
            with contextlib.suppress(Exception):  # it is broken: closing only frees it
                connection.close()
        return super().cursor(named_cursor)

    def execute_sql(self, sql: str, params: object = None) -> object:
        with self._noting_a_lost_connection():
            return super().execute_sql(sql, params)

    def begin(self, isolation_level: object = None) -> None:
        with self._noting_a_lost_connection():
            super().begin(isolation_level)
        self._state.began_on = self._state.conn

    def commit(self) -> None:
        # peewee ends the transaction before its COMMIT: a COMMIT on a connection other than
        # the one the transaction began on would commit nothing, and say it had.
        if self._connection_lost() or self._state.conn is not getattr(
            self._state, "began_on", self._state.conn
        ):
            self._state.lost = True
            raise peewee.OperationalError(
                "server closed the connection unexpectedly (before COMMIT: nothing was written)"
            )
        with self._noting_a_lost_connection():
            super().commit()

    def rollback(self) -> None:
        with self._noting_a_lost_connection():
            super().rollback()

    @contextlib.contextmanager
    def _noting_a_lost_connection(self) -> Iterator[None]:
        try:
            yield
        except peewee.PeeweeException as exc:
            if classify(exc) is Fault.UNREACHABLE:
                self._state.lost = True
            raise

    def _connection_lost(self) -> bool:
        connection = self._state.conn
        if connection is None or self._state.closed:
            return False
        return bool(getattr(self._state, "lost", False) or connection.closed)


CONNECT_TIMEOUT_S = 10  # unless the URL says otherwise (`?connect_timeout=`)


def open_postgresql(url: str) -> peewee.PostgresqlDatabase:
    """A PostgreSQL database bound to the models, for installations that outgrow one machine
    (not yet connected: each thread connects itself)."""
    if url.startswith("postgres://"):  # libpq's alias; peewee hands only postgresql:// on
        url = "postgresql://" + url.removeprefix("postgres://")
    # A server that drops packets would otherwise hold a start or a health check for minutes.
    timeout = {} if "connect_timeout=" in url else {"connect_timeout": CONNECT_TIMEOUT_S}
    db = ReconnectingPostgresqlDatabase(url, thread_safe=True, autoconnect=True, **timeout)
    database_proxy.initialize(db)
    return db


def dialect(db: peewee.Database) -> str:
    return "postgresql" if isinstance(db, peewee.PostgresqlDatabase) else "sqlite"


# -- migrations -------------------------------------------------------------------------------


def available_migrations(db_dialect: str) -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every shipped migration for the dialect, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match and match.group(3) == db_dialect:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationFailed(f"migrations are not numbered 1..n without gaps: {versions}")
    return found


def schema_version(db: peewee.Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(db: peewee.Database) -> int:
    """Apply every migration the database does not have yet. Returns the version it is at.

    Each migration runs in its own transaction with its version row, so a failure leaves the
    database at the version before it. Safe to run from two processes at once: the second
    waits for the first's write lock, then finds nothing left to do.
    """
    migrations = available_migrations(dialect(db))
    known = migrations[-1][0] if migrations else 0
    with db.atomic():
        db.execute_sql(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, "
            "name VARCHAR(100) NOT NULL, applied_at VARCHAR(40) NOT NULL)"
        )
    for version, name, sql in migrations:
        with db.atomic():
            current = schema_version(db)  # read inside the write transaction: no race
            if current > known:
                raise SchemaTooNew(current, known)
            if version <= current:
                continue
            try:
                for statement in _statements(sql):
                    db.execute_sql(statement)
            except peewee.DatabaseError as exc:
                raise MigrationFailed(f"migration {version} ({name}) failed: {exc}") from exc
            db.execute_sql(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (%s, %s, %s)"
                if dialect(db) == "postgresql"
                else "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, _now_text()),
            )
            log.info("database migrated to version %d (%s)", version, name)
    current = schema_version(db)
    if current > known:
        raise SchemaTooNew(current, known)
    return current


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def _now_text() -> str:
    from storage.models import utcnow

    return utcnow().isoformat(timespec="seconds") + "Z"


def quick_check(path: Path | str) -> str:
    """`PRAGMA quick_check` on a connection of its own (another's page cache could hide a
    damaged page): "ok", or the first problem found. It reads every page: not for every
    request. Blocking: call it from a worker thread."""
    try:
        with _plain_connection(path) as connection:
            return str(connection.execute("PRAGMA quick_check(1)").fetchone()[0])
    except sqlite3.Error as exc:
        return str(exc)


def database_check(db: peewee.Database) -> str:
    """ "ok", or what is wrong with the database: SQLite's `quick_check` of the file; for
    PostgreSQL (which checks its own pages), whether the server answers on a connection of
    its own. Blocking: call it from a worker thread."""
    if dialect(db) == "sqlite":
        return quick_check(db.database)
    probe = peewee.PostgresqlDatabase(db.database, autoconnect=True, **db.connect_params)
    try:
        probe.execute_sql("SELECT 1")
        return "ok"
    except peewee.PeeweeException as exc:
        fault = classify(exc)
        return fault.value if fault is not None else " ".join(str(exc).split())
    finally:
        probe.close()


def database_size_bytes(db: peewee.Database) -> int:
    """The database's size on disk: the SQLite file with its WAL, or what the PostgreSQL
    server reports. Blocking: call it from a worker thread (for SQLite, any thread: it only
    looks at the files)."""
    if dialect(db) == "postgresql":
        row = db.execute_sql("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0])
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(str(db.database) + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total


# -- backups ----------------------------------------------------------------------------------


PARTIAL_SUFFIX = ".partial"
SQLITE_HEADER = b"SQLite format 3\x00"


def backup_sqlite(source: Path | str, target: Path | str) -> Path:
    """Write a consistent copy of a (possibly busy) SQLite database and check it.

    Uses VACUUM INTO: one read transaction, so writers go on while it runs (WAL), and the copy
    is compact. The copy must pass PRAGMA integrity_check, else BackupFailed.

    The copy is written as `<target>.partial`, locked (flock) while it is written, and renamed
    when it is sound. A backup that was killed leaves its partial file unlocked: the next
    backup into the same folder (and the next start, for the usual folders) removes it.
    """
    target = Path(target)
    if target.exists():
        raise BackupFailed(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(target.parent)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    except FileExistsError:
        raise BackupFailed(f"another backup to {target} is running") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # released by the kernel if we are killed
        # VACUUM INTO takes an empty file: the one we hold locked
        with _plain_connection(source) as connection:
            connection.execute("VACUUM INTO ?", (str(partial),))
        with _plain_connection(partial) as copy:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupFailed(f"the copy failed its integrity check: {verdict}")
        partial.rename(target)
    except sqlite3.Error as exc:
        raise BackupFailed(f"backup of {source} to {target} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
        os.close(descriptor)
    return target


def remove_stale_partials(folder: Path | str) -> list[Path]:
    """Remove the partial copies killed backups left in `folder` (a backup still writing
    holds its file locked and keeps it). Returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = list(Path(folder).glob(f"*{PARTIAL_SUFFIX}"))
    except OSError:
        return removed
    for path in candidates:
        try:
            descriptor = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            with open(path, "rb") as probe:
                header = probe.read(len(SQLITE_HEADER))
            if header not in (b"", SQLITE_HEADER):
                continue  # not ours: someone else's file that happens to end in .partial
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # locked: a backup is writing it right now
        else:
            path.unlink(missing_ok=True)
            removed.append(path)
        finally:
            os.close(descriptor)
    if removed:
        log.info("removed %d partial backup file(s) left by killed backups", len(removed))
    return removed


def _plain_connection(path: Path | str) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000))
