"""The truth about the disk, the database and the photo folder, for /health, /stats and the
admins' /health.

Each look gathers: the fault the last writes met (a full disk: they fail, and that is known at
once), the free space where the database and the photos are, whether a photo file can be
written, and whether the database passes `PRAGMA quick_check` (at most once a minute: it reads
every page). Problems are codes (for the message catalog) with a detail for the operator.

On PostgreSQL the database's disk is the server's (watched by whoever runs the server, not by
showroom) and the server checks its own pages: the look asks instead whether the server
answers, on a connection of its own.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee
import trio

from actors.persistence import PersistenceStats
from storage.database import database_check, dialect
from storage.faults import Fault
from storage.media import MediaStore

# Less free space than this is a full disk: SQLite needs room for its WAL and its checkpoints,
# a photo takes a few MB in its three sizes.
DISK_FULL_BYTES = 32 * 1_000_000
DATABASE_CHECK_INTERVAL_S = 60.0
FAULT_PROBLEMS = {
    Fault.FULL: "disk_full",
    Fault.CORRUPT: "database_damaged",
    Fault.UNREACHABLE: "database_unreachable",
}


def problem_code(fault: Fault) -> str:
    return FAULT_PROBLEMS.get(fault, "writes_failing")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # disk_full, database_damaged, database_unreachable, writes_failing,
    #            media_not_writable: the message catalog has `problem_<code>`
    detail: str  # for the operator, in English


@dataclass(frozen=True, slots=True)
class StorageReport:
    problems: tuple[Problem, ...]
    database_free_mb: float | None  # None on PostgreSQL: the server's disk is not ours to see
    media_free_mb: float | None
    last_fault: tuple[Fault, float, float] | None  # the last episode that is over

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "database_free_mb": self.database_free_mb,
            "media_free_mb": self.media_free_mb,
            "problems": [{"problem": p.code, "detail": p.detail} for p in self.problems],
        }
        if self.last_fault is not None:
            fault, since, until = self.last_fault
            report["last_fault"] = {
                "fault": fault.value,
                "since": _iso(since),
                "until": _iso(until),
            }
        return report


@dataclass
class StorageHealth:
    db: peewee.Database
    media: MediaStore
    commits: PersistenceStats
    check_interval_s: float = DATABASE_CHECK_INTERVAL_S
    _checked_at: float | None = field(default=None, init=False)
    _database_check: str = field(default="ok", init=False)
    _lock: trio.Lock = field(default_factory=trio.Lock, init=False)

    async def report(self) -> StorageReport:
        problems: list[Problem] = []
        fault = self.commits.fault
        if fault is not None:
            since = _iso(self.commits.fault_since or time.time())
            problems.append(Problem(problem_code(fault), f"{fault.value} since {since}"))
        free: dict[str, int | None] = {"database": None}
        folders = {"media": self.media.root}
        if dialect(self.db) == "sqlite":
            folders["database"] = Path(self.db.database).parent
        for label, folder in folders.items():
            free[label] = await trio.to_thread.run_sync(_free_bytes, folder)
            if free[label] is not None and free[label] < DISK_FULL_BYTES:
                detail = f"{free[label] / 1e6:.0f} MB free on the {label}'s disk ({folder})"
                problems.append(Problem("disk_full", detail))
        media = await trio.to_thread.run_sync(self.media.check_writable)
        if media is not None:
            problems.append(Problem("media_not_writable", f"photos cannot be written: {media}"))
        verdict = await self._database_verdict()
        if verdict != "ok" and dialect(self.db) == "sqlite":
            problems.append(Problem("database_damaged", f"PRAGMA quick_check: {verdict}"))
        elif verdict != "ok":
            problems.append(Problem("database_unreachable", f"PostgreSQL: {verdict}"))
        return StorageReport(
            tuple(problems),
            _mb(free["database"]),
            _mb(free["media"]),
            self.commits.last_fault,
        )

    async def _database_verdict(self) -> str:
        async with self._lock:  # one check at a time, whoever asks
            now = trio.current_time()
            if self._checked_at is None or now - self._checked_at >= self.check_interval_s:
                self._database_check = await trio.to_thread.run_sync(database_check, self.db)
                self._checked_at = trio.current_time()
            return self._database_check


def _free_bytes(folder: Path) -> int | None:
    """Free bytes on the disk of `folder` (or of its nearest existing parent)."""
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / 1e6, 1)


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")
