"""Hostile and broken input over real HTTP: never a 500, never a crash, never anything stored
from a refused request; and one seller's flood does not hold up another seller."""

import json

import httpx
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
