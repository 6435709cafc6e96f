"""The admin commands: running the showroom from a chat.

Parsing is pure (`parse_admin`); `AdminService` carries them out for every tenant, writes each
one to the audit log, and runs the long ones (a backup) in its own tasks so the admin's chat
stays responsive: the admin is told at once, and again when it is done.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import peewee
import trio

from actors.health import StorageReport, problem_code
from domain.admin_commands import AdminCommand
from domain.formatting import seconds
from domain.texts import listing_lines, text
from runtime import ActorRef
from storage.buyers import buyer_stats, latest_leads, unmet_demand
from storage.database import database_size_bytes, dialect
from storage.models import utcnow
from storage.queries import listings, people, stats
from storage.reader import Reader
from storage.writes import Audit, ChangeListing, EnqueueReply, SetLeadStatus, SetPerson

log = logging.getLogger("showroom.admin")

WRITE_TIMEOUT_S = 30.0


@dataclass
class HealthFacts:
    """What /health reports; filled by the program (it knows the gateways and the disk)."""

    gateway: Callable[[str], Awaitable[str]]  # tenant slug -> "reachable, v1.7.0" or a reason
    database: peewee.Database
    media_folder: Path  # where the photos are: the disk watched with a PostgreSQL database
    started_at: float
    storage: Callable[[], Awaitable[StorageReport]] | None = None  # disk, database, photos


class AdminService:
    def __init__(
        self,
        persistence: ActorRef[Any],
        reader: Reader,
        facts: HealthFacts,
        backup: Callable[[], Path] | None,  # None: PostgreSQL's, backed up with pg_dump
        sessions_active: Callable[[str], int],  # tenant slug -> its active sessions
        photo_failures: Callable[[str], int],  # tenant slug -> its photos that failed
        photo_wait_s: Callable[[str], float | None],  # its mean, from the webhook to the photo
        wake_outbox: Callable[[str, str], None],  # (tenant, chat with a new reply)
    ) -> None:
        self.persistence = persistence
        self.reader = reader
        self.facts = facts
        self.backup = backup
        self.sessions_active = sessions_active
        self.photo_failures = photo_failures
        self.photo_wait_s = photo_wait_s
        self.wake_outbox = wake_outbox
        self._nursery: trio.Nursery | None = None

    async def run_service(self) -> None:
        """Hosts the long commands (supervised like any service)."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            try:
                await trio.sleep_forever()
            finally:
                self._nursery = None

    async def carry_out(
        self,
        tenant: tuple[int, str, str],
        admin: str,
        allowed: bool,
        command: AdminCommand,
        *,
        seller_only: bool = False,
    ) -> str:
        """The reply to an admin command (tenant is id, slug, language). Audited either way.
        `seller_only`: a seller's lead commands, which see only the leads on their own cars."""
        tenant_id, slug, language = tenant
        target = command.phone or command.code or command.status or ""
        await self._write(
            Audit(tenant_id, admin, f"{command.name} {command.action}".strip(), target, allowed)
        )
        if not allowed:
            return text(language, "not_admin")
        say = lambda key, **values: text(language, key, **values)  # noqa: E731
        if command.invalid:
            if command.name in ("seller", "admin"):
                return say("usage_person", command=command.name)
            if command.name in ("leads", "lead"):
                return say("usage_lead")
            return say("usage_code", command=command.name)
        if command.name in ("leads", "lead", "demand"):
            return await self._buyers(tenant_id, language, admin if seller_only else None, command)
        match command.name, command.action:
            case "admin", "help":
                return say("admin_help")
            case ("seller" | "admin") as role, "list":
                rows = await self.reader.run(people, tenant_id, role)
                if not rows:
                    return say("people_none")
                lines = [
                    say(
                        "person_line",
                        phone=r["phone"],
                        name=r["name"],
                        listings=r["listings"],
                        admin=" (admin)" if r["role"] == "admin" else "",
                    )
                    for r in rows
                ]
                return say("people_list", lines="\n".join(lines))
            case ("seller" | "admin") as role, ("add" | "remove") as action:
                outcome = await self._write(
                    SetPerson(tenant_id, command.phone, role, action == "add", command.person_name)
                )
                role_name = say(f"role_{role}")
                if outcome == "last_admin":
                    return say("last_admin")
                key = {
                    "added": "person_added",
                    "updated": "person_added",
                    "removed": "person_removed",
                }.get(outcome, "person_absent")
                return say(key, phone=command.phone, role=role_name)
            case "cars", _:
                rows = await self.reader.run(partial(listings, tenant_id, status=command.status))
                if not rows:
                    return say("my_listings_none")
                return say("all_listings", lines=listing_lines(rows, language, with_seller=True))
            case ("hide" | "show") as name, _:
                status = "hidden" if name == "hide" else "available"
                code = await self._write(
                    ChangeListing(tenant_id, None, command.code, "status", status)
                )
                if code is None:
                    return say("listing_not_found", code=command.code)
                return say("listing_status_set", code=code, status=say(f"status_{status}"))
            case "stats", _:
                numbers = await self.reader.run(stats, tenant_id, utcnow())
                buyers = await self.reader.run(buyer_stats, tenant_id, utcnow())
                by_status = numbers["by_status"]
                return await self._with_storage(
                    language,
                    say(
                        "stats",
                        available=by_status.get("available", 0),
                        booking=by_status.get("booking", 0),
                        sold=by_status.get("sold", 0),
                        hidden=by_status.get("hidden", 0),
                        today=numbers["uploads_today"],
                        week=numbers["uploads_week"],
                        photos=numbers["photos"],
                        photo_failures=self.photo_failures(slug),
                        photo_wait=seconds(self.photo_wait_s(slug), language),
                        backlog=numbers["outbox_backlog"],
                        failed=numbers["outbox_failed"],
                        unreachable=numbers["outbox_unreachable"],
                        sessions=self.sessions_active(slug),
                        leads=numbers["leads"],
                        crashed=numbers["crashed_week"],
                    )
                    + say(
                        "stats_buyers",
                        today=buyers["buyers_today"],
                        week=buyers["buyers_week"],
                        hot=buyers["hot_leads"],
                        alerts=buyers["alerts_week"],
                        answered=buyers["answered_week"],
                    ),
                )
            case "health", _:
                return await self._health(slug, language)
            case "backup", _:
                if self.backup is None:
                    return say("backup_postgresql")
                if self._nursery is None:
                    return say("backup_failed", reason="not running")
                self._nursery.start_soon(self._backup, tenant_id, slug, admin, language)
                return say("backup_started")
        return say("admin_help")

    async def _buyers(
        self, tenant_id: int, language: str, seller: str | None, command: AdminCommand
    ) -> str:
        """/leads, /lead and /permintaan; a seller's (`seller` given) only on their own cars."""
        say = lambda key, **values: text(language, key, **values)  # noqa: E731
        now = utcnow()
        if command.name == "lead":
            done = await self._write(
                SetLeadStatus(tenant_id, command.phone, command.status or "", seller)
            )
            if done is None:
                return say(
                    "lead_unknown", phone=command.phone, yours=say("lead_yours") if seller else ""
                )
            return say("lead_set", phone=command.phone, status=say(f"lead_status_{done}"))
        if command.name == "demand":
            rows = await self.reader.run(unmet_demand, tenant_id, now - dt.timedelta(days=7))
            if not rows:
                return say("demand_none")
            lines = [
                say("demand_line", count=r["count"], wanted=r["wanted"], buyers=r["buyers"])
                for r in rows
            ]
            return say("demand", lines="\n".join(lines))
        rows = await self.reader.run(
            partial(latest_leads, tenant_id, status=command.status, seller=seller)
        )
        which = f" ({say(f'lead_status_{command.status}')})" if command.status else ""
        if not rows:
            return say("leads_none", which=which)
        lines = [
            say(
                "lead_line",
                status=say(f"lead_status_{r['status']}"),
                phone=r["identity"],
                name=f"{r['name']} " if r["name"] else "",
                car=f"#{r['last_car']} " if r["last_car"] else "",
                words=" ".join(r["last_text"].split())[:60],
                age=_age(now - r["last_seen"], language),
            )
            for r in rows
        ]
        return say("leads", which=which, lines="\n".join(lines))

    async def _health(self, slug: str, language: str) -> str:
        database = self.facts.database
        # SQLite: the file and the disk it is on. PostgreSQL: the size the server reports (its
        # disk is the server's), and the disk of the photos.
        on_server = dialect(database) == "postgresql"
        size = await self.reader.run(database_size_bytes, database)
        folder = self.facts.media_folder if on_server else Path(database.database).parent
        free = await trio.to_thread.run_sync(shutil.disk_usage, _existing(folder))
        started = dt.datetime.fromtimestamp(self.facts.started_at).strftime("%Y-%m-%d %H:%M")
        return await self._with_storage(
            language,
            text(
                language,
                "health_postgresql" if on_server else "health",
                gateway=await self.facts.gateway(slug),
                database_mb=f"{size / 1e6:.1f}",
                disk_free_gb=f"{free.free / 1e9:.1f}",
                uptime=started,
            ),
        )

    async def _with_storage(self, language: str, reply: str) -> str:
        """The reply, with what is wrong with the disk, the database or the photo folder (and
        the last trouble that is over): an admin must not read "all is well" when it is not."""
        if self.facts.storage is None:
            return reply
        report = await self.facts.storage()
        lines = [reply]
        if report.problems:
            codes = list(dict.fromkeys(p.code for p in report.problems))
            problems = ", ".join(text(language, f"problem_{code}") for code in codes)
            lines.append(text(language, "storage_trouble", problems=problems))
        if report.last_fault is not None:
            fault, since, until = report.last_fault
            lines.append(
                text(
                    language,
                    "storage_trouble_over",
                    problem=text(language, f"problem_{problem_code(fault)}"),
                    since=_clock(since),
                    until=_clock(until),
                )
            )
        return "\n".join(lines)

    async def _backup(self, tenant_id: int, slug: str, admin: str, language: str) -> None:
        try:
            path = await trio.to_thread.run_sync(self.backup)
            size = await trio.to_thread.run_sync(_file_size, path)
            reply = text(language, "backup_done", path=path, size_mb=f"{size / 1e6:.1f}")
        except Exception as exc:  # the admin is told, in their language
            log.error("backup from chat failed: %s", exc)
            reply = text(language, "backup_failed", reason=str(exc)[:200])
        await self._write(
            EnqueueReply(tenant_id, admin, reply, dedupe_key=f"backup:{time.time_ns()}")
        )
        self.wake_outbox(slug, admin)

    async def _write(self, write: Any) -> Any:
        return await self.persistence.ask(write, timeout=WRITE_TIMEOUT_S)


def _clock(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _age(age: dt.timedelta, language: str) -> str:
    """`5 mnt`, `3 jam`, `2 hr`: how long ago a lead last wrote."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return text(language, "age_minutes", count=minutes)
    if minutes < 48 * 60:
        return text(language, "age_hours", count=minutes // 60)
    return text(language, "age_days", count=minutes // (24 * 60))


def _existing(folder: Path) -> Path:
    """`folder`, or its nearest parent that exists (the photo folder may not exist yet)."""
    return next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total
