"""Hidden linked ids (`<id>@lid`) end to end: WhatsApp Web API (the simulator) cannot address
one, so a reply to a hidden id whose phone is unknown is given up, counted in /metrics and in
the admin's /stats, and never sent to the id's digits as if they were a phone number."""

import dataclasses
import sqlite3

import httpx
import trio
from prometheus_client.parser import text_string_to_metric_families

from gateways.base import hmac_hex
from showroom.app import serve
from tests.gateways import wire
from tests.gateways.fakes import FakeGoWA, serving
from tests.web.conftest import SECRET, make_settings

ADMIN = "6281200001111"
HIDDEN = "203551111000101@lid"


async def test_a_reply_to_an_unknown_hidden_id_is_counted_not_sent(tmp_path):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(settings.tenants["demo"], admins=(ADMIN,))
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, _ = running.simulators["demo"]
        outbox = running.outboxes["demo"]
        assert await simulator.post_message(HIDDEN, "halo") == 200
        with trio.fail_after(20):
            await outbox.wait_until(lambda stats: stats.unreachable == 1)
        assert await simulator.post_message(ADMIN, "/stats") == 200
        with trio.fail_after(20):
            [answer] = await simulator.wait_sent(ADMIN, 1)
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"{running.web.url}/metrics")).text
        nursery.cancel_scope.cancel()
    assert [m.to for m in simulator.sent] == [ADMIN]  # nothing went to "203551111000101"
    assert "ID tersembunyi 1" in answer.text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
    }
    assert samples[("showroom_outbox_sends_total", (("outcome", "unreachable"),))] == 1


def gowa_webhook(message_id: str, text: str, **senders: str) -> bytes:
    """GoWA's message webhook as it writes it (Go's json.Marshal of a map: sorted keys)."""
    payload = {
        "id": message_id,
        "timestamp": "2025-10-28T16:01:20+07:00",
        "is_from_me": False,
        "from_name": "Budi",
        "body": text,
        **senders,
    }
    return wire.go_map(
        {"event": "message", "device_id": "6285712345678@s.whatsapp.net", "payload": payload}
    )


async def test_one_person_is_one_identity_whichever_form_their_next_message_uses(tmp_path):
    """GoWA tells the pair once (from + from_lid); the next message comes with the hidden id
    alone: it is the same conversation, and the replies go to the phone. A hidden id never
    seen with a phone is answered as `<id>@lid`, which GoWA takes."""
    gateway = FakeGoWA(credential="admin:s3cret-pass", on_whatsapp={"6281234567890"})
    phone_jid, lid_jid = "6281234567890@s.whatsapp.net", "203551111000101@lid"
    stranger = "203551111000999@lid"
    async with serving(gateway.app()) as gowa_url:
        settings = make_settings(tmp_path, kind="gowa", api_key="admin:s3cret-pass")
        demo = settings.tenants["demo"]
        gowa = dataclasses.replace(demo.gateway, base_url=gowa_url)
        settings = dataclasses.replace(
            settings, tenants={"demo": dataclasses.replace(demo, gateway=gowa)}
        )
        async with trio.open_nursery() as nursery, httpx.AsyncClient() as client:
            running = await nursery.start(serve, settings)
            outbox = running.outboxes["demo"]

            async def post(body: bytes) -> int:
                signature = "sha256=" + hmac_hex("sha256", SECRET, body)
                answer = await client.post(
                    f"{running.web.url}/webhook/demo",
                    content=body,
                    headers={"X-Hub-Signature-256": signature},
                )
                return answer.status_code

            both = gowa_webhook(
                "3EB0A1",
                "halo",
                chat_id=phone_jid,
                chat_lid=lid_jid,
                **{"from": phone_jid},
                from_lid=lid_jid,
            )
            assert await post(both) == 200
            with trio.fail_after(20):
                await outbox.wait_until(lambda stats: stats.sent >= 1)
            alone = gowa_webhook(
                "3EB0A2",
                "halo lagi",
                chat_id=lid_jid,
                chat_lid=lid_jid,
                **{"from": lid_jid},
                from_lid=lid_jid,
            )
            assert await post(alone) == 200
            unknown = gowa_webhook(
                "3EB0A3",
                "halo",
                chat_id=stranger,
                chat_lid=stranger,
                **{"from": stranger},
                from_lid=stranger,
            )
            assert await post(unknown) == 200
            with trio.fail_after(20):
                await outbox.wait_until(lambda stats: stats.sent >= 3)
            nursery.cancel_scope.cancel()
    sessions = sqlite3.connect(tmp_path / "data" / "showroom.db").execute(
        "SELECT user FROM conversation_session ORDER BY user"
    )
    assert [user for (user,) in sessions] == ["6281234567890", "lid:203551111000999"]
    assert [d.to for d in gateway.delivered] == [phone_jid, phone_jid, stranger]
