"""Slow and idle clients over real sockets: refused before their body when they cannot be the
gateway, cut off when their body trickles or they sit idle, and never more connections held
than the cap (the others wait in the kernel's queue and are served when a place frees)."""

import dataclasses

import httpx
import trio

from showroom.app import serve
from showroom.config import GatewaySettings, ServerSettings
from tests.system.conftest import SECRET, make_settings


def settings_with(tmp_path, *, gateway="whatsapp-web-api", **server):
    settings = make_settings(tmp_path)
    demo = settings.tenants["demo"]
    return dataclasses.replace(
        settings,
        server=ServerSettings(host="127.0.0.1", port=0, **server),
        tenants={
            "demo": dataclasses.replace(
                demo,
                gateway=GatewaySettings(
                    kind=gateway, base_url="http://127.0.0.1:9", webhook_secret=SECRET
                ),
            )
        },
    )


async def head(stream: trio.SocketStream, path: str, length: int, extra: str = "") -> None:
    await stream.send_all(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n{extra}\r\n".encode()
    )


async def answer_of(stream: trio.SocketStream) -> bytes:
    received = b""
    while chunk := await stream.receive_some(4096):
        received += chunk
    return received


async def test_without_the_secret_a_client_is_refused_before_its_body(tmp_path):
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings_with(tmp_path))
        stream = await trio.open_tcp_stream("127.0.0.1", running.web.port)
        await head(stream, "/webhook/demo/not-the-secret-at-all", 100_000)  # and no body
        with trio.fail_after(2):
            answer = await answer_of(stream)  # answered and closed, the body never read
        nursery.cancel_scope.cancel()
    assert answer.startswith(b"HTTP/1.1 401")


async def test_a_trickling_body_is_cut_off(tmp_path):
    settings = settings_with(tmp_path, gateway="gowa")  # an HMAC: the body must be read
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        stream = await trio.open_tcp_stream("127.0.0.1", running.web.port)
        await head(stream, "/webhook/demo", 1000, "X-Hub-Signature-256: sha256=00\r\n")
        started = trio.current_time()

        async def trickle() -> None:
            for _ in range(1000):
                try:
                    await stream.send_all(b"{")
                except trio.BrokenResourceError:
                    return
                await trio.sleep(0.5)

        nursery.start_soon(trickle)
        with trio.fail_after(10):
            answer = await answer_of(stream)
        took = trio.current_time() - started
        nursery.cancel_scope.cancel()
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < 4  # a byte every half second: cut after the 2 s of grace


async def test_an_idle_connection_is_closed(tmp_path):
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings_with(tmp_path, idle_timeout_s=0.5))
        stream = await trio.open_tcp_stream("127.0.0.1", running.web.port)
        await stream.send_all(b"POST /webhook/demo/x HTTP/1.1\r\nHost: x\r\n")  # never finished
        with trio.fail_after(5):
            assert await answer_of(stream) == b""
        nursery.cancel_scope.cancel()


async def test_no_more_connections_than_the_cap_are_held(tmp_path):
    settings = settings_with(tmp_path, max_connections=16, idle_timeout_s=60)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        assert running.web.connections.limit == 16
        idle = [await trio.open_tcp_stream("127.0.0.1", running.web.port) for _ in range(16)]
        answered = trio.Event()

        async def ping() -> None:
            assert (await client.get(f"{running.web.url}/ping")).text == "pong"
            answered.set()

        nursery.start_soon(ping)
        with trio.move_on_after(1):
            await answered.wait()
        assert not answered.is_set()  # waiting in the kernel's queue, not held by the server
        assert running.web.connections.open == 16
        await idle[0].aclose()  # a place frees: the waiting one is taken and answered
        with trio.fail_after(5):
            await answered.wait()
        for stream in idle[1:]:
            await stream.aclose()
        nursery.cancel_scope.cancel()
    assert running.web.connections.most == 16
