"""hypercorn (trio worker) serving the ASGI app, as a supervisable service, with a cap on
the connections it holds.

An unauthenticated client can open connections and keep them (slowly sending headers or a
body). Each one costs a file descriptor, and a process that runs out of descriptors cannot
open its database or a photo. So the server never holds more than its cap: past it, it stops
accepting, and new connections wait in the kernel's backlog (costing this process nothing)
until one closes. hypercorn closes a connection idle or still sending its headers after
`idle_timeout_s`; the intake time-boxes reading a body.
"""

from __future__ import annotations

import logging
import os
import socket
from functools import partial
from typing import Any

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.statsd import StatsdLogger
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState
from hypercorn.utils import ShutdownError, raise_shutdown, wrap_app

log = logging.getLogger("showroom.web")

LISTEN_BACKLOG = 1024
MAX_HEADER_BYTES = 16 * 1024  # a request's line and headers (h11 refuses more: 431)


class ConnectionCap:
    """How many connections the web servers of this process may hold at once (all of them
    together: the simulated gateways' servers share it)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self.most = 0  # the most held at once
        self._free = trio.Semaphore(limit)

    async def acquire(self) -> None:
        await self._free.acquire()
        self.open += 1
        self.most = max(self.most, self.open)

    def release(self) -> None:
        self.open -= 1
        self._free.release()


class _CountedStream(trio.abc.HalfCloseableStream):
    """A connection that gives its place under the cap back when it is closed."""

    def __init__(self, stream: trio.SocketStream, cap: ConnectionCap) -> None:
        self._stream = stream
        self._cap: ConnectionCap | None = cap

    def __getattr__(self, name: str) -> Any:  # .socket and the like, as hypercorn reads them
        return getattr(self._stream, name)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        try:
            await self._stream.send_all(data)
        except trio.BusyResourceError as exc:
            # hypercorn closes a connection (send_eof) without waiting for a send in flight;
            # to it a broken connection is expected, this error took the whole server down
            raise trio.BrokenResourceError("the connection is being closed") from exc

    async def wait_send_all_might_not_block(self) -> None:
        await self._stream.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes: int | None = None) -> bytes | bytearray:
        return await self._stream.receive_some(max_bytes)

    async def send_eof(self) -> None:
        await self._stream.send_eof()

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._cap is not None:
                self._cap.release()
                self._cap = None


class _TCPServer(TCPServer):
    async def _read_data(self) -> None:
        await super()._read_data()
        # The client has gone (or the read failed). hypercorn would hold the connection, and
        # its descriptor and its place under the cap, until its idle timer fires: stop it.
        await self.idle_task.stop()


class _CappedListener(trio.abc.Listener[trio.abc.HalfCloseableStream]):
    def __init__(self, sock: socket.socket, cap: ConnectionCap) -> None:
        self._listener = trio.SocketListener(trio.socket.from_stdlib_socket(sock))
        self._cap = cap

    async def accept(self) -> trio.abc.HalfCloseableStream:
        await self._cap.acquire()  # at the cap: wait here; the kernel queues the newcomers
        try:
            stream = await self._listener.accept()
        except BaseException:
            self._cap.release()
            raise
        return _CountedStream(stream, self._cap)

    async def aclose(self) -> None:
        await self._listener.aclose()


class WebServer:
    """Binds its socket up front (so port 0 works and the real port is known), then serves
    until stop(): in-flight requests finish, new connections are refused."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        *,
        graceful_timeout_s: float = 5.0,
        name: str = "web server",
        setting: str = "",
        access_log: bool = False,
        connections: ConnectionCap | None = None,
        idle_timeout_s: float = 5.0,
    ) -> None:
        self.app = app
        self.name = name
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError as exc:  # "address in use" alone does not say whose address
            self._socket.close()
            where = f" (set by {setting})" if setting else ""
            raise OSError(
                exc.errno, f"the {name} cannot listen on {host}:{port}{where}: {exc.strerror}"
            ) from None
        self._socket.listen(LISTEN_BACKLOG)
        self._socket.set_inheritable(True)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self.connections = connections or ConnectionCap(LISTEN_BACKLOG)
        self._config = HypercornConfig()
        # hypercorn's access log goes through logging like the rest (where it is redacted)
        self._config.accesslog = logging.getLogger("showroom.web.access") if access_log else None
        self._config.errorlog = logging.getLogger("showroom.web.server")
        self._config.graceful_timeout = graceful_timeout_s
        # a connection idle between requests, or still sending its request line and headers
        self._config.keep_alive_timeout = idle_timeout_s
        self._config.h11_max_incomplete_size = MAX_HEADER_BYTES
        self._config.include_server_header = False
        self._stop = trio.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def run(self) -> None:
        self._stop = trio.Event()
        # Each run serves a duplicate of the socket (closed when the run ends), so a restart
        # can serve the same socket again.
        sock = socket.socket(fileno=os.dup(self._socket.fileno()))
        log.info("%s listening on %s", self.name, self.url)
        await _serve(self.app, self._config, sock, self.connections, self._stop.wait)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._socket.close()


async def _serve(
    app: Any, config: HypercornConfig, sock: socket.socket, cap: ConnectionCap, shutdown: Any
) -> None:
    """hypercorn's trio worker (hypercorn.trio.run.worker_serve) with one plain HTTP socket,
    whose listener holds at most `cap` connections."""
    config.set_statsd_logger_class(StatsdLogger)
    wrapped = wrap_app(app, config.wsgi_max_body_size, "asgi")
    lifespan_state: dict[str, Any] = {}
    lifespan = Lifespan(wrapped, config, lifespan_state)
    context = WorkerContext(None)
    async with trio.open_nursery() as lifespan_nursery:
        await lifespan_nursery.start(lifespan.handle_lifespan)
        await lifespan.wait_for_startup()
        async with trio.open_nursery() as server_nursery:
            listener = _CappedListener(sock, cap)
            handler = partial(
                _TCPServer, wrapped, config, context, ConnectionState(lifespan_state.copy())
            )
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(raise_shutdown, shutdown)
                    nursery.start_soon(raise_shutdown, context.terminate.wait)
                    nursery.start_soon(
                        partial(
                            trio.serve_listeners,
                            handler,
                            [listener],
                            handler_nursery=server_nursery,
                        )
                    )
                    await trio.sleep_forever()
            except BaseExceptionGroup as error:
                _, others = error.split(ShutdownError)
                if others is not None:
                    raise others from None
            finally:
                await context.terminated.set()
                server_nursery.cancel_scope.deadline = trio.current_time() + config.graceful_timeout
        await lifespan.wait_for_shutdown()
        lifespan_nursery.cancel_scope.cancel()
