"""Webhook intake benchmark.

Webhooks per second accepted by `POST /webhook/<tenant>` (HMAC signature check and a durable
inbox insert through the persistence actor, answered after COMMIT) divided by the rate of the
trivial `GET /ping` on the same server, in the same run (medians of three rounds each; the
pings first, on the idle server, so the bot's processing of the webhooks cannot slow them).
The server is a real `showroom serve` process (GoWA-style signed webhooks); the load comes
from another process with 32 concurrent connections. The webhooks come from buyers, whom the
bot answers: its replies go to a stand-in gateway in a third process that accepts each send at
once (a closed port, as before, made every reply fail and be tried five times: work a real
gateway does not cause), paced as shipped (at most 30 a minute per number, as WhatsApp
allows; a benchmark that lifted the pacing would measure hundreds of sends a second that no
installation makes). Target: >= 0.5.

    python -m bench.intake
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import trio

from bench.support import stand_in
from gateways.base import hmac_hex
from showroom.testing import config_text, showroom_server

SECRET = "bench-webhook-secret-0123456789abcdef"
REQUESTS = 1500
ROUNDS = 3  # each kind measured this often; the median counts (the machine is shared)
CONCURRENCY = 32
TARGET_RATIO = 0.5


def config(gateway_port: int) -> str:
    return config_text(
        secret=SECRET,
        tenant="bench",
        gateway="gowa",
        gateway_url=f"http://127.0.0.1:{gateway_port}",
        open_to_all=False,
        quick_outbox=False,  # the replies paced as shipped: 30 a minute per number
        extra='[log]\nlevel = "info"\n',
    )


def webhook_body(number: int) -> bytes:
    sender = f"62812{number % 500:08d}@s.whatsapp.net"
    return json.dumps(
        {
            "event": "message",
            "device_id": "6285712345678@s.whatsapp.net",
            "payload": {
                "id": f"BENCH{number:010d}",
                "chat_id": sender,
                "from": sender,
                "timestamp": "2025-10-28T09:01:20Z",
                "is_from_me": False,
                "body": f"halo {number}",
            },
        }
    ).encode()


async def load(url: str, kind: str, first: int) -> float:
    """Requests per second, all answered 200."""
    bodies = [webhook_body(n) for n in range(first, first + REQUESTS)] if kind == "webhook" else []
    failures = []
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        queue = list(range(REQUESTS))

        async def request(number: int) -> httpx.Response:
            if kind != "webhook":
                return await client.get(f"{url}/ping")
            body = bodies[number]
            signature = "sha256=" + hmac_hex("sha256", SECRET, body)
            return await client.post(
                f"{url}/webhook/bench", content=body, headers={"X-Hub-Signature-256": signature}
            )

        async def worker() -> None:
            while queue:
                number = queue.pop()
                if kind == "webhook":
                    body = bodies[number]
                    signature = "sha256=" + hmac_hex("sha256", SECRET, body)
                    answer = await client.post(
                        f"{url}/webhook/bench",
                        content=body,
                        headers={"X-Hub-Signature-256": signature},
                    )
                else:
                    answer = await client.get(f"{url}/ping")
                if answer.status_code != 200:
                    failures.append(answer.status_code)

        started = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(CONCURRENCY):
                nursery.start_soon(worker)
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} {kind} requests failed: {sorted(set(failures))}")
    return REQUESTS / elapsed


def measure(url: str, kind: str, first: int = 0) -> float:
    done = subprocess.run(
        [sys.executable, "-m", "bench.intake", "--load", url, kind, str(first)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} load failed: {done.stdout}{done.stderr}")
    return float(done.stdout)


def main() -> int:
    gateway, [gateway_port] = stand_in.start(1, "sent")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="showroom-bench-", dir=Path.cwd()) as folder,
            showroom_server(Path(folder), config(gateway_port), "--log-format", "text") as (
                _,
                url,
            ),
        ):
            measure(url, "ping")  # warm up
            pings = [measure(url, "ping") for _ in range(ROUNDS)]
            webhooks = [measure(url, "webhook", first=n * REQUESTS) for n in range(ROUNDS)]
            ping, webhook = statistics.median(pings), statistics.median(webhooks)
    finally:
        gateway.kill()
        gateway.wait()
    ratio = webhook / ping
    print(
        f"webhooks accepted (HMAC + durable inbox insert): {webhook:,.0f}/s; trivial GET /ping: "
        f"{ping:,.0f}/s; ratio {ratio:.2f} (target >= {TARGET_RATIO:g})"
    )
    if ratio < TARGET_RATIO:
        print("TARGET MISSED")
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--load":
        print(trio.run(load, sys.argv[2], sys.argv[3], int(sys.argv[4])))
        sys.exit(0)
    sys.exit(main())
