"""Hostile and broken input over real HTTP: never a 500, never a crash, never anything stored
from a refused request; and one seller's flood does not hold up another seller."""

import json

import httpx
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.system.conftest import SECRET

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
SAMPLE = {
    "event": "message",
    "message": "halo",
    "sender": "6281234567890@s.whatsapp.net",
    "chat": "6281234567890@s.whatsapp.net",
    "time": "2025-10-28T09:01:20.482913577Z",
}


def mutate(data: dict, key: str, value) -> bytes:
    return json.dumps({**data, key: value}).encode()


async def test_random_and_mutated_bodies_never_make_a_500(showroom, tmp_path):
    url = f"{showroom.web.url}/webhook/demo/{SECRET}"
    statuses: list[int] = []

    @settings(
        max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        st.one_of(
            st.binary(max_size=300),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.tuples(st.sampled_from(list(SAMPLE)), json_values).map(
                lambda kv: mutate(SAMPLE, *kv)
            ),
        )
    )
    def check(body: bytes) -> None:
        async def post() -> int:
            async with httpx.AsyncClient() as client:
                return (await client.post(url, content=body)).status_code

        statuses.append(trio.from_thread.run(post))

    await trio.to_thread.run_sync(check)
    assert statuses and all(status in (200, 400, 413) for status in statuses)
    async with httpx.AsyncClient() as client:
        health = (await client.get(f"{showroom.web.url}/health")).json()  # still standing
    assert health["status"] == "ok"


async def test_a_flood_from_one_sender_does_not_hold_up_another(tmp_path):
    import dataclasses

    from showroom.app import serve
    from showroom.config import OutboxSettings
    from tests.system.conftest import make_settings

    # replies to one chat are spaced 0.05 s apart: the flood's answers take 3 s or more
    settings = dataclasses.replace(
        make_settings(tmp_path),
        outbox=OutboxSettings(per_chat_gap_s=0.05, per_minute=6000, typing=False),
    )
    flooder, other = "6281111111111", "6282222222222"
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, server = running.simulators["demo"]
        for n in range(60):
            await client.post(
                f"{server.url}/simulate/message", json={"from": flooder, "text": f"spam {n}"}
            )
        await client.post(f"{server.url}/simulate/message", json={"from": other, "text": "halo"})
        with trio.fail_after(30):
            await simulator.wait_sent(other, 1)
        answered_flood = len([m for m in simulator.sent if m.to == flooder])
        nursery.cancel_scope.cancel()
    assert answered_flood < 60  # the other seller was answered while the flood still ran


async def test_slow_clients_do_not_stop_others(showroom):
    """Twenty connections that send half a request and then nothing (slowloris) while a normal
    client keeps being answered."""
    host, port = "127.0.0.1", showroom.web.port
    streams = []
    for _ in range(20):
        stream = await trio.open_tcp_stream(host, port)
        await stream.send_all(b"POST /webhook/demo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000")
        streams.append(stream)
    async with httpx.AsyncClient() as client:
        with trio.fail_after(10):
            for _ in range(5):
                assert (await client.get(f"{showroom.web.url}/ping")).text == "pong"
    for stream in streams:
        await stream.aclose()


def inbox(tmp_path) -> list[tuple[str, str]]:
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "showroom.db") as db:
        return db.execute("SELECT dedupe_key, event FROM inbox_event ORDER BY id").fetchall()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError in the parser
        b'{"event": "message", "x": ' + b"[" * 500 + b"]" * 500 + b"}",  # deep, but parseable
        json.dumps({**SAMPLE, "message": 7}).encode().replace(b"7", b"9" * 5000),  # int parsing
    ],
    ids=["too-deep", "deep", "huge-int"],
)
async def test_hostile_json_is_a_400_never_a_500(showroom, tmp_path, body):
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{showroom.web.url}/webhook/demo/{SECRET}", content=body)
    assert answer.status_code == 400, answer.text
    assert inbox(tmp_path) == []


async def test_a_lone_surrogate_is_repaired_and_the_message_stored(showroom, tmp_path):
    simulator, _ = showroom.simulators["demo"]
    body = json.dumps({**SAMPLE, "message": "harga 145jt \ud83d"}).encode()  # cut in an emoji
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{showroom.web.url}/webhook/demo/{SECRET}", content=body)
    assert answer.status_code == 200 and answer.json()["events"] == 1
    [(_, event)] = inbox(tmp_path)
    assert json.loads(event)["text"] == "harga 145jt \ufffd"
    with trio.fail_after(20):
        await simulator.wait_sent("6281234567890", 1)  # and the bot went on with it


def cloud_message(n: int, **changes) -> dict:
    message = {
        "from": f"62812345678{n:02d}",
        "id": f"wamid.batch-{n}",
        "timestamp": "1761642080",
        "type": "text",
        "text": {"body": f"pesan {n}"},
    }
    return {**message, **changes}


async def test_the_good_messages_of_a_cloud_api_batch_are_stored(tmp_path):
    import dataclasses

    from gateways.base import hmac_hex
    from showroom.app import serve
    from showroom.config import GatewaySettings, TenantSettings
    from tests.system.conftest import make_settings

    meta = TenantSettings(
        gateway=GatewaySettings(
            kind="cloudapi", base_url="http://127.0.0.1:9", webhook_secret=SECRET, session="1"
        )
    )
    settings = dataclasses.replace(make_settings(tmp_path), tenants={"meta": meta})
    batches = [
        # a lone surrogate second: repaired, and the third is stored too
        [cloud_message(1), cloud_message(2, text={"body": "mobil \ud83d"}), cloud_message(3)],
        # a malformed message second (its sender a number of 5,000 digits, its text a string
        # instead of an object): refused alone
        [
            cloud_message(4),
            cloud_message(5, **{"from": "HUGE"}),
            cloud_message(6, text="not an object"),
            cloud_message(7),
        ],
    ]
    statuses = []
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        async with httpx.AsyncClient() as client:
            for batch in batches:
                value = {"messaging_product": "whatsapp", "messages": batch}
                body = json.dumps(
                    {
                        "object": "whatsapp_business_account",
                        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
                    }
                ).encode()
                body = body.replace(b'"HUGE"', b"9" * 5000)
                signature = "sha256=" + hmac_hex("sha256", SECRET, body)
                for _ in range(2):  # and again, as a gateway retries: nothing twice
                    answer = await client.post(
                        f"{running.web.url}/webhook/meta",
                        content=body,
                        headers={"X-Hub-Signature-256": signature},
                    )
                    statuses.append(answer.status_code)
        nursery.cancel_scope.cancel()
    assert statuses == [200, 200, 200, 200]
    stored = {key: json.loads(event)["text"] for key, event in inbox(tmp_path)}
    assert stored == {
        "meta:wamid.batch-1": "pesan 1",
        "meta:wamid.batch-2": "mobil \ufffd",
        "meta:wamid.batch-3": "pesan 3",
        "meta:wamid.batch-4": "pesan 4",
        "meta:wamid.batch-7": "pesan 7",
    }
