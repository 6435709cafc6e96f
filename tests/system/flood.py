"""A slow-body flood, for the whole-program tests: many connections that send a webhook's
headers and then its body one byte a second, opening again whenever the server closes them
(what an attacker does to hold a server's connections and file descriptors)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import trio


@dataclass
class FloodStats:
    opened: int = 0
    refused_to_connect: int = 0
    cut_off: int = 0  # closed by the server


async def slow_body_flood(
    host: str,
    port: int,
    paths: list[str],
    connections: int,
    stats: FloodStats,
    *,
    byte_every_s: float = 1.0,
    headers_too: bool = False,
    seed: int = 1,
) -> None:
    """Hold `connections` trickling connections to `paths` until cancelled. With
    `headers_too`, every other connection trickles its request headers instead (slowloris)."""
    rng = random.Random(seed)
    async with trio.open_nursery() as nursery:
        for number in range(connections):
            slow_headers = headers_too and number % 2 == 1
            nursery.start_soon(
                _one, host, port, rng.choice(paths), stats, byte_every_s, slow_headers
            )
            if number % 50 == 49:
                await trio.sleep(0.01)  # open them in a burst, not all in one tick


async def _one(
    host: str, port: int, path: str, stats: FloodStats, byte_every_s: float, slow_headers: bool
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\nX-Hub-Signature-256: sha256=00\r\n"
        "X-Webhook-Token: a-guess\r\n\r\n"
    ).encode()
    if slow_headers:  # the request line, then the headers a byte at a time, never finished
        head, trickle = head[: len(f"POST {path} HTTP/1.1\r\n")], b"X"
    else:
        trickle = b" "
    while True:
        try:
            stream = await trio.open_tcp_stream(host, port)
        except OSError:
            stats.refused_to_connect += 1
            await trio.sleep(1)
            continue
        stats.opened += 1
        try:
            await stream.send_all(head)
            while True:
                await trio.sleep(byte_every_s)
                await stream.send_all(trickle)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            stats.cut_off += 1
        finally:
            await stream.aclose()
        await trio.sleep(0.5)  # and again
