"""Gateway client benchmark: what a request costs with a hundred dealers' gateways.

The client CPU a request of showroom's one gateway client (`showroom.app.gateway_client`), ten
requests at once, spread over 100 gateways, divided by the same with a single gateway, in the
same run. The gateways are minimal HTTP servers in another process (they answer 404, as a
gateway does to a photo not saved yet: most of a busy installation's requests). Target: <= 1.25
(the cost of a request does not grow with the number of dealers). Also printed: the same for
one pool shared by all gateways, the client showroom had before.

    python -m bench.gateway_client
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx
import trio

from bench.support import stand_in
from showroom.app import MAX_GATEWAY_CONNECTIONS, gateway_client

REQUESTS = 4000
AT_ONCE = 10
ROUNDS = 3
GATEWAYS = 100
TARGET = 1.25


def shared_pool_client() -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=MAX_GATEWAY_CONNECTIONS, max_keepalive_connections=MAX_GATEWAY_CONNECTIONS
    )
    return httpx.AsyncClient(limits=limits, timeout=30.0)


async def cpu_per_request_us(ports: list[int], client: httpx.AsyncClient) -> float:
    urls = [f"http://127.0.0.1:{port}/images/not-yet.jpg" for port in ports]
    sent = 0

    async def requester() -> None:
        nonlocal sent
        while sent < REQUESTS:
            sent += 1
            answer = await client.get(urls[sent % len(urls)])
            if answer.status_code != 404:
                raise SystemExit(f"a gateway answered {answer.status_code}")

    async with client:
        started = time.process_time()
        async with trio.open_nursery() as nursery:
            for _ in range(AT_ONCE):
                nursery.start_soon(requester)
        return 1e6 * (time.process_time() - started) / REQUESTS


def measure(ports: list[int], make_client) -> float:
    trio.run(cpu_per_request_us, ports, make_client())  # warm up
    return statistics.median(
        trio.run(cpu_per_request_us, ports, make_client()) for _ in range(ROUNDS)
    )


def main() -> int:
    servers, ports = stand_in.start(GATEWAYS, "not-saved-yet")
    try:
        one = measure(ports[:1], lambda: gateway_client(gateways=1))
        many = measure(ports, lambda: gateway_client(gateways=GATEWAYS))
        shared_one = measure(ports[:1], shared_pool_client)
        shared_many = measure(ports, shared_pool_client)
    finally:
        servers.kill()
        servers.wait()
    ratio = many / one
    print(
        f"gateway client, {AT_ONCE} requests at once: {many:.0f} us of CPU a request to "
        f"{GATEWAYS} gateways, {one:.0f} us to one; ratio {ratio:.2f} (target <= {TARGET:g}); "
        f"one pool shared by all gateways (before): {shared_many:.0f} against {shared_one:.0f} "
        f"us, ratio {shared_many / shared_one:.2f}"
    )
    if ratio > TARGET:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
