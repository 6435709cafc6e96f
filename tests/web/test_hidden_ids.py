"""Hidden linked ids (`<id>@lid`) end to end: WhatsApp Web API (the simulator) cannot address
one, so a reply to a hidden id whose phone is unknown is given up, counted in /metrics and in
the admin's /stats, and never sent to the id's digits as if they were a phone number."""

import dataclasses
import sqlite3
from contextlib import asynccontextmanager

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


@asynccontextmanager
async def gowa_showroom(tmp_path):
    """showroom with GoWA as its gateway (a fake of GoWA's API on a loopback port); yields
    the running showroom, a function that posts a signed webhook, and the fake."""
    gateway = FakeGoWA(credential="admin:s3cret-pass", on_whatsapp={"6281234567890"})
    async with serving(gateway.app()) as gowa_url:
        settings = make_settings(tmp_path, kind="gowa", api_key="admin:s3cret-pass")
        demo = settings.tenants["demo"]
        gowa = dataclasses.replace(demo.gateway, base_url=gowa_url)
        settings = dataclasses.replace(
            settings, tenants={"demo": dataclasses.replace(demo, gateway=gowa)}
        )
        async with trio.open_nursery() as nursery, httpx.AsyncClient() as client:
            running = await nursery.start(serve, settings)

            async def post(body: bytes) -> int:
                signature = "sha256=" + hmac_hex("sha256", SECRET, body)
                answer = await client.post(
                    f"{running.web.url}/webhook/demo",
                    content=body,
                    headers={"X-Hub-Signature-256": signature},
                )
                return answer.status_code

            yield running, post, gateway
            nursery.cancel_scope.cancel()


def sessions(tmp_path) -> list[str]:
    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        rows = db.execute("SELECT user FROM conversation_session ORDER BY user").fetchall()
    return [user for (user,) in rows]


async def test_one_person_is_one_identity_whichever_form_their_next_message_uses(tmp_path):
    """GoWA tells the pair once (from + from_lid); the next message comes with the hidden id
    alone: it is the same conversation, and the replies go to the phone. A hidden id never
    seen with a phone is answered as `<id>@lid`, which GoWA takes."""
    phone_jid, lid_jid = "6281234567890@s.whatsapp.net", "203551111000101@lid"
    stranger = "203551111000999@lid"
    async with gowa_showroom(tmp_path) as (running, post, gateway):
        outbox = running.outboxes["demo"]
        both = gowa_webhook(
            "3EB0A1",
            "halo",
            chat_id=phone_jid,
            chat_lid=lid_jid,
            from_lid=lid_jid,
            **{"from": phone_jid},
        )
        assert await post(both) == 200
        with trio.fail_after(20):
            await outbox.wait_until(lambda stats: stats.sent >= 1)
        for key, sender in (("3EB0A2", lid_jid), ("3EB0A3", stranger)):
            alone = gowa_webhook(
                key,
                "halo lagi",
                chat_id=sender,
                chat_lid=sender,
                from_lid=sender,
                **{"from": sender},
            )
            assert await post(alone) == 200
        with trio.fail_after(20):
            await outbox.wait_until(lambda stats: stats.sent >= 3)
    assert sessions(tmp_path) == ["6281234567890", "lid:203551111000999"]
    assert [d.to for d in gateway.delivered] == [phone_jid, phone_jid, stranger]


async def test_a_group_message_teaches_a_members_hidden_id(tmp_path):
    """A group message is not for the bot, but it can show a member's hidden id next to their
    phone: their own chat with the bot, by the hidden id alone, is then their phone's."""
    group, phone_jid, lid_jid = (
        "120363025246125888@g.us",
        "6281234567890@s.whatsapp.net",
        ("203551111000101@lid"),
    )
    async with gowa_showroom(tmp_path) as (running, post, gateway):
        in_group = gowa_webhook(
            "3EB0B1",
            "ada yang jual Avanza?",
            chat_id=group,
            from_lid=lid_jid,
            **{"from": phone_jid},
        )
        assert await post(in_group) == 200
        alone = gowa_webhook(
            "3EB0B2",
            "halo",
            chat_id=lid_jid,
            chat_lid=lid_jid,
            from_lid=lid_jid,
            **{"from": lid_jid},
        )
        assert await post(alone) == 200
        with trio.fail_after(20):
            await running.outboxes["demo"].wait_until(lambda stats: stats.sent >= 1)
    assert sessions(tmp_path) == ["6281234567890"]
    assert [d.to for d in gateway.delivered] == [phone_jid]
