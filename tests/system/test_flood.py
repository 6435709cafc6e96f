"""The slow-body flood against a real `showroom serve` that has 1,024 file descriptors (what a
systemd unit gets by default) and five tenants: 1,100 connections trickling one byte a second
into the webhooks, opening again whenever they are cut off, while the gateways keep posting
real, signed webhooks. The bot must stay up (no part crashes for want of a descriptor) and
answer every real webhook promptly. (Before: the process exited within 10 s; with one tenant,
real webhooks timed out for the whole attack.)"""

import json
import resource
import time

import httpx
import pytest
import trio

from gateways.base import hmac_hex
from showroom.testing import ServerProcess
from tests.system.flood import FloodStats, slow_body_flood

pytestmark = pytest.mark.slow

ATTACKERS = 1100
ATTACK_S = 20.0
OPEN_FILES = 1024
TENANTS = {  # slug: (kind, secret)
    "satu": ("gowa", "gowa-satu-Kq83-webhook-secret"),
    "dua": ("gowa", "gowa-dua-Lm27-webhook-secret"),
    "tiga": ("waha", "waha-tiga-Pz64-webhook-secret"),
    "empat": ("evolution", "evo-empat-Rt19-webhook-secret"),
    "lima": ("whatsapp-web-api", "wwa-lima-Vn52-webhook-secret"),
}


def config() -> str:
    lines = ["[server]", "port = 0", "[outbox]", "typing = false", "per_chat_gap_s = 0"]
    for slug, (kind, secret) in TENANTS.items():
        lines += [f"[tenants.{slug}]", "open_to_all = true"]
        lines += [f"[tenants.{slug}.gateway]", f'kind = "{kind}"']
        lines += ['base_url = "http://127.0.0.1:9"', f'webhook_secret = "{secret}"']
        lines += ['session = "s"'] if kind in ("waha", "evolution") else []
    return "\n".join(lines) + "\n"


def gowa_webhook(number: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "event": "message",
            "payload": {
                "id": f"flood-real-{number}",
                "chat_id": "6281234567890@s.whatsapp.net",
                "from": "6281234567890@s.whatsapp.net",
                "timestamp": "2025-10-28T09:01:20Z",
                "body": f"halo {number}",
            },
        }
    ).encode()
    signature = "sha256=" + hmac_hex("sha256", TENANTS["satu"][1], body)
    return body, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


async def test_a_slow_body_flood_does_not_take_the_bot_down(tmp_path):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < ATTACKERS + 500:
        pytest.skip(f"this test opens {ATTACKERS} connections; the open files limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server = ServerProcess(tmp_path, config(), open_files=OPEN_FILES)
    stats = FloodStats()
    latencies: list[float] = []
    statuses: list[int] = []
    try:
        url = await trio.to_thread.run_sync(server.start)
        port = int(url.rsplit(":", 1)[1])
        paths = [f"/webhook/{slug}" for slug in ("satu", "dua", "tiga", "empat")]
        paths.append("/webhook/lima/a-wrong-guess-of-the-secret")
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(slow_body_flood, "127.0.0.1", port, paths, ATTACKERS, stats)
                await trio.sleep(3)  # the flood is on
                deadline = trio.current_time() + ATTACK_S
                number = 0
                while trio.current_time() < deadline:
                    number += 1
                    body, headers = gowa_webhook(number)
                    started = time.monotonic()
                    answer = await client.post("/webhook/satu", content=body, headers=headers)
                    latencies.append(time.monotonic() - started)
                    statuses.append(answer.status_code)
                    await trio.sleep(0.25)
                alive = server.process.poll() is None
                nursery.cancel_scope.cancel()
            health = (await client.get("/health")).json() if alive else {}
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()
    log = server.log.read_text()
    print(
        f"\nflood: {ATTACKERS} trickling connections ({stats.opened} opened, {stats.cut_off} "
        f"cut off by the server), {len(statuses)} real webhooks, slowest answered in "
        f"{max(latencies):.2f} s, median {sorted(latencies)[len(latencies) // 2]:.2f} s"
    )
    assert alive, log[-3000:]
    assert statuses and set(statuses) == {200}
    assert max(latencies) < 10
    assert stats.cut_off > ATTACKERS  # the server cut the tricklers off, again and again
    assert "Too many open files" not in log and "unable to open database file" not in log
    assert "gave up" not in log and " crashed" not in log
    # thousands of refusals, a few dozen lines: the flood does not fill the disk with logs
    assert log.count("refused with") <= 20 * (ATTACK_S + 10) / 10
    assert "more refused webhooks not logged" in log
    assert health.get("status") == "ok", health
