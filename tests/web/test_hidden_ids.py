"""Hidden linked ids (`<id>@lid`) end to end: WhatsApp Web API (the simulator) cannot address
one, so a reply to a hidden id whose phone is unknown is given up, counted in /metrics and in
the admin's /stats, and never sent to the id's digits as if they were a phone number."""

import dataclasses

import httpx
import trio
from prometheus_client.parser import text_string_to_metric_families

from showroom.app import serve
from tests.web.conftest import make_settings

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
