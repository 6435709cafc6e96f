"""The `showroom` command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

import trio

from gateways.errors import GatewayError
from runtime import Escalation
from showroom import __version__
from showroom.config import Settings, load_settings
from showroom.errors import ConfigError
from showroom.logs import setup_logging
from storage.database import backup_sqlite
from storage.errors import MediaUnusable, StorageError

DEFAULT_CONFIG = Path("config.toml")
EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2
EXIT_GAVE_UP = 3
CONFIG_HELP = (
    "configuration file (default: $SHOWROOM_CONFIG, else ./config.toml if present, "
    "else the built-in defaults)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="showroom",
        description="Self-hosted WhatsApp bot for used-car sellers, with a public catalog website.",
    )
    parser.add_argument("--version", action="version", version=f"showroom {__version__}")
    # --config is accepted before or after the command
    parser.add_argument("--config", type=Path, default=None, help=CONFIG_HELP)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve", parents=[common], help="run the bot and the catalog website"
    )
    serve.add_argument(
        "--log-format", choices=("text", "json"), default=None, help="override [log] format"
    )
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write a consistent copy of the database (safe while running)",
    )
    backup.add_argument("path", type=Path, help="the new backup file (must not exist yet)")
    for role in ("seller", "admin"):
        people = commands.add_parser(
            role, parents=[common], help=f"add, remove or list the showroom's {role}s"
        )
        people.add_argument("action", choices=("add", "remove", "list"))
        people.add_argument("phone", nargs="?", help="the phone number (08..., +62..., 62...)")
        people.add_argument("name", nargs="*", help="their name (with add)")
        people.add_argument(
            "--tenant", help="which [tenants.<name>] (needed when there are several)"
        )
    demo = commands.add_parser(
        "demo", help="try showroom: a seller's whole upload, played against the simulator"
    )
    demo.add_argument("--port", type=int, default=0, help="catalog port (default: any free)")
    demo.add_argument("--exit", action="store_true", help="stop after the conversation")
    parse = commands.add_parser("parse", help="show what the bot reads from a listing text")
    parse.add_argument("text", help='the seller\'s text, e.g. "Honda Freed 2012 km 145rb 145jt"')
    simulator = commands.add_parser(
        "simulator", help="run only the simulated WhatsApp gateway (WhatsApp Web API flavour)"
    )
    simulator.add_argument("--host", default="127.0.0.1", help="address to listen on")
    simulator.add_argument("--port", type=int, default=8080, help="port to listen on")
    simulator.add_argument(
        "--webhook",
        required=True,
        help="showroom's webhook URL, e.g. http://127.0.0.1:8000/webhook/demo/<webhook_secret>",
    )
    return parser


def config_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    if os.environ.get("SHOWROOM_CONFIG"):
        return Path(os.environ["SHOWROOM_CONFIG"])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "demo":  # needs no configuration
        from showroom.demo import main as demo

        setup_logging("warning", "text")
        return demo(args.port, stay=not args.exit)
    if args.command == "parse":  # needs no configuration
        from domain.listing import parse_listing

        print(json.dumps(parse_listing(args.text).to_dict(), ensure_ascii=False, indent=2))
        return 0
    try:
        settings = load_settings(config_path(args.config))
    except ConfigError as exc:
        print(f"showroom: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if args.command == "serve":
        return _serve(settings, args.log_format)
    if args.command == "simulator":
        setup_logging(settings.log.level, settings.log.format)
        trio.run(_simulate, args.host, args.port, args.webhook)
        return 0
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command in ("seller", "admin"):
        return _people(settings, args)
    parser.error(f"unknown command {args.command}")
    return EXIT_CONFIG_ERROR


def _people(settings: Settings, args: argparse.Namespace) -> int:
    """`showroom seller|admin add|remove|list` for the first set-up on a server."""
    from domain.identity import NotAnIdentity, normalise_phone
    from showroom.app import ensure_tenants, prepare_database
    from storage.queries import people
    from storage.writes import SetPerson

    if args.tenant is None and len(settings.tenants) > 1:  # never a guess between dealers
        names = ", ".join(settings.tenants)
        print(f"showroom: say which dealer with --tenant ({names})", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    slug = args.tenant or next(iter(settings.tenants))
    if slug not in settings.tenants:
        print(f"showroom: no [tenants.{slug}] in the configuration", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        db, _ = prepare_database(settings)
        tenant_id = ensure_tenants(db, settings.tenants)[slug]
        if args.action == "list":
            with db.connection_context():
                for row in people(tenant_id, args.command):
                    print(
                        f"{row['phone']}\t{row['name']}\t{row['role']}\t"
                        f"{row['listings']} listing(s)"
                    )
            return 0
        phone = normalise_phone(args.phone or "")
        with db.connection_context(), db.atomic():
            outcome = SetPerson(
                tenant_id, phone, args.command, args.action == "add", " ".join(args.name)
            ).apply()
    except NotAnIdentity:
        print(f"showroom: {args.phone!r} is not a phone number", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except StorageError as exc:
        print(f"showroom: {exc}", file=sys.stderr)
        return EXIT_FAILED
    role = "an admin" if args.command == "admin" else "a seller"
    messages = {
        "added": f"{phone} is now {role}",
        "updated": f"{phone} is {role} (again)",
        "removed": f"{phone} is no longer {role}",
        "absent": f"{phone} was not {role}",
        "last_admin": "the last admin cannot be removed",
    }
    print(messages[outcome])
    return 0 if outcome != "last_admin" else EXIT_FAILED


def _backup(settings: Settings, target: Path) -> int:
    if settings.database.url:  # nothing is written: say how it is done instead
        from storage.database import safe_url

        print(
            "showroom: the database is on a PostgreSQL server: back it up with pg_dump, e.g. "
            f"pg_dump -Fc -f {target} '{safe_url(settings.database.url)}' (restore with "
            "pg_restore); showroom backup copies only a SQLite database",
            file=sys.stderr,
        )
        return EXIT_FAILED
    source = settings.resolve(settings.database.path)
    if not source.exists():
        print(f"showroom: no database at {source} (check [database] path)", file=sys.stderr)
        return EXIT_FAILED
    try:
        written = backup_sqlite(source, target)
    except StorageError as exc:
        print(f"showroom: {exc}", file=sys.stderr)
        return EXIT_FAILED
    size = written.stat().st_size
    print(f"backup of {source} written to {written} ({size:,} bytes, integrity ok)")
    return 0


async def _simulate(host: str, port: int, webhook: str) -> None:
    from gateways.simulator import Simulator
    from web.server import WebServer

    simulator = Simulator(webhook_url=webhook)
    server = WebServer(simulator.app(), host, port, name="simulated WhatsApp gateway")
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(simulator.run)
            nursery.start_soon(server.run)
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    break
            nursery.cancel_scope.cancel()
    finally:
        server.close()


def _serve(settings: Settings, log_format: str | None) -> int:
    from showroom.app import serve  # the server stack is loaded only when serving

    setup_logging(settings.log.level, log_format or settings.log.format, settings.secrets())
    try:
        trio.run(serve, settings)
    except Exception as exc:  # each known ending is one line and its exit code
        # trio's nurseries deliver what ended the program inside exception groups
        ending = _first_of(exc, Escalation) or _first_of(exc, StorageError, GatewayError, OSError)
        if isinstance(ending, Escalation):
            logging.getLogger("showroom.app").critical("stopping: %s", ending)
            return EXIT_GAVE_UP
        if isinstance(ending, MediaUnusable):
            print(f"showroom: cannot use the photo folder: {ending}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        if isinstance(ending, StorageError):
            print(f"showroom: cannot open the database: {ending}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        if isinstance(ending, GatewayError):
            print(f"showroom: {ending}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        if isinstance(ending, OSError):
            print(f"showroom: cannot start: {ending}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        raise  # a bug: its traceback is what is needed
    return 0


def _first_of(error: BaseException, *kinds: type[BaseException]) -> BaseException | None:
    """`error` itself, or the first member of its (nested) exception groups, of `kinds`."""
    if isinstance(error, kinds):
        return error
    if isinstance(error, BaseExceptionGroup):
        for member in error.exceptions:
            found = _first_of(member, *kinds)
            if found is not None:
                return found
    return None


if __name__ == "__main__":
    sys.exit(main())
