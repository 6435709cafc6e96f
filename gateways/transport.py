"""The HTTP transport of the one gateway client: a connection pool per gateway.

With one pool for every gateway, each request looks at every pooled connection (httpcore
checks each one, with a system call for an idle one, on every request), and once more
gateways are busy than the pool has connections, a request to one gateway closes another
gateway's idle connection to open its own: with a hundred dealers' gateways the client spent
~40 % more CPU a request (852 against 611 us, 10 requests at once) opening and closing
connections. A pool per gateway (per origin: scheme, host, port) keeps each gateway's
connections for it and looks only at those. The pools share one TLS context (each client or
transport would otherwise load the CA bundle again, ~1 MB and ~10 ms each). A proxy set in
the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) is used as httpx's own client
would use it.
"""

from __future__ import annotations

import ssl
import urllib.request

import httpx

Origin = tuple[str, str, int | None]


class PoolPerGateway(httpx.AsyncBaseTransport):
    def __init__(self, limits: httpx.Limits, tls: ssl.SSLContext | None = None) -> None:
        """`limits` apply to each gateway's pool: its most connections (the callers' own
        limits keep every request below it, so none ever waits inside a pool) and its idle
        connections kept."""
        self._limits = limits
        self._tls = tls if tls is not None else httpx.create_ssl_context()
        self._pools: dict[Origin, httpx.AsyncHTTPTransport] = {}
        self._closed = False

    @property
    def gateways(self) -> int:
        """How many gateways (origins) have a pool."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool_for(request.url).handle_async_request(request)

    def _pool_for(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        # Only configured addresses are ever requested (each adapter builds its URLs from its
        # gateway's base URL), so the pools are as many as the gateways, not as the requests.
        origin = (url.scheme, url.host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            if self._closed:
                raise RuntimeError("the gateway client is closed")
            pool = self._pools[origin] = httpx.AsyncHTTPTransport(
                verify=self._tls, limits=self._limits, proxy=proxy_for(url)
            )
        return pool

    async def aclose(self) -> None:
        self._closed = True
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def proxy_for(url: httpx.URL) -> str | None:
    """The proxy the environment names for `url` (None: connect directly)."""
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass_environment(url.host, proxies):
        return None
    return proxies.get(url.scheme) or proxies.get("all")
