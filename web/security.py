"""Headers every answer of the web server carries, error pages included.

A page that a browser renders without the Content-Security-Policy is a page where an injected
script would run: a 404 from the router, a 405, or the 500 of a handler that raised must carry
the same headers as the catalog's own pages.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_RAW_HEADERS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


class SecurityHeaders:
    """ASGI middleware: adds the security headers to every response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in _RAW_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def http_error(_: Request, exc: Exception) -> Response:
    """404 and 405 from the router, with the headers (the middleware adds them too; this one
    keeps the answer short and plain)."""
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(
        exc.detail, status_code=exc.status_code, headers={**SECURITY_HEADERS, **(exc.headers or {})}
    )


async def server_error(_: Request, exc: Exception) -> Response:
    """A handler raised: the answer is a plain 500 with the headers. (Starlette answers it
    outside every middleware, so the headers are set here; the error itself is logged by
    the server, which Starlette hands it on to.)"""
    return PlainTextResponse("internal error", status_code=500, headers=SECURITY_HEADERS)
