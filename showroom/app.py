"""The supervision tree of the program, and its signal handling.

Children start in the order they are added and stop in reverse: intake (the web server) stops
first, the database (persistence) closes last. The first SIGINT/SIGTERM drains, the second
exits at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import peewee
import trio
from starlette.applications import Starlette

from actors.admin import AdminService, HealthFacts
from actors.ai_copy import ChatCopywriter
from actors.downloads import Downloads, TenantMedia
from actors.health import StorageHealth
from actors.inbox_pruner import prune_inbox_forever
from actors.media_sweeper import sweep_media_forever
from actors.outbox import Outbox, OutboxPolicy, OutboxStats, StoredPhotos
from actors.persistence import MAILBOX_SIZE as PERSISTENCE_MAILBOX
from actors.persistence import PersistenceActor, PersistenceStats
from actors.router import RESCAN_INTERVAL_S, Rescan, RouterActor
from actors.session import (
    IDLE_PASSIVATE_S,
    CrashedTurns,
    SessionActor,
    TenantRuntime,
)
from actors.session import (
    MAILBOX_SIZE as SESSION_MAILBOX,
)
from domain.buyer import BuyerSettings
from domain.identity import NotAnIdentity, normalise_phone
from gateways.base import Adapter, GatewayConfig
from gateways.registry import SIMULATOR, make_adapter
from gateways.simulator import Simulator
from gateways.simulator_chats import ChatLog
from gateways.transport import PoolPerGateway
from runtime import (
    ActorRef,
    ActorStopped,
    KeyedRegistry,
    MailboxFull,
    Supervisor,
    Timers,
    WorkerPool,
    descriptors,
)
from showroom import __version__
from showroom.config import Settings, TenantSettings
from showroom.logs import redactor
from storage.database import (
    backup_sqlite,
    prepare_postgresql,
    prepare_sqlite,
    remove_stale_partials,
    safe_url,
    schema_version,
    unusable_as_one_line,
)
from storage.faults import is_transient
from storage.media import MediaStore
from storage.queries import backlogs
from storage.reader import Reader
from storage.writes import EnsurePeople, EnsureTenant
from web.app import create_app
from web.catalog import Catalog, CatalogTenant
from web.intake import Intake, IntakeTenant
from web.metrics import MetricsSnapshot
from web.server import ConnectionCap, WebServer

log = logging.getLogger("showroom.app")

EXIT_ON_SECOND_SIGNAL = 130
HEALTH_TIMEOUT_S = 3.0
HEALTH_CHECKS_AT_ONCE = 4
# The gateway client keeps a connection pool per gateway (gateways/transport.py), each larger
# than everything that can ask it at once: downloads (8), sends of all tenants together (16),
# health checks (4) and the copywriter, so no request ever waits inside a pool (where a
# cancelled one can lose its slot).
SENDS_AT_ONCE_ALL_TENANTS = 16
MAX_GATEWAY_CONNECTIONS = 32
# Idle connections kept open: as many as the one shared pool kept, spread over the gateways,
# but a few for each (a dealer's sends and downloads then need no new connection).
IDLE_GATEWAY_CONNECTIONS = 32
MIN_IDLE_PER_GATEWAY = 4
# ...for at most 4 s: many servers (Node's, hypercorn's) close an idle connection after 5 s, and
# a request sent on one the server is closing at that moment gets no answer (it may still have
# been handled: a send then goes twice). Measured: 2 of 5,000 sends at 100x10 (bench/scale.py)
# once each dealer's pool kept its connections.
IDLE_GATEWAY_CONNECTION_S = 4.0
# File descriptors kept for everything but the web server's connections: the database (a
# writer and the reader threads, three files each), the gateway client (32 idle connections),
# photo files, the simulated gateways' clients; and a few for each photo worker process (its
# pipes). Past eight gateways their idle connections are added (see descriptors_kept).
DESCRIPTORS_KEPT = 256 + 4 * (os.cpu_count() or 2)
MIN_CONNECTIONS = 16
# Photos queued for download, per tenant: a single queue of 1000 refused the photos of a burst
# of 500 sellers over 20 dealers (2,500 photos; measured by bench/scale.py), and each refused
# photo cost its seller's whole conversation. A queued download is a few hundred bytes.
DOWNLOADS_QUEUED_PER_TENANT = 1000


@dataclass
class Running:
    """What a started showroom exposes (to tests and to the demo)."""

    web: WebServer
    simulators: dict[str, tuple[Simulator, WebServer]]
    intake: Intake
    outboxes: dict[str, Outbox]
    sessions: KeyedRegistry


@dataclass(frozen=True)
class Storage:
    """The database and the photo files, opened."""

    db: peewee.Database
    path: Path | None  # the SQLite file; None: a PostgreSQL server's database
    tenant_ids: dict[str, int]
    reader: Reader
    media: MediaStore


@dataclass(frozen=True)
class Gateways:
    """One adapter per tenant, and the simulated gateways with their web servers."""

    adapters: dict[str, Adapter]
    simulators: dict[str, tuple[Simulator, WebServer]]


@dataclass
class Bot:
    """The supervision tree and the parts the web app and the health page look at."""

    root: Supervisor
    persistence: ActorRef[Any]
    commits: PersistenceStats
    router: ActorRef[Any]
    sessions: KeyedRegistry
    downloads: Downloads
    outboxes: dict[str, Outbox]
    storage_health: StorageHealth


async def serve(
    settings: Settings, *, task_status: trio.TaskStatus[Running] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run the bot until a signal (or cancellation). Raises Escalation if the root gives up,
    StorageError if the database cannot be opened, GatewayError if a gateway is misconfigured."""
    connections = ConnectionCap(
        connection_cap(settings.server.max_connections, gateways=len(settings.tenants))
    )
    web = WebServer(
        None,
        settings.server.host,
        settings.server.port,
        graceful_timeout_s=settings.shutdown.grace_s,
        access_log=settings.log.access,
        connections=connections,
        idle_timeout_s=settings.server.idle_timeout_s,
        setting="server.host and server.port",
    )
    try:
        # unsafe gateway settings are refused before the database is touched
        gateways = build_gateways(settings, web)
    except BaseException:
        web.close()
        raise
    try:
        storage = await open_storage(settings)
        async with gateway_client(gateways=len(settings.tenants)) as client:
            bot = build_actors(settings, storage, gateways, client, web)
            intake = Intake(
                {
                    slug: IntakeTenant(slug, storage.tenant_ids[slug], gateways.adapters[slug])
                    for slug in settings.tenants
                },
                bot.persistence,
                bot.router,
                body_timeout_s=settings.server.body_timeout_s,
                media=storage.media,
            )
            web.app = build_web(settings, storage, gateways, bot, intake, client, web)
            bot.root.add_service("web", web.run, stop=web.stop)  # intake: last in, first out
            running = Running(web, gateways.simulators, intake, bot.outboxes, bot.sessions)
            await _run_until_stopped(bot.root, running, task_status)
    finally:
        web.close()
        for _, server in gateways.simulators.values():
            server.close()
    log.info("showroom stopped")


# -- the builders, in the order serve uses them --------------------------------------------


async def open_storage(settings: Settings) -> Storage:
    """Open (create, migrate) the database, make sure the configured tenants are in it.
    The photo folder is checked first: an unusable one is refused before the database."""
    media = MediaStore(settings.resolve(settings.media.dir))
    await trio.to_thread.run_sync(media.check_usable)
    db, path = await trio.to_thread.run_sync(prepare_database, settings)
    if path is not None:
        for folder in (path.parent, _backup_name(path).parent):  # where backups are usually made
            await trio.to_thread.run_sync(remove_stale_partials, folder)
    with unusable_as_one_line(database_location(settings)):
        tenant_ids = await trio.to_thread.run_sync(ensure_tenants, db, settings.tenants)
    return Storage(db, path, tenant_ids, Reader(db), media)


def prepare_database(settings: Settings) -> tuple[peewee.Database, Path | None]:
    """The configured database, opened and migrated, and its SQLite file (None: PostgreSQL).
    Blocking. Raises DatabaseUnusable (one line)."""
    if settings.database.url:
        return prepare_postgresql(settings.database.url), None
    path = settings.resolve(settings.database.path)
    return prepare_sqlite(path), path


def database_location(settings: Settings) -> str:
    """The database, named for the operator: the SQLite file, or the server's address
    without its password."""
    if settings.database.url:
        return safe_url(settings.database.url)
    return str(settings.resolve(settings.database.path))


def build_gateways(settings: Settings, web: WebServer) -> Gateways:
    simulators = {
        slug: (
            Simulator(chats=_simulated_people(tenant)),
            _simulator_server(slug, tenant, web.connections),
        )
        for slug, tenant in settings.tenants.items()
        if tenant.gateway.kind == SIMULATOR
    }
    try:
        adapters = {
            slug: _adapter(slug, tenant, web, simulators.get(slug))
            for slug, tenant in settings.tenants.items()
        }
    except BaseException:
        for _, server in simulators.values():
            server.close()
        raise
    return Gateways(adapters, simulators)


def gateway_client(gateways: int = 1) -> httpx.AsyncClient:
    """The one HTTP client for every gateway request, with a connection pool per gateway:
    each larger than all the requests that can be in flight at once, so none ever waits (and
    is cancelled) inside it."""
    limits = httpx.Limits(
        max_connections=MAX_GATEWAY_CONNECTIONS,
        max_keepalive_connections=idle_connections_per_gateway(gateways),
        keepalive_expiry=IDLE_GATEWAY_CONNECTION_S,
    )
    return httpx.AsyncClient(
        transport=PoolPerGateway(limits),
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=False,
    )


def idle_connections_per_gateway(gateways: int) -> int:
    return max(MIN_IDLE_PER_GATEWAY, IDLE_GATEWAY_CONNECTIONS // max(gateways, 1))


def descriptors_kept(gateways: int) -> int:
    """The descriptors kept out of the web server's share: DESCRIPTORS_KEPT, plus the idle
    gateway connections past the 32 it counts (each gateway's pool keeps its own)."""
    idle = idle_connections_per_gateway(gateways) * gateways
    return DESCRIPTORS_KEPT + max(idle - IDLE_GATEWAY_CONNECTIONS, 0)


def build_actors(
    settings: Settings,
    storage: Storage,
    gateways: Gateways,
    client: httpx.AsyncClient,
    web: WebServer,
) -> Bot:
    """The supervision tree. Children start in the order they are added and stop in reverse:
    the database first in, last out; the web server (added by `serve`) last in, first out."""
    # running out of descriptors or disk space is waited out, never a reason to give up
    root = Supervisor("showroom", stop_grace_s=settings.shutdown.grace_s, is_transient=is_transient)
    reader, adapters = storage.reader, gateways.adapters
    # A simulated gateway stands where a real one would: it starts before the bot and stops
    # after it, so the outbox's last sends still find it.
    for slug, (simulator, server) in gateways.simulators.items():
        root.add_service(f"simulator:{slug}", simulator.run)
        root.add_service(f"simulator-web:{slug}", server.run, stop=server.stop)
    commits = PersistenceStats()
    storage_health = StorageHealth(storage.db, storage.media, commits)
    persistence = root.add_actor(
        "persistence",
        lambda: PersistenceActor(lambda: storage.db, commits),
        mailbox_size=PERSISTENCE_MAILBOX,
    )
    all_sends = trio.CapacityLimiter(SENDS_AT_ONCE_ALL_TENANTS)
    outboxes = {
        slug: Outbox(
            storage.tenant_ids[slug],
            adapters[slug],
            client,
            persistence,
            reader,
            _policy(settings),
            photos=StoredPhotos(storage.media, slug, _media_url(tenant, web)),
            all_sends=all_sends,
            name=slug,
        )
        for slug, tenant in settings.tenants.items()
    }
    pool = WorkerPool(
        "downloads",
        workers=settings.downloads.workers,
        capacity=DOWNLOADS_QUEUED_PER_TENANT * len(settings.tenants),
    )
    sessions: KeyedRegistry  # the reports below reach sessions once the registry exists

    def report(key: tuple[str, str], result: object) -> None:
        _report(sessions, key, result)

    downloads = Downloads(
        pool,
        client,
        storage.media,
        {
            slug: TenantMedia(slug, adapters[slug], _watch_dir(settings, tenant))
            for slug, tenant in settings.tenants.items()
        },
        report=report,
        decode_budget_bytes=settings.media.decode_budget_mb * 1_000_000,
    )

    async def gateway_state(slug: str) -> str:
        state = await _gateway_health(client, adapters[slug])
        if not state.get("reachable"):
            return f"{adapters[slug].kind}: not reachable ({state.get('error', '')})"
        return f"{adapters[slug].kind} {state.get('version', '')}: reachable".replace("  ", " ")

    admin = AdminService(
        persistence,
        reader,
        HealthFacts(
            gateway_state, storage.db, storage.media.root, time.time(), storage_health.report
        ),
        backup=_backup(storage.path),
        sessions_active=lambda slug: sum(key[0] == slug for key in sessions.active_keys()),
        photo_failures=lambda slug: downloads.by_tenant[slug].failed,
        photo_wait_s=lambda slug: downloads.by_tenant[slug].mean_wait_s(),
        wake_outbox=lambda slug, chat: outboxes[slug].wake(chat),
    )
    copy = settings.copywriter
    copywriter = (
        ChatCopywriter(client, copy.base_url, copy.model, copy.api_key, copy.timeout_s)
        if copy.base_url
        else None
    )
    timers = Timers()
    runtimes = {
        slug: TenantRuntime(
            slug=slug,
            id=storage.tenant_ids[slug],
            language=tenant.language,
            showroom=tenant.name,
            link_base=tenant.public_url or _local_url(web),
            open_to_all=tenant.open_to_all,
            upload_ttl_s=settings.conversation.upload_expires_after_h * 3600,
            copywriter=copywriter,
            admin=admin,
            remind=lambda key, delay_s, message: timers.later(
                delay_s, lambda: report(key, message)
            ),
            wake_outbox=outboxes[slug].wake,
            downloads=downloads,
            media=storage.media,
            buyers=_buyer_settings(settings, tenant, tenant.public_url or _local_url(web)),
        )
        for slug, tenant in settings.tenants.items()
    }
    sessions = KeyedRegistry(
        "sessions",
        lambda key: SessionActor(key, runtimes[key[0]], persistence, reader),
        idle_s=IDLE_PASSIVATE_S,
        mailbox_size=SESSION_MAILBOX,
        on_crash=CrashedTurns(runtimes, persistence, retell=report),
    )
    root.add_service("timers", timers.run)
    root.add_service("admin", admin.run_service)
    root.add_service("downloads", pool.run, stop=pool.close)
    root.add_service("sessions", sessions.run, stop=sessions.stop)
    router = root.add_actor(
        "router", lambda: RouterActor(sessions, reader, storage.tenant_ids), mailbox_size=4096
    )
    root.add_service(
        "router-rescan", partial(_every, RESCAN_INTERVAL_S, lambda: router.tell(Rescan()))
    )
    for slug, outbox in outboxes.items():
        root.add_service(f"outbox:{slug}", outbox.run)
    root.add_service("media-sweeper", partial(sweep_media_forever, storage.media, reader))
    root.add_service(
        "inbox-pruner",
        partial(prune_inbox_forever, persistence, settings.inbox.keep_processed_days),
    )
    return Bot(root, persistence, commits, router, sessions, downloads, outboxes, storage_health)


def build_web(
    settings: Settings,
    storage: Storage,
    gateways: Gateways,
    bot: Bot,
    intake: Intake,
    client: httpx.AsyncClient,
    web: WebServer,
) -> Starlette:
    """The ASGI app: webhook intake, the catalog of every tenant, /health and /metrics."""
    catalog = Catalog(
        [
            CatalogTenant(
                slug=slug,
                id=storage.tenant_ids[slug],
                name=tenant.name,
                language=tenant.language,
                public_url=(tenant.public_url or _local_url(web)).rstrip("/"),
                whatsapp_number=_digits(tenant.whatsapp_number),
                primary_color=tenant.primary_color,
                accent_color=tenant.accent_color,
                address=tenant.address,
                logo=settings.resolve(tenant.logo) if tenant.logo else None,
                simulator_url=_simulator_page(gateways.simulators.get(slug)),
            )
            for slug, tenant in settings.tenants.items()
        ],
        storage.reader,
        storage.media,
    )
    return create_app(
        version=__version__,
        intake=intake,
        catalog=catalog,
        metrics=partial(_metrics, storage.reader, intake, bot),
        health_details=partial(
            _health, storage.reader, client, gateways.adapters, bot.storage_health, bot
        ),
    )


async def _run_until_stopped(
    root: Supervisor, running: Running, task_status: trio.TaskStatus[Running]
) -> None:
    async with trio.open_nursery() as nursery:

        async def run_root(*, task_status: trio.TaskStatus[None]) -> None:
            await root.run(task_status=task_status)
            nursery.cancel_scope.cancel()  # the tree has stopped: stop watching signals

        nursery.start_soon(watch_signals, root)
        await nursery.start(run_root)
        log.info("showroom %s running; catalog and health on %s", __version__, running.web.url)
        for slug, (_, server) in running.simulators.items():
            log.info(
                "simulated WhatsApp for %s: open %s to chat as sellers and buyers", slug, server.url
            )
        task_status.started(running)


def ensure_tenants(db: peewee.Database, tenants: dict[str, TenantSettings]) -> dict[str, int]:
    """The configured tenants, their admins and sellers, in the database; their ids.
    (Blocking: from a worker thread, or a command that is not serving.)"""
    try:
        with db.atomic():
            ids = {}
            for slug, t in tenants.items():
                ids[slug] = EnsureTenant(
                    slug, t.name, t.public_url, t.whatsapp_number, t.language
                ).apply()
                EnsurePeople(ids[slug], t.admins, t.sellers).apply()
            return ids
    finally:
        db.close()


def _buyer_settings(settings: Settings, tenant: TenantSettings, catalog_url: str) -> BuyerSettings:
    return BuyerSettings(
        language=tenant.language,
        showroom=tenant.name,
        catalog_url=catalog_url.rstrip("/"),
        address=tenant.address,
        maps_url=tenant.maps_url,
        opening_hours=tenant.opening_hours,
        credit_rate_pct=tenant.credit_flat_rate_pct,
        sales_number=tenant.sales_number,
        human_pause_s=settings.buyers.human_pause_h * 3600,
        model_answers=bool(settings.copywriter.base_url),
    )


def _backup(database_path: Path | None) -> Callable[[], Path] | None:
    """What the admins' /backup runs: a copy of the SQLite file into `backups/` next to it.
    None for PostgreSQL: its backups are made with pg_dump, on the server's side."""
    if database_path is None:
        return None
    return lambda: backup_sqlite(database_path, _backup_name(database_path))


def _backup_name(database_path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return database_path.parent / "backups" / f"{database_path.stem}-{stamp}.db"


def _digits(number: str) -> str:
    try:
        return normalise_phone(number) if number else ""
    except NotAnIdentity:
        return ""


def _watch_dir(settings: Settings, tenant: TenantSettings) -> Path | None:
    folder = tenant.gateway.watch_dir
    return settings.resolve(folder) if folder else None


def _simulated_people(tenant: TenantSettings) -> ChatLog:
    """Whom the simulator's chat page lets a newcomer play: the configured sellers and admins
    (and a buyer), chatting with this dealer's account."""
    return ChatLog.for_people(
        dealer_name=tenant.name,
        dealer_number=_digits(tenant.whatsapp_number),
        admins=tuple(filter(None, map(_digits, tenant.admins))),
        sellers=tuple(filter(None, map(_digits, tenant.sellers))),
    )


def _simulator_page(simulated: tuple[Simulator, WebServer] | None) -> str:
    """In simulator mode the catalog's WhatsApp buttons open the simulator's chat page."""
    return _local_url(simulated[1]) if simulated is not None else ""


def _simulator_server(slug: str, tenant: TenantSettings, connections: ConnectionCap) -> WebServer:
    """The simulator listens where the gateway would: at the gateway's base_url."""
    address = urlsplit(tenant.gateway.base_url)
    return WebServer(
        None,
        address.hostname or "127.0.0.1",
        8080 if address.port is None else address.port,
        name=f"simulated WhatsApp gateway of {slug}",
        setting=f"tenants.{slug}.gateway.base_url",
        connections=connections,
    )


def connection_cap(configured: int, gateways: int = 1) -> int:
    """The connections the web servers may hold: what is configured, but never so many that
    the database, the photos and the gateway client would find no file descriptor left.
    The soft open files limit is raised to the hard one first, where that is allowed."""
    before, limit = descriptors.raise_limit()
    if limit is None:
        return configured
    if before != limit:
        log.info("open files limit raised from %s to %s", before, limit)
    cap = max(min(configured, limit - descriptors_kept(gateways)), MIN_CONNECTIONS)
    if cap < configured:
        log.warning(
            "at most %d connections at once: the open files limit is %d (set LimitNOFILE=65536 "
            "in the systemd unit for more)",
            cap,
            limit,
        )
    return cap


def _adapter(
    slug: str, tenant: TenantSettings, web: WebServer, simulated: tuple[Simulator, WebServer] | None
) -> Adapter:
    gateway = tenant.gateway
    config = GatewayConfig(
        kind=gateway.kind,
        base_url=gateway.base_url,
        webhook_secret=gateway.webhook_secret,
        api_key=gateway.api_key,
        session=gateway.session,
        verify_token=gateway.verify_token,
        webhook_header=gateway.webhook_header,
        api_version=gateway.api_version,
        webhook_auth=gateway.webhook_auth,
    )
    if simulated is not None:
        simulator, server = simulated
        secret = gateway.webhook_secret or secrets.token_urlsafe(24)
        redactor.add(secret)  # a made-up secret is a secret too: never in a log line
        config = GatewayConfig(kind=SIMULATOR, base_url=server.url, webhook_secret=secret)
        server.app = simulator.app()
        simulator.webhook_url = f"{_local_url(web)}/webhook/{slug}/{secret}"
    return make_adapter(config)


def _media_url(tenant: TenantSettings, web: WebServer) -> str:
    """Where a gateway that downloads the photos it sends finds showroom: the configured
    address, else the catalog's public one, else this server's own. The simulator runs in
    this process: it reaches this server directly (a public address may not be live yet)."""
    if tenant.gateway.kind == SIMULATOR:
        return tenant.gateway.media_url or _local_url(web)
    return tenant.gateway.media_url or tenant.public_url or _local_url(web)


def _local_url(server: WebServer) -> str:
    """This server as a client on this machine reaches it (a wildcard address: loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(server.host, server.host)
    return f"http://[{host}]:{server.port}" if ":" in host else f"http://{host}:{server.port}"


def _policy(settings: Settings) -> OutboxPolicy:
    outbox = settings.outbox
    return OutboxPolicy(
        per_chat_gap_s=outbox.per_chat_gap_s,
        per_minute=outbox.per_minute,
        max_attempts=outbox.max_attempts,
        sends_at_once=outbox.sends_at_once,
        typing=outbox.typing,
    )


def _report(sessions: KeyedRegistry, key: tuple[str, str], result: object) -> None:
    try:
        sessions.tell(key, result, ordered=True)  # never refused for a full mailbox
    except (MailboxFull, ActorStopped) as exc:
        log.error("photo result for %s lost (%s); the seller can send the photo again", key, exc)


async def _every(interval_s: float, action: Callable[[], object]) -> None:
    while True:
        await trio.sleep(interval_s)
        try:
            action()
        except Exception as exc:  # a full mailbox: the next tick tries again
            log.warning("periodic task skipped: %s", exc)


async def _metrics(reader: Reader, intake: Intake, bot: Bot) -> MetricsSnapshot:
    waiting = await reader.run(backlogs)
    outbox = OutboxStats()
    for each in bot.outboxes.values():
        outbox.add(each.stats)
    return MetricsSnapshot(
        intake=intake.stats,
        downloads=bot.downloads.stats,
        outbox=outbox,
        commits=bot.commits,
        inbox_backlog=waiting["inbox"],
        outbox_backlog=waiting["outbox"],
        sessions_active=len(bot.sessions),
    )


async def _health(
    reader: Reader,
    client: httpx.AsyncClient,
    adapters: dict[str, Adapter],
    storage_health: StorageHealth,
    bot: Bot,
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "queues": {
            "persistence": bot.persistence.queued,
            "router": bot.router.queued,
            "sessions_active": len(bot.sessions),
            "outbox_chats_sending": sum(o.active_chats for o in bot.outboxes.values()),
        },
    }
    try:
        details["database"] = "ok"
        details["schema_version"] = await reader.run(schema_version, reader.db)
    except Exception as exc:  # health must answer, whatever is broken
        details.update(status="degraded", database=f"error: {exc}")
    storage = await storage_health.report()
    details["storage"] = storage.as_json()
    if not storage.ok:
        details["status"] = "degraded"
        details["problems"] = [f"{p.code}: {p.detail}" for p in storage.problems]
    gateways: dict[str, dict[str, Any]] = {}
    # Asked a few at a time: with a hundred dealers one by one, /health took as long as all
    # their gateways together (up to 3 s each when one is down).
    limiter = trio.CapacityLimiter(HEALTH_CHECKS_AT_ONCE)

    async def check(slug: str, adapter: Adapter) -> None:
        async with limiter:
            gateways[slug] = await _gateway_health(client, adapter)

    async with trio.open_nursery() as nursery:
        for slug, adapter in adapters.items():
            nursery.start_soon(check, slug, adapter)
    details["gateways"] = dict(sorted(gateways.items()))
    return details


async def _gateway_health(client: httpx.AsyncClient, adapter: Adapter) -> dict[str, Any]:
    try:
        with trio.fail_after(HEALTH_TIMEOUT_S):
            response = await client.send(adapter.health_request())
        return {"kind": adapter.kind, **adapter.health(response)}
    except (httpx.HTTPError, trio.TooSlowError) as exc:
        return {"kind": adapter.kind, "reachable": False, "error": type(exc).__name__}


async def watch_signals(root: Supervisor, exit_now: Callable[[int], object] = os._exit) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        first = True
        async for signum in signals:
            name = signal.Signals(signum).name
            if first:
                log.info("%s received: draining (send it again to exit at once)", name)
                root.shutdown()
                first = False
            else:
                log.warning("%s received again: exiting now", name)
                logging.shutdown()
                exit_now(EXIT_ON_SECOND_SIGNAL)
