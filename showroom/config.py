"""config.toml: loading and validation into typed, frozen settings.

Every key is a field of a frozen dataclass below, with its default, its unit in its name and,
where it matters, the allowed range or choices. Unknown keys, wrong types and impossible values
are refused with one line naming the file, the key and what is allowed.

A secret never has to be written into the file: any string value of the form "env:NAME" is
read from the environment variable NAME at start (and refused if that variable is not set).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from domain.identity import NotAnIdentity, normalise_phone
from gateways.registry import KINDS, SIMULATOR
from gateways.secret_strength import HOW_TO, secret_weakness
from showroom.errors import ConfigError

ENV_PREFIX = "env:"
TENANT_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# The shipped demo's dealer number: made up (0800 is no mobile prefix), so that the catalog's
# "Chat via WhatsApp" button shows; with the simulator it opens the simulator's chat page.
DEMO_WHATSAPP_NUMBER = "0800-0000-0000"


def _rule(
    default: Any,
    *,
    help: str,
    min: float | None = None,
    max: float | None = None,
    choices: tuple[str, ...] | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """A key: its default, its help line, and what is allowed (`check` returns why a value
    is not, or None)."""
    return field(
        default=default,
        metadata={"help": help, "min": min, "max": max, "choices": choices, "check": check},
    )


def http_url(value: str) -> str | None:
    """Why `value` is not an http(s) address with a host name, or None."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address with a host name"
    return None


def http_url_or_empty(value: str) -> str | None:
    return None if value == "" else http_url(value)


POSTGRESQL_SCHEMES = ("postgresql", "postgres")


def postgresql_url_or_empty(value: str) -> str | None:
    """Why `value` is not a PostgreSQL address (postgresql://user:password@host:5432/name),
    or None. (The message never repeats the value: it holds a password.)"""
    if value == "":
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a database address (postgresql://user:password@host:5432/name)"
    if parts.scheme not in POSTGRESQL_SCHEMES:
        return (
            "must be empty (SQLite at database.path) or a PostgreSQL address, "
            "postgresql://user:password@host:5432/name"
        )
    if not parts.path.strip("/") or "/" in parts.path.strip("/"):
        return "must name the database after the host: postgresql://user:password@host:5432/name"
    return None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = _rule("127.0.0.1", help="address the web server listens on (0.0.0.0: all)")
    port: int = _rule(
        8000,
        help="TCP port of the web server (0: any free port, logged at start)",
        min=0,
        max=65535,
    )
    max_connections: int = _rule(
        4096,
        help="most connections held at once (further ones wait in the kernel's queue); never "
        "more than the open files limit leaves after 256 for the database, photos and gateways",
        min=16,
        max=1_000_000,
    )
    idle_timeout_s: float = _rule(
        5.0,
        help="seconds a connection may stay idle, or take to send its request headers, "
        "before it is closed",
        min=0.5,
        max=300,
    )
    body_timeout_s: float = _rule(
        10.0,
        help="seconds a webhook body may take to arrive, plus one per MB it declares; it must "
        "also keep coming at 1 KB a second after the first two (else 408)",
        min=1,
        max=600,
    )


@dataclass(frozen=True, slots=True)
class LogSettings:
    level: str = _rule(
        "info", help="least important level written", choices=("debug", "info", "warning", "error")
    )
    format: str = _rule(
        "text",
        help="one line per event as text, or as JSON for log shippers",
        choices=("text", "json"),
    )
    access: bool = _rule(
        False,
        help="one line per HTTP request (the web server's access log, area showroom.web.access; "
        "webhook secrets redacted)",
    )


@dataclass(frozen=True, slots=True)
class ShutdownSettings:
    grace_s: float = _rule(
        10.0, help="seconds each part may take to drain on stop", min=0.1, max=300
    )


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    path: str = _rule(
        "data/showroom.db",
        help="SQLite database file, created with its folder on first start "
        "(relative to the config file's folder); not used when url is set",
    )
    url: str = _rule(
        "",
        help="a PostgreSQL database to use instead of the SQLite file, "
        'postgresql://user:password@host:5432/name (write "env:NAME" to keep its password '
        "out of the file); empty: SQLite at path",
        check=postgresql_url_or_empty,
    )


@dataclass(frozen=True, slots=True)
class MediaSettings:
    dir: str = _rule(
        "data/media", help="folder of the photo files (relative to the config file's folder)"
    )
    decode_budget_mb: int = _rule(
        200,
        help="most memory a photo worker may use to decode one picture (there is one worker a "
        "CPU core); a picture that would need more is refused and the seller told it is too large",
        min=50,
        max=8192,
    )


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    kind: str = _rule(
        "simulator",
        help="which WhatsApp gateway: simulator (built in), whatsapp-web-api, gowa, waha, "
        "evolution or cloudapi",
        choices=KINDS,
    )
    base_url: str = _rule(
        "http://127.0.0.1:8080",
        help="the gateway's own URL (simulator: where it listens; cloudapi: the Graph API)",
        check=http_url,
    )
    webhook_secret: str = _rule(
        "",
        help="proves a webhook comes from the gateway: the HMAC key (gowa, waha, cloudapi app "
        "secret), the token in the webhook URL (whatsapp-web-api) or the static header value "
        "(evolution); at least 16 characters; simulator: made up at each start when empty",
    )
    webhook_auth: str = _rule(
        "gateway",
        help="how a webhook proves it comes from the gateway: gateway (its own signature or "
        "header; whatsapp-web-api: the secret in the URL) or path (the secret in the webhook "
        "URL, /webhook/<name>/<webhook_secret>, for a gateway that cannot sign, such as WAHA "
        "Core before 2026.6; not for cloudapi, which always signs)",
        choices=("gateway", "path"),
    )
    api_key: str = _rule(
        "",
        help="the gateway's API credential: X-Api-Key (waha), apikey (evolution), bearer token "
        "(cloudapi), user:password (gowa basic auth)",
    )
    session: str = _rule(
        "", help="waha session name, evolution instance name, or cloudapi phone number id"
    )
    verify_token: str = _rule("", help="cloudapi: the verify token of the webhook handshake")
    webhook_header: str = _rule(
        "x-webhook-token",
        help="evolution: the header that carries webhook_secret, or authorization for a JWT "
        "signed with it (evolution's jwt_key)",
    )
    api_version: str = _rule("v21.0", help="cloudapi: Graph API version")
    media_url: str = _rule(
        "",
        help="showroom's address as the gateway reaches it, for the photos the bot sends "
        "through a gateway that fetches them itself (whatsapp-web-api: an http(s) URL it can "
        "download; cloudapi: Meta's servers, so public HTTPS); the photo is "
        "<media_url>/media/<name>/<file>. Empty: the tenant's public_url, else the server's "
        "own address. gowa, waha and evolution are sent the file itself",
    )
    watch_dir: str = _rule(
        "",
        help="whatsapp-web-api on the same machine: its images folder; photos are read there "
        "the moment they are written instead of being polled over HTTP",
    )


@dataclass(frozen=True, slots=True)
class TenantSettings:
    name: str = _rule("Showroom Demo", help="the dealer's name, shown to sellers and buyers")
    language: str = _rule(
        "id", help="language of the bot's messages: id (Indonesian) or en", choices=("id", "en")
    )
    public_url: str = _rule(
        "",
        help="public address of the catalog, used in the links the bot sends "
        "(empty: the server's own address)",
        check=http_url_or_empty,
    )
    whatsapp_number: str = _rule("", help="the dealer's WhatsApp number, for buyers to chat")
    address: str = _rule("", help="the showroom's address, shown at the foot of the catalog")
    logo: str = _rule(
        "", help="a logo image file (PNG, JPEG or WebP) shown on the catalog; empty: the name"
    )
    primary_color: str = _rule("#0b5ed7", help="the catalog's main colour (#rrggbb)")
    accent_color: str = _rule("#b35c00", help="the colour of prices on the catalog (#rrggbb)")
    admins: tuple[str, ...] = _rule(
        (),
        help="phone numbers of the showroom's admins (they may also sell); more can be "
        "added from the chat",
    )
    sellers: tuple[str, ...] = _rule(
        (), help="phone numbers allowed to upload cars; more can be added from the chat"
    )
    open_to_all: bool = _rule(
        False, help="let anyone who writes upload cars (for trying showroom; never in production)"
    )
    maps_url: str = _rule(
        "", help="a map link to the showroom (https://maps.app.goo.gl/...), sent to buyers"
    )
    opening_hours: str = _rule(
        "", help="the showroom's opening hours as buyers should read them (Senin-Sabtu 08.00-17.00)"
    )
    credit_flat_rate_pct: float = _rule(
        6.0,
        help="the flat interest rate, percent per year, of the credit simulation buyers get "
        "(an estimate, marked as one)",
        min=0,
        max=30,
    )
    sales_number: str = _rule(
        "",
        help="the phone number alerted when a buyer wants a person about no particular car "
        "(empty: the admins); a car's own seller is alerted about their car",
    )
    gateway: GatewaySettings = field(default_factory=GatewaySettings)


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    per_chat_gap_s: float = _rule(
        2.5, help="least seconds between two messages to the same chat", min=0, max=60
    )
    per_minute: int = _rule(
        30, help="most messages per minute to all chats of one tenant", min=1, max=6000
    )
    max_attempts: int = _rule(8, help="tries before a reply is marked failed", min=1, max=100)
    sends_at_once: int = _rule(
        2, help="replies sent at the same time to different chats of one tenant", min=1, max=16
    )
    typing: bool = _rule(
        True, help="wait as long as a person would type each reply before sending it"
    )


@dataclass(frozen=True, slots=True)
class InboxSettings:
    keep_processed_days: float = _rule(
        7.0,
        help="days a processed webhook event is kept (a gateway's redelivery within this time "
        "is recognised as a duplicate); older ones are pruned, in small batches, every hour",
        min=1,
        max=3650,
    )


@dataclass(frozen=True, slots=True)
class ConversationSettings:
    upload_expires_after_h: float = _rule(
        24.0,
        help="hours of silence after which an unfinished upload is cancelled",
        min=0.1,
        max=24 * 30,
    )


@dataclass(frozen=True, slots=True)
class BuyersSettings:
    human_pause_h: float = _rule(
        12.0,
        help="hours the bot stays silent in a buyer's chat after someone answers the buyer "
        "from the dealer's own number",
        min=0,
        max=24 * 30,
    )


@dataclass(frozen=True, slots=True)
class CopywriterSettings:
    base_url: str = _rule(
        "",
        help="an OpenAI-compatible API (e.g. https://api.openai.com/v1) that writes the sales "
        "texts; empty: showroom's own templates",
        check=http_url_or_empty,
    )
    model: str = _rule("", help="the model name to ask")
    api_key: str = _rule("", help='the API key; write it as "env:NAME"')
    timeout_s: float = _rule(
        8.0, help="longest wait for a text before the template is used", min=1, max=60
    )


@dataclass(frozen=True, slots=True)
class DownloadSettings:
    workers: int = _rule(
        256,
        help="photos being fetched at the same time (most of them just wait for the "
        "gateway to save the file; requests and image work have their own, smaller limits)",
        min=1,
        max=1024,
    )


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    log: LogSettings = field(default_factory=LogSettings)
    shutdown: ShutdownSettings = field(default_factory=ShutdownSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    downloads: DownloadSettings = field(default_factory=DownloadSettings)
    inbox: InboxSettings = field(default_factory=InboxSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    buyers: BuyersSettings = field(default_factory=BuyersSettings)
    copywriter: CopywriterSettings = field(default_factory=CopywriterSettings)
    tenants: dict[str, TenantSettings] = field(default_factory=lambda: {"demo": DEMO_TENANT})
    # Where relative paths in the file are taken from: the config file's folder.
    base_dir: Path = field(default=Path("."), compare=False)

    def resolve(self, path: str) -> Path:
        return (self.base_dir / path).resolve()

    def secrets(self) -> list[str]:
        """Every secret in the settings: what the logs must never show."""
        found = [self.copywriter.api_key]
        if self.database.url:  # a password before the host, or as `?password=`
            url = urlsplit(self.database.url)
            found.append(url.password or "")
            found += [v for k, v in parse_qsl(url.query) if k == "password"]
        for tenant in self.tenants.values():
            gateway = tenant.gateway
            found += [gateway.webhook_secret, gateway.api_key, gateway.verify_token]
        return [secret for secret in found if secret]


# The shipped demo (config.toml says the same): open to all, with a made-up address for buyers.
# The shipped demo is two-sided: one seller and one admin (the simulator's chat page offers
# both), and anyone else who writes is a buyer.
DEMO_TENANT = TenantSettings(
    sellers=("6281234567890",),
    admins=("6281311112222",),
    whatsapp_number=DEMO_WHATSAPP_NUMBER,
    address="Jl. Contoh Raya No. 1, Jakarta Selatan",
    maps_url="https://maps.google.com/?q=-6.2615,106.8106",
    opening_hours="Senin-Sabtu 08.00-17.00, Minggu 09.00-15.00",
)


def load_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `path` (None: the built-in defaults). Raises ConfigError."""
    if path is None:
        return Settings()
    environ = os.environ if environ is None else environ
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (copy config.toml from the README)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = _build(Settings, document, str(path), "", environ)
    _check_gateways(settings, str(path))
    _check_addresses(settings, str(path))
    for slug, tenant in settings.tenants.items():
        _check_secret(str(path), f"tenants.{slug}.gateway", tenant.gateway)
    settings = _check_buyers(settings, str(path))
    return dataclasses.replace(settings, base_dir=Path(path).resolve().parent)


def _check_buyers(settings: Settings, file: str) -> Settings:
    """A tenant's map link is a web address; its sales number a phone number (normalised)."""
    tenants = {}
    for name, tenant in settings.tenants.items():
        if tenant.maps_url and not re.match(r"^https?://[^/\s]+", tenant.maps_url):
            raise ConfigError(
                f"{file}: 'tenants.{name}.maps_url' is {tenant.maps_url!r}: an http:// or "
                "https:// address of a map"
            )
        sales = tenant.sales_number
        if sales:
            try:
                sales = normalise_phone(sales)
            except NotAnIdentity as exc:
                raise ConfigError(f"{file}: 'tenants.{name}.sales_number': {exc}") from None
        tenants[name] = dataclasses.replace(tenant, sales_number=sales)
    return dataclasses.replace(settings, tenants=tenants)


def _check_gateways(settings: Settings, file: str) -> None:
    """Rules that join two keys of a gateway section."""
    for name, tenant in settings.tenants.items():
        gateway = tenant.gateway
        media_url = gateway.media_url
        if media_url and not re.match(r"^https?://[^/\s]+", media_url):
            raise ConfigError(
                f"{file}: 'tenants.{name}.gateway.media_url' is {media_url!r}: an http:// or "
                "https:// address the gateway can download showroom's photos from"
            )
        if media_url.startswith("http://") and gateway.kind == "cloudapi":
            raise ConfigError(
                f"{file}: 'tenants.{name}.gateway.media_url' must be https:// for cloudapi "
                "(Meta's servers download the photos)"
            )
        if gateway.webhook_auth == "path" and gateway.kind == "cloudapi":
            raise ConfigError(
                f"{file}: 'tenants.{name}.gateway.webhook_auth' is 'path', but cloudapi always "
                "signs its webhooks (and Meta's handshake needs the plain address): use gateway"
            )


def _check_addresses(settings: Settings, file: str) -> None:
    """Two dealers cannot share a catalog host (the catalog is chosen by host name alone),
    nor two listeners an address: each simulated gateway listens at its base_url, the server
    at server.host and server.port (port 0: any free one, never shared)."""
    hosts: dict[str, str] = {}
    listeners: dict[tuple[str, int], str] = {}

    def listen(host: str, port: int, key: str) -> None:
        for (other_host, other_port), other_key in listeners.items():
            same_host = host == other_host or _ANY_ADDRESS & {host, other_host}
            if port and port == other_port and same_host:
                raise ConfigError(
                    f"{file}: '{key}' and '{other_key}' use the same port {port}: the "
                    "simulator listens at its base_url, so each needs a port of its own"
                )
        listeners[(host, port)] = key

    listen(settings.server.host, settings.server.port, "server.port")
    for name, tenant in settings.tenants.items():
        host = urlsplit(tenant.public_url).hostname if tenant.public_url else None
        if host:
            key = f"tenants.{name}.public_url"
            if host in hosts:
                raise ConfigError(
                    f"{file}: '{key}' and '{hosts[host]}' have the same host {host!r}: each "
                    "dealer's catalog needs a host name of its own"
                )
            hosts[host] = key
        if tenant.gateway.kind == SIMULATOR:
            address = urlsplit(tenant.gateway.base_url)
            port = 8080 if address.port is None else address.port
            listen(address.hostname or "127.0.0.1", port, f"tenants.{name}.gateway.base_url")


_ANY_ADDRESS = {"0.0.0.0", "::", ""}  # listening on every address: shares a port with all


def _check_secret(file: str, key: str, gateway: GatewaySettings) -> None:
    """A weak webhook secret is refused here, before anything (the database) is touched.
    (The simulator makes one up when none is given.)"""
    if gateway.kind == SIMULATOR and gateway.webhook_secret == "":
        return
    weakness = secret_weakness(gateway.webhook_secret)
    if weakness is not None:
        raise ConfigError(
            f"{file}: '{key}.webhook_secret' {weakness}; use a long random value ({HOW_TO})"
        )


def _build(
    cls: type, table: Mapping[str, Any], file: str, prefix: str, environ: Mapping[str, str]
) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "base_dir"}
    hints = typing.get_type_hints(cls)
    for key in table:
        if key not in fields:
            allowed = ", ".join(fields)
            where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
            raise ConfigError(f"{file}: unknown key '{prefix}{key}' (in {where}: {allowed})")
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in table:
            continue
        key = prefix + name
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            if not isinstance(table[name], dict):
                raise ConfigError(f"{file}: '{key}' must be a table [{key}]")
            values[name] = _build(kind, table[name], file, key + ".", environ)
        elif typing.get_origin(kind) is dict:
            values[name] = _build_named_tables(
                typing.get_args(kind)[1], table[name], file, key, environ
            )
        else:
            value = _resolve_env(key, table[name], file, environ)
            if value is not table[name]:
                value = _from_text(value, kind)
            values[name] = _check(key, value, kind, spec.metadata, file)
    return cls(**values)


def _build_named_tables(
    cls: type, tables: Any, file: str, key: str, environ: Mapping[str, str]
) -> dict[str, Any]:
    """[key.<name>] tables, each one a `cls`: the tenants, by their slug."""
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{file}: '{key}' must hold at least one table [{key}.<name>]")
    built = {}
    for name, table in tables.items():
        if not TENANT_SLUG.match(name):
            raise ConfigError(
                f"{file}: '{key}.{name}': a name is lowercase letters, digits "
                "and dashes (it appears in web addresses)"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: '{key}.{name}' must be a table [{key}.{name}]")
        built[name] = _build(cls, table, file, f"{key}.{name}.", environ)
    return built


def _resolve_env(key: str, value: Any, file: str, environ: Mapping[str, str]) -> Any:
    if not (isinstance(value, str) and value.startswith(ENV_PREFIX)):
        return value
    variable = value[len(ENV_PREFIX) :]
    if variable not in environ:
        raise ConfigError(
            f"{file}: '{key}' reads environment variable {variable}, which is not set"
        )
    return environ[variable]


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}


def _from_text(text: str, kind: type) -> Any:
    """An environment variable's text as the key's type (left as text when it does not fit)."""
    try:
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
    except ValueError:
        return text
    if kind is bool and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _check(key: str, value: Any, kind: type, rules: Mapping[str, Any], file: str) -> Any:
    if typing.get_origin(kind) is tuple:  # a list of phone numbers
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{file}: '{key}' must be a list of phone numbers in quotes")
        try:
            return tuple(dict.fromkeys(normalise_phone(v) for v in value))
        except NotAnIdentity as exc:
            raise ConfigError(f"{file}: '{key}': {exc}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{file}: '{key}' must be {_TYPE_NAMES[kind]}, not {value!r}")
    choices = rules.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{file}: '{key}' is {value!r}; allowed: {', '.join(choices)}")
    low, high = rules.get("min"), rules.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = [f"at least {low:g}"] * (low is not None) + [f"at most {high:g}"] * (
            high is not None
        )
        raise ConfigError(f"{file}: '{key}' is {value!r}; allowed: {' and '.join(bounds)}")
    check = rules.get("check")
    problem = check(value) if check is not None else None
    if problem is not None:
        raise ConfigError(f"{file}: '{key}' {problem}")  # not the value: it may hold a secret
    return value


def describe_keys(cls: type = Settings, prefix: str = "") -> list[tuple[str, Any, str]]:
    """(key, default, help) for every key: the README's configuration table comes from here."""
    rows: list[tuple[str, Any, str]] = []
    hints = typing.get_type_hints(cls)
    for spec in dataclasses.fields(cls):
        kind = hints[spec.name]
        if typing.get_origin(kind) is dict:
            rows += describe_keys(typing.get_args(kind)[1], f"{prefix}{spec.name}.<name>.")
            continue
        if "help" not in spec.metadata and not dataclasses.is_dataclass(kind):
            continue  # not a key of the file
        if dataclasses.is_dataclass(kind):
            rows += describe_keys(hints[spec.name], f"{prefix}{spec.name}.")
        else:
            rows.append((prefix + spec.name, spec.default, spec.metadata["help"]))
    return rows
