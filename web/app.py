"""The ASGI application: webhook intake, the public catalog, /health and /ping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from web.catalog import Catalog
from web.intake import Intake
from web.metrics import Snapshot, metrics_route
from web.security import SecurityHeaders, http_error, server_error

HealthDetails = Callable[[], Awaitable[dict]]


def create_app(
    *,
    version: str,
    health_details: HealthDetails | None = None,
    intake: Intake | None = None,
    catalog: Catalog | None = None,
    metrics: Snapshot | None = None,
) -> Starlette:
    started_at = trio.current_time() if _in_trio() else None

    async def health(_: Request) -> JSONResponse:
        body = {"status": "ok", "version": version}
        if started_at is not None:
            body["uptime_s"] = round(trio.current_time() - started_at, 1)
        if health_details is not None:
            body.update(await health_details())
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    async def ping(_: Request) -> PlainTextResponse:
        # Liveness only (is the process answering?): cheap enough for a probe every second.
        return PlainTextResponse("pong")

    routes = [Route("/health", health, methods=["GET"]), Route("/ping", ping, methods=["GET"])]
    if intake is not None:
        routes += [
            Route("/webhook/{tenant}", intake.webhook, methods=["GET", "POST"]),
            Route("/webhook/{tenant}/{token}", intake.webhook, methods=["POST"]),
        ]
    if metrics is not None:
        routes.append(Route("/metrics", metrics_route(metrics), methods=["GET"]))
    if catalog is not None:
        routes += catalog.routes()
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )


def _in_trio() -> bool:
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True
