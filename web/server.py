"""hypercorn (trio worker) serving the ASGI app, as a supervisable service."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

log = logging.getLogger("showroom.web")


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
        access_log: bool = False,
    ) -> None:
        self.app = app
        self.name = name
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(1024)
        self._socket.set_inheritable(True)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self._config = HypercornConfig()
        # hypercorn's access log goes through logging like the rest (where it is redacted)
        self._config.accesslog = logging.getLogger("showroom.web.access") if access_log else None
        self._config.errorlog = logging.getLogger("showroom.web.server")
        self._config.graceful_timeout = graceful_timeout_s
        self._stop = trio.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def run(self) -> None:
        self._stop = trio.Event()
        # hypercorn takes ownership of the descriptor it is given and closes it when done,
        # so each run gets its own duplicate and a restart can serve the same socket again.
        self._config.bind = [f"fd://{os.dup(self._socket.fileno())}"]
        log.info("%s listening on %s", self.name, self.url)
        await serve(self.app, self._config, shutdown_trigger=self._stop.wait)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._socket.close()
