"""`webhook_auth = "path"`: for gateways that cannot sign their webhooks (WAHA Core before its
2026.6 releases posts them unsigned), the secret rides in the webhook's URL instead, as with
WhatsApp Web API. Opt-in per tenant: without it an unsigned webhook stays refused."""

import json
from pathlib import Path

import httpx
import pytest
import trio

from gateways.base import GatewayConfig, hmac_hex
from gateways.registry import make_adapter
from showroom.app import serve
from tests.web.conftest import SECRET, make_settings

PAYLOADS = Path(__file__).parents[1] / "gateways" / "payloads"


async def post_all(tmp_path, webhook_auth: str) -> list[int]:
    settings = make_settings(tmp_path, kind="waha", session="default", webhook_auth=webhook_auth)
    body = (PAYLOADS / "waha-text.json").read_bytes()
    signed = {"x-webhook-hmac": hmac_hex("sha512", SECRET, body)}
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        base = f"{running.web.url}/webhook/demo"
        async with httpx.AsyncClient() as client:
            answers = [
                await client.post(f"{base}/{SECRET}", content=body),  # unsigned, secret in URL
                await client.post(base, content=body),  # unsigned, no secret
                await client.post(f"{base}/{SECRET[:-1]}x", content=body),  # a wrong secret
                await client.post(base, content=body, headers=signed),  # WAHA Plus: signed
            ]
        nursery.cancel_scope.cancel()
    return [answer.status_code for answer in answers]


async def test_an_unsigned_waha_webhook_with_the_secret_in_its_url_is_accepted(tmp_path):
    assert await post_all(tmp_path, "path") == [200, 401, 401, 401]


async def test_without_the_opt_in_only_a_signed_webhook_is(tmp_path):
    assert await post_all(tmp_path, "gateway") == [401, 401, 401, 200]


@pytest.mark.parametrize("kind", ["gowa", "waha", "evolution"])
def test_every_gateway_that_can_be_told_a_url_can_use_it(kind):
    adapter = make_adapter(
        GatewayConfig(kind=kind, webhook_secret=SECRET, webhook_auth="path", session="s")
    )
    body = json.dumps({"event": "message"}).encode()
    assert adapter.accepts({}, body, SECRET)
    assert not adapter.accepts({}, body, None) and not adapter.accepts({}, body, "x" * 30)
