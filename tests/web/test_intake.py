"""Webhook intake against a running showroom: refusals store nothing, events are stored once,
answered after COMMIT, and the bot answers through the outbox and the simulated gateway."""

import json
import sqlite3
from pathlib import Path

import httpx
import trio

from domain.texts import text
from tests.system.conftest import SECRET

PAYLOADS = Path(__file__).parents[1] / "gateways" / "payloads"
BUDI = "6281234567890"


def inbox_rows(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        return db.execute("SELECT dedupe_key, status FROM inbox_event ORDER BY id").fetchall()


def webhook(showroom, token=SECRET, tenant="demo") -> str:
    return f"{showroom.web.url}/webhook/{tenant}/{token}"


async def test_a_seller_message_is_stored_and_answered_through_the_gateway(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{server.url}/simulate/message", json={"from": "0812-3456-7890", "text": "halo"}
        )
    assert answer.json() == {"status": 200}
    with trio.fail_after(20):
        [reply] = await simulator.wait_sent(BUDI, 1)
    assert reply.text == text("id", "help", showroom="Showroom Demo")
    assert [status for _, status in inbox_rows(tmp_path)] == ["done"]


async def test_refused_webhooks_store_nothing(showroom, tmp_path):
    body = (PAYLOADS / "whatsapp-web-api-text.json").read_bytes()
    async with httpx.AsyncClient() as client:
        unknown = await client.post(webhook(showroom, tenant="nobody"), content=body)
        unsigned = await client.post(
            webhook(showroom, token="wrong-token-wrong-token"), content=body
        )
        garbage = await client.post(webhook(showroom), content=b"{not json")
        shapeless = await client.post(webhook(showroom), content=b'{"event": "message"}')
        huge = await client.post(webhook(showroom), content=b"x" * 2_000_000)
    assert [r.status_code for r in (unknown, unsigned, garbage, shapeless, huge)] == [
        404,
        401,
        400,
        400,
        413,
    ]
    assert "not JSON" in garbage.json()["error"]
    assert "chat" in shapeless.json()["error"]
    assert inbox_rows(tmp_path) == []
    assert showroom.intake.stats.refused == {404: 1, 401: 1, 400: 2, 413: 1}


async def test_a_duplicate_delivery_is_stored_once_and_counted(showroom, tmp_path):
    body = (PAYLOADS / "whatsapp-web-api-image.json").read_bytes()
    async with httpx.AsyncClient() as client:
        first = await client.post(webhook(showroom), content=body)
        again = await client.post(webhook(showroom), content=body)
    assert first.json() == {"status": "accepted", "events": 1, "duplicates": 0}
    assert again.json() == {"status": "accepted", "events": 1, "duplicates": 1}
    assert [key for key, _ in inbox_rows(tmp_path)] == ["wwa:msg:AC5F7BEAF90508EF9F3F79160FFD634F"]
    assert showroom.intake.stats.duplicates == 1


async def test_groups_and_other_events_are_answered_200_and_not_stored(showroom, tmp_path):
    payload = json.loads((PAYLOADS / "whatsapp-web-api-text.json").read_text())
    payload["chat"] = "120363025246125888@g.us"
    async with httpx.AsyncClient() as client:
        answer = await client.post(webhook(showroom), json=payload)
    assert answer.status_code == 200 and answer.json() == {"status": "ignored"}
    assert inbox_rows(tmp_path) == []


async def test_health_reports_database_gateway_and_queues(showroom):
    async with httpx.AsyncClient() as client:
        health = (await client.get(f"{showroom.web.url}/health")).json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["gateways"]["demo"]["reachable"] is True
    assert health["gateways"]["demo"]["version"] == "v1.7.0"
    assert set(health["queues"]) >= {"persistence", "router", "sessions_active"}


async def test_meta_cloud_api_handshake_and_signed_delivery(tmp_path):
    import dataclasses

    from gateways.base import hmac_hex
    from showroom.app import serve
    from showroom.config import GatewaySettings, TenantSettings
    from tests.system.conftest import make_settings

    meta = TenantSettings(
        name="Jakarta Auto",
        gateway=GatewaySettings(
            kind="cloudapi",
            base_url="http://127.0.0.1:9",
            webhook_secret=SECRET,
            verify_token="verify-token-123",
            session="106540352242922",
        ),
    )
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(settings, tenants={**settings.tenants, "jakarta": meta})
    body = (PAYLOADS / "cloudapi-text.json").read_bytes()
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        url = f"{running.web.url}/webhook/jakarta"
        async with httpx.AsyncClient() as client:
            handshake = await client.get(
                url,
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": "verify-token-123",
                    "hub.challenge": "1158201444",
                },
            )
            wrong = await client.get(
                url,
                params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
            )
            unsigned = await client.post(url, content=body)
            signed = await client.post(
                url,
                content=body,
                headers={"X-Hub-Signature-256": "sha256=" + hmac_hex("sha256", SECRET, body)},
            )
        nursery.cancel_scope.cancel()
    assert (handshake.status_code, handshake.text) == (200, "1158201444")
    assert wrong.status_code == 403 and unsigned.status_code == 401
    assert signed.json() == {"status": "accepted", "events": 1, "duplicates": 0}
    assert [key[:11] for key, _ in inbox_rows(tmp_path)] == ["meta:wamid."]


async def test_a_session_with_unreadable_data_starts_afresh_and_still_answers(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        db.execute(
            "INSERT INTO conversation_session (tenant_id, user, state, data, version, "
            "updated_at) VALUES (1, ?, 'collecting', '{broken', 4, '2025-01-01')",
            (BUDI,),
        )
    async with httpx.AsyncClient() as client:
        await client.post(f"{server.url}/simulate/message", json={"from": BUDI, "text": "halo"})
    with trio.fail_after(20):
        [reply] = await simulator.wait_sent(BUDI, 1)
    assert reply.text.startswith("Halo!")


async def test_metrics_in_prometheus_format(showroom):
    _, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        await client.post(f"{server.url}/simulate/message", json={"from": BUDI, "text": "halo"})
        with trio.fail_after(20):
            await showroom.outboxes["demo"].wait_until(lambda stats: stats.sent == 1)
        await client.post(webhook(showroom, token="wrong-token-wrong-token"), content=b"{}")
        text = (await client.get(f"{showroom.web.url}/metrics")).text
    from prometheus_client.parser import text_string_to_metric_families

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("showroom_webhooks_total", (("outcome", "accepted"),))] == 1
    assert samples[("showroom_webhooks_total", (("outcome", "refused_401"),))] == 1
    assert samples[("showroom_outbox_sends_total", (("outcome", "sent"),))] >= 1
    assert samples[("showroom_inbox_backlog", ())] == 0
    assert samples[("showroom_db_commits_total", ())] >= 2
    assert ("showroom_photo_wait_seconds_bucket", (("le", "+Inf"),)) in samples


async def test_an_inline_photo_is_a_file_and_the_inbox_row_stays_small(tmp_path):
    import base64
    import dataclasses
    import io

    from PIL import Image

    from showroom.app import serve
    from showroom.config import GatewaySettings, TenantSettings
    from storage.media import MediaStore
    from tests.system.conftest import make_settings

    evolution = TenantSettings(
        gateway=GatewaySettings(
            kind="evolution", base_url="http://127.0.0.1:9", webhook_secret=SECRET, session="s"
        )
    )
    settings = dataclasses.replace(make_settings(tmp_path), tenants={"evo": evolution})
    out = io.BytesIO()
    Image.effect_noise((1600, 1200), 60).convert("RGB").save(out, "JPEG", quality=95)
    photo = out.getvalue()
    payload = json.loads((PAYLOADS / "evolution-image.json").read_text())
    payload["data"]["message"]["base64"] = base64.b64encode(photo).decode()
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{running.web.url}/webhook/evo", json=payload, headers={"x-webhook-token": SECRET}
            )
        nursery.cancel_scope.cancel()
    assert answer.status_code == 200, answer.text
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        [(event, media_file)] = db.execute("SELECT event, media_file FROM inbox_event").fetchall()
    assert len(photo) > 500_000 and len(event) < 1_000  # the row, not the photo
    media = json.loads(event)["media"]
    assert media["stored"] == media_file and media["inline_b64"] is None
    stored = MediaStore(tmp_path / "data" / "media").path("evo", media_file)
    assert stored.read_bytes() == photo
